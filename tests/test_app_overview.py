"""单位概况: states per deliverable, the 报送 and 纸质材料已寄出 marks, other units read-only."""

from __future__ import annotations

import tomllib

from app_harness import (commit_count, last_commit, make_app, screen_text, settle, via_palette,
                         worktree_changes)

from tui.screens.dialogs import ConfirmDialog
from tui.screens.profile import ProfileScreen
from tui.screens.unit_overview import UnitOverviewScreen


def marks(repo, unit):
    return tomllib.loads((repo / f"units/{unit}/submissions.toml").read_text(encoding="utf-8"))


async def open_row(pilot, app, key):
    table = app.screen.query_one("#deliverables")
    keys = [row.key.value for row in table.ordered_rows]
    table.move_cursor(row=keys.index(key))
    await pilot.pause()


async def test_marking_submitted_asks_and_commits_once(sample_repo):
    app = make_app(sample_repo, "jilin")
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, UnitOverviewScreen)
        await open_row(pilot, app, "summary")
        assert "待报" in screen_text(app)
        await pilot.press("s")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # 标记报送 has the focus: nothing is missing
        await settle(pilot)
        row = app.screen.query_one("#deliverables").get_row("summary")
        assert str(row[2]) == "已报" and row[4] == "10-20"
    assert commit_count(sample_repo) == before + 1
    _, subject, paths = last_commit(sample_repo)
    assert subject == "吉林市: 报送 年度工作总结（2021-10-20）"
    assert paths == ["units/jilin/submissions.toml"]
    assert marks(sample_repo, "jilin")["summary"]["submitted"].isoformat() == "2021-10-20"
    assert worktree_changes(sample_repo) == ""


async def test_paper_copies_are_registered_after_submission(sample_repo):
    app = make_app(sample_repo, "jilin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await open_row(pilot, app, "work_plan")
        await pilot.press("p")
        assert not isinstance(app.screen, ConfirmDialog)  # no paper copies for a work plan
        await open_row(pilot, app, "advanced_units")
        await pilot.press("p")  # registered on 10-13 already: asks to take it back
        assert "撤销" in screen_text(app)
        await pilot.click("#yes")
        await settle(pilot)
        assert "paper_sent" not in marks(sample_repo, "jilin")["advanced_units"]
        assert app.screen.query_one("#deliverables").get_row("advanced_units")[5] == "未寄"
        await pilot.press("p")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
    mark = marks(sample_repo, "jilin")["advanced_units"]
    assert mark["paper_sent"].isoformat() == "2021-10-20"
    assert mark["submitted"].isoformat() == "2021-10-12"
    assert worktree_changes(sample_repo) == ""


async def test_other_units_are_read_only(sample_repo):
    app = make_app(sample_repo, "changchun")
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "单位：吉林市")
        assert isinstance(app.screen, UnitOverviewScreen) and app.screen.unit_id == "jilin"
        assert "只读" in screen_text(app)
        await open_row(pilot, app, "summary")
        await pilot.press("s")
        assert not isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert "只读：您只能修改本单位的材料。" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert commit_count(sample_repo) == before


async def test_profile_opens_from_overview(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "i")
        await settle(pilot)
        assert isinstance(app.screen, ProfileScreen)
        assert "长春市教育局" in screen_text(app)
