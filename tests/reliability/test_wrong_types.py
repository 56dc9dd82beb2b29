"""A value of the wrong type is a finding of validate and never reaches an exporter or a screen:
every field a record hands out holds its declared type (or nothing)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from datastore.loader import load_repo
from datastore.rules import validate_repo
from exports.export import export
from tests.reliability.hostile import ACTIVITY, HOSTILE_FILES

DAY = "2021-10-20"


def _set(repo: Path, rel: str, key: str, value: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1), encoding="utf-8")


def _activity_row(path: Path, name: str) -> list:
    ws = openpyxl.load_workbook(path).active
    for row in range(5, ws.max_row + 1):
        if ws.cell(row, 2).value == name:
            return [ws.cell(row, col).value for col in range(1, ws.max_column + 1)]
    raise AssertionError(f"{name} not in {path.name}")


@pytest.mark.parametrize(("value", "expected"), [
    ('"2021-13-45"', "日期（如 2021-10-12，不加引号）"),
    ("2021-10-12T10:00:00", "日期，不带时刻（如 2021-10-12）"),
    ("2021-10-12T10:00:00+08:00", "日期，不带时刻（如 2021-10-12）"),
    ("10:00:00", "日期（如 2021-10-12，不加引号）"),
    ("[2021-10-12]", "日期（如 2021-10-12，不加引号）"),
])
def test_a_date_of_the_wrong_type_is_a_finding_and_exports_blank(plain_repo: Path, tmp_path: Path,
                                                                 value: str, expected: str, cli):
    _set(plain_repo, ACTIVITY, "start", value)
    code, out, _ = cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert code == 1
    assert f"「开始日期」的值" in out and f"类型不对，应为{expected}" in out
    record = load_repo(plain_repo).stored[ACTIVITY].record
    assert record.start is None and record.invalid["start"] is not None
    assert cli("export", "-C", str(plain_repo), "--unit", "changchun", "--annex", "1",
               "-o", str(tmp_path / "out"))[0] == 0
    [book] = (tmp_path / "out").glob("*.xlsx")
    row = _activity_row(book, record.name)
    assert row[2] in ("", None) or "起" not in str(row[2]) and "2021-13" not in str(row[2])


def test_the_raw_value_is_saved_back_untouched(plain_repo: Path):
    _set(plain_repo, ACTIVITY, "start", '"2021-13-45"')
    from datastore.records import record_to_text

    record = load_repo(plain_repo).stored[ACTIVITY].record
    assert 'start = "2021-13-45"' in record_to_text(record)


def test_a_wrong_value_in_a_field_with_a_default_is_saved_back_not_the_default(plain_repo: Path):
    from datastore.records import record_to_text, with_changes

    _set(plain_repo, "campaign.toml", "deeds_max", '"五百"')
    campaign = load_repo(plain_repo).campaign
    assert campaign.rules.deeds_max == 500  # the record hands out its declared type
    saved = record_to_text(with_changes(campaign, {"title": "改过的标题"}))
    assert 'deeds_max = "五百"' in saved and 'title = "改过的标题"' in saved
    assert "deeds_max = 500" not in saved


def test_a_record_of_nothing_but_wrong_types_loads_as_a_draft(plain_repo: Path, tmp_path: Path, cli):
    (plain_repo / ACTIVITY).write_bytes(
        b'id = "dbxjjcezek"\n' + HOSTILE_FILES["wrong_types"].replace(b"id = 1\n", b""))
    data = load_repo(plain_repo)
    record = data.stored[ACTIVITY].record
    assert record.id == "dbxjjcezek"
    assert {f.field for f in data.findings if f.code == "field.type" and f.path == ACTIVITY} == {
        "name", "start", "end", "participants", "seq", "venue"}
    assert all(getattr(record, name) is None for name in ("name", "start", "end", "participants"))
    for args in (["--annex", "1"], ["--package"]):
        assert cli("export", "-C", str(plain_repo), "--unit", "changchun", *args,
                   "-o", str(tmp_path / "out"))[0] == 0


@pytest.mark.parametrize("units", ['"abc"', "3", "[1, 2]", '[{id = 1}]', "{id = \"x\"}"])
def test_units_of_the_wrong_type_in_campaign_toml_is_a_finding(plain_repo: Path, tmp_path: Path,
                                                               units: str, cli):
    path = plain_repo / "campaign.toml"
    text = path.read_text(encoding="utf-8")
    text = text[:text.index("[[units]]")]
    text = text.replace("schema = 1\n", f"schema = 1\nunits = {units}\n", 1)
    path.write_text(text, encoding="utf-8")
    code, out, _ = cli("validate", "-C", str(plain_repo))
    assert code == 1 and "「报送单位」的值" in out
    assert cli("status", "-C", str(plain_repo), "--today", DAY)[0] == 0
    assert cli("export", "-C", str(plain_repo), "--all-units", "-o", str(tmp_path / "o"))[0] == 0


def test_units_being_a_file_still_validates_reports_and_exports(plain_repo: Path, tmp_path: Path, cli):
    import shutil

    shutil.rmtree(plain_repo / "units")
    (plain_repo / "units").write_text("不是文件夹", encoding="utf-8")
    code, out, _ = cli("validate", "-C", str(plain_repo))
    assert "units" in out and "应是一个文件夹" in out
    assert cli("status", "-C", str(plain_repo), "--today", DAY)[0] == 0
    assert cli("export", "-C", str(plain_repo), "--all-units", "-o", str(tmp_path / "o"))[0] == 0
    assert len(list((tmp_path / "o").glob("*.xlsx"))) == 5


def test_a_new_campaign_with_no_nominations_exports_every_rollup(tmp_path: Path, cli, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = 吴晓辉\n\temail = jlqmx@126.com\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert cli("init", str(tmp_path / "new"), "--year", "2022")[0] == 0
    assert cli("export", "-C", str(tmp_path / "new"), "--all-units", "-o", str(tmp_path / "o"))[0] == 0
    assert len(list((tmp_path / "o").glob("*.xlsx"))) == 5


def test_control_characters_in_a_text_are_a_finding_and_reach_no_screen(plain_repo: Path, cli):
    unit = plain_repo / "units/changchun/unit.toml"
    text = unit.read_text(encoding="utf-8").replace('short_name = "长春市"',
                                                    'short_name = "长春\\u001b[2J\\u001b]0;x\\u0007市"')
    unit.write_text(text, encoding="utf-8")
    data = load_repo(plain_repo)
    profile = data.units["changchun"].profile
    assert profile.short_name is None and "\x1b" in profile.invalid["short_name"]
    assert any(f.field == "short_name" and "控制字符" in f.message for f in validate_repo(data))
    code, out, _ = cli("status", "-C", str(plain_repo), "--today", DAY)
    assert code == 0 and "\x1b" not in out


def test_impossible_dates_at_the_edge_of_the_calendar_are_checked_not_crashed(plain_repo: Path, cli):
    _set(plain_repo, "campaign.toml", "opening_date", "0001-01-15")
    _set(plain_repo, "units/changchun/work_plan.toml", "opening_date", "9999-12-31")
    code, out, _ = cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert "本地开幕式 9999-12-31 不在全省总开幕式" in out
    _set(plain_repo, "campaign.toml", "opening_date", "9999-12-20")
    cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert cli("status", "-C", str(plain_repo), "--today", "0001-01-01")[0] == 0
    assert dt.date.max.year == 9999
