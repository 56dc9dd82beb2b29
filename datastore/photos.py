"""Photo files: where they may live, and what Pillow can tell about them.

Photos are printed on the exhibition boards, so they are kept exactly as they are (never
re-encoded). Inspecting one reads only its header; results are cached per file version.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".heic")
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_cache: dict[tuple[str, int, int], "PhotoInfo"] = {}


@dataclass(frozen=True)
class PhotoInfo:
    """What a photo is; `problem` (Chinese) is set when it cannot be used at all."""

    width: int = 0
    height: int = 0
    size_bytes: int = 0
    format: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def meets(self, long_side: int, short_side: int) -> bool:
        return max(self.width, self.height) >= long_side and min(self.width, self.height) >= short_side


def safe_photo_name(name: object) -> bool:
    """A bare file name inside the unit's photos/ folder: no folders, no hidden files."""
    return (isinstance(name, str) and 0 < len(name) <= 200 and "/" not in name
            and "\\" not in name and "\0" not in name and not name.startswith("."))


def photo_path(root: Path, unit: str, name: str) -> Path | None:
    """The photo's path if it stays inside the unit's own photos/ folder, else None.

    A symlink that leads anywhere else (outside the repository, into .git, into another
    unit's photos) is refused, so nothing is ever read or copied from there.
    """
    if not safe_photo_name(name):
        return None
    folder = root / "units" / unit / "photos"
    path = folder / name
    steps = (path, folder, folder.parent, folder.parent.parent)
    if not any(os.path.islink(step) for step in steps):
        return path  # a plain name in plain folders cannot leave the folder
    try:
        path.resolve().relative_to(folder.resolve())
    except (OSError, ValueError):
        return None
    return path


def inspect_photo(path: Path) -> PhotoInfo:
    """Size after EXIF rotation; unreadable files, non-images and pixel bombs become problems."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return PhotoInfo(problem="照片文件不存在")
    except OSError as err:
        return PhotoInfo(problem=f"照片文件无法读取：{err.strerror}")
    if not path.is_file():
        return PhotoInfo(problem="这里应是照片文件，却是一个文件夹")
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache[key] = _read_header(path, stat.st_size)
    return _cache[key]


def _read_header(path: Path, size: int) -> PhotoInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112)
                fmt = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return PhotoInfo(size_bytes=size, problem="图片像素数异常巨大，拒绝打开")
    except UnidentifiedImageError:
        return PhotoInfo(size_bytes=size, problem="不是可识别的图片文件")
    except (OSError, SyntaxError, ValueError) as err:
        return PhotoInfo(size_bytes=size, problem=f"图片已损坏，无法读取（{err}）")
    if orientation in _ROTATED:
        width, height = height, width
    return PhotoInfo(width, height, size, fmt)
