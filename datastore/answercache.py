"""A read-only command's whole answer, kept under `.git/` and given again while nothing it
reads has changed.

`llweek validate` on a repository nobody touched should take less time than reading its files
once: a hit must not import the data models (pydantic alone costs more than the target). The
key is a digest of llweek's own code (every datastore module and the command's modules), the
command and its options, the year (a campaign without one is checked against this year), and
every entry of the work tree outside `.git/`: each file's Git blob id (from the index when
`git diff-files` says it is as the index has it, else read and hashed), each folder, and what
any other entry is (a symlink with its target, a FIFO or device by its type, never opened).
Any change to any of them is another key, so a stale answer is never given.

The store holds the last few answers; one that cannot be read or does not parse is ignored and
written anew, and a clone where it cannot be written simply checks again next time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from datastore.loadcache import TreeIds, cache_path
from datastore.tomlio import atomic_write

FORMAT = 1
KEEP = 8
HERE = Path(__file__).resolve().parent


def answers_path(root: Path) -> Path:
    return cache_path(root).with_name("answers.json")


def _code_digest(modules: list[Path]) -> str:
    digest = hashlib.sha1(f"answers {FORMAT}".encode())
    for path in sorted(HERE.glob("*.py")) + sorted(modules):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def answer_key(root: Path, command: str, options: list[str], modules: list[Path]) -> str | None:
    """The digest of everything the command's answer depends on; None outside a Git clone."""
    if not (Path(root) / ".git").is_dir():
        return None
    lines = [_code_digest(modules), command, *options, f"year {dt.date.today().year}"]
    TreeIds(Path(root), None).walk(Path(root), "", lines, skip=".git")
    return hashlib.sha1("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def _stored(root: Path) -> dict:
    try:
        data = json.loads(answers_path(root).read_bytes())
        if isinstance(data, dict) and data.get("format") == FORMAT \
                and isinstance(data.get("answers"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"format": FORMAT, "answers": {}}


def stored_answer(root: Path, key: str | None) -> tuple[int, str] | None:
    """(exit code, printed text) given last time under this key, if any."""
    if key is None:
        return None
    hit = _stored(root)["answers"].get(key)
    if isinstance(hit, list) and len(hit) == 2 and isinstance(hit[0], int) \
            and isinstance(hit[1], str):
        return hit[0], hit[1]
    return None


def store_answer(root: Path, key: str | None, code: int, text: str) -> None:
    """Keep this answer (and the last few others); never fails the command."""
    if key is None:
        return
    data = _stored(root)
    answers = {k: v for k, v in data["answers"].items() if k != key}
    kept = dict(list(answers.items())[-(KEEP - 1):])
    kept[key] = [code, text]
    data["answers"] = kept
    try:
        path = answers_path(root)
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass

