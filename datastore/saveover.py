"""Saving a form over a file that changed since it was opened (a sync, a colleague, a restore).

The form's record is merged with the file as it is now, field by field against the version
the form opened, with the merge that sync uses (long texts paragraph by paragraph): what only
the other side changed is kept, what only the form changed is saved, and only a field both
changed differently needs a person's choice, the same choice as a sync conflict's. A save
never reverts what it did not touch.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datastore.conflicts import Choice, ConflictField, ConflictKind, ConflictedRecord, \
    chosen_data, text_suggestion
from datastore.errors import LlweekError
from datastore.fieldpath import MISSING, KeyPath, label
from datastore.models import Record, RecordKind
from datastore.recordmerge import merge_data
from datastore.records import build_record, record_to_data
from datastore.tomlio import TomlSyntaxError, digest, parse


@dataclass
class SaveOver:
    """The form's record merged with the file now on disk."""

    path: str
    title: str
    merged: dict[str, Any]  # the clean merge; the form's value where both changed a field
    conflicts: list[ConflictField]
    kept: list[str]  # labels of the fields where the other side's change is kept (a whole
    # value only they changed, or their paragraphs of a text both changed)
    digest: str  # of the file now on disk: the save's `expected`

    def as_conflict(self) -> ConflictedRecord:
        """The same field-by-field choice a sync conflict offers."""
        return ConflictedRecord(self.path, self.title, ConflictKind.FIELDS, list(self.conflicts),
                                merged=copy.deepcopy(self.merged))


def merge_over(kind: RecordKind, path: str, opened: Record | None, mine: Record,
               current_text: str) -> SaveOver:
    """Merge the form's `mine` with the file's `current_text`, against `opened` (the record
    the form was opened on; None for a record that was new to the form)."""
    try:
        theirs = parse(current_text)
    except TomlSyntaxError as err:
        raise LlweekError(f"{path} 现在无法读取（{err}），无法与您的修改合并：请先修正该文件") from None
    base = record_to_data(opened) if opened is not None else {}
    ours = record_to_data(mine)
    outcome = merge_data(base, ours, theirs)
    model = kind.model
    conflicting = {c.path[0] for c in outcome.conflicts}
    kept = [model.label_of(key) for key in dict.fromkeys([*outcome.data, *ours])
            if key not in conflicting
            and outcome.data.get(key, MISSING) != ours.get(key, MISSING)]
    conflicts = [ConflictField(c.path, label(model, c.path), c.base, c.ours, c.theirs,
                               text_suggestion(c.base, c.ours, c.theirs))
                 for c in outcome.conflicts]
    merged_record = build_record(model, outcome.data)[0]
    return SaveOver(path, kind.describe(merged_record), outcome.data, conflicts, kept,
                    digest(current_text.encode("utf-8")))


def resolved(kind: RecordKind, over: SaveOver, choices: Mapping[KeyPath, Choice]) -> Record:
    """The record to save: the merge with each conflicting field as chosen."""
    data, _ = chosen_data(over.as_conflict(), choices)
    record, problems = build_record(kind.model, data)
    if problems:
        names = "、".join(kind.model.label_of(k) for k in problems)
        raise LlweekError(f"「{names}」的值类型不对，未保存")
    return record
