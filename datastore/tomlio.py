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
from pathlib import Path
from typing import Any

import tomli_w

try:  # tomli is tomllib's own source, compiled: the same results, parsed about 2.5 times faster
    import tomli as tomllib
except ImportError:  # pragma: no cover - tomli is a dependency; the standard library's is the same
    import tomllib

from datastore.errors import LlweekError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_WHERE_IN_ERROR = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


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
    """Parse TOML text, turning tomllib's error into a Chinese message with its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _WHERE_IN_ERROR.search(str(err))
        line = int(found.group(1)) if found else None
        reason = _WHERE_IN_ERROR.sub("", str(err)).strip()
        reason = next((words for english, words in _REASONS.items() if reason.startswith(english)),
                      reason)
        where = f"第 {line} 行第 {found.group(2)} 列" if found else "文件中"
        raise TomlSyntaxError(f"TOML 格式错误：{where}无法读取（{reason}）", line) from None


def digest(data: bytes) -> str:
    """The content hash a save compares, to notice a file changed behind the user's back."""
    return hashlib.sha1(data).hexdigest()


def key_line(text: str, key: str) -> int | None:
    """The line where `key` is assigned or its table starts; for findings that point at a line."""
    escaped = re.escape(key)
    pattern = re.compile(rf'^[ \t]*(?:\[{{1,2}}[ \t]*"?{escaped}"?[ \t]*\]{{1,2}}|"?{escaped}"?[ \t]*=)',
                         re.MULTILINE)
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else None


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
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
