"""`llweek import`: filled 附表 read back into records as one commit, never twice."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from datastore.errors import StaleRecord
from datastore.loader import load_repo
from datastore.models import ACTIVITIES, CASES, Activity, Case
from datastore.save import save_many
from exports.export import export
from tests.conftest import git
from tui.cli import main


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def _export(repo: Path, out: Path, number: int, unit: str) -> Path:
    [path] = export(repo, [number], unit=unit, out_dir=out)
    return path


def _import(repo: Path, unit: str, path: Path, *extra: str) -> int:
    return main(["import", "-C", str(repo), "--unit", unit, str(path), *extra])


def _names(repo: Path, unit: str, key: str) -> list[str]:
    return [s.record.name if key != "advanced_units" else s.record.full_name
            for s in load_repo(repo).units[unit].items(key)]


def test_importing_an_unchanged_export_changes_nothing(sample_repo, tmp_path, capsys):
    before = _head(sample_repo)
    for number in range(1, 6):
        path = _export(sample_repo, tmp_path, number, "changchun")
        assert _import(sample_repo, "changchun", path) == 0
    assert _head(sample_repo) == before
    assert "没有需要导入的改动" in capsys.readouterr().out


def test_filled_table_becomes_records_in_one_commit_and_reimport_adds_nothing(
        sample_repo, tmp_path, capsys):
    path = _export(sample_repo, tmp_path, 1, "meihekou")
    book = openpyxl.load_workbook(path)
    ws = book.active
    activities = load_repo(sample_repo).units["meihekou"].items("activities")
    ws["F5"] = 999  # 人数 of the first activity
    ws["G5"] = None  # a blank cell keeps what the record holds
    first_new = 5 + len(activities)  # the first of the numbered blank rows
    ws.cell(first_new, 2, "社区书法公益课第1期")
    ws.cell(first_new, 3, "2021年10月9日—10月30日\n每周六 9:00")
    ws.cell(first_new, 4, "朝阳区社区学校")
    ws.cell(first_new, 5, "朝阳区社区教育学院")
    ws.cell(first_new, 6, "45人")
    ws.cell(first_new, 7, 13904310000)
    ws.cell(first_new, 8, "=教老年人写毛笔字")
    ws.cell(first_new + 1, 2, "社区书法公益课第2期")
    ws.cell(first_new + 1, 3, dt.datetime(2021, 11, 2))
    book.save(path)
    before = _head(sample_repo)

    assert _import(sample_repo, "meihekou", path) == 0
    out = capsys.readouterr().out
    assert "新增 附表1「社区书法公益课第1期」" in out and "修改 附表1" in out
    assert int(git(sample_repo, "rev-list", "--count", f"{before}..HEAD")) == 1
    message = git(sample_repo, "log", "-1", "--format=%B")
    assert message.startswith("梅河口市: 导入 附表1（新增 2 条，修改 1 条）")
    assert message.count("Llweek-Record: units/meihekou/activities/") == 3
    assert git(sample_repo, "status", "--porcelain") == ""

    unit = load_repo(sample_repo).units["meihekou"]
    records = [s.record for s in unit.items("activities")]
    assert records[0].participants == 999
    assert records[0].signup_phone == activities[0].record.signup_phone
    added = records[-2]
    assert (added.name, added.start, added.end, added.time_note, added.participants,
            added.signup_phone, added.content, added.seq) == (
        "社区书法公益课第1期", dt.date(2021, 10, 9), dt.date(2021, 10, 30), "每周六 9:00", 45,
        "13904310000", "=教老年人写毛笔字", len(activities) + 1)
    assert (records[-1].name, records[-1].start, records[-1].end) == (
        "社区书法公益课第2期", dt.date(2021, 11, 2), dt.date(2021, 11, 2))

    after = _head(sample_repo)
    assert _import(sample_repo, "meihekou", path) == 0
    assert _head(sample_repo) == after
    assert len(load_repo(sample_repo).units["meihekou"].items("activities")) == len(records)


def test_filled_blank_form_becomes_a_new_person(sample_repo, tmp_path):
    path = _export(sample_repo, tmp_path, 4, "meihekou")
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws["B3"], ws["E3"] = "李秀兰", dt.datetime(1968, 5, 4)
    ws["B4"], ws["E4"] = "女", "朝鲜族"
    ws["B5"], ws["E5"] = "梅河口市老年大学", "教务主任"
    ws["B6"], ws["E6"] = "lixiulan@example.cn", "0435-4239517"
    ws["B7"] = "她坚持为老年学员开设智能手机课程。"
    assert ws["A8"].value == "单位意见" and ws["A10"].value.startswith("填表联系人：")
    ws["A9"] = "同意推荐。\n\n（盖章）\n2021年10月9日"
    ws["A10"] = "填表联系人：徐倩　　　　联系电话：0435-4239517"
    book.save(path)
    assert _import(sample_repo, "meihekou", path) == 0
    [stored] = load_repo(sample_repo).units["meihekou"].items("advanced_people")
    person = stored.record
    assert (person.name, person.birth_date, person.gender, person.ethnicity, person.employer,
            person.title, person.email, person.phone, person.deeds, person.unit_opinion,
            person.city_opinion, person.contact_name, person.contact_phone, person.rank) == (
        "李秀兰", dt.date(1968, 5, 4), "女", "朝鲜族", "梅河口市老年大学", "教务主任",
        "lixiulan@example.cn", "0435-4239517", "她坚持为老年学员开设智能手机课程。", "同意推荐。",
        None, "徐倩", "0435-4239517", 1)
    assert git(sample_repo, "log", "-1", "--format=%s").strip() == \
        "梅河口市: 导入 附表4（新增 1 条，修改 0 条）"


def test_ranked_list_reorders_existing_units(sample_repo, tmp_path):
    path = _export(sample_repo, tmp_path, 3, "changchun")
    names = _names(sample_repo, "changchun", "advanced_units")
    book = openpyxl.load_workbook(path)
    ws = book.active
    for row, name in enumerate(reversed(names), start=5):
        ws.cell(row, 2, name)
    book.save(path)
    assert _import(sample_repo, "changchun", path) == 0
    assert _names(sample_repo, "changchun", "advanced_units") == list(reversed(names))


def test_bad_cells_are_refused_and_nothing_is_written(sample_repo, tmp_path, capsys):
    path = _export(sample_repo, tmp_path, 1, "changchun")
    book = openpyxl.load_workbook(path)
    book.active["F5"] = "很多"
    book.active["C6"] = "下周"
    book.active["B7"] = "新名字"
    book.save(path)
    before = _head(sample_repo)
    assert _import(sample_repo, "changchun", path) == 2
    err = capsys.readouterr().err
    assert "F5「人数」：「很多」应为整数" in err
    assert "C6「活动时间」：「下周」应以日期开头" in err
    assert "未写入任何记录" in err
    assert _head(sample_repo) == before and git(sample_repo, "status", "--porcelain") == ""


def test_dry_run_shows_the_changes_and_writes_nothing(sample_repo, tmp_path, capsys):
    path = _export(sample_repo, tmp_path, 1, "changchun")
    book = openpyxl.load_workbook(path)
    book.active["B5"] = "改过的活动名称"
    book.save(path)
    before = _head(sample_repo)
    assert _import(sample_repo, "changchun", path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "新增 附表1「改过的活动名称」" in out and "试运行" in out
    assert _head(sample_repo) == before and git(sample_repo, "status", "--porcelain") == ""


def test_another_units_ranked_list_is_refused(sample_repo, tmp_path, capsys):
    path = _export(sample_repo, tmp_path, 5, "jilin")
    assert _import(sample_repo, "changchun", path) == 2
    assert "推荐单位是「吉林市教育局」" in capsys.readouterr().err


def test_rollup_and_broken_or_hostile_files_are_refused(sample_repo, tmp_path, capsys):
    [rollup] = export(sample_repo, [1], all_units=True, out_dir=tmp_path)
    assert _import(sample_repo, "changchun", rollup) == 2
    assert "全省汇总表" in capsys.readouterr().err

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    assert _import(sample_repo, "changchun", broken) == 2
    assert "不是有效的 Excel 表格" in capsys.readouterr().err

    real = _export(sample_repo, tmp_path, 1, "changchun")
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + data.replace(
                    b"<sheetData>", b"<sheetData><row r=\"30\"><c r=\"A30\" t=\"inlineStr\">"
                    b"<is><t>&a;</t></is></c></row>", 1)
            target.writestr(item, data)
    assert _import(sample_repo, "changchun", hostile) == 2
    assert "hostile.xlsx 无法读取" in capsys.readouterr().err

    assert _import(sample_repo, "changchun", tmp_path / "missing.xlsx") == 2
    assert "找不到文件" in capsys.readouterr().err


def test_save_many_commits_every_record_once(sample_repo):
    records = [(ACTIVITIES, Activity(id=f"batch{n:05d}", seq=100 + n, name=f"活动{n}"), None)
               for n in range(3)] + [(CASES, Case(id="batchcase1", title="案例"), None)]
    before = _head(sample_repo)
    results = save_many(sample_repo, "changchun", records, "导入 测试")
    assert len({r.commit for r in results}) == 1
    assert int(git(sample_repo, "rev-list", "--count", f"{before}..HEAD")) == 1
    changed = git(sample_repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted(r.path for r in results)
    assert any(f.code == "field.required" for f in results[0].findings)


def test_save_many_refuses_a_changed_file_and_writes_nothing(sample_repo):
    stored = load_repo(sample_repo).units["changchun"].items("activities")[0]
    (sample_repo / stored.path).write_text(
        (sample_repo / stored.path).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    new = (ACTIVITIES, Activity(id="freshone01", seq=50, name="新活动"), None)
    with pytest.raises(StaleRecord):
        save_many(sample_repo, "changchun", [new, (ACTIVITIES, stored.record, stored.digest)],
                  "导入 测试")
    assert not (sample_repo / "units/changchun/activities/freshone01.toml").exists()
