"""The official Excel tables, roll-ups and packages, read back with openpyxl as the office
would open them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from datastore.loader import load_repo
from datastore.models import ACTIVITIES, ADVANCED_PEOPLE, ADVANCED_UNITS
from datastore.records import with_changes
from datastore.save import UNCHECKED, save_record
from exports.annexes import ANNEXES
from exports.export import export
from exports.text import date_range
from tui.cli import main

HEADERS_1 = ["序号", "活动名称", "活动时间", "活动地点", "主办单位", "人数", "报名电话", "活动内容"]
CM = 1 / 2.54
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _export(repo: Path, out: Path, *annexes: int, unit: str = "changchun") -> list[Path]:
    return export(repo, annexes or None, unit=unit, out_dir=out)


def _records(repo: Path, unit: str, key: str) -> list:
    return [s.record for s in load_repo(repo).units[unit].items(key)]


def _widths(ws) -> dict[int, tuple[float, bool]]:
    """(width, hidden) of each column; openpyxl groups equal neighbours into one entry."""
    return {col: (dim.width, bool(dim.hidden)) for dim in ws.column_dimensions.values()
            for col in range(dim.min, dim.max + 1)}


def _visible(ws) -> int:
    """The columns a reader sees (the last, hidden one holds record ids)."""
    return max(col for col, (_, hidden) in _widths(ws).items() if not hidden)


def _row(ws, row: int) -> list:
    return [ws.cell(row, col).value for col in range(1, _visible(ws) + 1)]


def _sheets(book) -> list[str]:
    """The sheets a reader sees."""
    return [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]


def _assert_printable(ws, *, landscape: bool) -> None:
    setup = ws.page_setup
    assert str(setup.paperSize) == ws.PAPERSIZE_A4 == "9"
    assert setup.orientation == ("landscape" if landscape else "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1)  # None: the default, one page wide
    margins = ws.page_margins
    assert (round(margins.top / CM, 2), round(margins.bottom / CM, 2),
            round(margins.left / CM, 2), round(margins.right / CM, 2)) == (3.7, 3.5, 2.8, 2.6)
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    for row in ws.iter_rows(max_col=_visible(ws)):
        for cell in row:
            if cell.value is not None:
                assert cell.font.charset == 134, cell.coordinate


def _cell_borders(path: Path, sheet_index: int = 0) -> dict[str, set[str]]:
    """The sides each cell's border has, read from the file itself (openpyxl, when loading,
    rebuilds the cells of a merged range from its first cell and would hide a gap)."""
    with zipfile.ZipFile(path) as book:
        styles = ElementTree.fromstring(book.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(book.read(f"xl/worksheets/sheet{sheet_index + 1}.xml"))
    borders = [{side.tag.split("}")[1] for side in border if side.get("style")}
               for border in styles.find(f"{{{MAIN}}}borders")]
    xfs = [int(xf.get("borderId", 0)) for xf in styles.find(f"{{{MAIN}}}cellXfs")]
    return {c.get("r"): borders[xfs[int(c.get("s", 0))]] for c in sheet.iter(f"{{{MAIN}}}c")}


def _assert_boxes_closed(path: Path, ws, sheet_index: int = 0) -> None:
    """A bordered merged box has its border on every one of its cells."""
    sides = _cell_borders(path, sheet_index)
    boxes = 0
    for merged in ws.merged_cells.ranges:
        if not sides.get(ws.cell(merged.min_row, merged.min_col).coordinate):
            continue
        boxes += 1
        for row in ws.iter_rows(min_row=merged.min_row, max_row=merged.max_row,
                                min_col=merged.min_col, max_col=merged.max_col):
            for cell in row:
                assert sides.get(cell.coordinate) == {"left", "right", "top", "bottom"}, \
                    (merged.coord, cell.coordinate)
    assert boxes, "the form has merged boxes"


def test_annex1_shows_every_activity_under_the_notices_headers(sample_repo, tmp_path):
    [path] = _export(sample_repo, tmp_path, 1)
    assert path.name == "2021-附表1-长春市.xlsx"
    ws = _book(path).active
    assert ws["A1"].value == "附表1"
    assert ws["A2"].value == "2021年“吉林省全民终身学习示范活动”汇总表"
    assert ws["A3"].value == "吉林省　长春　市（县）　　　　　　区"
    assert _row(ws, 4) == HEADERS_1
    activities = _records(sample_repo, "changchun", "activities")
    assert len(activities) > 10
    for index, activity in enumerate(activities):
        row = _row(ws, 5 + index)
        assert row[0] == index + 1
        assert row[1] == activity.name
        assert row[2].replace("—\n", "—") == "\n".join(
            p for p in (date_range(activity.start, activity.end), activity.time_note) if p)
        assert row[3:6] == [activity.venue, activity.organizer, activity.participants]
        assert row[6].replace("、\n", "、") == activity.signup_phone
        assert row[7] == activity.content
        assert ws.cell(5 + index, 9).value == activity.id  # hidden, for import
    after = 5 + len(activities)
    assert ws.cell(after, 1).value == "注：活动不限 10 项，请根据实际情况填报。"
    footer = ws.cell(after + 1, 1).value
    assert footer.startswith("填表联系人：张丽") and footer.endswith("联系电话：0431-88776215")
    assert ws.print_title_rows == "$4:$4"
    assert ws.page_setup.fitToHeight == 0
    _assert_printable(ws, landscape=True)


def test_unit_with_nothing_yet_exports_blank_official_forms(sample_repo, tmp_path):
    shutil.rmtree(sample_repo / "units" / "meihekou")
    paths = _export(sample_repo, tmp_path, unit="meihekou")
    assert [p.name for p in paths] == [f"2021-附表{n}-梅河口市.xlsx" for n in range(1, 6)]
    table = _book(paths[0]).active
    assert table["A3"].value == "吉林省　　　　　　市（县）　　　　　　区"
    assert [table.cell(r, 1).value for r in range(5, 15)] == list(range(1, 11))
    assert all(table.cell(r, c).value is None for r in range(5, 15) for c in range(2, 9))
    assert table.cell(15, 1).value.startswith("注：")
    form = _book(paths[1])
    assert _sheets(form) == ["附表2"]
    assert form.active["A3"].value == "单位全称"
    assert form.active["B3"].value == "（以公章为准）"  # the notice's hint in the value box
    assert form.active["B7"].value == "（500 字以内，可另附页）"
    ranked = _book(paths[2]).active
    assert [ranked.cell(r, 1).value for r in range(5, 13)] == list(range(1, 9))
    assert ranked.cell(13, 1).value == "注：请按推荐顺序填写登记表。"


def test_university_header_line_shows_its_own_name(sample_repo, tmp_path):
    [path] = _export(sample_repo, tmp_path, 1, unit="jlu")
    assert _book(path).active["A3"].value == "吉林大学"


def test_unit_form_sheet_per_applicant_with_every_field_and_opinion_box(sample_repo, tmp_path):
    paths = _export(sample_repo, tmp_path, 2, 4)
    for path, key in zip(paths, ("advanced_units", "advanced_people")):
        annex = ANNEXES[2 if key == "advanced_units" else 4]
        records = _records(sample_repo, "changchun", key)
        book = _book(path)
        assert len(_sheets(book)) == len(records) >= 2
        for index, (ws, record) in enumerate(zip(book.worksheets, records)):
            assert ws["A1"].value == annex.label
            assert ws["A2"].value.replace("\n", "") == annex.title_for(load_repo(sample_repo).campaign)
            values = {ws.cell(r, c).value: ws.cell(r, c + (1 if c == 1 else 2)).value
                      for r in range(3, 7) for c in (1, 4) if ws.cell(r, c).value}
            for line in annex.lines:
                for name in line:
                    value = values[annex.kind.model.label_of(name)]
                    expected = getattr(record, name)
                    if hasattr(value, "date"):
                        assert value.date() == expected
                    else:
                        hint = next(s.hint for s in annex.kind.model.specs() if s.name == name)
                        assert value == (f"{expected}　（{hint}）" if hint else expected)
            deeds_row = next(r for r in range(7, 12) if (ws.cell(r, 1).value or "").startswith(
                annex.kind.model.label_of("deeds")))
            assert ws.cell(deeds_row, 2).value == f"（500 字以内，可另附页）\n{record.deeds}"
            assert ws.row_dimensions[deeds_row].height >= 500 / 30 * 12  # room for 500 字
            heads = [ws.cell(r, c).value for r in range(deeds_row, deeds_row + 4) for c in (1, 3, 5)]
            assert ["单位意见", "市(州)教育行政部门意见", "吉林省教育厅意见"] == [
                h for h in heads if h in ("单位意见", "市(州)教育行政部门意见", "吉林省教育厅意见")]
            opinion_row = next(r for r in range(deeds_row, deeds_row + 4)
                               if ws.cell(r, 1).value == "单位意见") + 1
            for col, name in zip((1, 3, 5), ("unit_opinion", "city_opinion", "province_opinion")):
                box = ws.cell(opinion_row, col).value
                assert "（盖章）" in box and box.rstrip().endswith("年　　月　　日")
                if getattr(record, name):
                    assert box.startswith(getattr(record, name))
            footer = ws.cell(opinion_row + 1, 1).value
            assert f"填表联系人：{record.contact_name}" in footer
            assert f"联系电话：{record.contact_phone}" in footer
            assert ws["G3"].value == record.id  # hidden, for import
            assert ws.page_setup.fitToHeight in (None, 1)  # one page
            _assert_boxes_closed(path, ws, index)
            _assert_printable(ws, landscape=False)
    people = _book(paths[1]).active
    [choice] = people.data_validations.dataValidation
    assert choice.formula1 == '"男,女"' and str(choice.sqref) == "B4"


def test_ranked_lists_name_the_unit_and_keep_eight_rows(sample_repo, tmp_path):
    unit3, unit5 = _export(sample_repo, tmp_path, 3, 5)
    ws = _book(unit3).active
    assert ws["A3"].value.startswith("推荐单位：长春市教育局（盖章）")
    assert "填表时间：" in ws["A3"].value
    assert _row(ws, 4) == ["推荐序号", "先进单位全称"]
    units = _records(sample_repo, "changchun", "advanced_units")
    assert [_row(ws, 5 + i) for i in range(len(units))] == [[u.rank, u.full_name] for u in units]
    assert [ws.cell(r, 1).value for r in range(5, 13)] == list(range(1, 9))
    ws = _book(unit5).active
    assert _row(ws, 4) == ["推荐序号", "姓名", "性别", "职务", "工作单位", "联系电话"]
    people = _records(sample_repo, "changchun", "advanced_people")
    assert [_row(ws, 5 + i) for i in range(len(people))] == [
        [p.rank, p.name, p.gender, p.title, p.employer, p.phone.replace("、", "、\n")]
        if len(p.phone) > 13 else [p.rank, p.name, p.gender, p.title, p.employer, p.phone]
        for p in people]
    [choice] = ws.data_validations.dataValidation
    assert str(choice.sqref) == "C5:C12"
    assert ws.print_title_rows == "$4:$4"
    _assert_printable(ws, landscape=False)


def _change(repo: Path, kind, unit: str, index: int, **changes) -> None:
    stored = load_repo(repo).units[unit].items(kind.key)[index]
    save_record(repo, kind, unit, with_changes(stored.record, changes), expected=UNCHECKED)


def test_hostile_text_is_written_as_text_without_control_characters(sample_repo, tmp_path):
    _change(sample_repo, ACTIVITIES, "changchun", 0, name="=HYPERLINK(\"http://x\",\"点我\")",
            venue="+86 长春", organizer="-主办\x07单位", content="@SUM(A1:A9)\x1b")
    [path] = _export(sample_repo, tmp_path, 1)
    ws = _book(path).active
    cells = [ws.cell(5, col) for col in (2, 4, 5, 8)]
    assert [c.value for c in cells] == ["=HYPERLINK(\"http://x\",\"点我\")", "+86 长春",
                                        "-主办单位", "@SUM(A1:A9)"]
    assert all(c.data_type == "s" for c in cells)


def test_long_text_continues_on_the_rows_below_never_taller_than_a_page(sample_repo, tmp_path):
    content = "老年人智能手机培训课堂，" * 500  # 6,000 字
    _change(sample_repo, ACTIVITIES, "changchun", 0, content=content)
    [path] = _export(sample_repo, tmp_path, 1)
    ws = _book(path).active
    record = _records(sample_repo, "changchun", "activities")[0]
    rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 9).value == record.id]
    assert len(rows) > 10 and rows == list(range(rows[0], rows[0] + len(rows)))
    assert "".join(ws.cell(r, 8).value for r in rows) == content
    assert [ws.cell(r, 1).value for r in rows] == [1] + [None] * (len(rows) - 1)
    assert ws.cell(rows[0], 2).value == record.name
    page = (21.0 - 3.7 - 3.5) / 2.54 * 72
    first_page = sum(ws.row_dimensions[r].height for r in range(1, 5))
    assert all(ws.row_dimensions[r].height <= page - first_page for r in rows)
    assert ws.cell(rows[-1] + 1, 1).value == 2  # the next activity follows


def _flat_rows(flat) -> list[tuple]:
    """(unit, name) of each record of a 汇总 sheet; a record's continued rows count once."""
    key = _visible(flat) + 1
    seen: list[tuple] = []
    for row in range(2, flat.max_row + 1):
        if row == 2 or flat.cell(row, key).value != flat.cell(row - 1, key).value:
            seen.append((flat.cell(row, 1).value, flat.cell(row, 3).value))
    return seen


