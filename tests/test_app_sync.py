"""同步 and 冲突 in the app, against a real bare central repository and a colleague's clone."""

from __future__ import annotations

from pathlib import Path

from app_harness import clones, conflicted, make_app, notices, screen_text, settle, type_text, via_palette

from datastore.sync import sync
from datastore.syncstate import LocalState
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, delete, edit, fields
from tui.screens.activities import ActivityEditor
from tui.screens.conflict_fields import ConflictFieldsScreen, EditValueDialog
from tui.screens.conflicts import ConflictListScreen, WholeConflictDialog
from tui.screens.dialogs import ConfirmDialog
from tui.syncer import banner_text

OLD_NAME = "“红色百年 薪火相传”党史学习系列讲座"


async def open_activity(pilot, app) -> None:
    """附表1, then the activity at ACTIVITY in its editor."""
    await via_palette(pilot, "附表1")
    table = app.screen.query_one("#records")
    keys = [row.key.value for row in table.ordered_rows]
    table.move_cursor(row=keys.index(ACTIVITY))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ActivityEditor)


def banner(app) -> str:
    widget = app.screen.query_one(".sync-banner")
    return str(widget.render()) if widget.display else ""


def pushed(repo: Path) -> bool:
    """The central repository has everything this clone has."""
    return git(repo, "rev-list", "--count", "@{u}..HEAD").strip() == "0"


async def test_sync_pulls_the_colleagues_change_into_the_open_editor(tmp_path, sample_master):
    mine, other = clones(tmp_path, sample_master)
    edit(other, ACTIVITY, participants=777)
    assert sync(other).pushed == 1
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_activity(pilot, app)
        assert app.screen.query_one("#field-participants").value == "520"

        await pilot.press("ctrl+r")
        await settle(pilot)

        assert "拉取 1 个提交，推送 0 个提交" in notices(app)
        assert isinstance(app.screen, ActivityEditor)
        assert app.screen.query_one("#field-participants").value == "777"
    assert fields(mine, ACTIVITY)["participants"] == 777


async def test_banner_counts_unpushed_saves_until_synced(tmp_path, sample_master):
    mine, _ = clones(tmp_path, sample_master)
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert banner(app) == ""
        await open_activity(pilot, app)
        app.screen.query_one("#field-venue").focus()
        await pilot.press("end")
        await type_text(pilot, "二楼")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert banner(app) == "有 1 个提交尚未推送到服务器：按 ctrl+r 同步"

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "拉取 0 个提交，推送 1 个提交" in notices(app)
        assert banner(app) == ""
    assert pushed(mine)


async def test_an_unreachable_server_is_a_banner_and_the_commit_stays(tmp_path, sample_master):
    mine, _ = clones(tmp_path, sample_master)
    edit(mine, ACTIVITY, participants=621)
    git(mine, "remote", "set-url", "origin", str(tmp_path / "moved-away.git"))
    head = git(mine, "rev-parse", "HEAD")
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "服务器无法连接" in notices(app)
        assert banner(app).startswith("服务器无法连接：1 个提交在本机等待推送（都已保存），稍后按 ctrl+r 再同步")
    assert git(mine, "rev-parse", "HEAD") == head


async def test_a_conflict_is_resolved_field_by_field_and_the_merge_is_pushed(tmp_path,
                                                                            sample_master):
    mine = conflicted(tmp_path, sample_master)
    app = make_app(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConflictListScreen)
        assert "长春市 附表1「党史讲座（测）」" in screen_text(app)
        assert "双方都修改了" in screen_text(app)

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictFieldsScreen)
        text = screen_text(app)
        assert "活动名称" in text and "人数" in text and "对方的" in text
        await pilot.press("t")  # 活动名称: theirs; the cursor goes on to 人数
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditValueDialog)
        await pilot.press("ctrl+u")
        await type_text(pilot, "五百五")
        await pilot.press("enter")
        assert "只能填整数" in screen_text(app)  # refused at the field, nothing written
        await pilot.press("ctrl+u")
        await type_text(pilot, "550")
        await pilot.press("enter")
        await settle(pilot)
        preview = str(app.screen.query_one("#preview").render())
        assert "活动名称：党史讲座（王）" in preview and "人数：550" in preview
        assert "活动地点：长春市图书馆二楼" in preview  # my clean change is kept

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictListScreen)
        assert "所有冲突都已解决" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # 推送
        await settle(pilot)
        assert "推送" in notices(app)
        assert banner(app) == ""

    record = fields(mine, ACTIVITY)
    assert (record["name"], record["participants"], record["venue"]) == (
        "党史讲座（王）", 550, "长春市图书馆二楼")
    assert len(git(mine, "log", "-1", "--format=%P").split()) == 2
    assert git(mine, "status", "--porcelain") == ""
    assert pushed(mine)


async def test_quitting_mid_conflict_keeps_the_merge_and_reopens_the_list(tmp_path, sample_master):
    mine = conflicted(tmp_path, sample_master)
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConflictFieldsScreen)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)  # a choice made here is not saved yet
        await pilot.click("#yes")
    assert (mine / ".git" / "MERGE_HEAD").exists()
    assert ACTIVITY in git(mine, "ls-files", "--unmerged")

    again = make_app(mine)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, ConflictListScreen)
        assert "长春市 附表1「党史讲座（测）」" in screen_text(again)
        assert banner(again).startswith("合并未完成：还有 1 个文件有冲突")


async def test_an_edit_against_a_delete_keeps_the_whole_edited_file(tmp_path, sample_master):
    mine, other = clones(tmp_path, sample_master)
    delete(other, ACTIVITY)
    sync(other)
    edit(mine, ACTIVITY, participants=499)
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "对方删除了，我修改了" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WholeConflictDialog)
        await pilot.click("#mine")
        await settle(pilot)
        assert "所有冲突都已解决" in screen_text(app)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("escape")  # push later
        await settle(pilot)
        assert banner(app).startswith("有 ")
    assert fields(mine, ACTIVITY)["participants"] == 499
    assert not (mine / ".git" / "MERGE_HEAD").exists()


def test_banner_says_what_waits_most_urgent_first():
    merge = LocalState(has_remote=True, ahead=2, merging=True, unresolved=1)
    assert banner_text(merge, running=True, unreachable=None).startswith("正在同步")
    assert banner_text(merge, False, None).startswith("合并未完成：还有 1 个文件有冲突")
    settled = LocalState(has_remote=True, ahead=2, merging=True)
    assert banner_text(settled, False, None).startswith("冲突都已解决，合并还没完成")
    ahead = LocalState(has_remote=True, ahead=2)
    assert banner_text(ahead, False, "连接超时").startswith("服务器无法连接：2 个提交在本机等待推送")
    assert banner_text(ahead, False, None) == "有 2 个提交尚未推送到服务器：按 ctrl+r 同步"
    assert banner_text(LocalState(has_remote=True, ahead=0), False, None) == ""
    assert banner_text(LocalState(), False, None) == ""  # no server set up: nothing to say
