"""Small, real repositories for rule and loading tests: files on disk, photos drawn by Pillow."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from PIL import Image

from datastore.records import record_to_text
from datastore.models import Record
from datastore.scaffold import SAMPLE_DIR


def jpeg_bytes(width: int, height: int, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (120, 160, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=60, exif=exif.tobytes())
    return out.getvalue()


def write_photo(root: Path, unit: str, name: str, width: int = 1920, height: int = 1080,
                orientation: int | None = None) -> str:
    path = root / "units" / unit / "photos" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg_bytes(width, height, orientation))
    return name


def tiny_repo(root: Path) -> Path:
    """A data repository with the sample's campaign.toml and access.toml and no materials."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("campaign.toml", "access.toml"):
        shutil.copyfile(SAMPLE_DIR / name, root / name)
    return root


def write_record(root: Path, rel: str, record: Record) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record_to_text(record), encoding="utf-8")
    return path


def chars(n: int, char: str = "学") -> str:
    """Text of exactly n counted characters (with spaces and line breaks that do not count)."""
    body = char * n
    return "\n".join(body[i:i + 50] + " \u3000" for i in range(0, n, 50))


DAY = dt.date(2021, 10, 12)
