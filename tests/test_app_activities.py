"""附表1: adding, editing, refusing, deleting and reordering activities, each save one commit."""

from __future__ import annotations

import tomllib

from app_harness import (commit_count, last_commit, make_app, notices, open_first_record,
                         screen_text, settle, type_text, via_palette, worktree_changes)
from textual.widgets import Input

from datastore.models import ACTIVITIES, Activity
from tui.screens.activities import ActivitiesScreen, ActivityEditor
from tui.screens.dialogs import ConfirmDialog, UnsavedDialog

FOLDER = "units/changchun/activities"


def seqs(repo) -> dict[str, int]:
    """Record name → 序号, read from the files."""
    out = {}
    for path in (repo / FOLDER).glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out[data["name"]] = data["seq"]
    return out


async def test_activities_reached_from_dashboard_and_palette(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "down", "enter")
        assert isinstance(app.screen, ActivitiesScreen)
        await pilot.press("escape", "escape")
        await via_palette(pilot, "附表1")
        assert isinstance(app.screen, ActivitiesScreen)
        assert "共 12 项" in screen_text(app)


async def test_adding_activity_starts_at_name_and_saves_one_commit(sample_repo):
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ActivityEditor)
        assert app.focused.id == "field-name"
        await type_text(pilot, "社区智能手机培训")
        await pilot.press("tab")
        await type_text(pilot, "2021-10-25")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已保存为草稿" in notices(app)
    assert commit_count(sample_repo) == before + 1
    author, subject, paths = last_commit(sample_repo)
    assert author == "测试员"
    assert subject == "长春市: 新增 附表1「社区智能手机培训」"
    assert len(paths) == 1 and paths[0].startswith(FOLDER + "/")
    assert worktree_changes(sample_repo) == ""
    saved = tomllib.loads((sample_repo / paths[0]).read_text(encoding="utf-8"))
    assert saved["seq"] == 13 and saved["start"].isoformat() == "2021-10-25"


async def test_editing_one_field_changes_one_line_in_one_commit(sample_repo):
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_record(pilot, "附表1")
        venue = app.screen.query_one("#field-venue", Input)
        venue.focus()
        await pilot.press("end")
        await type_text(pilot, "二楼")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert commit_count(sample_repo) == before + 1
    _, subject, paths = last_commit(sample_repo)
    assert subject.startswith("长春市: 修改 附表1「")
    diff = [line for line in git_show(sample_repo) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(diff) == 2 and diff[0].startswith("-venue") and diff[1].endswith('二楼"')
    assert worktree_changes(sample_repo) == ""


def git_show(repo) -> list[str]:
    from conftest import git

    return git(repo, "show", "--format=", "HEAD").splitlines()


async def test_letters_in_participants_are_refused_at_the_field(sample_repo):
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_record(pilot, "附表1")
        field = app.screen.query_one("#field-participants", Input)
        field.focus()
        await pilot.press("end", "backspace", "backspace", "backspace")
        await type_text(pilot, "三百人")
        await pilot.press("tab")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.focused is field
        row_text = screen_text(app)
        assert "不能保存 「人数」只能填整数" in row_text
        assert isinstance(app.screen, ActivityEditor)
    assert commit_count(sample_repo) == before
    assert worktree_changes(sample_repo) == ""


async def test_leaving_with_unsaved_changes_asks_first(sample_repo):
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_first_record(pilot, "附表1")
        await type_text(pilot, "修订版")
        await pilot.press("escape")
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.click("#stay")
        assert isinstance(app.screen, ActivityEditor)
        await pilot.press("escape")
        await pilot.click("#discard")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        assert commit_count(sample_repo) == before
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "修订版")
        await pilot.press("escape")
        await pilot.press("enter")  # 保存后返回 has the focus
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
    assert commit_count(sample_repo) == before + 1
    assert "修订版" in last_commit(sample_repo)[1]


async def test_deleting_asks_first_and_keeps_seq_contiguous(sample_repo):
    app = make_app(sample_repo)
    before = seqs(sample_repo)
    first = min(before, key=before.get)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # 取消 has the focus
        await settle(pilot)
        assert seqs(sample_repo) == before
        await pilot.press("d")
        await pilot.click("#yes")
        await settle(pilot)
        assert "共 11 项" in screen_text(app)
    after = seqs(sample_repo)
    assert first not in after
    assert sorted(after.values()) == list(range(1, 12))
    assert all(after[name] == before[name] - 1 for name in after)
    assert worktree_changes(sample_repo) == ""


async def test_moving_down_swaps_seq_with_the_next_activity(sample_repo):
    app = make_app(sample_repo)
    before = seqs(sample_repo)
    one, two = sorted(before, key=before.get)[:2]
    commits = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("shift+down")
        await settle(pilot)
        assert app.screen.highlighted().record.name == one
    after = seqs(sample_repo)
    assert (after[one], after[two]) == (2, 1)
    assert sorted(after.values()) == list(range(1, 13))
    assert commit_count(sample_repo) == commits + 1  # one move, one step in the history
    moved = ACTIVITIES.describe(Activity(name=one))
    assert last_commit(sample_repo)[1] == f"长春市: 调整序号 {moved} 第 1 → 第 2"
    assert worktree_changes(sample_repo) == ""
