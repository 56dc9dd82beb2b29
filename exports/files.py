"""Output files: predictable names, written atomically, never over an earlier export.

An export that meets a file of the same name (yesterday's export, perhaps already stamped and
filed) keeps it and writes `…(2).xlsx` beside it; the caller says so.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from datastore.errors import LlweekError

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
ROLLUP_NAME = "全省汇总"
MAX_TRIES = 1000


def safe_name(text: str, limit: int = 60) -> str:
    """A file name part that every system accepts: no separators, no reserved characters."""
    cleaned = _FORBIDDEN.sub("", text).strip(" .")
    return cleaned[:limit] or "未命名"


def annex_file(year: object, label: str, who: str) -> str:
    """`2021-附表1-长春市.xlsx`, `2021-附表1-全省汇总.xlsx`."""
    return f"{year}-{label}-{safe_name(who)}.xlsx"


def document_file(year: object, what: str, who: str, suffix: str) -> str:
    """`2021-工作方案-长春市.docx`."""
    return f"{year}-{safe_name(what)}-{safe_name(who)}{suffix}"


def package_name(year: object, who: str) -> str:
    """`2021-长春市-电子材料` (the folder; the archive adds `.zip`)."""
    return f"{year}-{safe_name(who)}-电子材料"


def variants(name: str) -> Iterator[str]:
    """`a.xlsx`, `a(2).xlsx`, `a(3).xlsx` …"""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    yield name
    for counter in range(2, MAX_TRIES):
        yield f"{stem}({counter}){dot}{suffix}"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _claim(tmp: Path, target: Path) -> bool:
    """Give the finished temp file its name unless that name is taken; never replaces."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            return False
        os.replace(tmp, target)
    return True


def place_file(tmp: Path, folder: Path, name: str) -> Path:
    """Move a finished temp file into `folder` under `name` or the first free variant."""
    try:
        for candidate in variants(name):
            target = folder / candidate
            if _claim(tmp, target):
                _fsync_dir(folder)
                return target
        raise LlweekError(f"{folder} 中已有太多名为 {name} 的文件，请先整理该文件夹")
    finally:
        if tmp.exists():
            tmp.unlink()


def temp_file(folder: Path) -> Path:
    """An empty hidden temp file inside `folder`, so the final rename stays on one disk."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".llweek-", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, 0o644)
    return Path(tmp)


def write_new(folder: Path, name: str, data: bytes) -> Path:
    """Write `data` atomically as `folder/name`, or as a free variant if the name is taken."""
    tmp = temp_file(folder)
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return place_file(tmp, folder, name)


def free_variant(folder: Path, names: list[str]) -> list[str]:
    """The first variant under which none of `names` exists yet (a package's folder and its
    zip keep the same suffix)."""
    for options in zip(*(variants(name) for name in names)):
        if not any(os.path.lexists(folder / option) for option in options):
            return list(options)
    raise LlweekError(f"{folder} 中已有太多同名的材料包，请先整理该文件夹")
