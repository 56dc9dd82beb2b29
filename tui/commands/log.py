"""`llweek log [-C DIR] [PATH]`: the history of the repository, or of one record field by field."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from datastore.errors import LlweekError
from datastore.history import CommitInfo, commits, record_history
from datastore.pushlog import Push, pushed_by
from tui.cli import EXIT_OK
from tui.commands.common import pad, repo_root


def _line(commit: CommitInfo, pushes: dict[str, Push] | None) -> str:
    """One commit; with the server's push record, 推送人 (the account that pushed it) too."""
    pusher = ""
    if pushes is not None:
        push = pushes.get(commit.hash)
        pusher = f"推送人 {pad(push.login if push else '—', 12)}  "
    return (f"{commit.short}  {commit.date:%Y-%m-%d %H:%M}  {pad(commit.author, 8)}  {pusher}"
            f"{commit.subject}")


def repo_path(root: Path, given: str) -> str:
    """PATH as typed (relative to the current folder, or to the repository) → repository path."""
    candidate = Path(given)
    absolute = candidate if candidate.is_absolute() else Path.cwd() / candidate
    if not candidate.is_absolute() and not absolute.exists():
        absolute = root / candidate
    rel = os.path.relpath(absolute.resolve(), root.resolve())
    if rel == "." or rel.startswith(".."):
        raise LlweekError(f"{given} 不在材料库 {root} 里")
    return Path(rel).as_posix()


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    path = repo_path(root, args.path) if args.path else None
    if path is None or (root / path).is_dir() or not path.endswith(".toml"):
        found = commits(root, path)
        pushes = pushed_by(root, [commit.hash for commit in found])
        for commit in found:
            print(_line(commit, pushes))
    else:
        found = record_history(root, path)
        pushes = pushed_by(root, [version.commit.hash for version in found])
        for version in found:
            print(f"{_line(version.commit, pushes)}  [{version.action}]")
            for change in version.changes:
                for line in change.lines():
                    print(f"    {line}")
    if not found:
        print(f"{path or '材料库'} 还没有提交记录")
    return EXIT_OK
