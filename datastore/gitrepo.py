"""Running git for one data repository: never prompting, time-limited, configured for llweek.

All git work goes through the git command line, which honours `.gitattributes` and hooks: a
process per command, killed with the ssh it started when it runs over its time limit.
Objects read one by one (the server's push check) come from one long-lived `cat-file --batch`
per `GitRepo`, so a `GitRepo` is opened with `with` and closed after use, one per thread.
(GitPython did this before; its import alone cost every command a twentieth of a second.)
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datastore.errors import GitFailed, IdentityMissing, LlweekError

LOCAL_TIMEOUT = 60.0
NETWORK_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10
MERGE_DRIVER = "llweek"  # the `merge=` attribute of records and the driver's config key
MERGE_DRIVER_NAME = "llweek 字段级合并"
GITATTRIBUTES = """\
# llweek: records merge field by field; photos are binary and never merged or re-encoded
*.toml merge=llweek
*.jpg binary
*.jpeg binary
*.png binary
*.tif binary
*.tiff binary
*.webp binary
*.bmp binary
*.heic binary
"""
GITIGNORE = """\
# half-written temp files of atomic saves
.*.tmp
"""


def git_env() -> dict[str, str]:
    """Git may never stop to ask anything: no password prompt, no ssh question, no editor.

    Git speaks English here whatever the user's locale: llweek reads git's own words (a
    rejected push, nothing to commit) and tells the user in Chinese itself.
    """
    ssh = os.environ.get("GIT_SSH_COMMAND", "ssh")
    return {
        "LC_ALL": "C.UTF-8",
        "LANGUAGE": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_SSH_COMMAND": f"{ssh} -o BatchMode=yes -o ConnectTimeout={CONNECT_TIMEOUT}",
        "GIT_EDITOR": "true",
        "GIT_MERGE_AUTOEDIT": "no",
        "GIT_ASKPASS": "true",
        "SSH_ASKPASS": "true",
    }


#: the installed entry file of the command line, found next to this package (never searched for)
ENTRY = Path(__file__).resolve().parent.parent / "tui" / "__main__.py"


def llweek_command(*args: str) -> str:
    """How Git runs llweek (the merge driver, the server's hooks): installed code only.

    The absolute interpreter running llweek now, in isolated mode (`-I`: neither the current
    folder, which is a data repository someone else may have pushed to, nor PYTHONPATH is
    on the import path, and no PYTHON* variable counts), UTF-8 whatever the locale, and the
    absolute path of the installed entry file. `%O`-style placeholders pass unquoted.
    """
    python = Path(sys.executable)
    if not python.is_absolute() or not ENTRY.is_file():
        raise LlweekError(f"找不到 llweek 的安装位置（解释器 {sys.executable}，入口 {ENTRY}）")
    return shlex.join([str(python), "-I", "-X", "utf8", str(ENTRY), *args])


def merge_driver_command() -> str:
    """The command line Git runs for `merge=llweek` (see `llweek_command`)."""
    return llweek_command("merge-driver", "%O", "%A", "%B", "%P")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def env(self) -> dict[str, str]:
        return {"GIT_AUTHOR_NAME": self.name, "GIT_AUTHOR_EMAIL": self.email,
                "GIT_COMMITTER_NAME": self.name, "GIT_COMMITTER_EMAIL": self.email}


class GitRepo:
    """`with GitRepo(root) as repo: repo.run("status")` — one repository, closed after use."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._git_dir = _git_dir_of(self.root)
        self._objects: dict[str, _ObjectReader] = {}
        self._config: dict[str, str] | None = None
        self.notes: list[str] = []  # leftovers cleared while opening (see open_repo)

    @classmethod
    def init(cls, root: Path) -> "GitRepo":
        """`git init` with branch main, then open it."""
        Path(root).mkdir(parents=True, exist_ok=True)
        status, out, err = _execute(["git", "init", "-q", "-b", "main", str(root)], Path(root),
                                    LOCAL_TIMEOUT, {}, None)
        if status != 0:
            raise GitFailed(f"git init 失败：{(err or out).strip()}")
        return cls(root)

    def __enter__(self) -> "GitRepo":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        for reader in self._objects.values():
            reader.close()
        self._objects.clear()

    @property
    def git_dir(self) -> Path:
        return self._git_dir

    def call(self, *args: str, timeout: float = LOCAL_TIMEOUT, env: dict[str, str] | None = None,
             stdin: Any = None) -> tuple[int, str, str]:
        """Run `git args…`; returns (status, stdout, stderr) and never raises for a status."""
        return _execute(["git", "-c", "core.quotepath=off", *args], self.root, timeout,
                        {**git_env(), **(env or {})}, stdin)

    def run(self, *args: str, timeout: float = LOCAL_TIMEOUT, env: dict[str, str] | None = None,
            stdin: Any = None) -> str:
        """Run `git args…` and return its output; a failure raises GitFailed in Chinese."""
        status, out, err = self.call(*args, timeout=timeout, env=env, stdin=stdin)
        if status != 0:
            raise GitFailed(f"git {args[0]} 失败：{(err or out).strip()}")
        return out

    def object_data(self, sha: str) -> tuple[str, str, int, bytes]:
        """(sha, type, size, raw bytes) of one object, from git's long-lived `cat-file --batch`.

        Raises ValueError when the object is missing."""
        return self._reader("--batch").read(sha)

    def object_size(self, sha: str) -> int:
        """The size of one object without reading it (ValueError when it is missing)."""
        return self._reader("--batch-check").read(sha)[2]

    def _reader(self, mode: str) -> "_ObjectReader":
        if mode not in self._objects:
            self._objects[mode] = _ObjectReader(self, mode)
        return self._objects[mode]

    def config(self) -> dict[str, str]:
        """All effective config values, read once per GitRepo (one git process)."""
        if self._config is None:
            status, out, _ = self.call("config", "--list", "-z")
            items = (item.split("\n", 1) for item in out.split("\0") if item) if status == 0 else ()
            self._config = {pair[0]: pair[1] if len(pair) > 1 else "" for pair in items}
        return self._config

    def identity(self) -> Identity | None:
        config = self.config()
        name, email = config.get("user.name", "").strip(), config.get("user.email", "").strip()
        return Identity(name, email) if name and email else None

    def require_identity(self) -> Identity:
        identity = self.identity()
        if identity is None:
            raise IdentityMissing(
                "尚未设置提交者身份：请运行 git config user.name \"姓名\" 和 "
                "git config user.email \"邮箱\"（或在应用中按提示填写）")
        return identity

    def set_identity(self, identity: Identity) -> None:
        """Store the identity in this clone's own config (asked once, kept)."""
        self.run("config", "user.name", identity.name)
        self.run("config", "user.email", identity.email)
        self._config = None

    def ensure_config(self) -> None:
        """Register the merge driver and core.fsync in this clone (Git never clones config)."""
        wanted = {
            f"merge.{MERGE_DRIVER}.name": MERGE_DRIVER_NAME,
            f"merge.{MERGE_DRIVER}.driver": merge_driver_command(),
            "core.fsync": "all",
        }
        current = self.config()
        for key, value in wanted.items():
            if current.get(key) != value:
                self.run("config", key, value)
                current[key] = value

    def merging(self) -> bool:
        return (self.git_dir / "MERGE_HEAD").exists()

    def index_history(self) -> None:
        """Bring Git's commit-graph, with its changed-path filters, up to date (a new layer for
        the new commits only). The history of one record (`llweek log`, the history screen)
        then skips every commit that did not touch it: at 120,000 commits 0.1 s and 70 MiB
        instead of 1.4 s and 340 MiB. Nothing depends on it, so a failure is left alone."""
        self.call("commit-graph", "write", "--reachable", "--changed-paths", "--split")


def _git_dir_of(root: Path) -> Path:
    """The git folder of the repository whose top (or, bare, whose own folder) `root` is; a
    folder inside some other repository is not taken for it."""
    dot = root / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():  # a linked work tree: "gitdir: <path>"
        try:
            line = dot.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeError):
            line = ""
        if line.startswith("gitdir:"):
            target = Path(line.removeprefix("gitdir:").strip())
            return target if target.is_absolute() else (root / target).resolve()
    if (root / "HEAD").is_file() and (root / "objects").is_dir() and (root / "refs").is_dir():
        return root  # bare
    raise LlweekError(f"{root} 不是 Git 仓库（可用 llweek init 建立）")


