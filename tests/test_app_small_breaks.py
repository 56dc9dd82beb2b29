"""The small breaks a season at 80×24 tripped over, each fixed and shown here."""

from __future__ import annotations

import contextlib
import io

from app_harness import (TODAY, clones, conflicted, make_app, screen_text, settle,
                         type_text, via_palette)
from conftest import git
from textual.widgets import DataTable

from datastore.sync import sync
from tests.gitscenarios import ACTIVITY, edit, fields, llweek
from tui.app import LlweekApp
from tui.cli import main
from tui.screens.activities import ActivitiesScreen, ActivityEditor
from tui.screens.conflict_fields import ConflictFieldsScreen
from tui.screens.conflicts import ConflictListScreen
from tui.screens.dialogs import ConfirmDialog, IdentityDialog
from tui.screens.unit_overview import UnitOverviewScreen
from tui.screens.work_plan import WorkPlanScreen
from tui.widgets.bar import TopBar

WORK_PLAN = "units/changchun/work_plan.toml"


def header(app) -> str:
    bar = app.screen.query_one(TopBar)
    return f"{bar.query_one('.where').render()} {bar.query_one('.who').render()}"


def footer(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_header_shows_the_name_given_at_the_first_save(sample_repo):
    git(sample_repo, "config", "--unset", "user.name")
    git(sample_repo, "config", "--unset", "user.email")
    app = LlweekApp(sample_repo, today=TODAY, unit="changchun", picker_start=sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        login = app.actor.login
        assert f"{login}（长春市）" in header(app)
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
        assert "张丽（长春市）" in header(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "张丽（长春市）" in header(app)  # every screen, not only the form


async def test_a_new_records_title_names_it_after_saving_and_the_list_cursor_is_on_it(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("a")
        await settle(pilot)
        assert "附表1（新增）" in header(app)
        await type_text(pilot, "社区智能手机培训")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "附表1「社区智能手机培训」" in header(app) and "新增" not in header(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ActivitiesScreen)
        assert app.screen.highlighted().record.name == "社区智能手机培训"
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == table.row_count - 1


async def test_the_footer_shows_sync_and_palette_at_80_columns(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = [footer(app)]
        for name in ("附表1", "单位概况", "工作方案", "典型案例"):
            await via_palette(pilot, name)
            seen.append(footer(app))
            await pilot.press("escape")
            await settle(pilot)
    for line in seen:
        assert "^r 同步" in line and "^p 命令" in line, line


async def test_focusing_the_output_folder_does_not_select_the_whole_path(sample_repo, tmp_path):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        out = app.screen.query_one("#out")
        out.focus()
        await pilot.pause()
        await pilot.press("end")
        await type_text(pilot, "2")
        assert out.value == f"{tmp_path / 'exports'}2"


async def test_finishing_a_merge_always_offers_the_push_and_keeps_no_git_comments(
        tmp_path, sample_master):
    mine = conflicted(tmp_path, sample_master)
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")  # the conflicting record's form is open below
        table = app.screen.query_one("#records")
        table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(ACTIVITY))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActivityEditor)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConflictListScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m", "m", "ctrl+s")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)  # the offer stays on top
        assert "现在推送到服务器吗" in screen_text(app)
    message = git(mine, "log", "-1", "--format=%B")
    assert "# Conflicts" not in message and "#" not in message
    assert len(git(mine, "log", "-1", "--format=%P").split()) == 2


async def test_m_and_t_in_a_long_text_keep_the_other_sides_clean_paragraphs(
        tmp_path, sample_master):
    mine, other = clones(tmp_path, sample_master)
    text = fields(mine, WORK_PLAN)["text"]
    lines = text.splitlines()
    theirs = lines[:]
    theirs[3] = "庆建党百年华诞 谱终身学习新篇（对方）。"  # both change this paragraph
    theirs[1] = "一、指导思想（对方补充）"  # only they change this one
    edit(other, WORK_PLAN, text="\n".join(theirs))
    sync(other)
    ours = lines[:]
    ours[3] = "庆建党百年华诞 谱终身学习新篇（我方）。"
    ours[-1] = ours[-1] + "（我方补充）"  # only I change the last one
    edit(mine, WORK_PLAN, text="\n".join(ours))
    app = make_app(mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConflictFieldsScreen)
        await pilot.press("t")  # theirs, for the paragraph both changed
        await pilot.pause()
        preview = str(app.screen.query_one("#preview").render())
        assert "一、指导思想（对方补充）" in preview and "（我方补充）" in preview  # in full
        assert "新篇（对方）。" in preview and "新篇（我方）。" not in preview
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
    merged = fields(mine, WORK_PLAN)["text"].splitlines()
    assert merged[1] == "一、指导思想（对方补充）"
    assert merged[3] == "庆建党百年华诞 谱终身学习新篇（对方）。"
    assert merged[-1].endswith("（我方补充）")


def test_help_lists_no_hidden_command():
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        main(["--help"])
    out = buffer.getvalue()
    assert "SUPPRESS" not in out and "pre-receive" not in out
    assert "install-hook" in out


def test_demo_into_an_existing_repository_suggests_opening_it(sample_repo, capsys):
    code, _, err = llweek(capsys, "demo", str(sample_repo))
    assert code == 2
    assert f"如要打开其中已有的材料库：llweek -C {sample_repo}" in err


def test_validate_on_a_new_empty_campaign_says_nothing_is_filled_in(tmp_path, capsys,
                                                                    monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = 吴晓辉\n\temail = jlqmx@126.com\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    assert llweek(capsys, "init", str(tmp_path / "new"), "--year", "2022")[0] == 0
    code, out, _ = llweek(capsys, "validate", "-C", str(tmp_path / "new"))
    assert code == 0
    assert "还没有任何材料：15 个报送单位都还没有填写" in out
    assert "全部材料符合通知要求" not in out


async def test_the_palette_opens_the_acting_persons_own_unit_after_looking_at_another(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "单位：吉林市")
        assert isinstance(app.screen, UnitOverviewScreen) and app.screen.unit_id == "jilin"
        await pilot.press("escape")
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        assert isinstance(app.screen, WorkPlanScreen)
        assert app.screen.unit_id == "changchun" and not app.screen.read_only
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("down", "enter")  # another unit's row on the dashboard, looked at
        await settle(pilot)
        assert isinstance(app.screen, UnitOverviewScreen) and app.screen.unit_id != "changchun"
        await via_palette(pilot, "工作方案")  # the unit the screen shows
        assert app.screen.unit_id not in ("changchun", None) and app.screen.read_only
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await via_palette(pilot, "工作方案")  # back on the dashboard: one's own again
        assert isinstance(app.screen, WorkPlanScreen)
        assert app.screen.unit_id == "changchun" and not app.screen.read_only
