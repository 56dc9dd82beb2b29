"""The other editors: 工作方案, 先进单位 / 先进个人 ranks, 典型案例, 年度总结; identity and
changed-file handling of the one save path."""

from __future__ import annotations

import tomllib

from app_harness import (commit_count, last_commit, make_app, screen_text, settle, type_text,
                         via_palette, worktree_changes)
from conftest import git
from textual.widgets import Input, Select, TextArea

from tui.screens.advanced_people import AdvancedPersonEditor
from tui.screens.cases import CaseEditor
from tui.screens.dialogs import IdentityDialog
from tui.screens.summary import SummaryScreen
from tui.screens.work_plan import WorkPlanScreen


def ranks(repo, unit, folder):
    out = {}
    for path in (repo / f"units/{unit}/{folder}").glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out[data.get("full_name") or data.get("name")] = data["rank"]
    return out


async def test_work_plan_counts_characters_and_refuses_an_impossible_date(sample_repo):
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        assert isinstance(app.screen, WorkPlanScreen)
        text = app.screen.query_one("#field-text", TextArea)
        words = len("".join(text.text.split()))
        assert f"{words} 字" in screen_text(app)
        date = app.screen.query_one("#field-opening_date", Input)
        date.focus()
        date.value = ""
        await type_text(pilot, "2021-02-30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "没有 2021 年 2 月 30 日这一天" in screen_text(app)
        assert app.focused is date
    assert commit_count(sample_repo) == before


async def test_moving_an_advanced_unit_keeps_ranks_contiguous(sample_repo):
    app = make_app(sample_repo)
    before = ranks(sample_repo, "changchun", "advanced_units")
    last = max(before, key=before.get)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "先进单位")
        await pilot.press("down", "down", "shift+up")
        await settle(pilot)
    after = ranks(sample_repo, "changchun", "advanced_units")
    assert after[last] == before[last] - 1
    assert sorted(after.values()) == list(range(1, len(after) + 1))
    assert worktree_changes(sample_repo) == ""


async def test_new_advanced_person_gets_next_rank_and_gender_from_a_list(sample_repo):
    app = make_app(sample_repo)
    count = len(ranks(sample_repo, "changchun", "advanced_people"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "先进个人")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AdvancedPersonEditor)
        await type_text(pilot, "李华")
        app.screen.query_one("#field-gender", Select).value = "女"
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = ranks(sample_repo, "changchun", "advanced_people")
    assert saved["李华"] == count + 1
    _, subject, _ = last_commit(sample_repo)
    assert subject == "长春市: 新增 附表4「李华」"


async def test_a_third_case_is_saved_as_a_draft_with_a_warning(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "典型案例")
        assert "共 2 个" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, CaseEditor)
        await type_text(pilot, "老年大学云课堂")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        text = screen_text(app)
        assert "共 3 个" in text and "典型活动案例 3 个，应为 2 个" in text


async def test_summary_has_eight_photo_slots_and_counts_toward_1500(sample_repo):
    app = make_app(sample_repo, "jilin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "年度总结")
        assert isinstance(app.screen, SummaryScreen)
        assert len(app.screen.query(".photo-slot")) == 8
        assert "不少于 1500" in screen_text(app)


async def test_first_save_without_identity_asks_once_and_stores_it(sample_repo):
    git(sample_repo, "config", "--unset", "user.name")
    git(sample_repo, "config", "--unset", "user.email")
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.press("end", "x", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, IdentityDialog)
        await type_text(pilot, "张丽")
        await pilot.press("enter")
        await type_text(pilot, "zhangli@example.cn")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WorkPlanScreen)
        assert not app.screen.dirty
    assert commit_count(sample_repo) == before + 1
    assert last_commit(sample_repo)[0] == "张丽"
    assert git(sample_repo, "config", "user.email").strip() == "zhangli@example.cn"


async def test_a_broken_file_is_explained_not_crashed_on(sample_repo):
    (sample_repo / "units/changchun/exhibition.toml").write_text('title = "未闭合\n', encoding="utf-8")
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "展板素材")
        text = screen_text(app)
        assert "TOML 格式错误" in text and "这个文件无法读取" in text
        await pilot.press("ctrl+s", "escape")
        await settle(pilot)
    assert commit_count(sample_repo) == before
