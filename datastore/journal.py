"""Notes a writer leaves in `.git` before a step a kill could cut in two.

A save writes its files, then commits them; a sync's merge writes files, the index, then
MERGE_HEAD or a commit. Killed in between, the working tree holds half of a step. So each such
step first writes what it is about to do (atomically, fsynced) and removes the note when done;
the next writer, under the repository lock, finds the note and finishes or undoes the step
(datastore.save, datastore.mergestate).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datastore.tomlio import atomic_write

SAVE = "llweek-save.json"
MERGE = "llweek-merge.json"


def write(git_dir: Path, name: str, entry: dict[str, Any]) -> None:
    atomic_write(git_dir / name, json.dumps(entry, ensure_ascii=False).encode("utf-8"))


def read(git_dir: Path, name: str) -> dict[str, Any] | None:
    """The note, or None; a note that cannot be read (cut short by a full disk) is dropped."""
    path = git_dir / name
    try:
        entry = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        clear(git_dir, name)
        return None
    return entry if isinstance(entry, dict) else None


def clear(git_dir: Path, name: str) -> None:
    (git_dir / name).unlink(missing_ok=True)
