"""修改历史 in the app: who changed what and when, field by field; restoring is a new commit."""

from __future__ import annotations

from app_harness import commit_count, last_commit, make_app, screen_text, settle, via_palette

from tests.conftest import git, set_identity
from tests.gitscenarios import ACTIVITY, edit, fields
from tui.screens.activities import ActivityEditor
from tui.screens.dialogs import ConfirmDialog
from tui.screens.history import HistoryScreen


def changes_pane(app) -> str:
    return str(app.screen.query_one("#changes").render())


async def test_history_shows_a_colleagues_change_and_restores_the_version_before(sample_repo):
    set_identity(sample_repo, "王宇", "wangyu_ccjy@163.com")
    edit(sample_repo, ACTIVITY, participants=600)
    set_identity(sample_repo)
    before = commit_count(sample_repo)
    app = make_app(sample_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        table = app.screen.query_one("#records")
        table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(ACTIVITY))
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        commits = app.screen.query_one("#commits")
        newest = [str(cell) for cell in commits.get_row_at(0)]
        assert newest[1] == "王宇" and newest[2].startswith("长春市: 修改 附表1")
        assert "人数: 520 → 600" in changes_pane(app)
        assert "wangyu_ccjy@163.com" in changes_pane(app)

        await pilot.press("down")  # the version before 王宇's change
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot)
        assert "已恢复" in "\n".join(n.message for n in app._notifications)
        newest = [str(cell) for cell in app.screen.query_one("#commits").get_row_at(0)]
        assert newest[1] == "测试员" and newest[2].startswith("长春市: 恢复 附表1")
        assert "人数: 600 → 520" in changes_pane(app)

        await pilot.press("escape")  # back in the editor, which shows the restored record
        await settle(pilot)
        assert isinstance(app.screen, ActivityEditor)
        assert app.screen.query_one("#field-participants").value == "520"
    assert commit_count(sample_repo) == before + 1
    assert fields(sample_repo, ACTIVITY)["participants"] == 520
    assert last_commit(sample_repo)[2] == [ACTIVITY]


async def test_unit_history_lists_commits_and_opens_a_records_own_history(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "单位概况")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen) and app.screen.path is None
        logged = git(sample_repo, "log", "--format=%s", "--", "units/changchun/").splitlines()
        assert f"共 {len(logged)} 次修改" in screen_text(app)
        assert "长春市: 报送 典型活动案例（2021-12-08）" in screen_text(app)
        assert "典型活动案例: （空） → submitted=2021-12-08" in changes_pane(app)

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.path == "units/changchun/submissions.toml"


async def test_history_from_the_palette_follows_the_highlighted_record(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        path = app.screen.highlighted_path()
        await via_palette(pilot, "历史")
        assert isinstance(app.screen, HistoryScreen) and app.screen.path == path
        assert "新增" in changes_pane(app) or "修改" in changes_pane(app)


async def test_a_unit_cannot_restore_another_units_record(sample_repo):
    app = make_app(sample_repo, "jilin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "单位：长春市")
        await via_palette(pilot, "附表1")
        await pilot.press("h")
        await settle(pilot)
        before = commit_count(sample_repo)
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "只读" in "\n".join(n.message for n in app._notifications)
    assert commit_count(sample_repo) == before
