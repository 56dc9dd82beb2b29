"""TOML in one canonical form, written atomically.

Canonical means: keys in the model's order, long text as a `\"\"\"` block of real lines,
lists of tables always as `[[name]]` blocks. So a change to one field, or one paragraph of a
long text, changes only those lines in `git diff`, and Git can merge them line by line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tomli_w

try:  # tomli is tomllib's own source, compiled: the same results, parsed about 2.5 times faster
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; the standard library's is the same
    import tomllib

from datastore.errors import LlweekError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
#: tables and lists inside each other: a record needs three or four levels
MAX_DEPTH = 16
_WHERE_IN_ERROR = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_AT_END = re.compile(r"\s*\(at end of document\)")


_REASONS = {
    "Invalid value": "值的写法不对（文字要加英文引号，日期写作 2021-10-12）",
    "Unterminated string": "引号没有结束",
    "Expected '=' after a key in a key/value pair": "键后面缺少“=”",
    "Cannot overwrite a value": "同一个键写了两次",
    "Invalid statement": "这一行不是“键 = 值”的形式",
    "Invalid initial character for a key part": "键名写法不对",
    "Illegal character": "含有不允许的字符",
}


class TomlSyntaxError(LlweekError):
    """Broken TOML; `line` says where, the message is in Chinese."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def parse(text: str) -> dict[str, Any]:
    """Parse TOML text, turning every failure into a Chinese message with its line.

    A byte order mark (as Windows Notepad writes) is skipped. Nesting deeper than any record
    needs (`MAX_DEPTH`) is refused, whether tomllib gave up on it (RecursionError) or not, so
    nothing downstream — pydantic, repr, a merge, tomli-w — ever recurses on a hostile file.
    """
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _WHERE_IN_ERROR.search(str(err))
        reason = _AT_END.sub("", _WHERE_IN_ERROR.sub("", str(err))).strip()
        reason = next((words for english, words in _REASONS.items() if reason.startswith(english)),
                      reason)
        if found:
            line, where = int(found.group(1)), f"第 {found.group(1)} 行第 {found.group(2)} 列"
        else:  # "at end of document"
            line = text.rstrip("\n").count("\n") + 1
            where = f"第 {line} 行（文件末尾）"
        raise TomlSyntaxError(f"TOML 格式错误：{where}无法读取（{reason}）", line) from None
    except RecursionError:
        raise _too_deep(text) from None
    if _may_nest(text, MAX_DEPTH) and _deeper_than(data, MAX_DEPTH):
        raise _too_deep(text)
    return data


def _may_nest(text: str, limit: int) -> bool:
    """Every level of nesting is written with a `[`, `{` or `.`; a text with fewer than
    `limit` of them cannot nest deeper, and its data need not be walked."""
    return text.count("[") + text.count("{") + text.count(".") >= limit


def _too_deep(text: str) -> TomlSyntaxError:
    line = deep_line(text, MAX_DEPTH) or 1
    return TomlSyntaxError(f"TOML 格式错误：第 {line} 行嵌套层数超过 {MAX_DEPTH} 层"
                           "（表、列表或带点的键套得太深），无法读取", line)


def _deeper_than(data: Any, limit: int) -> bool:
    """Does `data` nest tables and lists more than `limit` deep? (no recursion)"""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= limit:
                    return True
                stack.append((child, depth + 1))
    return False


