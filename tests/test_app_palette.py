"""The command palette reaches every screen by its Chinese name; help and contact are one key away."""

from __future__ import annotations

import pytest
from app_harness import make_app, screen_text, settle, via_palette

from tui.screens.activities import ActivitiesScreen
from tui.screens.advanced_people import AdvancedPeopleScreen
from tui.screens.advanced_units import AdvancedUnitsScreen
from tui.screens.cases import CasesScreen
from tui.screens.contact import ContactScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.exhibition import ExhibitionScreen
from tui.screens.help import HelpScreen
from tui.screens.profile import ProfileScreen
from tui.screens.summary import SummaryScreen
from tui.screens.unit_overview import UnitOverviewScreen
from tui.screens.work_plan import WorkPlanScreen

SCREENS = [
    ("工作方案", WorkPlanScreen),
    ("附表1 示范活动", ActivitiesScreen),
    ("展板素材", ExhibitionScreen),
    ("先进单位", AdvancedUnitsScreen),
    ("先进个人", AdvancedPeopleScreen),
    ("年度总结", SummaryScreen),
    ("典型案例", CasesScreen),
    ("单位概况", UnitOverviewScreen),
    ("单位信息", ProfileScreen),
    ("联系方式", ContactScreen),
    ("帮助", HelpScreen),
]


@pytest.mark.parametrize(("name", "screen"), SCREENS, ids=[name for name, _ in SCREENS])
async def test_palette_opens_every_screen_by_its_chinese_name(sample_repo, name, screen):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, name)
        assert isinstance(app.screen, screen)
        if hasattr(app.screen, "unit_id"):
            assert app.screen.unit_id == "changchun"


async def test_province_works_on_the_unit_highlighted_on_the_dashboard(sample_repo):
    app = make_app(sample_repo, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        assert isinstance(app.screen, ActivitiesScreen) and app.screen.unit_id == "changchun"
        await pilot.press("escape", "down", "down")
        await via_palette(pilot, "附表1")
        assert isinstance(app.screen, ActivitiesScreen) and app.screen.unit_id == "siping"


async def test_help_explains_keys_roles_and_states(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "ctrl+s" in text and "保存" in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_palette_goes_home_unless_an_editor_holds_unsaved_changes(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.press("end", "x")
        await via_palette(pilot, "截止日期看板")
        assert isinstance(app.screen, WorkPlanScreen)
        assert any("未保存的修改" in n.message for n in app._notifications)
        await pilot.press("backspace")
        await via_palette(pilot, "截止日期看板")
        assert isinstance(app.screen, DashboardScreen)


async def test_reading_again_shows_changes_made_outside_the_app(sample_repo):
    app = make_app(sample_repo, "jilin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#grid").get_row("jilin")[6]) == "待报"
        (sample_repo / "units/jilin/summary.toml").unlink()
        await via_palette(pilot, "重新读取")
        assert str(app.screen.query_one("#grid").get_row("jilin")[6]) == "未填"


async def test_quitting_with_unsaved_changes_asks_first(sample_repo):
    from tui.screens.dialogs import ConfirmDialog

    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.press("end", "x", "ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # 取消 has the focus
        assert isinstance(app.screen, WorkPlanScreen) and app.is_running


def test_unknown_unit_is_refused_before_the_app_opens(sample_repo, capsys):
    from tui.cli import main

    assert main(["-C", str(sample_repo), "--unit", "nosuch"]) == 2
    assert "没有编号为「nosuch」的单位" in capsys.readouterr().err
