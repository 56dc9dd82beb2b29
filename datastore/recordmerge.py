"""Three-way merge of TOML records, field by field, as the `llweek` merge driver does it.

Two people who changed different fields of one record both keep their change; a long text
changed in different paragraphs merges line by line; photos are matched by their file name,
not their position. Only a value changed two different ways is a conflict, and a conflict
never loses a side: the merged data keeps mine, the conflict keeps all three. Hand-written
comments of the three versions are merged too and kept in place (datastore.comments).

When a merge has conflicts, the file written into the working tree is the merged record with
git-style conflict blocks around each conflicting key (`<<<<<<< 我的修改` … `>>>>>>> 对方的修改`).
Blocks always enclose whole `key = value` lines, even for a long text, so such a file is never
valid TOML: neither llweek nor a person can take it for a resolved record by mistake.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import tomli_w

from datastore.comments import merge_comments, with_comments
from datastore.diff3 import Chunk, merge3, merge_text, with_markers
from datastore.fieldtable import canonical_data, model_name_of_path
from datastore.keypath import MISSING, Item, KeyPath, get, is_table_list, item_key, put
from datastore.tomlio import TomlSyntaxError, dumps, parse

LABELS = ("我的修改", "原来的内容", "对方的修改")


@dataclass(frozen=True)
class FieldConflict:
    """One value changed two ways. MISSING means that version does not have it (deleted)."""

    path: KeyPath
    base: Any
    ours: Any
    theirs: Any


@dataclass
class MergeOutcome:
    """The merged data (holding my value wherever there is a conflict) and the conflicts."""

    data: dict[str, Any]
    conflicts: list[FieldConflict]


@dataclass(frozen=True)
class FileMerge:
    """What the merge driver writes: the text, and whether it is a clean merge.

    `readable` is False when a version was not valid TOML; then the files were merged line
    by line like any text file, and `conflicts` is empty even when `clean` is False.
    """

    text: str
    clean: bool
    conflicts: list[FieldConflict]
    readable: bool = True


def merge_data(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> MergeOutcome:
    """Merge two edited versions of a record's data against the version they started from."""
    conflicts: list[FieldConflict] = []
    merged = _merge((), base, ours, theirs, conflicts)
    return MergeOutcome(merged if isinstance(merged, dict) else {}, conflicts)


def _merge(path: KeyPath, base: Any, ours: Any, theirs: Any,
           conflicts: list[FieldConflict]) -> Any:
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    if isinstance(ours, dict) and isinstance(theirs, dict) and (base is MISSING or isinstance(base, dict)):
        return _merge_tables(path, base if isinstance(base, dict) else {}, ours, theirs, conflicts)
    if isinstance(ours, str) and isinstance(theirs, str):
        merged = merge_text(base if isinstance(base, str) else "", ours, theirs)
        if merged is not None:
            return merged
    key = item_key(base, ours, theirs)
    if key is not None:
        merged_items = _merge_items(path, key, base, ours, theirs, conflicts)
        if merged_items is not None:
            return merged_items
    conflicts.append(FieldConflict(path, base, ours, theirs))
    return ours


def _merge_tables(path: KeyPath, base: dict, ours: dict, theirs: dict,
                  conflicts: list[FieldConflict]) -> dict:
    merged: dict[str, Any] = {}
    for key in [*ours, *(k for k in theirs if k not in ours), *(k for k in base if k not in ours
                                                               and k not in theirs)]:
        value = _merge((*path, key), base.get(key, MISSING), ours.get(key, MISSING),
                       theirs.get(key, MISSING), conflicts)
        if value is not MISSING:
            merged[key] = value
    return merged


def _names(items: Any, key: str) -> list[str]:
    return [item[key] for item in items] if isinstance(items, list) else []


