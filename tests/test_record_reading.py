"""Reading a record finds a control character however it got into the text: written as an
escape, or raw (TOML allows C1 controls such as U+009B, the terminal's CSI, unescaped). Texts
with neither are read without looking for one, and say the same. Nesting too deep is refused
however it is written."""

from __future__ import annotations

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from datastore.loader import record_from_bytes
from datastore.models import PROFILE
from datastore.records import build_record
from datastore.tomlio import MAX_DEPTH, TomlSyntaxError, parse

REL = "units/changchun/unit.toml"


def allowed_raw(char: str) -> bool:
    """May this character stand unescaped in a TOML basic string?"""
    return char == "\t" or not (char < " " or char == "\x7f" or char in '"\\')


def toml_string(value: str, raw: bool) -> str:
    """The value as a TOML basic string: raw where TOML allows it, else escaped by tomli-w."""
    if raw and all(allowed_raw(c) for c in value):
        return f'"{value}"'
    return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()


def read(text: str) -> tuple[object, list[tuple[str, str | None]]]:
    findings: list = []
    stored = record_from_bytes(text.encode("utf-8"), REL, PROFILE, PROFILE.model, "changchun",
                               findings)
    return stored.record, [(f.code, f.field) for f in findings]


def test_a_raw_c1_control_character_is_a_finding_like_an_escaped_one():
    escaped = read('name = "长春市教育局"\nshort_name = "长春\\u009b2J市"\n')
    raw = read('name = "长春市教育局"\nshort_name = "长春\u009b2J市"\n')
    assert raw[1] == escaped[1] == [("field.type", "short_name")]
    assert raw[0].short_name is None and raw[0].invalid["short_name"] == "长春\u009b2J市"


@settings(max_examples=300, deadline=None)
@given(value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), raw=st.booleans())
def test_reading_says_what_checking_every_value_says(value: str, raw: bool):
    text = f"name = {toml_string(value, raw)}\n"
    record, found = read(text)
    expected, problems = build_record(PROFILE.model, parse(text))
    assert record == expected and record.invalid == expected.invalid
    assert [field for code, field in found if code == "field.type"] == list(problems)


def nested(form: str, levels: int) -> str:
    """A TOML text holding `levels` tables or lists one inside the other, written one way."""
    keys = [f"k{n}" for n in range(levels + 1)]
    return {"arrays": "v = " + "[" * levels + "]" * levels,
            "inline tables": "v = " + "{a = " * levels + "1" + "}" * levels,
            "dotted keys": ".".join(keys) + " = 1",
            "table header": "[" + ".".join(keys[:levels]) + "]"}[form] + "\n"


@pytest.mark.parametrize("form", ["arrays", "inline tables", "dotted keys", "table header"])
def test_nesting_deeper_than_any_record_is_refused_however_it_is_written(form: str):
    parse(nested(form, MAX_DEPTH - 1))
    with pytest.raises(TomlSyntaxError, match="嵌套层数"):
        parse(nested(form, MAX_DEPTH))
