"""`llweek log [-C DIR] [PATH]`: the history of the repository, or of one record field by field."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from datastore.errors import LlweekError
from datastore.history import CommitInfo, commits, record_history
from tui.cli import EXIT_OK
from tui.commands.common import pad, repo_root


#: the columns of one line of the log, left to right (a pusher column goes in here)
COLUMNS: list[Callable[[CommitInfo], str]] = [
    lambda commit: commit.short,
    lambda commit: f"{commit.date:%Y-%m-%d %H:%M}",
    lambda commit: pad(commit.author, 8),
    lambda commit: commit.subject,
]


def _line(commit: CommitInfo) -> str:
    return "  ".join(column(commit) for column in COLUMNS)


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
        for commit in found:
            print(_line(commit))
    else:
        found = record_history(root, path)
        for version in found:
            print(f"{_line(version.commit)}  [{version.action}]")
            for change in version.changes:
                for line in change.lines():
                    print(f"    {line}")
    if not found:
        print(f"{path or '材料库'} 还没有提交记录")
    return EXIT_OK
