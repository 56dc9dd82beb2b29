"""Hypothesis strategies over what a pushed repository can hold: file contents (valid TOML with
odd or wrong values, broken TOML, deep nesting, huge files, invalid UTF-8, NUL, BOM, CRLF),
things that are not files (links to devices, link loops, FIFOs, folders), photos that are not
photos, and trees of such changes applied to the sample campaign."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import strategies as st

from datastore.tomlio import TomlSyntaxError, parse
from tests.reliability.hostile import HOSTILE_FILES, HOSTILE_PHOTOS, KINDS, plant, remove

RECORDS = [
    "campaign.toml", "access.toml", "reviews/changchun.toml", "reviews/jlu.toml",
    "units/changchun/unit.toml", "units/changchun/submissions.toml",
    "units/changchun/work_plan.toml", "units/changchun/exhibition.toml",
    "units/changchun/summary.toml", "units/changchun/activities/dbxjjcezek.toml",
    "units/changchun/advanced_people/kb6nmuallv.toml",
    "units/changchun/advanced_units/d7mxy6i7hq.toml", "units/changchun/cases/a56hz6uwqr.toml",
    "units/jlu/unit.toml", "units/jlu/cases/lxjtebwgwl.toml",
]
FOLDERS = ["units", "reviews", "units/changchun", "units/changchun/activities",
           "units/changchun/photos", "units/jlu/cases", "units/changchun/advanced_people"]
PHOTOS = [f"units/changchun/photos/exh-0{n}.jpg" for n in range(1, 7)] + [
    "units/changchun/photos/sum-01.jpg", "units/jlu/photos/exh-01.jpg"]
NEW_FILES = ["units/changchun/activities/zzzzzzzzzz.toml", "units/changchun/extra.toml",
             "units/newunit/unit.toml", "reviews/nobody.toml", "units/changchun/photos/new.jpg"]

_text = st.text(max_size=40) | st.sampled_from(
    ["", " ", "2021-13-45", "=SUM(A1)", "\x1b[2J", "a\x00b", "长" * 600, "0431-8", "男", "女",
     "changchun", "../../etc/passwd", "exh-01.jpg", "\u202e反向", "\r\n"])
_scalars = st.one_of(
    _text,
    st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1),
    st.sampled_from([0, -1, 1, 2, 10 ** 9, 2 ** 63 - 1, -(2 ** 63)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates() | st.sampled_from([dt.date.min, dt.date.max, dt.date(2021, 10, 20)]),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.times(),
)
toml_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10)


@dataclass(frozen=True)
class Change:
    """One thing done to a repository: `what` at `path`, with `value` when it needs one."""

    what: str
    path: str
    value: Any = None

    def apply(self, root: Path) -> None:
        """Do the change, unless an earlier one made it impossible (its folder became a link,
        a FIFO, …): then the tree stays as that earlier change left it."""
        if any((root / parent).is_symlink() or ((root / parent).exists() and not (root / parent).is_dir())
               for parent in Path(self.path).parents if str(parent) != "."):
            return
        try:
            self._apply(root, root / self.path)
        except OSError:
            pass

    def _apply(self, root: Path, path: Path) -> None:
        if self.what == "bytes":
            remove(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(self.value)
        elif self.what == "plant":
            plant(root, self.path, self.value)
        elif self.what == "delete":
            remove(path)
        elif self.what == "set":  # a key of a valid record set to any TOML value
            key, value, mangle = self.value
            _set_key(path, key, value, mangle)
        else:
            raise ValueError(self.what)


def _set_key(path: Path, key: str, value: Any, mangle: str) -> None:
    try:
        data = parse(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TomlSyntaxError):  # an earlier change broke it: nothing to set
        return
    target: Any = data
    *parents, last = key.split(".")
    for part in parents:
        inner = target.get(part) if isinstance(target, dict) else None
        if isinstance(inner, list) and inner and isinstance(inner[0], dict):
            inner = inner[0]
        if not isinstance(inner, dict):
            return
        target = inner
    target[last] = value
    try:
        text = tomli_w.dumps(data, multiline_strings=True)
    except (TypeError, ValueError):
        return
    raw = text.encode("utf-8")
    if mangle == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif mangle == "crlf":
        raw = raw.replace(b"\n", b"\r\n")
    elif mangle == "truncate":
        raw = raw[: len(raw) // 2]
    elif mangle == "nul":
        raw = raw.replace(b"\n", b"\n\x00", 1)
    elif mangle == "latin1":
        raw = text.encode("gb18030", errors="replace")
    path.write_bytes(raw)


_KEYS = ["id", "name", "start", "end", "seq", "participants", "rank", "birth_date", "gender",
         "photos", "text", "title", "units", "deadlines", "rules", "rules.photo_max_mb",
         "rules.exhibition_photos", "rules.deeds_max", "rules.summary_min", "year", "schema",
         "showcase_start", "showcase_end", "opening_date", "staff", "staff.unit", "staff.role",
         "units.id", "units.kind", "deadlines.due", "deadlines.deliverables", "contact",
         "work_plan", "work_plan.state", "activities.submitted", "kind", "short_name",
         "photos.file", "photos.caption", "deeds", "email", "phone", "signup_phone"]


def _deep(kind: str, depth: int) -> bytes:
    if kind == "arrays":
        return b"x = " + b"[" * depth + b"]" * depth + b"\n"
    if kind == "tables":
        return b"x = " + b"{a = " * depth + b"1" + b"}" * depth + b"\n"
    if kind == "dotted":
        return b".".join([b"a"] * depth) + b" = 1\n"
    return b"[" + b".".join([b"t"] * depth) + b"]\n"


file_contents = st.one_of(
    st.sampled_from(sorted(HOSTILE_FILES)).map(HOSTILE_FILES.__getitem__),
    st.binary(max_size=600),
    st.builds(_deep, st.sampled_from(["arrays", "tables", "dotted", "headers"]),
              st.integers(min_value=1, max_value=1200)),
    st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=8), toml_values, max_size=6).map(
        lambda d: _dumped(d)),
)


def _dumped(data: dict[str, Any]) -> bytes:
    flat = {k.replace(".", "_"): v for k, v in data.items()}
    try:
        return tomli_w.dumps(flat).encode("utf-8")
    except (TypeError, ValueError):
        return b""


photo_contents = st.sampled_from(sorted(HOSTILE_PHOTOS)).map(HOSTILE_PHOTOS.__getitem__)

changes = st.one_of(
    st.builds(Change, st.just("set"), st.sampled_from(RECORDS),
              st.tuples(st.sampled_from(_KEYS), toml_values,
                        st.sampled_from(["", "", "", "bom", "crlf", "truncate", "nul", "latin1"]))),
    st.builds(Change, st.just("bytes"), st.sampled_from(RECORDS + NEW_FILES), file_contents),
    st.builds(Change, st.just("plant"), st.sampled_from(RECORDS + PHOTOS + FOLDERS), st.sampled_from(KINDS)),
    st.builds(Change, st.just("bytes"), st.sampled_from(PHOTOS), photo_contents),
    st.builds(Change, st.just("delete"), st.sampled_from(RECORDS + PHOTOS + FOLDERS)),
)

#: a repository as someone may have pushed it: a few changes to the sample campaign
trees = st.lists(changes, min_size=1, max_size=6)


def describe(tree: list[Change]) -> str:
    return "; ".join(f"{c.what} {c.path} {_short(c.value)}" for c in tree)


def _short(value: Any) -> str:
    return re.sub(r"\s+", " ", repr(value))[:80]
