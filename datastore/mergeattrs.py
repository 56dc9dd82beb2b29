"""During sync's merge, records merge as `binary` in Git: conflicts without a process per file.

Git starts the merge driver of every record both sides changed as a process of its own, even
when the driver is `false` (as sync sets it, to merge the records itself: datastore.mergehere):
a fork and three temp files per record, most of a sync that merges a hundred records. Git's
built-in `binary` merge leaves the very same state (the three versions in the index, mine in
the working file) with no process at all. Attributes cannot be given on Git's command line,
and `.git/info/attributes` is the one file that outranks the repository's `.gitattributes`; so
for the merge, every pattern the repository's `.gitattributes` (here, and the server's when it
differs) gives `merge=llweek` is appended there with `merge=binary`, below a marker line, and
cut off again after the merge. A kill in between leaves the marker, and the next writer cuts
there too (`restore`), so the file is always what it was. A path not covered (an attribute
macro, say) still goes to the `false` driver: slower, same result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from datastore.gitrepo import MERGE_DRIVER, GitRepo
from datastore.safefs import RECORD_MAX_BYTES, Unreadable, read_file
from datastore.tomlio import atomic_write_all

_MARK = b"# llweek: sync's merge in progress; removed when it ends\n"
#: the same, after a last line that had no line end (cut off with the line end it adds)
_JOINED = b"\n# llweek: sync's merge in progress (after a line without its end)\n"


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


def _replace(path: Path, data: bytes) -> None:
    """Whole or not at all; not fsynced: after a crash the marker still says what is ours."""
    atomic_write_all([(path, data)], durable=False)


def _texts(repo: GitRepo, theirs: str) -> list[str]:
    """This clone's `.gitattributes`, and the server's if it is another one (no bigger than
    a record)."""
    try:
        texts = [read_file(repo.root, ".gitattributes").decode("utf-8", "replace")]
    except (Unreadable, OSError):
        texts = []
    status, out, _ = repo.call("rev-parse", "HEAD:.gitattributes", f"{theirs}:.gitattributes")
    ids = out.split()
    if status != 0 or len(ids) != 2 or ids[0] == ids[1]:
        return texts
    status, size, _ = repo.call("cat-file", "-s", ids[1])
    if status == 0 and size.strip().isdigit() and int(size) <= RECORD_MAX_BYTES:
        status, text, _ = repo.call("cat-file", "blob", ids[1])
        texts += [text] if status == 0 else []
    return texts


@contextmanager
def records_merge_as_binary(repo: GitRepo, theirs: str) -> Iterator[None]:
    """For the block (sync's `git merge`), records conflict as `binary` instead of starting
    the driver; `.git/info/attributes` is as before afterwards. The caller holds the lock."""
    patterns = sorted({p for text in _texts(repo, theirs) for p in driven_patterns(text)})
    if not patterns:
        yield
        return
    path = _attributes_file(repo)
    saved = _read_or_none(path)
    lines = "".join(f"{pattern} merge=binary\n" for pattern in patterns).encode("utf-8")
    if saved is None or saved.endswith(b"\n") or not saved:
        content = (saved or b"") + _MARK + lines
    else:
        content = saved + _JOINED + lines
    _replace(path, content)
    try:
        yield
    finally:
        restore(repo)


def restore(repo: GitRepo) -> bool:
    """Cut our lines off `.git/info/attributes` (a merge cut short left them); True if there
    were any."""
    path = _attributes_file(repo)
    current = _read_or_none(path)
    if current is None:
        return False
    for mark in (_JOINED, _MARK):
        if mark in current:
            before = current.split(mark, 1)[0]
            if before:
                _replace(path, before)
            else:
                path.unlink(missing_ok=True)
            return True
    return False