def _execute(command: list[str], cwd: Path, timeout: float, env: dict[str, str],
             stdin: Any) -> tuple[int, str, str]:
    """Run git, killed with everything it started (ssh) when it takes longer than `timeout`
    or this process is interrupted; (status, stdout, stderr). It stays in this process's
    group, so whatever stops llweek (Ctrl-C, a closed SSH session, a kill of the group)
    stops its git too."""
    try:
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env},
                                   stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as err:  # the git binary itself could not be started
        raise GitFailed(f"无法运行 git：{err}") from None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(process.pid)
        out, err = process.communicate()
        err = f"Timeout: git {' '.join(command[1:2])} did not complete in {timeout:g} secs.".encode()
    except BaseException:
        _kill_tree(process.pid)
        process.wait()
        raise
    errors = err.decode("utf-8", "surrogateescape")
    return (process.returncode, out.decode("utf-8", "surrogateescape"),
            errors[:-1] if errors.endswith("\n") else errors)


def _kill_tree(pid: int) -> None:
    """Kill a process and every process below it (found in /proc; elsewhere the process)."""
    children: dict[int, list[int]] = {}
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat", "rb") as stat_file:
                        ppid = int(stat_file.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
    except OSError:
        pass
    doomed, pending = [], [pid]
    while pending:
        current = pending.pop()
        doomed.append(current)
        pending += children.get(current, [])
    for victim in doomed:
        try:
            os.kill(victim, signal.SIGKILL)
        except OSError:
            pass


class _ObjectReader:
    """One long-lived `git cat-file --batch` (or `--batch-check`): objects by id, one process."""

    def __init__(self, repo: GitRepo, mode: str) -> None:
        self._contents = mode == "--batch"
        self._process = subprocess.Popen(["git", "cat-file", mode], cwd=repo.root,
                                         env={**os.environ, **git_env()}, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def read(self, sha: str) -> tuple[str, str, int, bytes]:
        """(sha, type, size, bytes — empty for --batch-check); ValueError when missing."""
        assert self._process.stdin is not None and self._process.stdout is not None
        if not sha or any(c.isspace() for c in sha):
            raise ValueError(f"不是对象名：{sha!r}")
        self._process.stdin.write(f"{sha}\n".encode())
        self._process.stdin.flush()
        header = self._process.stdout.readline().decode("utf-8", "replace").split()
        if len(header) != 3:
            raise ValueError(f"对象 {sha} 不存在")
        name, kind, size = header[0], header[1], int(header[2])
        if not self._contents:
            return name, kind, size, b""
        data = self._process.stdout.read(size + 1)[:size]
        return name, kind, size, data

    def close(self) -> None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()
        self._process.wait()


def check_config(root: Path) -> None:
    """Make sure the clone's merge driver and fsync settings are in place.

    Reading `.git/config` is enough when they are (no git process, no GitPython import, which
    matters for quick read-only commands); otherwise git itself repairs them.
    """
    try:
        text = (root / ".git" / "config").read_text(encoding="utf-8")
    except OSError:
        text = ""
    expected = (f"driver = {merge_driver_command()}\n", "fsync = all\n",
                f"name = {MERGE_DRIVER_NAME}\n")
    if not all(line in text for line in expected):
        with open_repo(root):
            pass


def open_repo(root: Path | str) -> GitRepo:
    """A configured GitRepo (merge driver and fsync checked and repaired).

    A `config.lock` that a killed git left would stop the repair: it is cleared first when no
    process holds it (datastore.lock), and `repo.notes` says so.
    """
    from datastore.lock import WAIT_SECONDS, clear_leftovers

    repo = GitRepo(root)
    try:
        try:
            repo.ensure_config()
        except GitFailed as err:
            stale = repo.git_dir / "config.lock"
            if "config" not in str(err) or not stale.exists():
                raise
            repo.notes = clear_leftovers(repo.git_dir, "设置材料库", WAIT_SECONDS, only=[stale])
            repo._config = None
            repo.ensure_config()
    except BaseException:
        repo.close()
        raise
    return repo


def is_git_repo(root: Path) -> bool:
    return (root / ".git").exists()
