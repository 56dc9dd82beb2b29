"""One writer at a time per working tree.

Each save and each sync holds `.git/llweek.lock` (an advisory flock, released by the kernel
if the process dies), so two app instances, or the app and the CLI, queue up instead of racing
Git's own `index.lock`. The lock file names its holder, so a waiting user is told who it is.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from datastore.errors import RepoBusy

WAIT_SECONDS = 20.0
STALE_INDEX_LOCK_SECONDS = 5.0


def _who(purpose: str) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "未知用户"
    return f"{user}（进程 {os.getpid()}，{purpose}，{time.strftime('%H:%M:%S')} 开始）"


@contextmanager
def repo_lock(git_dir: Path, purpose: str, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the repository's writer lock; waits up to `wait` seconds, then says who holds it."""
    path = git_dir / "llweek.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = path.read_text(encoding="utf-8", errors="replace").strip() or "另一个程序"
                    raise RepoBusy(f"材料库正被占用：{holder}。请稍后再试") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, _who(purpose).encode("utf-8"), 0)
        clear_stale_index_lock(git_dir)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _git_running_in(folder: Path) -> bool:
    """Is a git process at work inside `folder`? Git runs in the repository it works on, so
    its current folder tells; other people's processes (whose folder we cannot see) work in
    their own clones."""
    folder = folder.resolve()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm", encoding="utf-8") as handle:
                if not handle.read().strip().startswith("git"):
                    continue
            cwd = Path(os.readlink(f"/proc/{entry.name}/cwd"))
        except OSError:
            continue
        if cwd == folder or folder in cwd.parents:
            return True
    return False


def clear_stale_index_lock(git_dir: Path) -> bool:
    """Remove `index.lock` left by a crash — only when it is old and no git works here."""
    lock = git_dir / "index.lock"
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return False
    if age < STALE_INDEX_LOCK_SECONDS or not os.path.isdir("/proc"):
        return False
    if _git_running_in(git_dir.parent):
        return False
    lock.unlink(missing_ok=True)
    return True