def test_rollup_holds_every_record_of_every_unit(sample_repo, tmp_path):
    paths = export(sample_repo, [1, 4], all_units=True, out_dir=tmp_path)
    assert [p.name for p in paths] == ["2021-附表1-全省汇总.xlsx", "2021-附表4-全省汇总.xlsx"]
    data = load_repo(sample_repo)
    book = _book(paths[0])
    flat = book["汇总"]
    assert book.sheetnames[0] == "汇总"
    assert _row(flat, 1)[:4] == ["单位", "序号", "活动名称", "开始日期"]
    expected = [(u.name, s.record.name) for u in data.units.values() for s in u.items("activities")]
    assert _flat_rows(flat) == expected
    assert flat.auto_filter.ref == f"A1:K{len(expected) + 1}"
    with_activities = [u for u in data.units.values() if u.items("activities")]
    assert _sheets(book)[1:] == [u.name for u in with_activities]
    for unit in with_activities:
        ws = book[unit.name]
        assert ws["A2"].value == "2021年“吉林省全民终身学习示范活动”汇总表"
        names = [ws.cell(r, 2).value for r in range(5, 5 + len(unit.items("activities")))]
        assert names == [s.record.name for s in unit.items("activities")]
    people = _book(paths[1])
    expected = [(u.name, s.record.name) for u in data.units.values()
                for s in u.items("advanced_people")]
    flat = people["汇总"]
    assert _flat_rows(flat) == expected
    assert len(_sheets(people)) == 1 + len(expected)


