"""What several commands share: finding the repository, today's date, column alignment."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from pathlib import Path
from typing import Any

from datastore.gitrepo import check_config, is_git_repo
from datastore.paths import find_root


def repo_root(args: argparse.Namespace) -> Path:
    """The data repository named by -C (or the current folder), its Git config checked."""
    root = find_root(Path(getattr(args, "dir", ".") or "."))
    if is_git_repo(root):
        check_config(root)
    return root


def today(args: argparse.Namespace) -> dt.date:
    return getattr(args, "today", None) or dt.date.today()


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def print_json(data: Any) -> None:
    import json  # here: the commands that print no JSON (log, the merge driver) never load it

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
