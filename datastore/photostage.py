"""Photos picked in a form become part of the repository only with the save that uses them.

A photo chosen on the server is copied, bytes unchanged, into the clone's staging folder
`.git/llweek/photos/<unit>/` (never tracked, never synced), under a name that is free in the
unit's `photos/` folder. The save that uses it moves it into `photos/` and commits it with the
record; a photo the saved record no longer uses, and that no other record of the unit uses,
is deleted in that same commit (the history keeps it, and restoring an older version brings
it back). A photo picked and replaced before saving never reaches the tracked tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from datastore.errors import LlweekError
from datastore.gitrepo import LOCAL_TIMEOUT, GitRepo, git_env
from datastore.loader import kind_of_path, read_record
from datastore.localstore import local_dir
from datastore.models import CASES, EXHIBITION, SUMMARY, Photo, Record, RecordKind
from datastore.photos import READ_LIMIT_BYTES, photo_path, read_picked_photo, safe_photo_name
from datastore.safefs import Folder, Unreadable, read_file
from datastore.tomlio import atomic_write

#: the records of a unit that hold photos (one photo file may serve several)
PHOTO_KINDS = (EXHIBITION, SUMMARY, CASES)
T = TypeVar("T")
STAGING = "photos"


def staging_dir(root: Path, unit: str) -> Path:
    """`.git/llweek/photos/<unit>/`, where picked photos wait for their save."""
    base = local_dir(root)
    if base is None:
        raise LlweekError("这个文件夹不是 Git 材料库的克隆，无法选择照片")
    return base / STAGING / unit


def staged_path(root: Path, unit: str, name: str) -> Path | None:
    """The staged photo `name` of `unit`, if there is one (a plain file, no link)."""
    if not safe_photo_name(name):
        return None
    base = local_dir(root)
    if base is None:
        return None
    path = base / STAGING / unit / name
    return path if path.is_file() and not path.is_symlink() else None


def find_photo(root: Path, unit: str, name: str) -> Path | None:
    """Where the photo a form names is now: in the unit's photos/ folder, else staged."""
    path = photo_path(root, unit, name)
    if path is not None and path.exists():
        return path
    return staged_path(root, unit, name) or path


def stage_photo(source: Path, root: Path, unit: str, max_mb: int) -> str:
    """Copy a photo chosen on the server into the staging folder; returns its name there.

    Refused (with the reason) when it is not a readable image or is over the size limit. A
    photo already in the unit's photos/ with the same bytes is used as it is.
    """
    data = read_picked_photo(source, max_mb)
    folder = staging_dir(root, unit)
    rel = f"units/{unit}/photos"
    stem, suffix = source.stem.lstrip(".") or "photo", source.suffix.lower()
    name, counter = f"{stem}{suffix}", 1
    while True:
        kept = os.path.lexists(root / rel / name)
        if kept and _same(root, f"{rel}/{name}", data):
            return name  # already in the repository
        if not kept and not os.path.lexists(folder / name):
            break
        counter += 1
        name = f"{stem}-{counter}{suffix}"
    atomic_write(folder / name, data)
    return name


def _same(root: Path, rel: str, data: bytes) -> bool:
    """The file at `rel` holds `data` (read as safefs reads: no link, no FIFO, bounded)."""
    try:
        return read_file(root, rel, len(data) + 1) == data
    except Unreadable:
        return False


def stage_from_history(root: Path, rel: str, record: Record, commit: str) -> list[str]:
    """Stage the photos a version restored from `commit` uses and photos/ no longer has, as
    they were in that commit, so the restoring save brings them back; returns their names."""
    unit = kind_of_path(rel)[0]
    if unit is None:
        return []
    brought = []
    for name in photo_names(record):
        present = photo_path(root, unit, name)
        if present is None or present.exists() or staged_path(root, unit, name) is not None:
            continue
        done = subprocess.run(["git", "-C", str(root), "cat-file", "blob",
                               f"{commit}:units/{unit}/photos/{name}"], capture_output=True,
                              env={**os.environ, **git_env()}, timeout=LOCAL_TIMEOUT,
                              check=False)
        if done.returncode == 0:
            atomic_write(staging_dir(root, unit) / name, done.stdout)
            brought.append(name)
    return brought


def unstage(root: Path, unit: str, names: Iterable[str]) -> None:
    """Forget photos picked in a form that was left without saving them."""
    for name in names:
        path = staged_path(root, unit, name)
        if path is not None:
            path.unlink(missing_ok=True)


def photo_names(record: Record | None) -> list[str]:
    photos = getattr(record, "photos", None) or []
    return [p.file for p in photos if isinstance(p, Photo) and p.file and safe_photo_name(p.file)]


