"""Photo files: where they may live, and what Pillow can tell about them.

Photos are printed on the exhibition boards, so they are kept exactly as they are (never
re-encoded). Inspecting one reads only its header; results are cached per file version.
Only regular files reached without a symlink are ever opened (see datastore.safefs).
"""

from __future__ import annotations

import io
import os
import stat
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from datastore.errors import LlweekError
from datastore.safefs import Unreadable, kind_words, read_file

if TYPE_CHECKING:  # Pillow is imported where a photo is opened: loading records never needs it
    from PIL import Image

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

    A symlink anywhere on the way (the photo itself, photos/, the unit's folder, units/) is
    refused, wherever it leads (outside the repository, into .git, into another unit, round
    in a loop), so nothing is ever read or copied through one.
    """
    if not safe_photo_name(name):
        return None
    folder = root / "units" / unit / "photos"
    path = folder / name
    if any(os.path.islink(step) for step in (path, folder, folder.parent, folder.parent.parent)):
        return None
    return path


def inspect_photo(path: Path, *, follow: bool = False) -> PhotoInfo:
    """Size after EXIF rotation; unreadable files, non-images and pixel bombs become problems.

    Only a regular file is opened: a FIFO, a device or (unless `follow`, for a file a person
    picked on the server) a symlink is a problem, never a read.
    """
    try:
        info = os.stat(path, follow_symlinks=follow)
    except FileNotFoundError:
        return PhotoInfo(problem="照片文件不存在")
    except OSError as err:
        return PhotoInfo(problem=f"照片文件无法读取：{err.strerror}")
    if not stat.S_ISREG(info.st_mode):
        what = kind_words(info.st_mode)
        return PhotoInfo(problem=f"这里应是照片文件，却是{what}" if stat.S_ISDIR(info.st_mode)
                         or stat.S_ISLNK(info.st_mode) else f"这是{what}，不是照片文件")
    key = (str(path), info.st_mtime_ns, info.st_size)
    if key not in _cache:
        _cache[key] = _read_header(path, info.st_size, follow)
    return _cache[key]


@contextmanager
def open_image(path: Path, *, follow: bool = False) -> Iterator[Image.Image]:
    """Pillow's image of a regular file, opened without blocking on a FIFO or (unless
    `follow`) following a link; raises OSError (or Pillow's errors) for anything else."""
    from PIL import Image

    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    fd = os.open(path, flags | (0 if follow else os.O_NOFOLLOW))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} 不是普通文件")
        os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle, Image.open(handle) as image:
        yield image


def _read_header(path: Path, size: int, follow: bool) -> PhotoInfo:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with open_image(path, follow=follow) as image:
                width, height = image.size
                orientation = image.getexif().get(0x0112)
                fmt = image.format
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return PhotoInfo(size_bytes=size, problem="图片像素数异常巨大，拒绝打开")
    except UnidentifiedImageError:
        return PhotoInfo(size_bytes=size, problem="不是可识别的图片文件")
    except (OSError, SyntaxError, ValueError, TypeError, struct.error, EOFError) as err:
        return PhotoInfo(size_bytes=size, problem=f"图片已损坏，无法读取（{str(err)[:80]}）")
    if orientation in _ROTATED:
        width, height = height, width
    return PhotoInfo(width, height, size, fmt)


def read_picked_photo(source: Path, max_mb: int) -> bytes:
    """The bytes of a photo a person picked on the server (links followed, a regular file
    only, bounded), refused with the reason when it is not a readable image or is too large."""
    info = inspect_photo(source, follow=True)
    if not info.ok:
        raise LlweekError(f"{source.name}：{info.problem}")
    limit = max_mb * 1024 * 1024
    if info.size_bytes > limit:
        raise LlweekError(f"{source.name} 大小 {info.size_bytes / 1048576:.1f} MB，超过 {max_mb} MB 的上限")
    try:
        return _read_regular(source, limit)
    except OSError as err:
        raise LlweekError(f"{source.name} 无法读取：{err.strerror or err}") from None


def _read_regular(path: Path, limit: int) -> bytes:
    """A file a person picked (links followed), read only if it is a regular file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} 不是普通文件")
        os.set_blocking(fd, True)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise OSError("文件在读取时变大了")
    return data


#: no photo file is read past this size, whatever the campaign's rule says (a bounded read)
READ_LIMIT_BYTES = 64 * 1024 * 1024


def read_photo_file(path: Path, max_bytes: int = READ_LIMIT_BYTES) -> bytes:
    """The bytes of a photo `photo_path` has vetted, read as `safefs` reads (no link followed,
    no FIFO or device opened, bounded); a LlweekError whose message reads after the photo's
    name (「a.jpg」文件不存在)."""
    try:
        return read_file(path.parent, path.name, max_bytes)
    except Unreadable as err:
        raise LlweekError(err.reason) from None


def decode_photo(data: bytes, longest: int) -> Image.Image:
    """The photo upright (EXIF rotation applied) in RGB, reduced so its long side is at most
    `longest` pixels (never enlarged); a Chinese LlweekError for a broken file or a pixel bomb.

    JPEGs are decoded at a reduced scale straight away (Pillow's draft mode), so a 20 MB print
    photo becomes a preview or a print copy quickly and in little memory.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

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
    from PIL import Image

    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba)


def read_photo(root: Path, unit: str, name: str, max_bytes: int = READ_LIMIT_BYTES) -> bytes:
    """The bytes of photo `name` of `unit`, only from inside units/<unit>/photos/, every
    folder on the way a real folder."""
    if photo_path(root, unit, name) is None:
        raise LlweekError("不在本单位 photos 文件夹中")
    try:
        return read_file(root, f"units/{unit}/photos/{name}", max_bytes)
    except Unreadable as err:
        raise LlweekError(err.reason) from None
