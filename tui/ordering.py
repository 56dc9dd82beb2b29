"""Keeping 序号 / 推荐序号 contiguous from 1 when records are added, moved or deleted."""

from __future__ import annotations

from pathlib import Path

from datastore.access import Actor
from datastore.loader import StoredRecord
from datastore.models import RecordKind
from datastore.records import with_changes
from datastore.save import SaveResult, save_record


def renumber(root: Path, kind: RecordKind, unit: str, items: list[StoredRecord],
             actor: Actor | None) -> list[SaveResult]:
    """Number `items` 1, 2, 3 … in the order given; each record whose number changes is saved
    as its own commit (`长春市: 调整序号 附表1「…」`)."""
    field = kind.order_field
    assert field is not None
    verb = f"调整{kind.model.label_of(field)}"
    results = []
    readable = [stored for stored in items if stored.record is not None]
    for position, stored in enumerate(readable, start=1):
        if getattr(stored.record, field) != position:
            updated = with_changes(stored.record, {field: position})  # type: ignore[arg-type]
            results.append(save_record(root, kind, unit, updated, expected=stored.digest,
                                       actor=actor, verb=verb))
    return results
