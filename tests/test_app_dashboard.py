"""The dashboard: deadlines, the unit × deliverable grid, and where enter leads."""

from __future__ import annotations

import pytest
from app_harness import make_app, screen_text, settle
from textual.widgets import DataTable

from tui.screens.activities import ActivitiesScreen
from tui.screens.contact import ContactScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.unit_overview import UnitOverviewScreen


async def test_dashboard_shows_own_unit_first_and_every_unit(sample_repo):
    app = make_app(sample_repo, "jilin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        grid = app.screen.query_one("#grid", DataTable)
        assert grid.row_count == 15
        first = grid.get_row_at(0)
        assert str(first[0]) == "吉林市"
        assert [str(cell) for cell in first[1:]] == ["通过", "通过", "通过", "已报", "已报", "待报", "待报"]


async def test_dashboard_counts_days_left_and_marks_overdue(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "已过 22 天" in text and "还剩 51 天" in text
        assert "11/15" in text


async def test_enter_on_unit_opens_overview_and_on_state_opens_deliverable(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, UnitOverviewScreen)
        assert app.screen.unit_id == "changchun"
        await pilot.press("escape", "right", "right", "enter")
        assert isinstance(app.screen, ActivitiesScreen)


async def test_contact_key_shows_office_phone_and_postal_address(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, ContactScreen)
        shown = screen_text(app)
        assert "北京大街62号406室" in shown and "0431-82857798" in shown and "130051" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.parametrize("column", range(1, 8))
async def test_every_deliverable_is_two_keys_from_the_dashboard(sample_repo, column):
    from datastore.models import DELIVERABLES
    from tui.screens import deliverable_screen

    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*["right"] * column, "enter")
        await settle(pilot)
        key = list(DELIVERABLES)[column - 1]
        assert type(app.screen) is type(deliverable_screen(key, "changchun"))
        assert app.screen.unit_id == "changchun"
