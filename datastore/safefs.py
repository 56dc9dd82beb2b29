"""Reading and writing inside a data repository that anyone may have pushed to.

Everything under the repository is content from other people: a symlink may lead to
`/etc/passwd` or `/dev/zero`, a FIFO blocks whoever opens it, a folder link can loop, a file
can be gigabytes long. So every read here is bounded and total:

- each step of a path is opened relative to the folder before it with `O_NOFOLLOW`, so no
  link is ever followed, neither the last step nor a folder on the way (nor can a walk loop);
- a file is looked at with `lstat` first and opened only when it is a regular file, with
  `O_NONBLOCK` (a FIFO swapped in meanwhile cannot block the open) and checked again with
  `fstat` on what was opened;
- a file over the caller's size limit is never read.

Every refusal is an `Unreadable` with a code and a Chinese sentence, which the loader turns
into a finding and a save into a refusal.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from datastore.errors import LlweekError

#: a record is a few kilobytes; a megabyte is far more than any notice's text
RECORD_MAX_BYTES = 1024 * 1024

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class Unreadable(LlweekError):
    """A file (or a folder on its way) that is not read.

    `code` names why (for findings), `reason` says it in Chinese without the path (a finding
    names its file already); `str()` is the whole sentence with the path, for a refusal.
    """

    def __init__(self, code: str, rel: str, reason: str) -> None:
        super().__init__(f"{rel}：{reason}")
        self.code, self.rel, self.reason = code, rel, reason


def megabytes(size: int) -> str:
    return f"{size / 1048576:.1f} MB"


def kind_words(mode: int) -> str:
    """What a non-regular file is, in words a person knows."""
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISLNK(mode):
        return "符号链接"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISREG(mode):
        return "一个文件"
    return "特殊文件"


def refusal(rel: str, mode: int, *, folder: bool = False) -> Unreadable:
    """Why `rel`, which is not what was wanted (a regular file, or a folder), is not read."""
    if stat.S_ISLNK(mode):
        return Unreadable("file.link", rel, "这是一个符号链接：为安全起见，本程序不跟随链接读取，"
                                            "请换成文件本身")
    what = kind_words(mode)
    if folder:
        return Unreadable("file.not_folder", rel, f"这里应是一个文件夹，却是{what}")
    if stat.S_ISDIR(mode):
        return Unreadable("file.is_folder", rel, "这里应是一个文件，却是一个文件夹")
    return Unreadable("file.special", rel, f"这是{what}，不是普通文件：本程序不读取它")


def _osrefusal(rel: str, err: OSError) -> Unreadable:
    if err.errno == errno.ENOENT:
        return Unreadable("file.missing", rel, "文件不存在")
    if err.errno in (errno.ELOOP, errno.EMLINK):
        return refusal(rel, stat.S_IFLNK)
    if err.errno == errno.ENOTDIR:
        return Unreadable("file.not_folder", rel, "所在的位置不是文件夹")
    return Unreadable("file.unreadable", rel, f"文件无法读取：{err.strerror}")


def too_large(rel: str, size: int, limit: int) -> Unreadable:
    return Unreadable("file.too_large", rel,
                      f"文件有 {megabytes(size)}，超过 {megabytes(limit)} 的上限：本程序不读取它")


@dataclass(frozen=True, slots=True)
class Entry:
    """One name in a folder, as `lstat` sees it (links are links, never what they point to)."""

    name: str
    mode: int

    @property
    def is_file(self) -> bool:
        return stat.S_ISREG(self.mode)

    @property
    def is_folder(self) -> bool:
        return stat.S_ISDIR(self.mode)

    @property
    def is_hidden(self) -> bool:
        return self.name.startswith(".")


class Folder:
    """An open folder of the repository, reached without following any link.

    Use with `with`; `rel` is its repository-relative path, for messages.
    """

    __slots__ = ("fd", "rel")

    def __init__(self, fd: int, rel: str) -> None:
        self.fd = fd
        self.rel = rel

    @classmethod
    def open(cls, root: Path | str, rel: str = "") -> Folder:
        """The folder `rel` under `root` (the root itself is trusted: the user named it)."""
        try:
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as err:
            raise _osrefusal(str(root), err) from None
        folder = cls(fd, "")
        for part in _parts(rel):
            try:
                inner = folder.folder(part)
            finally:
                folder.close()
            folder = inner
        return folder

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def path_of(self, name: str) -> str:
        return f"{self.rel}/{name}" if self.rel else name

    def lstat(self, name: str) -> os.stat_result:
        """The entry itself (a link is a link); raises Unreadable when it cannot be seen."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except OSError as err:
            raise _osrefusal(self.path_of(name), err) from None

    def folder(self, name: str) -> Folder:
        """The sub-folder `name`; a link, a file or anything else there is refused."""
        rel = self.path_of(name)
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=self.fd)
        except OSError as err:
            if err.errno in (errno.ELOOP, errno.ENOTDIR):
                raise refusal(rel, self.lstat(name).st_mode, folder=True) from None
            raise _osrefusal(rel, err) from None
        return Folder(fd, rel)

    def entries(self) -> list[Entry]:
        """Every name in the folder with its own kind, sorted by name."""
        found = []
        try:
            with os.scandir(self.fd) as listing:
                for item in listing:
                    mode = _mode(item)
                    if mode is not None:
                        found.append(Entry(item.name, mode))
        except OSError as err:
            raise _osrefusal(self.rel or ".", err) from None
        found.sort(key=lambda entry: entry.name)
        return found

    def read(self, name: str, limit: int) -> tuple[bytes, os.stat_result]:
        """The bytes of the regular file `name` (at most `limit`) and what `fstat` said of it."""
        rel = self.path_of(name)
        before = self.lstat(name)
        if not stat.S_ISREG(before.st_mode):
            raise refusal(rel, before.st_mode)
        if before.st_size > limit:
            raise too_large(rel, before.st_size, limit)
        fd, info = self._open(name)
        try:  # plain reads of the descriptor: no buffered file object for one small file
            chunks, total = [], 0
            while total <= limit:
                chunk = os.read(fd, limit + 1 - total)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError as err:
            raise _osrefusal(rel, err) from None
        finally:
            os.close(fd)
        if total > limit:  # it grew after the check
            raise too_large(rel, total, limit)
        return b"".join(chunks), info

    def _open(self, name: str) -> tuple[int, os.stat_result]:
        """A blocking descriptor of the regular file `name`, opened without following a link
        or blocking on a FIFO, and what `fstat` said of it."""
        rel = self.path_of(name)
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=self.fd)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise refusal(rel, stat.S_IFLNK) from None
            raise _osrefusal(rel, err) from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise refusal(rel, info.st_mode)
            os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return fd, info

    @contextmanager
    def open_file(self, name: str) -> Iterator[tuple[object, os.stat_result]]:
        """The regular file `name`, opened without following a link or blocking on a FIFO."""
        fd, info = self._open(name)
        try:
            handle = os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        with handle:
            yield handle, info