@dataclass
class PhotoChanges:
    """What one save does to a unit's photos/ folder, and how to take it back."""

    root: Path
    unit: str
    bring_in: list[str] = field(default_factory=list)  # staged → photos/
    remove: list[str] = field(default_factory=list)  # deleted, no record uses them
    keep: list[str] = field(default_factory=list)  # used and present (committed as they are)
    _removed: dict[str, bytes] = field(default_factory=dict)

    def rel(self, name: str) -> str:
        return f"units/{self.unit}/photos/{name}"

    @property
    def paths(self) -> list[str]:
        """The photo paths the save's commit takes (additions, deletions, kept files)."""
        return [self.rel(n) for n in (*self.bring_in, *self.remove, *self.keep)]

    def apply(self) -> None:
        folder = self.root / "units" / self.unit / "photos"
        for name in self.bring_in:
            source = staged_path(self.root, self.unit, name)
            if source is None:
                raise LlweekError(f"选择的照片「{name}」已不在暂存处，请重新选择")
            folder.mkdir(parents=True, exist_ok=True)
            _move(source, folder / name)
        for name in self.remove:
            self._removed[name] = read_file(self.root, self.rel(name), READ_LIMIT_BYTES)
            (folder / name).unlink()

    def undo(self) -> None:
        """The save failed: staged photos go back to staging, deleted ones come back."""
        folder = self.root / "units" / self.unit / "photos"
        for name in self.bring_in:
            path = folder / name
            if path.exists() and staged_path(self.root, self.unit, name) is None:
                _move(path, staging_dir(self.root, self.unit) / name)
        for name, data in self._removed.items():
            atomic_write(folder / name, data)


def _move(source: Path, target: Path) -> None:
    """Rename where one filesystem holds both, else copy then delete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        shutil.copyfile(source, target)
        source.unlink()


def plan_photos(repo: GitRepo, rel: str, record: Record | None) -> PhotoChanges | None:
    """The photo changes of saving `record` at `rel` over the file now on disk (None: of
    deleting it); None for a kind of record without photos. Call under the repository lock,
    before writing."""
    unit, kind = kind_of_path(rel)
    if unit is None or kind not in PHOTO_KINDS:
        return None
    root = repo.root
    wanted = photo_names(record)
    before = photo_names(read_record(root, rel, kind, kind.model, unit, []).record) \
        if (root / rel).is_file() else []
    elsewhere: set[str] = set()
    for other, path in _photo_records(root, unit):
        if path != rel:
            elsewhere.update(photo_names(read_record(root, path, other, other.model, unit, []).record))
    changes = PhotoChanges(root, unit)
    tracked = _tracked(repo, [changes.rel(n) for n in before if n not in wanted])
    for name in dict.fromkeys(wanted):
        present = photo_path(root, unit, name)
        if present is not None and present.is_file():
            changes.keep.append(name)
        elif staged_path(root, unit, name) is not None:
            changes.bring_in.append(name)
    for name in dict.fromkeys(before):
        if name in wanted or name in elsewhere:
            continue
        present = photo_path(root, unit, name)
        if present is not None and present.is_file() and not present.is_symlink() \
                and changes.rel(name) in tracked:
            changes.remove.append(name)
    return changes


def commit_with_photos(changes: PhotoChanges | None,
                       commit: Callable[[list[str]], T]) -> T:
    """Make the photo changes, then `commit(photo paths)`; if anything fails, undo them
    (the record's own file is the commit's to restore)."""
    if changes is None:
        return commit([])
    try:
        changes.apply()
        return commit(changes.paths)
    except BaseException:
        changes.undo()
        raise


def _photo_records(root: Path, unit: str) -> list[tuple[RecordKind, str]]:
    """(kind, path) of every record of the unit that can name photos."""
    found = []
    for kind in PHOTO_KINDS:
        if kind.is_collection:
            rel = f"units/{unit}/{kind.folder}"
            try:
                with Folder.open(root, rel) as folder:
                    names = [e.name for e in folder.entries()
                             if e.is_file and e.name.endswith(".toml")]
            except (Unreadable, FileNotFoundError):
                names = []
            found += [(kind, f"{rel}/{name}") for name in names]
        elif (root / kind.path(unit)).is_file():
            found.append((kind, kind.path(unit)))
    return found


def _tracked(repo: GitRepo, paths: list[str]) -> set[str]:
    if not paths:
        return set()
    out = repo.run("ls-files", "-z", "--", *paths)
    return {p for p in out.split("\0") if p}
