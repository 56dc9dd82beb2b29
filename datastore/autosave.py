"""Drafts: unsaved typing kept every few seconds in `.git/llweek/drafts/`, so a dropped SSH
connection or a killed terminal loses nothing; the form offers it back when opened again.

A draft is the clone's own (never tracked, committed or synced) and holds only what was
changed, as typed: restoring it over a version someone else has saved since keeps their
changes to the other fields.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datastore.localstore import local_dir
from datastore.tomlio import atomic_write

DRAFTS = "drafts"
#: a draft larger than this is not a draft llweek wrote: it is ignored
DRAFT_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Draft:
    """What was typed in the form of the record at `path` and not saved."""

    path: str
    fields: dict[str, str]  # field name → text as typed
    photos: list[dict[str, str | None]] | None = None  # the photo slots, when they changed
    base: str | None = None  # the content hash of the file the typing started from
    saved_at: str = field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))

    @property
    def empty(self) -> bool:
        return not self.fields and self.photos is None

    def to_json(self) -> str:
        return json.dumps({"path": self.path, "fields": self.fields, "photos": self.photos,
                           "base": self.base, "saved_at": self.saved_at},
                          ensure_ascii=False, indent=1)


def draft_file(root: Path, path: str) -> Path | None:
    """Where the draft of the record at `path` is kept (None outside a clone)."""
    base = local_dir(root)
    if base is None:
        return None
    return base / DRAFTS / (path.replace("/", "__") + ".json")


def write_draft(root: Path, draft: Draft) -> None:
    """Keep `draft` (atomically: a kill while writing leaves the previous one)."""
    target = draft_file(root, draft.path)
    if target is not None:
        atomic_write(target, draft.to_json().encode("utf-8"), mode=0o600)


def read_draft(root: Path, path: str) -> Draft | None:
    """The draft kept for the record at `path`; None when there is none or it is unreadable."""
    target = draft_file(root, path)
    if target is None or not target.is_file() or target.is_symlink():
        return None
    try:
        with target.open("rb") as handle:
            raw = handle.read(DRAFT_MAX_BYTES + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= DRAFT_MAX_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    return _draft(data, path)


def _draft(data: Any, path: str) -> Draft | None:
    if not isinstance(data, dict) or data.get("path") != path:
        return None
    fields = data.get("fields")
    if not isinstance(fields, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in fields.items()):
        return None
    photos = data.get("photos")
    if photos is not None and not (isinstance(photos, list) and all(
            isinstance(p, dict) and all(isinstance(p.get(k), (str, type(None)))
                                        for k in ("file", "caption")) for p in photos)):
        photos = None
    base = data.get("base") if isinstance(data.get("base"), str) else None
    saved_at = data.get("saved_at") if isinstance(data.get("saved_at"), str) else ""
    return Draft(path, dict(fields), [{"file": p.get("file"), "caption": p.get("caption")}
                                      for p in photos] if photos is not None else None,
                 base, saved_at)


def drop_draft(root: Path, path: str) -> None:
    """The typing was saved or deliberately discarded: forget its draft."""
    target = draft_file(root, path)
    if target is not None:
        target.unlink(missing_ok=True)


def new_record_drafts(root: Path, folder: str) -> list[Draft]:
    """Drafts of records added in `folder` (`units/<unit>/activities`) and never saved: the
    list offers them back when the person adds a record again."""
    base = local_dir(root)
    if base is None or not (base / DRAFTS).is_dir():
        return []
    found = []
    for file in sorted((base / DRAFTS).glob(folder.replace("/", "__") + "__*.json")):
        try:
            with file.open("rb") as handle:
                raw = handle.read(DRAFT_MAX_BYTES + 1)
            path = json.loads(raw.decode("utf-8")).get("path")
        except (OSError, ValueError, RecursionError, AttributeError):
            continue
        if isinstance(path, str) and path.startswith(folder + "/") and not (root / path).exists():
            draft = read_draft(root, path)
            if draft is not None and not draft.empty:
                found.append(draft)
    return found
