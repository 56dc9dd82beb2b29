"""Hand-written comments of a TOML record, carried from one version of its text to the next.

llweek writes a record in one canonical form built from its data (datastore.tomlio), and data
has no comments; but someone editing a file by hand may write `# 待确认` above a key or after
a value. A merge, a resolved conflict and a save all build the file anew from data, so the
comments are read from the old text first and put back where they belong:

- a comment block is attached to the statement right below it: a `key = value` line, or a
  table header (an entry of a list of tables such as `[[photos]]` by its own name, e.g. its
  `file`, as merges match entries);
- a comment after a value on its line stays after that value;
- comments above the first statement stay at the top, those after the last at the end.

A merge merges the comments of each place three ways, like the data; a place changed two ways
keeps both sides' lines. Comments inside a multi-line value cannot be placed and are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from datastore.keypath import ITEM_KEYS, Item
from datastore.tomlio import TomlSyntaxError, parse

START, END = ("<start>",), ("<end>",)
Anchor = tuple[Any, ...]


@dataclass
class Comments:
    """The comments of one text: lines above each place, and the comment beside it."""

    above: dict[Anchor, tuple[str, ...]] = field(default_factory=dict)
    beside: dict[Anchor, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.above or self.beside)


@dataclass(frozen=True)
class _Line:
    """One line of a text: its place (None for a comment, a blank, a value's next lines),
    its comment (a whole comment line, or the one after a one-line value)."""

    text: str
    anchor: Anchor | None
    comment: str | None = None
    whole_comment: bool = False
    single: bool = True  # a one-line statement: a comment can follow it


def read_comments(text: str) -> Comments:
    """Every hand-written comment of `text`, by the place it belongs to."""
    found = Comments()
    if "#" not in text:
        return found
    pending: list[str] = []
    seen_statement = False
    for line in _lines(text):
        if line.whole_comment:
            pending.append(line.comment or "")
            continue
        if line.anchor is None:
            continue
        if pending:
            found.above[line.anchor if seen_statement else START] = tuple(pending)
            pending = []
        seen_statement = True
        if line.comment is not None:
            found.beside[line.anchor] = line.comment
    if pending:
        found.above[END] = tuple(pending)
    return found


def with_comments(text: str, comments: Comments) -> str:
    """`text` (canonical, without comments) with `comments` put back in their places."""
    if not comments:
        return text
    out: list[str] = list(comments.above.get(START, ()))
    for line in _lines(text):
        if line.anchor is not None:
            out.extend(comments.above.get(line.anchor, ()))
            beside = comments.beside.get(line.anchor)
            if beside is not None and line.single and line.comment is None:
                out.append(f"{line.text}  {beside}")
                continue
        out.append(line.text)
    out.extend(comments.above.get(END, ()))
    return "\n".join(out) + ("\n" if text.endswith("\n") or not text else "")


def keep_comments(old_text: str | None, new_text: str) -> str:
    """`new_text` with the comments `old_text` had (for a save over a hand-edited file)."""
    if not old_text or "#" not in old_text:
        return new_text
    return with_comments(new_text, read_comments(old_text))


def merge_comments(base: str | None, ours: str | None, theirs: str | None) -> Comments:
    """Three-way merge of the comments of three versions, place by place."""
    sides = [read_comments(text) if text else Comments() for text in (base, ours, theirs)]
    merged = Comments()
    for name in ("above", "beside"):
        maps = [getattr(side, name) for side in sides]
        target = getattr(merged, name)
        for anchor in dict.fromkeys([*maps[1], *maps[2], *maps[0]]):
            b, o, t = (m.get(anchor) for m in maps)
            value = _pick(b, o, t)
            if value is not None:
                target[anchor] = value
    return merged


def _pick(base: Any, ours: Any, theirs: Any) -> Any:
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    if isinstance(ours, tuple) and isinstance(theirs, tuple):
        return ours + tuple(line for line in theirs if line not in ours)
    return f"{ours}  {theirs}" if ours and theirs else ours or theirs


# ------------------------------------------------------------------ reading lines


def _lines(text: str) -> Iterator[_Line]:
    """Each line with its place, skipping the inside of multi-line strings and arrays."""
    data = _data(text)
    table: Anchor = ()
    counts: dict[Anchor, int] = {}
    closing: str | None = None  # the quotes that end the multi-line string we are in
    depth = 0  # brackets still open in a multi-line array or inline table
    for raw in text.splitlines():
        if closing is not None or depth > 0:
            closing, depth, _ = _scan(raw, 0, closing, depth)
            yield _Line(raw, None)
            continue
        stripped = raw.strip()
        if not stripped:
            yield _Line(raw, None)
        elif stripped.startswith("#"):
            yield _Line(raw, None, raw, whole_comment=True)
        elif stripped.startswith("["):
            table, comment = _header(stripped, data, counts)
            yield _Line(raw, table, comment)
        else:
            equals = _equals(raw)
            if equals < 0:
                yield _Line(raw, None)
                continue
            closing, depth, comment_at = _scan(raw, equals + 1, None, 0)
            single = closing is None and depth == 0
            comment = raw[comment_at:].strip() if comment_at is not None and single else None
            yield _Line(raw, table + _key_path(raw[:equals]), comment, single=single)


def _data(text: str) -> dict[str, Any]:
    try:
        return parse(text)
    except TomlSyntaxError:
        return {}


def _scan(line: str, at: int, closing: str | None, depth: int) -> tuple[str | None, int, int | None]:
    """Read `line` from `at`: (quotes still open, brackets still open, where a comment starts)."""
    size = len(line)
    while at < size:
        if closing is not None:
            end = line.find(closing, at)
            if end < 0:
                return closing, depth, None
            at, closing = end + 3, None
            continue
        char = line[at]
        if char in "\"'":
            if line.startswith(char * 3, at):
                closing, at = char * 3, at + 3
                continue
            at = _string_end(line, at)
            continue
        if char == "#":
            return None, depth, at
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        at += 1
    return closing, depth, None


def _string_end(line: str, at: int) -> int:
    quote, pos = line[at], at + 1
    while pos < len(line) and line[pos] != quote:
        pos += 2 if quote == '"' and line[pos] == "\\" else 1
    return pos + 1


def _equals(line: str) -> int:
    """Where the `=` of a `key = value` line is (-1: none), quoted keys allowed."""
    at = 0
    while at < len(line):
        char = line[at]
        if char in "\"'":
            at = _string_end(line, at)
            continue
        if char == "=":
            return at
        if char == "#":
            return -1
        at += 1
    return -1


def _key_path(key: str) -> Anchor:
    try:
        data = parse(f"{key.strip()} = 0\n")
    except TomlSyntaxError:
        return (key.strip(),)
    path: list[Any] = []
    while isinstance(data, dict) and len(data) == 1:
        name, data = next(iter(data.items()))
        path.append(name)
    return tuple(path)


def _header(stripped: str, data: dict[str, Any], counts: dict[Anchor, int]) -> tuple[Anchor, str | None]:
    """The place a `[table]` or `[[entry]]` header opens, and the comment after it."""
    many = stripped.startswith("[[")
    close = stripped.find("]]" if many else "]")
    comment_at = stripped.find("#", close) if close >= 0 else -1
    comment = stripped[comment_at:].strip() if comment_at >= 0 else None
    path = _key_path(stripped[2 if many else 1:close] if close >= 0 else stripped.strip("[]"))
    if not many:
        return ("[table]", *path), comment
    index = counts.get(path, 0)
    counts[path] = index + 1
    return ("[entry]", *path, _entry_name(data, path, index)), comment


def _entry_name(data: dict[str, Any], path: Anchor, index: int) -> Any:
    """An entry of a list of tables by its own name (`Item("file", "p1.jpg")`), else its place."""
    items: Any = data
    for step in path:
        items = items.get(step) if isinstance(items, dict) else None
    if not isinstance(items, list) or index >= len(items) or not isinstance(items[index], dict):
        return index
    for name in ITEM_KEYS:
        values = [item.get(name) if isinstance(item, dict) else None for item in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return Item(name, values[index])
    return index