def _merge_items(path: KeyPath, key: str, base: Any, ours: Any, theirs: Any,
                 conflicts: list[FieldConflict]) -> list | None:
    """Entries of a list of tables matched by `key`; None when both sides reordered it."""
    names = {side: _names(items, key) for side, items in
             (("base", base), ("ours", ours), ("theirs", theirs))}
    everywhere = [n for n in names["base"] if n in names["ours"] and n in names["theirs"]]
    ours_order = [n for n in names["ours"] if n in everywhere]
    theirs_order = [n for n in names["theirs"] if n in everywhere]
    if ours_order == everywhere:
        order = names["theirs"] + [n for n in names["ours"] if n not in names["theirs"]]
    elif theirs_order in (everywhere, ours_order):
        order = names["ours"] + [n for n in names["theirs"] if n not in names["ours"]]
    else:
        return None
    order += [n for n in names["base"] if n not in order]
    merged = []
    for name in order:
        step = Item(key, name)
        value = _merge((*path, step), get(base, (step,)), get(ours, (step,)),
                       get(theirs, (step,)), conflicts)
        if value is not MISSING:
            merged.append(value)
    return merged


# ------------------------------------------------------------------ files


def canonical_text(rel: str, data: dict[str, Any]) -> str:
    """The file as llweek writes it: in the model's key order where the path has a model
    (from the models' field table, so the merge driver never loads pydantic)."""
    model = model_name_of_path(rel)
    return dumps(data if model is None else canonical_data(model, data))


def merge_files(rel: str, base: str, ours: str, theirs: str) -> FileMerge:
    """Merge three versions of the file at `rel` (the merge driver's work)."""
    try:
        versions = parse(base), parse(ours), parse(theirs)
    except TomlSyntaxError:
        chunks = merge3(base.splitlines(keepends=True), ours.splitlines(keepends=True),
                        theirs.splitlines(keepends=True))
        lines, count = with_markers(chunks, LABELS)
        return FileMerge("".join(lines), count == 0, [], readable=False)
    outcome = merge_data(*versions)
    if not outcome.conflicts:
        text = canonical_text(rel, outcome.data)
        return FileMerge(with_comments(text, merge_comments(base, ours, theirs)), True, [])
    return FileMerge(with_conflict_blocks(rel, outcome), False, outcome.conflicts)


def with_conflict_blocks(rel: str, outcome: MergeOutcome) -> str:
    """The merged record with a conflict block around each conflicting key."""
    sides = []
    for side in ("ours", "base", "theirs"):
        data = copy.deepcopy(outcome.data)
        for conflict in outcome.conflicts:
            put(data, conflict.path, copy.deepcopy(getattr(conflict, side)))
        sides.append(data)
    formatted: dict[str, str] = {}
    ours, base, theirs = (canonical_text(rel, _tokenised(data, formatted)).splitlines(keepends=True)
                          for data in sides)
    lines, count = with_markers(merge3(base, ours, theirs), LABELS)
    if count == 0:  # the lines could not tell the versions apart: mark the whole file
        lines, count = with_markers([Chunk(None, tuple(base), tuple(ours), tuple(theirs))], LABELS)
    text = "".join(lines)
    for value_text, token in formatted.items():
        text = text.replace(f'"{token}"', value_text)
    return text


def text_with_markers(base: str, ours: str, theirs: str) -> str:
    """A text changed two ways with every clean change merged and conflict blocks only where
    the same lines changed two ways: where a person editing it by hand should start."""
    chunks = merge3(base.splitlines(keepends=True), ours.splitlines(keepends=True),
                    theirs.splitlines(keepends=True))
    return "".join(with_markers(chunks, LABELS)[0])


def _tokenised(value: Any, formatted: dict[str, str]) -> Any:
    """`value` with every value that spans several lines replaced by a one-line token, so a
    conflict block can only enclose whole values."""
    if isinstance(value, dict):
        return {k: _tokenised(v, formatted) for k, v in value.items()}
    if is_table_list(value):
        return [_tokenised(v, formatted) for v in value]
    if isinstance(value, list) or (isinstance(value, str) and "\n" in value):
        text = tomli_w.dumps({"v": value}, multiline_strings=True).removeprefix("v = ").rstrip("\n")
        return formatted.setdefault(text, f"@@llweek-value-{len(formatted)}@@")
    return value
