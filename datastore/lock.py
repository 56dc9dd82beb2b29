"""One writer at a time per working tree, and what a killed writer leaves behind.

Each save and each sync holds `.git/llweek.lock` (an advisory flock, released by the kernel
if the process dies), so two app instances, or the app and the CLI, queue up instead of racing
Git's own `index.lock`. The lock file names its holder, so a waiting user is told who it is.

Git's own lock files (`index.lock`, `HEAD.lock`, `refs/heads/main.lock`, the commit-graph's
`objects/info/commit-graphs/commit-graph-chain.lock`, …) and the temp files
of its merge driver (`.merge_file_XXXXXX`) are not flocks: a git killed mid-way leaves them,
and every later git command then fails. Once llweek holds its lock, no llweek process runs git
here; so such a file is someone's only while a process is really at work in this repository —
one that has the file open, or a git process whose current folder (where git always runs) or
environment is this repository. Without one, the file is a leftover and is removed, with a
line saying so; with one, the writer waits for it a while, then says in Chinese who waits for
what. Age plays no part: a lock a second old is as stale as one from last week if nobody holds it.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import pwd
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from datastore.errors import RepoBusy

WAIT_SECONDS = 20.0
OWN_LOCK = "llweek.lock"
#: where `git commit-graph write` takes its locks
_GRAPH_FOLDERS = ("objects/info", "objects/info/commit-graphs")
#: temp files git's merge writes into the working tree for a merge driver (%O %A %B)
MERGE_TEMP_PREFIX = ".merge_file_"


@dataclass
class Held:
    """The writer lock, held; `notes` say what leftovers were cleared on the way in."""

    notes: list[str] = field(default_factory=list)


def _who(purpose: str) -> str:
    return f"{_user(os.getuid())}（进程 {os.getpid()}，{purpose}，{time.strftime('%H:%M:%S')} 开始）"


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name if uid != os.getuid() else getpass.getuser()
    except (KeyError, OSError):
        return f"用户 {uid}"


@contextmanager
def repo_lock(git_dir: Path, purpose: str, wait: float | None = None) -> Iterator[Held]:
    """Hold the repository's writer lock; waits up to `wait` seconds (default WAIT_SECONDS),
    then says who holds it. Once held, Git's leftovers are cleared (or waited for, within the
    same time)."""
    wait = WAIT_SECONDS if wait is None else wait
    path = git_dir / OWN_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
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
        try:
            held = Held(clear_leftovers(git_dir, purpose, max(deadline - time.monotonic(), 0.0)))
            yield held
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ------------------------------------------------------------------ Git's leftovers


def leftovers(git_dir: Path) -> list[Path]:
    """Git's lock files in `git_dir` (its top level and refs/) and the merge driver's temp
    files in the working tree beside it."""
    found = [git_dir / name for name in _names(git_dir) if name.endswith(".lock")
             and name != OWN_LOCK]
    for folder, subfolders, files in os.walk(git_dir / "refs"):  # links are never followed
        found += [Path(folder, name) for name in files if name.endswith(".lock")]
    for folder in _GRAPH_FOLDERS:  # a commit-graph write cut short (sync writes one)
        found += [git_dir / folder / name for name in _names(git_dir / folder)
                  if name.endswith(".lock")]
    worktree = git_dir.parent
    if git_dir.name == ".git":
        found += [worktree / name for name in _names(worktree) if name.startswith(MERGE_TEMP_PREFIX)]
    return sorted(found)


def _names(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in os.scandir(folder)
                if entry.is_file(follow_symlinks=False)]
    except OSError:
        return []


@dataclass(frozen=True)
class Process:
    """A process at work in the repository, as a person would name it."""

    pid: int
    user: str
    command: str

    def __str__(self) -> str:
        return f"{self.command}（进程 {self.pid}，用户 {self.user}）"


def clear_leftovers(git_dir: Path, purpose: str, wait: float = 0.0,
                    only: list[Path] | None = None) -> list[str]:
    """Remove Git's leftovers (or just those of `only`) that no process holds; returns a line
    per file removed.

    If a process is at work in this repository, waits up to `wait` seconds for it to finish,
    then raises RepoBusy naming it. Files that belong to another account are never removed.
    """
    found = leftovers(git_dir) if only is None else only
    if not found:
        return []
    deadline = time.monotonic() + wait
    while True:
        found = [path for path in found if os.path.lexists(path)]
        if not found:
            return []
        foreign = [path for path in found if not _ours(path)]
        working = [] if foreign else at_work_in(git_dir, found)
        if not foreign and not working:
            return [note for note in (_remove(git_dir, path) for path in found) if note]
        if time.monotonic() >= deadline:
            raise RepoBusy(_busy(git_dir, purpose, found, working, foreign, wait))
        time.sleep(0.1)


def _ours(path: Path) -> bool:
    try:
        owner = os.lstat(path).st_uid
    except FileNotFoundError:
        return True
    return owner == os.geteuid() or os.geteuid() == 0


def _remove(git_dir: Path, path: Path) -> str | None:
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    shown = _shown(git_dir, path)
    if path.name.startswith(MERGE_TEMP_PREFIX):
        return f"已删除上次中断的合并留下的临时文件 {shown}"
    return f"已清除上次中断留下的锁文件 {shown}（没有程序在使用它）"


def _shown(git_dir: Path, path: Path) -> str:
    try:
        return path.relative_to(git_dir.parent).as_posix()
    except ValueError:
        return str(path)


def _busy(git_dir: Path, purpose: str, found: list[Path], working: list[Process],
          foreign: list[Path], waited: float) -> str:
    files = "、".join(_shown(git_dir, path) for path in found)
    if foreign:
        owner = _user(os.lstat(foreign[0]).st_uid) if os.path.lexists(foreign[0]) else "另一个账号"
        return (f"{purpose}没有进行：{files} 属于账号 {owner}，可能是它的 Git 程序正在使用材料库。"
                "请等它结束后再试，或请该账号的主人检查")
    who = "、".join(str(process) for process in working[:3])
    return (f"{purpose}正在等待 {who} 结束：它正在使用材料库（{files}），"
            f"已等 {waited:.0f} 秒仍未结束。请等它结束后再试；如果它已停住不动，请先关闭它")


def at_work_in(git_dir: Path, files: list[Path] = ()) -> list[Process]:
    """The processes at work in this repository (other than this one): those that have one of
    `files` open, and the git processes whose current folder or GIT_DIR is the repository.

    Only processes whose /proc entries we may read are seen: another account's processes
    cannot write here anyway, and its lock files are never removed (see clear_leftovers).
    """
    if not os.path.isdir("/proc"):
        return [Process(0, "?", "（无法查看进程）")]
    git_dir = git_dir.resolve()
    worktree = git_dir.parent if git_dir.name == ".git" else git_dir
    wanted = {str(path.resolve()) for path in files}
    found = []
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        process = _inspect(int(entry.name), git_dir, worktree, wanted)
        if process is not None:
            found.append(process)
    return found


def _inspect(pid: int, git_dir: Path, worktree: Path, wanted: set[str]) -> Process | None:
    base = f"/proc/{pid}"
    try:
        with open(f"{base}/comm", encoding="utf-8", errors="replace") as handle:
            comm = handle.read().strip()
        uid = os.stat(base).st_uid
    except OSError:
        return None
    try:
        working = comm.startswith("git") and (_inside(os.readlink(f"{base}/cwd"), worktree)
                                              or _git_dir_env(base, git_dir))
        if not working and wanted:
            working = any(os.readlink(f"{base}/fd/{fd}") in wanted
                          for fd in os.listdir(f"{base}/fd"))
    except OSError:  # gone, or another account's: not ours to see
        return None
    if not working:
        return None
    return Process(pid, _user(uid), _command(base, comm))


def _inside(folder: str, top: Path) -> bool:
    path = Path(folder)
    return path == top or top in path.parents


def _git_dir_env(base: str, git_dir: Path) -> bool:
    with open(f"{base}/environ", "rb") as handle:
        environ = handle.read().split(b"\0")
    for item in environ:
        if item.startswith((b"GIT_DIR=", b"GIT_INDEX_FILE=", b"GIT_WORK_TREE=")):
            value = item.split(b"=", 1)[1].decode("utf-8", "replace")
            if value and _inside(os.path.realpath(value), git_dir.parent):
                return True
    return False


def _command(base: str, comm: str) -> str:
    try:
        with open(f"{base}/cmdline", "rb") as handle:
            words = [w.decode("utf-8", "replace") for w in handle.read().split(b"\0") if w]
    except OSError:
        words = []
    if words and os.path.basename(words[0]).startswith("git"):
        shown = ["git", *[w for w in words[1:] if not w.startswith("-")][:1]]
        return " ".join(shown)
    return comm
