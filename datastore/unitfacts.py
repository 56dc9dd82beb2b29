"""What the dashboard and `validate` need of a unit without reading its records.

Kept in the load cache beside the unit's findings (under the same key, so never stale): its
profile (the name people say, the contact person), its 报送 marks, and which deliverables it
has. From them a light UnitData stands in for the unit while nothing of it changed; its
records themselves are not there, so only views that show those facts may use it.
"""

from __future__ import annotations

from typing import Any

from datastore.deadlines import is_present
from datastore.errors import LlweekError
from datastore.findings import Finding
from datastore.loadcache import LoadCache
from datastore.loader import StoredRecord, UnitData
from datastore.models import DELIVERABLES, PROFILE, SUBMISSIONS, RecordKind, UnitRef
from datastore.records import build_record, record_to_text
from datastore.tomlio import parse

#: the records a light stand-in holds: the name and contact, the 报送 marks
KEPT = (PROFILE, SUBMISSIONS)


def unit_facts(unit: UnitData) -> dict[str, Any]:
    """The facts of a unit just read, for the cache (records as their canonical TOML text,
    which keeps dates and kept bad values as they are)."""
    def text_of(key: str) -> str | None:
        stored = unit.single(key)
        return record_to_text(stored.record) if stored and stored.record else None

    return {**{kind.key: text_of(kind.key) for kind in KEPT},
            "present": [key for key in DELIVERABLES if is_present(unit, key)]}


def light_unit(unit: UnitData) -> UnitData:
    """The stand-in of a unit just read: the same as `unit_from_facts` of its facts, without
    writing them out and reading them back."""
    light = UnitData(unit.id, unit.ref,
                     present=frozenset(key for key in DELIVERABLES if is_present(unit, key)))
    for kind in KEPT:
        stored = unit.single(kind.key)
        if stored is not None and stored.record is not None:
            light.singles[kind.key] = stored
    return light


def _stored(kind: RecordKind, unit_id: str, text: Any) -> StoredRecord | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("not a record's text")
    return StoredRecord(kind, kind.path(unit_id), build_record(kind.model, parse(text))[0], None,
                        unit_id)


def unit_from_facts(unit_id: str, ref: UnitRef | None, facts: dict[str, Any]) -> UnitData | None:
    """A light stand-in for the unit (None when the facts are not as `unit_facts` makes them)."""
    present = facts.get("present")
    if not isinstance(present, list) or not all(key in DELIVERABLES for key in present):
        return None
    unit = UnitData(unit_id, ref, present=frozenset(present))
    try:
        for kind in KEPT:
            stored = _stored(kind, unit_id, facts.get(kind.key))
            if stored is not None:
                unit.singles[kind.key] = stored
    except (LlweekError, ValueError):
        return None
    return unit


def cached_unit(cache: LoadCache, unit_id: str, ref: UnitRef | None, key: str
                ) -> tuple[UnitData, list[Finding]] | None:
    """The unit's stand-in and every finding of its files, when the cache holds it under
    this key (its files unchanged)."""
    hit = cache.entry(unit_id, key)
    light = unit_from_facts(unit_id, ref, hit[2]) if hit else None
    return (light, hit[0] + hit[1]) if hit and light else None
