"""Who is pushing, and what: the facts a server hook starts from, decided before any check.

Kept apart from the checks themselves (datastore.pushcheck) so that the post-receive hook,
which only records the push, starts without loading the data models.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from datastore.errors import LlweekError
from datastore.gitrepo import git_env

#: where the server keeps its record of who pushed what (written by the post-receive hook)
PUSH_NOTES_PREFIX = "refs/notes/llweek/"
#: the repository config that `llweek install-hook` writes and the hook believes
GITOLITE_KEY, PROVINCE_KEY = "llweek.gitolite", "llweek.province"


@dataclass(frozen=True)
class HookSettings:
    """What `install-hook` recorded in the central repository's own config file."""

    gitolite: bool = False  # GL_USER names the pusher (the repository is gitolite's)
    province: str | None = None  # the login that may bring the very first main


@dataclass(frozen=True)
class RefUpdate:
    """One `old new ref` line that git gives the pre-receive hook."""

    old: str
    new: str
    ref: str

    @property
    def created(self) -> bool:
        return set(self.old) == {"0"}

    @property
    def deleted(self) -> bool:
        return set(self.new) == {"0"}


def read_updates(lines: Iterable[str]) -> list[RefUpdate]:
    """Parse the hook's standard input; anything malformed is refused rather than skipped."""
    updates = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise LlweekError(f"pre-receive 收到无法识别的一行：{line.strip()}")
        updates.append(RefUpdate(*parts))
    return updates


def common_dir(start: Path) -> Path:
    """The repository git runs the hook for: `git rev-parse --git-common-dir`, absolute.

    A folder holding only a `commondir` file that points at the central repository is a
    repository of its own to the operating system (its owner may be anyone), but its objects,
    refs and config are the central repository's: so everything is decided there.
    """
    done = subprocess.run(["git", "rev-parse", "--git-common-dir"], cwd=start,
                          env={**os.environ, **git_env()},
                          capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise LlweekError(f"{start} 不是 Git 仓库：{done.stderr.strip()}")
    return (start / done.stdout.strip()).resolve()


def hook_settings(common: Path) -> HookSettings:
    """llweek's keys from the central repository's own config file (never a worktree's)."""
    values = {}
    for key in (GITOLITE_KEY, PROVINCE_KEY):
        done = subprocess.run(["git", "config", "--file", str(common / "config"), "--get", key],
                              capture_output=True, text=True, check=False)
        values[key] = done.stdout.strip() if done.returncode == 0 else ""
    return HookSettings(values[GITOLITE_KEY].lower() in ("true", "yes", "on", "1"),
                        values[PROVINCE_KEY] or None)


def pusher_login(common: Path, settings: HookSettings, environ: Mapping[str, str] = os.environ,
                 uid: int | None = None) -> str:
    """The authenticated account that is pushing ("" when it cannot be told).

    Under gitolite the hook runs as the hosting account that owns the repositories, and
    gitolite sets GL_USER from the pusher's SSH key. So GL_USER is believed only where
    `install-hook --gitolite` recorded that mode *and* the repository (`common`, see
    `common_dir`) belongs to the account running the hook. Anywhere else GL_USER, USER and
    LOGNAME are variables a pusher can set, and the account is the one the operating system
    runs receive-pack as.
    """
    uid = os.getuid() if uid is None else uid
    gl_user = environ.get("GL_USER", "").strip()
    if settings.gitolite and gl_user and common.stat().st_uid == uid:
        return gl_user
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""
