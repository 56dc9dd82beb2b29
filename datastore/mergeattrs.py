"""During sync's merge, records merge as `binary` in Git: conflicts without a process per file.

Git starts the merge driver of every record both sides changed as a process of its own, even
when the driver is `false` (as sync sets it, to merge the records itself: datastore.mergehere):
a fork and three temp files per record, most of a sync that merges a hundred records. Git's
built-in `binary` merge leaves the very same state (the three versions in the index, mine in
the working file) with no process at all. Attributes cannot be given on Git's command line,
and `.git/info/attributes` is the one file that outranks the repository's `.gitattributes`; so
for the merge, every pattern the repository's `.gitattributes` (here and on the server's side)
gives `merge=llweek` is appended there with `merge=binary`, and the file is put back after.

A note in `.git` holds the file as it was, so a kill in between is undone by the next writer
(`restore`). A path not covered (an attribute macro, say) still goes to the `false` driver:
slower, same result.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from datastore import journal
from datastore.gitrepo import MERGE_DRIVER, GitRepo
from datastore.safefs import RECORD_MAX_BYTES, Unreadable, read_file
from datastore.tomlio import atomic_write

NOTE = "llweek-attributes.json"
_MARK = "# llweek: sync's merge in progress; removed when it ends\n"


def driven_patterns(text: str) -> list[str]:
    """The patterns of a `.gitattributes` text whose line sets `merge=llweek`."""
    patterns = []
    for line in text.splitlines():
        fields = line.split()
        if (len(fields) > 1 and not fields[0].startswith(("#", "[attr]", "!"))
                and f"merge={MERGE_DRIVER}" in fields[1:]):
            patterns.append(fields[0])
    return patterns


def _attributes_file(repo: GitRepo) -> Path:
    return repo.git_dir / "info" / "attributes"


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _theirs_text(repo: GitRepo, theirs: str) -> str:
    """The server's `.gitattributes`, if it is no bigger than a record."""
    status, size, _ = repo.call("cat-file", "-s", f"{theirs}:.gitattributes")
    if status != 0 or not size.strip().isdigit() or int(size) > RECORD_MAX_BYTES:
        return ""
    status, out, _ = repo.call("cat-file", "blob", f"{theirs}:.gitattributes")
    return out if status == 0 else ""


def _ours_text(repo: GitRepo) -> str:
    try:
        return read_file(repo.root, ".gitattributes").decode("utf-8", "replace")
    except (Unreadable, OSError, UnicodeError):
        return ""


def _put_back(path: Path, saved: bytes | None) -> None:
    if saved is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write(path, saved)


@contextmanager
def records_merge_as_binary(repo: GitRepo, theirs: str) -> Iterator[None]:
    """For the block (sync's `git merge`), records conflict as `binary` instead of starting
    the driver; `.git/info/attributes` is as before afterwards. The caller holds the lock."""
    patterns = sorted(set(driven_patterns(_ours_text(repo)) + driven_patterns(_theirs_text(repo, theirs))))
    if not patterns:
        yield
        return
    path = _attributes_file(repo)
    saved = _read_or_none(path)
    journal.write(repo.git_dir, NOTE, {"saved": None if saved is None
                                       else base64.b64encode(saved).decode("ascii")})
    lines = "".join(f"{pattern} merge=binary\n" for pattern in patterns)
    before = saved or b""
    if before and not before.endswith(b"\n"):
        before += b"\n"
    atomic_write(path, before + (_MARK + lines).encode("utf-8"))
    try:
        yield
    finally:
        _put_back(path, saved)
        journal.clear(repo.git_dir, NOTE)


def restore(repo: GitRepo) -> bool:
    """`.git/info/attributes` as it was before a merge that was cut short; True if it was."""
    path = _attributes_file(repo)
    noted = journal.read(repo.git_dir, NOTE)
    saved = noted.get("saved") if noted is not None else None
    try:
        if isinstance(saved, str):
            _put_back(path, base64.b64decode(saved, validate=True))
            journal.clear(repo.git_dir, NOTE)
            return True
    except ValueError:
        pass
    # no readable copy (none was there, or the note was cut short): drop only our own lines
    current = _read_or_none(path)
    journal.clear(repo.git_dir, NOTE)
    if current is None or _MARK.encode() not in current:
        return noted is not None
    _put_back(path, current.split(_MARK.encode(), 1)[0] or None)
    return True
