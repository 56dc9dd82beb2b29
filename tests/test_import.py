"""`llweek import`: an exported table edited in Excel (openpyxl here) or re-saved by LibreOffice
reads back faithfully: deleted rows delete, cleared cells clear, renamed rows update, rows
typed in are added once; nothing from another unit, nothing lost without a word."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from datastore.errors import StaleRecord
from datastore.loader import load_repo
from datastore.models import ACTIVITIES, ADVANCED_PEOPLE, CASES, Activity, Case
from datastore.records import with_changes
from datastore.rules import validate_repo
from datastore.save import UNCHECKED, save_many, save_record
from exports.export import export
from tests.conftest import git
from tests.office import resave
from tui.cli import main

VIA = ["openpyxl", pytest.param("libreoffice", marks=pytest.mark.slow)]


def _head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def _export(repo: Path, out: Path, number: int, unit: str) -> Path:
    [path] = export(repo, [number], unit=unit, out_dir=out)
    return path


def _edit(path: Path, via: str, change) -> Path:  # noqa: ANN001
    """Open the workbook, let `change(book)` edit it, save; then through LibreOffice too."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    if via == "libreoffice":
        resave(path)
    return path


def _import(repo: Path, unit: str, path: Path, *extra: str) -> int:
    return main(["import", "-C", str(repo), "--unit", unit, str(path), *extra])


def _stored(repo: Path, unit: str, key: str) -> list:
    return [s.record for s in load_repo(repo).units[unit].items(key)]


def _row_of(ws, name: str) -> int:  # noqa: ANN001
    return next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == name)


def _delete_record_rows(ws, record_id: str, key_col: int = 9) -> None:  # noqa: ANN001
    """Delete a record's row and the rows its long texts continue on, as a user selects them."""
    rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, key_col).value == record_id]
    ws.delete_rows(rows[0], len(rows))


def _set_edge_values(repo: Path) -> None:
    """Values that trip a naive round trip: spaces around, tabs, formula-like text, a long
    text that continues over several rows, deeds for an 附页, a value of the wrong type."""
    first = load_repo(repo).units["changchun"].items("activities")[0]
    save_record(repo, ACTIVITIES, "changchun", with_changes(first.record, {
        "name": "  前后有空格的活动  ", "venue": "=SUM(A1:A3)", "organizer": "主办\t单位",
        "content": "\n".join(f"第{n}段：社区教育促进民族团结，电话 0431-88912371。" * 6
                             for n in range(1, 16))}), expected=UNCHECKED)
    person = load_repo(repo).units["changchun"].items("advanced_people")[0]
    save_record(repo, ADVANCED_PEOPLE, "changchun", with_changes(person.record, {
        "deeds": "她坚持为老年学员开设智能手机课程。\n" * 80, "email": " lsf@163.com "}),
        expected=UNCHECKED)
    raw = (repo / first.path).read_text(encoding="utf-8")
    (repo / first.path).write_text(raw.replace("participants = ", 'participants = "约" #'),
                                   encoding="utf-8")
    git(repo, "commit", "-qam", "人数写成了文字")