def _mode(item: os.DirEntry) -> int | None:
    """The kind of a folder entry from the listing itself (no stat for the usual kinds)."""
    try:
        if item.is_symlink():
            return stat.S_IFLNK
        if item.is_dir(follow_symlinks=False):
            return stat.S_IFDIR
        if item.is_file(follow_symlinks=False):
            return stat.S_IFREG
        return item.stat(follow_symlinks=False).st_mode
    except OSError:  # vanished meanwhile
        return None


def _parts(rel: str) -> list[str]:
    parts = [p for p in rel.split("/") if p and p != "."]
    if ".." in parts:
        raise Unreadable("file.outside", rel, "指向材料库以外")
    return parts


def split(rel: str) -> tuple[str, str]:
    """(folder, name) of a repository-relative path."""
    folder, _, name = rel.rpartition("/")
    return folder, name


def read_file(root: Path | str, rel: str, limit: int = RECORD_MAX_BYTES) -> bytes:
    """The bytes of the regular file `rel` under `root`, every step checked; raises Unreadable."""
    folder_rel, name = split(rel)
    with Folder.open(root, folder_rel) as folder:
        return folder.read(name, limit)[0]


def file_mode(root: Path | str, rel: str) -> int | None:
    """The `lstat` mode of `rel` (reached through real folders only), None when it is absent."""
    folder_rel, name = split(rel)
    try:
        with Folder.open(root, folder_rel) as folder:
            return folder.lstat(name).st_mode
    except Unreadable as err:
        if err.code == "file.missing":
            return None
        raise


def writable_path(root: Path, rel: str) -> Path:
    """`root/rel`, refused unless every folder on the way is a real folder (or not there yet)
    and the file itself is a regular file or absent: a write never goes through a link."""
    parts = _parts(rel)
    path = Path(root)
    for position, part in enumerate(parts):
        path = path / part
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return Path(root, *parts)  # the rest is created by the write
        except OSError as err:
            raise _osrefusal("/".join(parts[:position + 1]), err) from None
        last = position == len(parts) - 1
        if last and not stat.S_ISREG(mode):
            raise refusal(rel, mode)
        if not last and not stat.S_ISDIR(mode):
            raise refusal("/".join(parts[:position + 1]), mode, folder=True)
    return path