def test_package_holds_annexes_documents_renamed_photos_and_manifest(sample_repo, tmp_path):
    folder, archive = export(sample_repo, unit="changchun", package=True, out_dir=tmp_path)
    assert folder.name == "2021-长春市-电子材料" and archive.name == "2021-长春市-电子材料.zip"
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    for n in range(1, 6):
        assert f"2021-附表{n}-长春市.xlsx" in names
    for what in ("工作方案", "展板素材", "年度工作总结", "典型活动案例1", "典型活动案例2"):
        assert f"2021-{what}-长春市.docx" in names
    exhibition = load_repo(sample_repo).units["changchun"].record("exhibition")
    for number, photo in enumerate(exhibition.photos, start=1):
        copied = folder / "展板图片" / f"{number:02d}-{photo.caption}.jpg"
        source = sample_repo / "units" / "changchun" / "photos" / photo.file
        assert copied.read_bytes() == source.read_bytes()
    assert len(list((folder / "总结照片").iterdir())) == 8
    with zipfile.ZipFile(archive) as zipped:
        assert sorted(n.split("/", 1)[1] for n in zipped.namelist()) == names
        assert all(n.startswith("2021-长春市-电子材料/") for n in zipped.namelist())
    manifest = (folder / "材料清单.txt").read_text(encoding="utf-8")
    assert "展板图片/01-" in manifest and "全部材料符合通知要求" in manifest