@pytest.mark.parametrize("via", VIA)
def test_importing_an_unchanged_export_changes_nothing(sample_repo, tmp_path, capsys, via):
    _set_edge_values(sample_repo)
    before = _head(sample_repo)
    for number in range(1, 6):
        path = _edit(_export(sample_repo, tmp_path, number, "changchun"), via, lambda book: None)
        assert _import(sample_repo, "changchun", path) == 0, capsys.readouterr().err
        assert "没有需要导入的改动" in capsys.readouterr().out
    assert _head(sample_repo) == before
    assert git(sample_repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("via", VIA)
def test_filled_table_becomes_records_in_one_commit_and_reimport_adds_nothing(
        sample_repo, tmp_path, capsys, via):
    activities = load_repo(sample_repo).units["meihekou"].items("activities")
    first_new = 5 + len(activities)  # the first of the numbered blank rows

    def fill(book) -> None:  # noqa: ANN001
        ws = book.active
        ws["F5"] = 999  # 人数 of the first activity
        ws.cell(first_new, 2, "社区书法公益课第1期")
        ws.cell(first_new, 3, "2021年10月9日—10月30日\n每周六 9:00")
        ws.cell(first_new, 4, "朝阳区社区学校")
        ws.cell(first_new, 5, "朝阳区社区教育学院")
        ws.cell(first_new, 6, "45人")
        ws.cell(first_new, 7, 13904310000)
        cell = ws.cell(first_new, 8, "=教老年人写毛笔字")
        cell.data_type = "s"  # typed with an apostrophe: text, not a formula
        ws.cell(first_new + 1, 3, dt.datetime(2021, 11, 2))  # no name: added all the same

    path = _edit(_export(sample_repo, tmp_path, 1, "meihekou"), via, fill)
    before = _head(sample_repo)
    assert _import(sample_repo, "meihekou", path) == 0
    out = capsys.readouterr().out
    assert "新增 附表1「社区书法公益课第1期」" in out
    assert "    人数：" in out and "→ 「999」" in out
    assert int(git(sample_repo, "rev-list", "--count", f"{before}..HEAD")) == 1
    message = git(sample_repo, "log", "-1", "--format=%B")
    assert message.startswith("梅河口市: 导入 附表1（新增 2 条，修改 1 条）")
    assert "新增 附表1「社区书法公益课第1期」" in message and "    人数：" in message
    assert message.count("Llweek-Record: units/meihekou/activities/") == 3
    assert git(sample_repo, "status", "--porcelain") == ""

    records = _stored(sample_repo, "meihekou", "activities")
    assert records[0].participants == 999
    assert records[0].signup_phone == activities[0].record.signup_phone
    added = records[-2]
    assert (added.name, added.start, added.end, added.time_note, added.participants,
            added.signup_phone, added.content, added.seq) == (
        "社区书法公益课第1期", dt.date(2021, 10, 9), dt.date(2021, 10, 30), "每周六 9:00", 45,
        "13904310000", "=教老年人写毛笔字", max(a.record.seq for a in activities) + 1)
    assert (records[-1].name, records[-1].start, records[-1].end) == (
        None, dt.date(2021, 11, 2), dt.date(2021, 11, 2))

    after = _head(sample_repo)
    assert _import(sample_repo, "meihekou", path) == 0
    assert _head(sample_repo) == after
    assert len(_stored(sample_repo, "meihekou", "activities")) == len(records)


@pytest.mark.parametrize("via", VIA)
def test_deleted_row_cleared_cells_and_renamed_row(sample_repo, tmp_path, capsys, via):
    before = _stored(sample_repo, "changchun", "activities")
    gone, renamed, cleared = before[2], before[0], before[4]

    def edit(book) -> None:  # noqa: ANN001
        ws = book.active
        ws.cell(_row_of(ws, renamed.name), 2, "改过名字的活动")
        ws.cell(_row_of(ws, cleared.name), 7).value = None  # 报名电话 cleared
        _delete_record_rows(ws, gone.id)
        number = 0
        for row in range(5, ws.max_row + 1):  # and renumbered, as people do
            if isinstance(ws.cell(row, 1).value, int):
                number += 1
                ws.cell(row, 1, number)

    path = _edit(_export(sample_repo, tmp_path, 1, "changchun"), via, edit)
    assert _import(sample_repo, "changchun", path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "试运行" in out and f"删除 附表1「{gone.name}」" in out
    assert f"修改 附表1「改过名字的活动」" in out and f"活动名称：「{renamed.name}」" in out
    assert "报名电话：「" in out and "→ （空）" in out
    assert _import(sample_repo, "changchun", path) == 0

    after = {r.id: r for r in _stored(sample_repo, "changchun", "activities")}
    assert gone.id not in after and len(after) == len(before) - 1
    assert after[renamed.id].name == "改过名字的活动"
    assert after[renamed.id].content == renamed.content
    assert after[cleared.id].signup_phone is None
    assert sorted(r.seq for r in after.values()) == sorted({r.seq for r in after.values()})
    assert not (sample_repo / f"units/changchun/activities/{gone.id}.toml").exists()
    message = git(sample_repo, "log", "-1", "--format=%B")
    assert "删除 1 条" in message.splitlines()[0] and f"删除 附表1「{gone.name}」" in message
    assert f"Llweek-Record: units/changchun/activities/{gone.id}.toml" in message


@pytest.mark.parametrize("via", VIA)
def test_cleared_email_and_deleted_form_sheet(sample_repo, tmp_path, via):
    people = _stored(sample_repo, "changchun", "advanced_people")

    def edit(book) -> None:  # noqa: ANN001
        book.worksheets[0]["B6"] = None  # 电子邮箱
        del book[book.sheetnames[1]]

    path = _edit(_export(sample_repo, tmp_path, 4, "changchun"), via, edit)
    assert _import(sample_repo, "changchun", path) == 0
    after = {p.id: p for p in _stored(sample_repo, "changchun", "advanced_people")}
    assert after[people[0].id].email is None
    assert after[people[0].id].deeds == people[0].deeds
    assert people[1].id not in after
    assert [p.rank for p in after.values()] == list(range(1, len(people)))


def test_filled_blank_form_becomes_a_new_person(sample_repo, tmp_path):
    path = _export(sample_repo, tmp_path, 4, "meihekou")
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    ws["B3"], ws["F3"] = "李秀兰", dt.datetime(1968, 5, 4)
    ws["B4"], ws["F4"] = "女", "朝鲜族"
    ws["B5"], ws["F5"] = "梅河口市老年大学", "教务主任"
    ws["B6"], ws["F6"] = "lixiulan@example.cn", "0435-4239517"
    ws["B7"] = "她坚持为老年学员开设智能手机课程。"
    assert ws["A8"].value == "单位意见" and ws["A10"].value.startswith("填表联系人：")
    ws["A9"] = "同意推荐。\n\n（盖章）\n2021年10月9日"
    ws["A10"] = "填表联系人：徐倩　　　　联系电话：0435-4239517"
    book.save(path)
    assert _import(sample_repo, "meihekou", path) == 0
    [person] = _stored(sample_repo, "meihekou", "advanced_people")
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
    units = _stored(sample_repo, "changchun", "advanced_units")
    book = openpyxl.load_workbook(path)
    ws = book.active
    for row, unit in enumerate(reversed(units), start=5):
        ws.cell(row, 2, unit.full_name)
        ws.cell(row, 3, unit.id)  # the hidden id moves with the row, as when Excel sorts
    book.save(path)
    assert _import(sample_repo, "changchun", path) == 0
    assert [u.full_name for u in _stored(sample_repo, "changchun", "advanced_units")] == [
        u.full_name for u in reversed(units)]


def test_colleagues_change_since_export_is_kept_and_a_clash_is_refused(sample_repo, tmp_path,
                                                                      capsys):
    path = _export(sample_repo, tmp_path, 1, "changchun")
    first, second = _stored(sample_repo, "changchun", "activities")[:2]
    for record, changes in ((first, {"venue": "同事改的地点"}), (second, {"venue": "同事改的地点"})):
        save_record(sample_repo, ACTIVITIES, "changchun", with_changes(record, changes),
                    expected=UNCHECKED)
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws.cell(_row_of(ws, first.name), 6, 77)  # 人数: another field of the same record
    book.save(path)
    assert _import(sample_repo, "changchun", path) == 0
    now = {r.id: r for r in _stored(sample_repo, "changchun", "activities")}
    assert (now[first.id].venue, now[first.id].participants) == ("同事改的地点", 77)
    assert now[second.id].venue == "同事改的地点"

    ws.cell(_row_of(ws, second.name), 4, "我改的地点")  # the field the colleague changed
    book.save(path)
    before = _head(sample_repo)
    assert _import(sample_repo, "changchun", path) == 1
    err = capsys.readouterr().err
    assert "「活动地点」：表格中改为「我改的地点」" in err and "同事改的地点" in err
    assert _head(sample_repo) == before


def test_record_added_after_the_export_is_left_alone(sample_repo, tmp_path):
    path = _export(sample_repo, tmp_path, 1, "changchun")
    save_record(sample_repo, ACTIVITIES, "changchun",
                Activity(id="latecomer1", seq=99, name="导出后新增的活动"), expected=None)
    assert _import(sample_repo, "changchun", path) == 0
    assert "导出后新增的活动" in [r.name for r in _stored(sample_repo, "changchun", "activities")]


def test_another_units_table_is_refused_for_every_annex(sample_repo, tmp_path, capsys):
    before = _head(sample_repo)
    for number in range(1, 6):
        path = _export(sample_repo, tmp_path, number, "jilin")
        assert _import(sample_repo, "changchun", path) == 1
        assert "吉林市" in capsys.readouterr().err
    # a table typed from the notice, without llweek's hidden columns: its header decides
    path = _export(sample_repo, tmp_path / "bare", 1, "jilin")
    book = openpyxl.load_workbook(path)
    del book["llweek"]
    book.active.delete_cols(9)
    book.save(path)
    assert _import(sample_repo, "changchun", path) == 1
    assert "表头是「吉林省" in capsys.readouterr().err
    assert _head(sample_repo) == before


@pytest.mark.parametrize("via", VIA)
def test_what_cannot_be_read_is_reported_by_cell_and_nothing_is_written(
        sample_repo, tmp_path, capsys, via):
    def edit(book) -> None:  # noqa: ANN001
        ws = book.active
        ws["F5"] = "很多"
        ws["C6"] = "下周"
        ws["I4"] = "备注"  # a column of one's own, where the hidden ids were
        ws["I7"] = "记得通知社区"
        ws.merge_cells("E8:E9")
        ws["G10"] = "=A1&A2"

    path = _export(sample_repo, tmp_path, 1, "changchun")
    book = openpyxl.load_workbook(path)
    book.active.insert_cols(9)  # the hidden id column moves to J
    book.save(path)
    _edit(path, via, edit)
    before = _head(sample_repo)
    assert _import(sample_repo, "changchun", path) == 1
    err = capsys.readouterr().err
    assert "F5「人数」：「很多」应为整数" in err
    assert "C6「活动时间」：「下周」应以日期开头" in err
    assert "I 列「备注」不是附表1的栏目（I7 有内容）" in err
    assert "E8:E9 是合并的单元格" in err
    assert "G10「报名电话」：「=A1&A2」是公式" in err
    assert "未写入任何记录" in err
    assert _head(sample_repo) == before and git(sample_repo, "status", "--porcelain") == ""


def test_text_typed_beside_a_form_is_reported(sample_repo, tmp_path, capsys):
    path = _export(sample_repo, tmp_path, 2, "changchun")
    book = openpyxl.load_workbook(path)
    book.worksheets[0]["A12"] = "补充：该单位另有三项获奖"
    book.save(path)
    assert _import(sample_repo, "changchun", path) == 1
    assert "A12：「补充：该单位另有三项获奖」不在表格的任何一栏中" in capsys.readouterr().err


def test_rollup_and_broken_or_hostile_files_are_refused(sample_repo, tmp_path, capsys):
    [rollup] = export(sample_repo, [1], all_units=True, out_dir=tmp_path)
    assert _import(sample_repo, "changchun", rollup) == 1
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
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', 1)
            target.writestr(item, data)
    assert _import(sample_repo, "changchun", hostile) == 2
    assert "hostile.xlsx" in capsys.readouterr().err

    assert _import(sample_repo, "changchun", tmp_path / "missing.xlsx") == 2
    assert "找不到文件" in capsys.readouterr().err


def test_imported_table_leaves_no_duplicate_order_numbers(sample_repo, tmp_path):
    path = _export(sample_repo, tmp_path, 5, "changchun")
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws.delete_rows(6)
    book.save(path)
    assert _import(sample_repo, "changchun", path) == 0
    data = load_repo(sample_repo)
    assert not [f for f in validate_repo(data, "changchun") if f.code.startswith("rank.")]


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


def _copied_into_a_new_workbook(path: Path) -> Path:
    """The visible sheet copied cell by cell into a new workbook, as someone would paste it:
    the hidden id column comes along, the hidden 'llweek' sheet does not."""
    source = openpyxl.load_workbook(path).worksheets
    copy = openpyxl.Workbook()
    copy.remove(copy.active)
    for ws in source:
        if ws.sheet_state != "visible":
            continue
        target = copy.create_sheet(ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    target[cell.coordinate] = cell.value
    out = path.with_name(f"copy-{path.name}")
    copy.save(out)
    return out


def test_row_deleted_from_a_copied_sheet_is_listed_as_not_deleted(sample_repo, tmp_path, capsys):
    before = _stored(sample_repo, "changchun", "activities")
    gone = before[2]
    exported = _export(sample_repo, tmp_path, 1, "changchun")
    copied = _copied_into_a_new_workbook(exported)
    book = openpyxl.load_workbook(copied)
    assert "llweek" not in book.sheetnames
    ws = book.active
    _delete_record_rows(ws, gone.id)
    number = 0
    for row in range(5, ws.max_row + 1):
        if isinstance(ws.cell(row, 1).value, int):
            number += 1
            ws.cell(row, 1, number)
    book.save(copied)

    line = f"表格中没有附表1「{gone.name}」，未删除：这份表格缺少导出时的隐藏信息，无法确认是删除"
    assert _import(sample_repo, "changchun", copied, "--dry-run") == 0
    out = capsys.readouterr().out
    assert line in out and f"删除 附表1「{gone.name}」" not in out
    assert _import(sample_repo, "changchun", copied) == 0
    assert line in capsys.readouterr().out
    assert line in git(sample_repo, "log", "-1", "--format=%B")
    after = {r.id: r for r in _stored(sample_repo, "changchun", "activities")}
    assert gone.id in after and len(after) == len(before)
    assert sorted(r.seq for r in after.values()) == list(range(1, len(before) + 1))

    # nothing else to import: the line is still there, not swallowed by 没有需要导入的改动
    assert _import(sample_repo, "changchun", copied) == 0
    out = capsys.readouterr().out
    assert line in out and "没有需要导入的改动" in out


def _without_hidden_ids(path: Path) -> Path:
    """The workbook as if re-typed from the printout: no hidden sheet, no hidden id column."""
    book = openpyxl.load_workbook(path)
    del book["llweek"]
    for ws in book.worksheets:
        [col] = {c.column for row in ws.iter_rows(max_row=6) for c in row
                 if str(c.value or "").startswith("llweek:")}
        ws.delete_cols(col)
    book.save(path)
    return path


def test_another_units_annex_without_hidden_ids_is_refused_naming_both_units(
        sample_repo, tmp_path, capsys):
    before = _head(sample_repo)
    for number in range(1, 6):
        path = _without_hidden_ids(_export(sample_repo, tmp_path / str(number), number, "jilin"))
        assert _import(sample_repo, "changchun", path, "--dry-run") == 1, number
        err = capsys.readouterr().err
        assert "是吉林市的表格，不是长春市的" in err, (number, err)
    path = _without_hidden_ids(_export(sample_repo, tmp_path / "form", 4, "jilin"))
    assert _import(sample_repo, "changchun", path) == 1
    assert "B5「工作单位」是「吉林市龙潭区乌拉街满族镇社区学校」" in capsys.readouterr().err
    assert _head(sample_repo) == before and git(sample_repo, "status", "--porcelain") == ""
    # the unit's own forms without ids are still accepted
    own = _without_hidden_ids(_export(sample_repo, tmp_path / "own", 2, "changchun"))
    assert _import(sample_repo, "changchun", own) == 0, capsys.readouterr().err


def test_form_typed_without_hidden_ids_is_ranked_after_the_existing_ones(sample_repo, tmp_path,
                                                                          capsys):
    people = _stored(sample_repo, "changchun", "advanced_people")
    path = _without_hidden_ids(_export(sample_repo, tmp_path, 4, "changchun"))
    book = openpyxl.load_workbook(path)
    ws = book.copy_worksheet(book.worksheets[0])
    ws["B3"], ws["B5"] = "李秀兰", "长春市朝阳区社区教育学院"
    book.move_sheet(ws, offset=-len(book.sheetnames) + 1)  # the new form first
    book.save(path)
    assert book.sheetnames[0] == ws.title

    assert _import(sample_repo, "changchun", path) == 0, capsys.readouterr().err
    after = {p.name: p.rank for p in _stored(sample_repo, "changchun", "advanced_people")}
    assert after == {**{p.name: p.rank for p in people}, "李秀兰": len(people) + 1}
    assert _import(sample_repo, "changchun", path) == 0  # again: nothing added, nothing moved
    assert {p.name: p.rank for p in _stored(sample_repo, "changchun", "advanced_people")} == after
