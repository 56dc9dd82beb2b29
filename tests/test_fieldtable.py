"""The plain field table says what the pydantic models say: the merge driver and `llweek log`,
which use it to start fast, write and name every field exactly as the rest of llweek does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datastore import fieldtable, models
from datastore.fieldpath import model_of_path
from datastore.fieldtable import TABLE, canonical_data, model_name_of_path
from datastore.records import build_record, record_to_text
from datastore.tomlio import dumps

MODELS = {name: getattr(models, name) for name in TABLE}

#: values a TOML file can hold (what a hand-edited or hostile file may put anywhere)
scalars = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.booleans(),
                    st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
                    st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))
anything = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text("abz", min_size=1, max_size=3), inner,
                                                 max_size=3)), max_leaves=6)
extra_keys = st.dictionaries(st.sampled_from(["zz", "colour", "备注"]), anything, max_size=2)


def fitting(kind: str, depth: int) -> st.SearchStrategy:
    """Values of the field's own type (or, as often, anything at all)."""
    good = {"str": st.text(max_size=8), "int": st.integers(-3, 3),
            "date": st.dates(dt.date(2020, 1, 1), dt.date(2022, 1, 1)),
            "strs": st.lists(st.text(max_size=4), max_size=3)}.get(kind)
    if good is None and depth > 0:
        inner = data_of(kind.strip("[]"), depth - 1)
        good = st.lists(inner, max_size=3) if kind.startswith("[") else inner
    return st.one_of(good, anything) if good is not None else anything


def data_of(model: str, depth: int = 2) -> st.SearchStrategy:
    columns = {column.key: fitting(column.kind, depth) for column in TABLE[model]}
    return st.builds(lambda known, extra: {**known, **extra},
                     st.fixed_dictionaries({}, optional=columns), extra_keys)


def test_the_field_table_is_the_models_own():
    source = Path(fieldtable.__file__).read_text(encoding="utf-8")
    assert fieldtable.rewritten(source) == source, "run: python -m datastore.fieldtable"


def _same_text(data: st.DataObject) -> None:
    for name, model in MODELS.items():
        raw = data.draw(data_of(name), label=name)
        assert dumps(canonical_data(name, raw)) == record_to_text(build_record(model, raw)[0])


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_canonical_data_writes_a_file_as_the_models_do(data):
    _same_text(data)


def test_a_wrong_value_where_the_field_has_a_default_is_written_as_it_was():
    raw = {"schema": 1, "title": "活动周", "contact": "不是表", "rules": {"deeds_max": "五百"}}
    text = dumps(canonical_data("Campaign", raw))
    assert text == record_to_text(build_record(MODELS["Campaign"], raw)[0])
    assert 'contact = "不是表"' in text and 'deeds_max = "五百"' in text


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.data())
def test_canonical_data_writes_every_kind_of_file_as_the_models_do(data):
    _same_text(data)


def test_the_model_of_every_kind_of_path_is_the_models_own():
    for rel in ("campaign.toml", "access.toml", "reviews/jlu.toml", "units/jlu/unit.toml",
                "units/jlu/summary.toml", "units/jlu/cases/abc.toml", "units/jlu/photos/a.toml",
                "units/jlu/other.toml", "notes.toml", "reviews/x/y.toml"):
        model = model_of_path(rel)
        assert model_name_of_path(rel) == (model.__name__ if model else None), rel
