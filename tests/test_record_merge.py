"""The field-level merge of two edited records, and the `llweek merge-driver` command."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datastore.diff3 import merge_lines, merge_text
from datastore.fieldpath import MISSING, Item
from datastore.recordmerge import merge_data, merge_files
from datastore.tomlio import TomlSyntaxError, dumps, parse
from tui.cli import main

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"
EXHIBITION = "units/changchun/exhibition.toml"
BASE = {"id": "dbxjjcezek", "seq": 2, "name": "党史学习系列讲座", "venue": "长春市图书馆",
        "participants": 520, "content": "第一段：邀请专家。\n第二段：网络直播。\n第三段：观众互动。\n"}
PHOTOS = {"title": "智慧助老", "photos": [{"file": f"p{n}.jpg", "caption": f"图{n}"} for n in range(1, 4)]}


def merged(rel: str, base: dict, ours: dict, theirs: dict):
    return merge_files(rel, dumps(base), dumps(ours), dumps(theirs))


def test_changes_to_different_fields_of_one_record_both_survive():
    result = merged(ACTIVITY, BASE, {**BASE, "venue": "长春市图书馆二楼"}, {**BASE, "participants": 600})
    assert result.clean
    assert parse(result.text) == {**BASE, "venue": "长春市图书馆二楼", "participants": 600}


def test_one_field_changed_two_ways_is_a_conflict_that_keeps_all_three_values():
    result = merged(ACTIVITY, BASE, {**BASE, "participants": 600}, {**BASE, "participants": 480})
    assert not result.clean
    [conflict] = result.conflicts
    assert (conflict.path, conflict.base, conflict.ours, conflict.theirs) == (
        ("participants",), 520, 600, 480)


def test_different_paragraphs_of_one_long_text_merge_line_by_line():
    ours = {**BASE, "content": BASE["content"].replace("邀请专家", "邀请省委党校专家")}
    theirs = {**BASE, "content": BASE["content"].replace("观众互动", "线上观众互动")}
    result = merged(ACTIVITY, BASE, ours, theirs)
    assert result.clean
    assert parse(result.text)["content"] == "第一段：邀请省委党校专家。\n第二段：网络直播。\n第三段：线上观众互动。\n"


def test_the_same_paragraph_changed_two_ways_is_a_conflict():
    ours = {**BASE, "content": BASE["content"].replace("网络直播", "电视直播")}
    theirs = {**BASE, "content": BASE["content"].replace("网络直播", "不再直播")}
    result = merged(ACTIVITY, BASE, ours, theirs)
    assert [c.path for c in result.conflicts] == [("content",)]


def test_a_conflicted_file_holds_conflict_blocks_and_is_never_valid_toml():
    ours = {**BASE, "name": "讲座A", "content": BASE["content"].replace("网络直播", "电视直播")}
    theirs = {**BASE, "name": "讲座B", "content": BASE["content"].replace("网络直播", "不再直播"),
              "venue": "长春市图书馆二楼"}
    result = merged(ACTIVITY, BASE, ours, theirs)
    assert "<<<<<<< 我的修改\nname = \"讲座A\"\n||||||| 原来的内容\nname = \"党史学习系列讲座\"\n" \
           "=======\nname = \"讲座B\"\n>>>>>>> 对方的修改\n" in result.text
    assert 'venue = "长春市图书馆二楼"' in result.text  # the clean part is merged already
    assert "第二段：电视直播" in result.text and "第二段：不再直播" in result.text
    assert result.text.count("<<<<<<<") == 2
    with pytest.raises(TomlSyntaxError):
        parse(result.text)


def test_photos_are_matched_by_file_name_not_by_position():
    ours = {**PHOTOS, "photos": [PHOTOS["photos"][0], PHOTOS["photos"][2],
                                 {"file": "p9.jpg", "caption": "新增的图"}]}  # p2 removed, p9 added
    theirs = {**PHOTOS, "photos": [PHOTOS["photos"][0], PHOTOS["photos"][1],
                                   {"file": "p3.jpg", "caption": "图3 改名"}]}
    result = merged(EXHIBITION, PHOTOS, ours, theirs)
    assert result.clean
    assert parse(result.text)["photos"] == [{"file": "p1.jpg", "caption": "图1"},
                                            {"file": "p3.jpg", "caption": "图3 改名"},
                                            {"file": "p9.jpg", "caption": "新增的图"}]


def test_a_photo_removed_by_one_and_renamed_by_the_other_is_a_conflict():
    ours = {**PHOTOS, "photos": PHOTOS["photos"][:2]}
    theirs = {**PHOTOS, "photos": PHOTOS["photos"][:2] + [{"file": "p3.jpg", "caption": "新名"}]}
    result = merged(EXHIBITION, PHOTOS, ours, theirs)
    [conflict] = result.conflicts
    assert conflict.path == ("photos", Item("file", "p3.jpg"))
    assert conflict.ours is MISSING and conflict.theirs == {"file": "p3.jpg", "caption": "新名"}


def test_a_field_cleared_by_one_and_changed_by_the_other_is_a_conflict():
    ours = {k: v for k, v in BASE.items() if k != "venue"}
    result = merged(ACTIVITY, BASE, ours, {**BASE, "venue": "新馆"})
    [conflict] = result.conflicts
    assert (conflict.ours, conflict.theirs) == (MISSING, "新馆")


def test_the_same_record_added_by_both_merges_where_they_agree():
    ours = {"id": "newone", "name": "读书会", "venue": "图书馆"}
    theirs = {"id": "newone", "name": "读书会", "participants": 30}
    result = merge_files(ACTIVITY, "", dumps(ours), dumps(theirs))
    assert result.clean
    assert parse(result.text) == {"id": "newone", "name": "读书会", "venue": "图书馆", "participants": 30}


def test_a_merged_record_is_written_in_the_models_key_order():
    ours = {**BASE, "time_note": "每周五 14:30"}
    result = merged(ACTIVITY, BASE, ours, {**BASE, "seq": 3})
    assert list(parse(result.text)) == ["id", "seq", "name", "time_note", "venue", "participants",
                                        "content"]


def test_a_version_that_is_not_toml_is_merged_line_by_line():
    base = dumps(BASE)
    broken = base.replace('venue = "长春市图书馆"', 'venue = 长春市图书馆')
    theirs = base.replace("seq = 2", "seq = 3")
    result = merge_files(ACTIVITY, base, broken, theirs)
    assert not result.readable and result.clean
    assert "venue = 长春市图书馆" in result.text and "seq = 3" in result.text


def test_merge_driver_command_writes_the_result_over_mine(tmp_path: Path, capsys):
    files = {}
    for name, data in (("base", BASE), ("ours", {**BASE, "seq": 5}), ("theirs", {**BASE, "venue": "新馆"})):
        files[name] = tmp_path / name
        files[name].write_text(dumps(data), encoding="utf-8")
    args = ["merge-driver", str(files["base"]), str(files["ours"]), str(files["theirs"]), ACTIVITY]
    assert main(args) == 0
    assert parse(files["ours"].read_text(encoding="utf-8")) == {**BASE, "seq": 5, "venue": "新馆"}

    files["theirs"].write_text(dumps({**BASE, "seq": 6}), encoding="utf-8")
    files["ours"].write_text(dumps({**BASE, "seq": 5}), encoding="utf-8")
    assert main(args) == 1
    assert "冲突：units/changchun/activities/dbxjjcezek.toml「序号」" in capsys.readouterr().err
    assert "<<<<<<< 我的修改\nseq = 5\n" in files["ours"].read_text(encoding="utf-8")


# ------------------------------------------------------------------ properties

lines = st.lists(st.sampled_from(["甲\n", "乙\n", "丙\n", "丁\n", "戊\n"]), max_size=8)


@given(lines, lines)
def test_a_change_made_on_one_side_only_is_taken_as_is(base, changed):
    assert merge_lines(base, changed, base) == changed
    assert merge_lines(base, base, changed) == changed
    assert merge_lines(base, changed, changed) == changed


@given(st.lists(st.text("春夏秋冬", min_size=1, max_size=3), min_size=3, max_size=12, unique=True),
       st.data())
def test_edits_to_lines_apart_from_each_other_both_survive(paragraphs, data):
    base = [p + "\n" for p in paragraphs]
    first = data.draw(st.integers(0, len(base) - 3))
    second = data.draw(st.integers(first + 2, len(base) - 1))
    ours, theirs = list(base), list(base)
    ours[first] = "我改的一段\n"
    theirs[second] = "对方改的一段\n"
    expected = list(base)
    expected[first], expected[second] = ours[first], theirs[second]
    assert merge_lines(base, ours, theirs) == expected
    assert merge_text("".join(base), "".join(ours), "".join(theirs)) == "".join(expected)


values = st.one_of(st.integers(0, 3), st.sampled_from(["a", "b", "c"]))
records = st.dictionaries(st.sampled_from(["name", "venue", "seq", "organizer"]), values)


@settings(max_examples=200)
@given(records, records, records)
def test_every_field_is_mine_theirs_or_reported_as_a_conflict(base, ours, theirs):
    outcome = merge_data(base, ours, theirs)
    conflicted = {c.path[0] for c in outcome.conflicts}
    for key in set(base) | set(ours) | set(theirs):
        b, o, t = (d.get(key, MISSING) for d in (base, ours, theirs))
        got = outcome.data.get(key, MISSING)
        if o == t or t == b:
            assert got == o and key not in conflicted
        elif o == b:
            assert got == t and key not in conflicted
        else:
            assert key in conflicted and got == o
