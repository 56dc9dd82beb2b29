"""Photo files: where they may live, and what Pillow can tell about them.

Photos are printed on the exhibition boards, so they are kept exactly as they are (never
re-encoded). Inspecting one reads only its header; results are cached per file version.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from PIL import Image, ImageOps, UnidentifiedImageError

from datastore.errors import LlweekError
from datastore.tomlio import atomic_write

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


def copy_photo_in(source: Path, root: Path, unit: str, max_mb: int) -> str:
    """Copy a photo chosen on the server into units/<unit>/photos/, bytes unchanged.

    Returns the file name used there (a new name when one with other content exists).
    """
    info = inspect_photo(source)
    if not info.ok:
        raise LlweekError(f"{source.name}：{info.problem}")
    if info.size_bytes > max_mb * 1024 * 1024:
        raise LlweekError(f"{source.name} 大小 {info.size_bytes / 1048576:.1f} MB，超过 {max_mb} MB 的上限")
    folder = root / "units" / unit / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = source.stem.lstrip(".") or "photo", source.suffix.lower()
    name, counter = f"{stem}{suffix}", 1
    while (folder / name).exists():
        if (folder / name).read_bytes() == source.read_bytes():
            return name
        counter += 1
        name = f"{stem}-{counter}{suffix}"
    atomic_write(folder / name, source.read_bytes())
    return name


#: no photo file is read past this size, whatever the campaign's rule says (a bounded read)
READ_LIMIT_BYTES = 64 * 1024 * 1024


def read_photo_file(path: Path, max_bytes: int = READ_LIMIT_BYTES) -> bytes:
    """The bytes of a photo `photo_path` has vetted; a LlweekError when it cannot be read,
    whose message reads after the photo's name (「a.jpg」不存在).

    Opened without blocking and without following a last-moment symlink, then checked to be a
    regular file of bounded size before a byte is read: a FIFO, a device or a folder swapped in
    under the name is refused instead of hanging or streaming forever.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path.resolve(), flags)
    except FileNotFoundError:
        raise LlweekError("不存在") from None
    except OSError as err:
        raise LlweekError(f"无法读取：{err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        stat = os.fstat(handle.fileno())
        if not S_ISREG(stat.st_mode):
            raise LlweekError("不是照片文件，而是文件夹、设备或管道")
        if stat.st_size > max_bytes:
            raise LlweekError(f"太大（{stat.st_size / 1048576:.0f} MB），不予读取")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LlweekError("在读取时变大了，不予读取")
    return data


def decode_photo(data: bytes, longest: int) -> Image.Image:
    """The photo upright (EXIF rotation applied) in RGB, reduced so its long side is at most
    `longest` pixels (never enlarged); a Chinese LlweekError for a broken file or a pixel bomb.

    JPEGs are decoded at a reduced scale straight away (Pillow's draft mode), so a 20 MB print
    photo becomes a preview or a print copy quickly and in little memory.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (longest, longest))
                upright = ImageOps.exif_transpose(image)
                if upright.mode not in ("RGB", "L"):
                    upright = _on_white(upright)
                upright = upright.convert("RGB")
                upright.thumbnail((longest, longest), Image.Resampling.LANCZOS)
                return upright
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise LlweekError("图片像素数异常巨大，拒绝打开") from None
    except UnidentifiedImageError:
        raise LlweekError("不是可识别的图片文件") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise LlweekError(f"图片已损坏，无法读取（{err}）") from None


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent parts become white paper, not black."""
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba)


def read_photo(root: Path, unit: str, name: str, max_bytes: int = READ_LIMIT_BYTES) -> bytes:
    """The bytes of photo `name` of `unit`, only from inside units/<unit>/photos/."""
    path = photo_path(root, unit, name)
    if path is None:
        raise LlweekError("不在本单位 photos 文件夹中")
    try:
        path.resolve().relative_to((root / "units" / unit / "photos").resolve())
    except (OSError, ValueError):
        raise LlweekError("不在本单位 photos 文件夹中") from None
    return read_photo_file(path, max_bytes)