def test_package_never_copies_a_file_from_outside_the_repository(sample_repo, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"not for the package")
    photos = sample_repo / "units" / "changchun" / "photos"
    (photos / "exh-01.jpg").unlink()
    os.symlink(secret, photos / "exh-01.jpg")
    exhibition = sample_repo / "units" / "changchun" / "exhibition.toml"
    text = exhibition.read_text(encoding="utf-8").replace('"exh-02.jpg"', '"../../../../secret.jpg"')
    exhibition.write_text(text, encoding="utf-8")
    folder, _ = export(sample_repo, unit="changchun", package=True, out_dir=tmp_path / "out")
    copied = [p.read_bytes() for p in folder.rglob("*.jpg")]
    assert b"not for the package" not in copied
    assert len(list((folder / "展板图片").iterdir())) == 4
    manifest = (folder / "材料清单.txt").read_text(encoding="utf-8")
    assert "「exh-01.jpg」不在本单位 photos 文件夹中" in manifest
    assert "「../../../../secret.jpg」不在本单位 photos 文件夹中" in manifest


def test_package_manifest_lists_what_is_missing_or_invalid(sample_repo, tmp_path):
    (sample_repo / "units" / "meihekou" / "work_plan.toml").unlink()
    _change(sample_repo, ACTIVITIES, "meihekou", 0, signup_phone="12345")
    folder, _ = export(sample_repo, unit="meihekou", package=True, out_dir=tmp_path)
    manifest = (folder / "材料清单.txt").read_text(encoding="utf-8")
    assert "未填写：工作方案" in manifest
    assert "未填写：展板素材" in manifest
    assert "「报名电话」12345 不是有效的电话号码" in manifest


