"""Naming one value inside a record's data: a key path of TOML keys, and for a list of tables
such as `photos` an `Item` naming the entry by its own key (`file`), because positions shift
when two people add photos. Plain data only (no models), so the merge driver stays light.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

#: fields that name an entry of a list of tables, tried in this order
ITEM_KEYS = ("file", "id", "key", "login")


class _Missing:
    """The value of a key a version does not have (never written, or deleted)."""

    _instance: "_Missing | None" = None

    def __new__(cls) -> "_Missing":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class Item(NamedTuple):
    """One entry of a list of tables, named by its key: `Item("file", "p1.jpg")`."""

    field: str
    value: str


KeyPath = tuple["str | Item", ...]


def is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def item_key(*lists: Any) -> str | None:
    """The field that names every entry of these lists uniquely, or None (merge them whole)."""
    tables = [v for v in lists if v is not MISSING]
    if not tables or not all(is_table_list(v) or v == [] for v in tables):
        return None
    for name in ITEM_KEYS:
        if all(_names_uniquely(v, name) for v in tables):
            return name
    return None


def _names_uniquely(items: list[dict], name: str) -> bool:
    values = [item.get(name) for item in items]
    return all(isinstance(v, str) for v in values) and len(set(values)) == len(values)


def find_item(items: list[dict], item: Item) -> int | None:
    for index, entry in enumerate(items):
        if entry.get(item.field) == item.value:
            return index
    return None


def get(data: Any, path: KeyPath) -> Any:
    """The value at `path`, MISSING where any step is absent."""
    for step in path:
        if isinstance(step, Item):
            index = find_item(data, step) if isinstance(data, list) else None
            if index is None:
                return MISSING
            data = data[index]
        elif isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return MISSING
    return data


def put(data: dict, path: KeyPath, value: Any) -> None:
    """Set (or with MISSING remove) the value at `path`, creating tables on the way."""
    if value is MISSING and get(data, path) is MISSING:
        return
    *parents, last = path
    target: Any = data
    for position, step in enumerate(parents):
        if isinstance(step, Item):
            index = find_item(target, step)
            if index is None:
                target.append({step.field: step.value})
                index = len(target) - 1
            target = target[index]
        else:
            target = target.setdefault(step, [] if isinstance(path[position + 1], Item) else {})
    if isinstance(last, Item):
        index = find_item(target, last)
        if value is MISSING:
            if index is not None:
                del target[index]
        elif index is None:
            target.append(value)
        else:
            target[index] = value
    elif value is MISSING:
        target.pop(last, None)
    else:
        target[last] = value


def show(value: Any, width: int = 40) -> str:
    """A value on one short line: `（空）`, a date, text cut with …, a list joined by 、."""
    if value is MISSING or value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, (dt.date, dt.datetime)):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = "，".join(f"{k}={show(v, width)}" for k, v in value.items())
    elif isinstance(value, list):
        text = "、".join(show(v, width) for v in value)
    elif isinstance(value, bool):
        text = "是" if value else "否"
    else:
        text = str(value)
    text = " ⏎ ".join(line.strip() for line in text.strip().splitlines())
    return text if len(text) <= width else text[:width - 1] + "…"


#: characters of common text shown before the place where long texts differ
_LEAD = 10


def show_apart(values: tuple[Any, ...], width: int = 40) -> tuple[str, ...]:
    """Several versions of one value, each on one short line (as `show`), long texts shown from
    where they begin to differ: two versions of a 1,500-字 summary usually start alike, and the
    paragraph that differs is the one a person must see."""
    texts = [v for v in values if isinstance(v, str) and v]
    if len(texts) < 2 or len(set(texts)) < 2:
        return tuple(show(v, width) for v in values)
    same = _common_prefix(texts)
    paragraph = max(text.rfind("\n", 0, same) for text in texts) + 1
    start = max(paragraph, same - _LEAD)
    if start <= 0:
        return tuple(show(v, width) for v in values)
    return tuple("…" + show(v[start:], width - 1) if isinstance(v, str) and len(v) > start
                 else show(v, width) for v in values)


def _common_prefix(texts: list[str]) -> int:
    shortest = min(len(text) for text in texts)
    at = 0
    while at < shortest and all(text[at] == texts[0][at] for text in texts):
        at += 1
    return at


#: characters no person types and no printer, spreadsheet or terminal should receive:
#: C0 controls but tab and line breaks, DEL, C1 controls (ESC would drive the terminal)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_WORDS = "文字（不能含有控制字符）"


def has_control(value: Any) -> bool:
    """Does this value, or any string inside it, hold a control character?"""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if CONTROL.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, list):
            stack.extend(item)
    return False
