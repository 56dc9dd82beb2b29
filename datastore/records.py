"""Turning TOML data into records and back, without ever dropping a value.

A value of the wrong type, or a key the model does not know, does not stop a record from
loading: the rest loads, the rules report the problem, and a save writes the value back as it
was until someone fixes it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from pydantic import ValidationError

from datastore.models import Record
from datastore.keypath import CONTROL, CONTROL_WORDS, has_control
from datastore.tomlio import dumps

_TYPE_WORDS = {
    "int": "整数",
    "date": "日期（如 2021-10-12，不加引号）",
    "string": "文字（加英文引号）",
    "list": "列表 [ … ]",
    "dict": "表",
    "model": "表",
    "bool": "是/否",
    "float": "数字",
}


def _expected(error_type: str, value: Any = None) -> str:
    if error_type.startswith("date") and isinstance(value, dt.datetime):
        return "日期，不带时刻（如 2021-10-12）"
    for prefix, words in _TYPE_WORDS.items():
        if error_type.startswith(prefix):
            return words
    return "正确的类型"


def build_record(model: type[Record], data: dict[str, Any], *, plain: bool = False
                 ) -> tuple[Record, dict[str, str]]:
    """Validate leniently: returns the record and, per bad top-level key, what was expected.

    The bad values are kept in `record.invalid` so that saving writes them back untouched;
    the record's own fields only ever hold values of their declared types. A field's string
    holding a control character counts as a bad value too (an unknown key keeps its value).
    `plain`: the data was parsed from a text with neither a backslash nor a control
    character (`is_plain`), so no value can hold one and none is looked for.
    """
    by_alias = _aliases(model)
    problems = {} if plain else {key: CONTROL_WORDS for key, value in data.items()
                                 if key in by_alias and has_control(value)}
    try:
        record = model.model_validate(_without(data, problems))
    except ValidationError as err:
        for error in err.errors():
            if error["loc"]:
                problems.setdefault(str(error["loc"][0]), _expected(error["type"], error["input"]))
        record = model.model_validate(_without(data, problems))
    if problems:
        record.keep_invalid({by_alias.get(key, key): data[key] for key in problems})
    return record, problems


def is_plain(text: str) -> bool:
    """A TOML text whose strings cannot hold a control character: only an escape (a
    backslash) or the character itself, raw, can put one there."""
    return "\\" not in text and CONTROL.search(text) is None


def _without(data: dict[str, Any], keys: dict[str, str]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys} if keys else data


@cache
def _aliases(model: type[Record]) -> dict[str, str]:
    """TOML key → field name, for every declared field."""
    return {(info.alias or name): name for name, info in model.model_fields.items()}


def record_to_data(record: Record) -> dict[str, Any]:
    """Plain data in the model's field order; unset fields left out, kept bad values put back."""
    data: dict[str, Any] = {}
    for name, info in type(record).model_fields.items():
        key = info.alias or name
        if name in record.invalid:  # also where the field fell back to its default
            data[key] = record.invalid[name]
            continue
        value = getattr(record, name)
        if value is None or value == []:
            continue
        data[key] = _plain(value)
    for key, value in record.unknown.items():
        data[key] = value
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return record_to_data(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def record_to_text(record: Record) -> str:
    """The canonical file content of a record."""
    return dumps(record_to_data(record))


@cache
def _nested_fields(model: type[Record]) -> tuple[str, ...]:
    """Fields that can hold records themselves (a table, or a list of tables like photos)."""
    def holds_records(annotation: Any) -> bool:
        return any(isinstance(t, type) and issubclass(t, Record)
                   for t in (annotation, *getattr(annotation, "__args__", ())))

    return tuple(name for name, info in model.model_fields.items() if holds_records(info.annotation))


def unknown_keys(record: Record, prefix: str = "") -> list[str]:
    """Every key the model does not know, nested ones as `photos[2].colour`."""
    found = [f"{prefix}{key}" for key in record.__pydantic_extra__ or ()]
    for name in _nested_fields(type(record)):
        value = getattr(record, name)
        if isinstance(value, Record):
            found += unknown_keys(value, f"{prefix}{name}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Record):
                    found += unknown_keys(item, f"{prefix}{name}[{index + 1}].")
    return found


def with_changes(record: Record, changes: dict[str, Any]) -> Record:
    """A copy of `record` with `changes` applied and validated; kept bad values of the fields
    not changed stay kept. Control characters typed or pasted into a text are dropped (no
    person means them). Raises pydantic's ValidationError for an untypable value."""
    model = type(record)
    data = {name: getattr(record, name) for name in model.model_fields}
    data.update(record.unknown)
    data.update({k: CONTROL.sub("", v) if isinstance(v, str) else v for k, v in changes.items()})
    data = {(model.model_fields[k].alias or k) if k in model.model_fields else k: v
            for k, v in data.items()}
    updated = model.model_validate(data)
    updated.keep_invalid({k: v for k, v in record.invalid.items() if k not in changes})
    return updated