def test_export_never_overwrites_an_earlier_export(sample_repo, tmp_path):
    [first] = _export(sample_repo, tmp_path, 1)
    before = first.read_bytes()
    messages = []
    [second] = export(sample_repo, [1], unit="changchun", out_dir=tmp_path,
                      progress=lambda done, total, message: messages.append((done, total, message)))
    assert first.read_bytes() == before
    assert second.name == "2021-附表1-长春市(2).xlsx"
    assert any("未覆盖" in m for _, _, m in messages)
    assert messages[-1][0] == messages[-1][1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_export_command_writes_files_and_refuses_bad_requests(sample_repo, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "-C", str(sample_repo), "--unit", "jilin", "--annex", "1", "3",
                 "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["2021-附表1-吉林市.xlsx", "2021-附表3-吉林市.xlsx"]
    assert "2021-附表1-吉林市.xlsx" in capsys.readouterr().out
    assert main(["export", "-C", str(sample_repo), "--unit", "nowhere", "-o", str(out)]) == 2
    assert "没有单位「nowhere」" in capsys.readouterr().err
    assert main(["export", "-C", str(sample_repo), "--unit", "jilin", "--package", "--annex", "1",
                 "-o", str(out)]) == 2
    assert "--annex" in capsys.readouterr().err
    assert main(["export", "-C", str(sample_repo), "--unit", "../x", "-o", str(out)]) == 2


@pytest.mark.parametrize("kind", [ADVANCED_UNITS, ADVANCED_PEOPLE])
def test_deeds_longer_than_the_box_go_on_an_annex_page(sample_repo, tmp_path, kind):
    deeds = "社区教育促进民族团结。\n" * 150
    _change(sample_repo, kind, "changchun", 0, deeds=deeds)
    number = 2 if kind is ADVANCED_UNITS else 4
    [path] = _export(sample_repo, tmp_path, number)
    book = _book(path)
    form, page = book.worksheets[:2]
    assert page.title == f"{form.title}-附页" and page["A1"].value == f"附表{number}　附页"
    assert form.page_setup.fitToHeight in (None, 1)  # the form stays on one page
    height = sum(form.row_dimensions[r].height for r in range(1, form.max_row + 1)
                 if form.row_dimensions[r].height)
    assert height <= (29.7 - 3.7 - 3.5) / 2.54 * 72 * 1.3
    label = kind.model.label_of("deeds")
    box = [r for r in range(7, 12) if not form.cell(r, 1).value
           or form.cell(r, 1).value.startswith(label)]
    assert form.cell(box[0], 1).value == f"{label}\n（下接附页）"
    shown = "".join(form.cell(r, 2).value or "" for r in box).removeprefix("（500 字以内，可另附页）\n")
    rest = "".join(page.cell(r, 1).value for r in range(5, page.max_row + 1)
                   if page.cell(r, 2).value == "deeds")
    assert shown + rest == deeds
    assert all(page.row_dimensions[r].height <= 409 for r in range(1, page.max_row + 1)
               if page.row_dimensions[r].height)


@pytest.mark.parametrize("plant", ["fifo", "symlink", "too_large"])
def test_a_record_that_is_no_regular_file_stops_the_export_and_force_names_it(
        sample_repo, tmp_path, capsys, plant):
    stored = load_repo(sample_repo).units["changchun"].items("activities")[0]
    path = sample_repo / stored.path
    path.unlink()
    if plant == "fifo":
        os.mkfifo(path)
    elif plant == "symlink":
        path.symlink_to("/dev/zero")
    else:
        path.write_text(f'name = "{"长" * 400_000}"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", "-C", str(sample_repo), "--unit", "changchun", "--annex", "1",
                 "-o", str(out)]) == 1
    assert stored.path in capsys.readouterr().err
    assert main(["export", "-C", str(sample_repo), "--unit", "changchun", "--annex", "1",
                 "--force", "-o", str(out)]) == 0
    listed = _book(out / "2021-附表1-长春市.xlsx")["未导出的材料"]
    assert listed.cell(4, 1).value == stored.path


def test_unreadable_record_stops_the_export_and_force_names_it(sample_repo, tmp_path, capsys):
    stored = load_repo(sample_repo).units["changchun"].items("advanced_people")[1]
    (sample_repo / stored.path).write_text('name = "王建国"\nrank = \n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["export", "-C", str(sample_repo), "--unit", "changchun", "--annex", "4", "5",
                 "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{stored.path}:2" in err and "--force" in err
    assert not out.exists() or not list(out.iterdir())
    assert main(["export", "-C", str(sample_repo), "--all-units", "--annex", "5",
                 "-o", str(out)]) == 1
    assert not out.exists() or not list(out.iterdir())
    assert main(["export", "-C", str(sample_repo), "--unit", "changchun", "--annex", "5",
                 "--force", "-o", str(out)]) == 0
    book = _book(out / "2021-附表5-长春市.xlsx")
    assert "未导出的材料" in _sheets(book)
    listed = book["未导出的材料"]
    assert [listed.cell(4, c).value for c in (1, 2)] == [stored.path, 2]
    assert main(["export", "-C", str(sample_repo), "--all-units", "--annex", "1", "5",
                 "--force", "-o", str(out)]) == 0
    assert "未导出的材料" in _sheets(_book(out / "2021-附表5-全省汇总.xlsx"))
    assert "未导出的材料" not in _sheets(_book(out / "2021-附表1-全省汇总.xlsx"))
    # the activities are readable: their export is not held up
    assert main(["export", "-C", str(sample_repo), "--unit", "changchun", "--annex", "1",
                 "-o", str(tmp_path / "other")]) == 0


def test_phone_numbers_emails_and_dates_get_room_enough_never_to_be_split(sample_repo, tmp_path):
    from datastore.printfit import box_width_for

    _change(sample_repo, ACTIVITIES, "changchun", 0,
            signup_phone="0431-88912371、0431-85673108、13904310000")
    _change(sample_repo, ADVANCED_PEOPLE, "changchun", 0, email="wangjianguo61@126.com")
    table, form = _export(sample_repo, tmp_path, 1, 4)
    ws = _book(table).active
    assert ws["G5"].value == "0431-88912371、\n0431-85673108、\n13904310000"
    width = ws.column_dimensions["G"].width * 7 * 0.75  # a file width unit is 7 px
    assert width >= box_width_for("0431-88912371、", 12) - 1
    for row in range(5, 17):
        when = ws.cell(row, 3).value
        if when and "—" in when:
            first = when.split("\n")[0]
            assert first.endswith("—") or first.count("日") == 2  # split after the dash only
    person = _book(form).worksheets[0]
    assert person["B6"].value == "wangjianguo61@126.com"
    assert person["B6"].font.sz == 12


def test_rollup_summary_sheet_fits_a4_landscape_at_ten_point(sample_repo, tmp_path):
    for number in range(1, 6):
        [path] = export(sample_repo, [number], all_units=True, out_dir=tmp_path / str(number))
        flat = _book(path)["汇总"]
        widths = [w for w, hidden in _widths(flat).values() if not hidden]
        assert sum(w * 7 for w in widths) * 0.75 <= (29.7 - 2.8 - 2.6) / 2.54 * 72 + 1
        assert flat.page_setup.orientation == "landscape"
        assert flat.print_title_rows == "$1:$1"
        cells = [c for row in flat.iter_rows(max_col=_visible(flat)) for c in row if c.value]
        assert all(c.font.sz >= 9 and c.alignment.wrap_text for c in cells)


def test_unit_staff_export_their_own_unit_by_default(sample_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("GL_USER", "cc-zhangli")
    out = tmp_path / "out"
    assert main(["export", "-C", str(sample_repo), "--annex", "3", "-o", str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["2021-附表3-长春市.xlsx"]
    monkeypatch.setenv("GL_USER", "wuxiaohui")  # the province: must say which unit
    assert main(["export", "-C", str(sample_repo), "--annex", "3", "-o", str(out)]) == 2


def test_exports_stay_free_of_the_app():
    code = ("import sys, importlib, pkgutil, exports\n"
            "for m in pkgutil.iter_modules(exports.__path__):\n"
            "    importlib.import_module('exports.' + m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'tui')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_validate_warns_before_a_text_continues_on_more_rows_or_an_annex_page(sample_repo,
                                                                             capsys):
    _change(sample_repo, ACTIVITIES, "changchun", 0, content="社区教育促进民族团结。" * 40)
    _change(sample_repo, ADVANCED_PEOPLE, "changchun", 0, deeds="社区教育促进民族团结。\n" * 60)
    main(["validate", "-C", str(sample_repo), "--unit", "changchun"])
    out = capsys.readouterr().out
    assert "「活动内容」打印时约" in out and "在附表1中续排" in out
    assert "「先进事迹简介」打印时约" in out and "其余印在附页上" in out