def deep_line(text: str, limit: int) -> int | None:
    """The first line where tables, lists and dotted-key parts nest more than `limit` deep.

    A small linear scanner (strings and comments skipped), used only to say where a file that
    failed for its depth went wrong.
    """
    line, header, key_parts, at = 1, 0, 0, 0
    brackets: list[str] = []  # the open [ and { of the value being read
    in_key = True  # reading a key (a line start, or after { or , inside an inline table)
    size = len(text)
    while at < size:
        char = text[at]
        if char in "\"'":
            end = _string_end(text, at)
            line += text.count("\n", at, end)
            at = end
            continue
        if char == "#":
            end = text.find("\n", at)
            at = size if end < 0 else end
            continue
        if char == "\n":
            line += 1
            if not brackets:
                in_key, key_parts = True, 0
        elif char == "[" and in_key and not brackets and not key_parts:  # a [table] header
            end = text.find("\n", at)
            end = size if end < 0 else end
            header = 1 + _dots(text[at:end])
            if header > limit:
                return line
            at = end
            continue
        elif char in "[{":
            brackets.append(char)
            in_key = char == "{"
            key_parts = 0
        elif char in "]}":
            if brackets:
                brackets.pop()
        elif char == "," and brackets and brackets[-1] == "{":
            in_key, key_parts = True, 0
        elif char == "=":
            in_key = False
        elif char == "." and in_key:
            key_parts += 1
        if header + len(brackets) + key_parts > limit:
            return line
        at += 1
    return None


def _string_end(text: str, at: int) -> int:
    """Where the string starting at `at` ends (one past its closing quote)."""
    quote = text[at]
    if text.startswith(quote * 3, at):
        end = text.find(quote * 3, at + 3)
        return len(text) if end < 0 else end + 3
    pos = at + 1
    while pos < len(text) and text[pos] not in (quote, "\n"):
        pos += 2 if quote == '"' and text[pos] == "\\" else 1
    return pos + 1


def _dots(header: str) -> int:
    """Key parts after the first in a `[a.b.c]` header (quoted parts may hold dots)."""
    count, at = 0, 0
    while at < len(header):
        if header[at] in "\"'":
            at = _string_end(header, at)
            continue
        if header[at] == "#":
            break
        count += header[at] == "."
        at += 1
    return count


def digest(data: bytes) -> str:
    """The content hash a save compares, to notice a file changed behind the user's back."""
    return hashlib.sha1(data).hexdigest()


_KEY_AT_LINE_START = re.compile(
    r"""[ \t]*(?:\[{1,2}[ \t]*)?("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[A-Za-z0-9_-]+)[ \t]*[=.\]]""")


def key_lines(text: str) -> dict[str, int]:
    """Each key's first line: where it is assigned (`key =`, `key.sub =`) or its table starts.

    One pass over the file (a regular expression anchored at each line start), so finding the
    lines of many keys stays linear in the file's size.
    """
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _KEY_AT_LINE_START.match(line)
        if match:
            key = match.group(1)
            if key[0] in "\"'":
                key = key[1:-1]
            found.setdefault(key, number)
    return found


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_flat(table: dict[str, Any]) -> bool:
    return not any(isinstance(v, dict) or _is_table_list(v) for v in table.values())


def dumps(data: dict[str, Any]) -> str:
    """Canonical TOML text of `data` (already in the wanted key order, no None values)."""
    plain = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_list(v)}
    parts = [tomli_w.dumps(plain, multiline_strings=True)] if plain else []
    for name, value in data.items():
        if isinstance(value, dict):
            parts.append(tomli_w.dumps({name: value}, multiline_strings=True))
        elif _is_table_list(value):
            if all(_is_flat(item) for item in value):
                for item in value:
                    body = tomli_w.dumps(item, multiline_strings=True)
                    parts.append(f"[[{_key(name)}]]\n{body}")
            else:  # nested beyond our schema: let tomli-w choose a correct form
                parts.append(tomli_w.dumps({name: value}, multiline_strings=True))
    return "\n".join(parts)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write via a temp file in the same folder, fsync, rename, fsync the folder.

    A reader sees either the old file or the new one, never half of it (nor, for a hook
    script written with mode 0o755, one that is not yet executable).
    """
    atomic_write_all([(path, data)], mode)


def atomic_write_all(files: Iterable[tuple[Path, bytes]], mode: int = 0o644, *,
                     durable: bool = True) -> None:
    """`atomic_write` of several files, each folder fsynced once at the end (a merge writes a
    hundred records into one folder: half the fsyncs). `durable=False`: renamed into place,
    whole or not at all, but not fsynced (for a file whose own content says what it is)."""
    folders: dict[Path, None] = {}
    for path, data in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if durable:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        folders[path.parent] = None
    for folder in folders if durable else ():
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
