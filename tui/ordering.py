"""Keeping 序号 / 推荐序号 contiguous from 1 when records are added, moved or deleted."""

from __future__ import annotations

from pathlib import Path

from datastore.access import Actor
from datastore.loader import StoredRecord
from datastore.models import Record, RecordKind
from datastore.records import with_changes
from datastore.save import SaveResult, save_many


def renumber(root: Path, kind: RecordKind, unit: str, items: list[StoredRecord],
             actor: Actor | None, subject: str | None = None) -> list[SaveResult]:
    """Number `items` 1, 2, 3 … in the order given, every changed record in ONE commit
    (`长春市: 调整序号 典型活动案例「…」 第 2 → 第 1`), so a move is one step in the history."""
    field = kind.order_field
    assert field is not None
    changed: list[tuple[RecordKind, Record, str | None]] = []
    readable = [stored for stored in items if stored.record is not None]
    for position, stored in enumerate(readable, start=1):
        if getattr(stored.record, field) != position:
            updated = with_changes(stored.record, {field: position})  # type: ignore[arg-type]
            changed.append((kind, updated, stored.digest))
    if not changed:
        return []
    label = kind.model.label_of(field)
    subject = subject or f"调整{label} {'、'.join(kind.describe(r) for _, r, _ in changed[:2])}" + (
        f" 等 {len(changed)} 项" if len(changed) > 2 else "")
    return save_many(root, unit, changed, subject, actor=actor)


def move_subject(kind: RecordKind, stored: StoredRecord, old: int, new: int) -> str:
    """`调整序号 典型活动案例「书香长春」 第 2 → 第 1`."""
    label = kind.model.label_of(kind.order_field or "seq")
    return f"调整{label} {kind.describe(stored.record)} 第 {old} → 第 {new}"
