"""导入表格 in the app: from the unit overview, the dry run shown first, then one commit; and the
export screen naming what it could not read."""

from __future__ import annotations

import openpyxl
from app_harness import commit_count, last_commit, make_app, screen_text, settle

from datastore.loader import load_repo
from exports.export import export
from tests.conftest import git
from tui.screens.dialogs import Dialog
from tui.screens.export import ExportWarningDialog
from tui.screens.import_table import ImportScreen
from tui.screens.unit_overview import UnitOverviewScreen


def plan_shown(app) -> str:  # noqa: ANN001
    return str(app.screen.query_one("#import-plan").render())


async def test_import_from_the_unit_overview_shows_the_dry_run_then_commits_once(
        sample_repo, tmp_path):
    [path] = export(sample_repo, [1], unit="changchun", out_dir=tmp_path / "out")
    activities = [s.record for s in load_repo(sample_repo).units["changchun"].items("activities")]
    book = openpyxl.load_workbook(path)
    ws = book.active
    ws["F5"] = 1234
    gone = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 9).value == activities[1].id]
    ws.delete_rows(gone[0], len(gone))
    book.save(path)
    before = commit_count(sample_repo)
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, UnitOverviewScreen)
        await pilot.press("t")
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#path").value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        shown = plan_shown(app)
        assert "将导入 附表1（新增 0 条，修改 1 条，删除 1 条）" in shown
        assert f"删除 附表1「{activities[1].name}」" in shown
        assert commit_count(sample_repo) == before  # nothing written by the preview
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "作为一次修改保存" in plan_shown(app)
    assert commit_count(sample_repo) == before + 1
    _, subject, paths = last_commit(sample_repo)
    assert subject == "长春市: 导入 附表1（新增 0 条，修改 1 条，删除 1 条）"
    assert f"units/changchun/activities/{activities[1].id}.toml" in paths
    now = {s.record.id: s.record for s in load_repo(sample_repo).units["changchun"].items("activities")}
    assert now[activities[0].id].participants == 1234 and activities[1].id not in now
    assert git(sample_repo, "status", "--porcelain") == ""


async def test_a_table_that_cannot_be_imported_says_where_and_offers_no_import(sample_repo,
                                                                             tmp_path):
    [path] = export(sample_repo, [1], unit="jilin", out_dir=tmp_path / "out")
    before = commit_count(sample_repo)
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "t")
        app.screen.query_one("#path").value = str(path)
        await pilot.click("#preview")
        await settle(pilot)
        assert "吉林市" in plan_shown(app) and "不能导入到长春市" in plan_shown(app)
        assert app.screen.query_one("#apply").disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert commit_count(sample_repo) == before


async def test_export_screen_names_a_record_it_could_not_read(sample_repo, tmp_path):
    stored = load_repo(sample_repo).units["changchun"].items("advanced_people")[0]
    (sample_repo / stored.path).write_text('name = "刘淑芬"\nrank = \n', encoding="utf-8")
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        for number in (1, 2, 3, 5):
            app.screen.query_one(f"#annex-{number}").value = False
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportWarningDialog)
        assert "材料中还有" in screen_text(app)
        assert stored.path in " ".join(str(line) for line in app.screen.lines)
        await pilot.click("#yes")
        await settle(pilot)
        assert not isinstance(app.screen, Dialog)
    book = openpyxl.load_workbook(tmp_path / "exports" / "2021-附表4-长春市.xlsx")
    listed = book["未导出的材料"]
    assert listed["A4"].value == stored.path
