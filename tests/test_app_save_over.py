"""Saving over a colleague's change: the form merges field by field against the version it
opened, never reverts what it did not touch, and asks only about a field both changed.

Real Git: two clones of one bare central repository, real push and pull, the editor driven
with Pilot."""

from __future__ import annotations

import datetime as dt

from app_harness import (clones, commit_count, make_app, notices, screen_text, settle,
                         type_text, via_palette, worktree_changes)
from conftest import git
from textual.widgets import Input, TextArea

from datastore.sync import sync
from tests.gitscenarios import edit, fields
from tui.screens.cases import CaseEditor
from tui.screens.conflict_fields import ConflictFieldsScreen
from tui.screens.dialogs import StaleDialog
from tui.screens.work_plan import WorkPlanScreen

WORK_PLAN = "units/changchun/work_plan.toml"
OLD_TITLE = "长春市2021年全民终身学习活动周工作方案"
NEW_TITLE = "长春市2021年全民终身学习活动周实施方案"


async def type_at_end(pilot, app, field_id: str, text: str) -> None:
    """Put the cursor at the end of a field and type, as a person would."""
    widget = app.screen.query_one(f"#{field_id}")
    widget.focus()
    if isinstance(widget, TextArea):
        widget.move_cursor(widget.document.end)
    else:
        await pilot.press("end")
    for number, line in enumerate(text.split("\n")):
        if number:
            await pilot.press("enter")
        await type_text(pilot, line)


async def test_a_colleagues_pushed_title_is_kept_when_saving_other_typing(tmp_path, sample_master):
    mine, other = clones(tmp_path, sample_master)
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await type_at_end(pilot, app, "field-text", "\n六 附则")
        edit(other, WORK_PLAN, title=NEW_TITLE)
        assert sync(other).pushed == 1

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, WorkPlanScreen)  # the typing is still there
        assert "刚被别人修改" in notices(app)  # and it says so at once
        assert "刚被别人修改" in screen_text(app)
        assert app.screen.query_one("#field-title", Input).value == OLD_TITLE

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "同时保留了别人刚保存的修改：「方案标题」" in notices(app)
        assert app.screen.query_one("#field-title", Input).value == NEW_TITLE
        assert not app.screen.dirty
    saved = fields(mine, WORK_PLAN)
    assert saved["title"] == NEW_TITLE and saved["text"].endswith("六 附则")
    assert worktree_changes(mine) == ""
    assert sync(mine).pushed == 1 and sync(other).pulled == 1
    assert fields(other, WORK_PLAN) == saved


async def test_a_field_both_changed_opens_the_sync_conflicts_choice(tmp_path, sample_master):
    mine, other = clones(tmp_path, sample_master)
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await type_at_end(pilot, app, "field-title", "修订稿")
        edit(other, WORK_PLAN, title=NEW_TITLE, opening_date=dt.date(2021, 11, 20))
        sync(other)
        await pilot.press("ctrl+r")
        await settle(pilot)
        before = commit_count(mine)

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictFieldsScreen)
        text = screen_text(app)
        assert "方案标题" in text and "别人改的「本地开幕式日期」会保留" in text
        assert "title =" not in text and "<<<<<<<" not in text  # fields by name, never TOML
        await pilot.press("m", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WorkPlanScreen)
        assert "同时保留了别人刚保存的修改：「本地开幕式日期」" in notices(app)
    saved = fields(mine, WORK_PLAN)
    assert saved["title"] == OLD_TITLE + "修订稿"
    assert saved["opening_date"] == dt.date(2021, 11, 20)
    assert commit_count(mine) == before + 1
    assert worktree_changes(mine) == ""


async def test_two_paragraphs_of_one_text_changed_by_two_people_merge(sample_repo):
    app = make_app(sample_repo)
    plan = sample_repo / WORK_PLAN
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await type_at_end(pilot, app, "field-text", "\n六 附则")
        theirs = plan.read_text(encoding="utf-8").replace("庆建党百年华诞 谱终身学习新篇。",
                                                          "庆建党百年华诞 谱终身学习新篇（省定主题）。")
        plan.write_text(theirs, encoding="utf-8")
        git(sample_repo, "commit", "-q", "-am", "其他人修改主题一段")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WorkPlanScreen)
        assert "同时保留了别人刚保存的修改：「方案内容」" in notices(app)
    text = fields(sample_repo, WORK_PLAN)["text"]
    assert "谱终身学习新篇（省定主题）。" in text and text.endswith("六 附则")
    assert worktree_changes(sample_repo) == ""


async def test_a_record_deleted_meanwhile_shows_the_typing_by_field_and_can_be_saved_again(
        sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "典型案例")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseEditor)
        path = app.screen.path
        await type_at_end(pilot, app, "field-title", "定稿")
        git(sample_repo, "rm", "-q", path)
        git(sample_repo, "commit", "-q", "-m", "其他人删除")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StaleDialog)
        text = screen_text(app)
        assert "已被删除" in text and "案例标题：" in text and "title =" not in text
        await pilot.click("#overwrite")
        await settle(pilot)
    assert fields(sample_repo, path)["title"].endswith("定稿")
    assert worktree_changes(sample_repo) == ""
