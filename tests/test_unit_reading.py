"""Loading reads only what changed since the load cache was written: the dashboard is drawn
from each unchanged unit's cached facts and findings, and a unit's records are read when one
of its screens opens, so a large repository opens quickly and stays small in memory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app_harness import TODAY, make_app, screen_text, settle
from gitscenarios import llweek

from datastore.loadcache import cache_path
from tui.screens.dashboard import DashboardScreen
from tui.screens.unit_overview import UnitOverviewScreen
from tui.workspace import Workspace

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"


def states(workspace: Workspace, today: dt.date) -> dict:
    grid, summaries = workspace.status(today)
    return {"grid": {unit: {key: (cell.state, cell.present, cell.errors, cell.warnings)
                            for key, cell in row.items()} for unit, row in grid.items()},
            "names": {unit: workspace.unit_name(unit) for unit in grid},
            "findings": sorted(map(repr, workspace.findings)),
            "done": [(s.deadline.title, s.units_done) for s in summaries]}


def everything(root: Path) -> Workspace:
    """The workspace with every unit read in full."""
    units = list(Workspace.load(root).data.units)
    return Workspace.load(root, read=units)


def test_the_dashboard_from_the_cache_equals_reading_everything(sample_repo: Path):
    first = Workspace.load(sample_repo)  # no cache yet: every unit read and checked
    cached = Workspace.load(sample_repo)
    full = everything(sample_repo)
    assert cached.read_units() == [] and first.read_units() == []
    assert len(full.read_units()) == 15
    for today in (TODAY, dt.date(2021, 12, 31)):
        assert states(cached, today) == states(full, today) == states(first, today)


def test_a_unit_is_read_when_asked_for_and_has_its_records(sample_repo: Path):
    Workspace.load(sample_repo)
    workspace = Workspace.load(sample_repo)
    assert not workspace.is_read("changchun")
    assert workspace.stored(ACTIVITY) is None  # nothing of it in memory yet
    unit = workspace.unit("changchun")
    assert workspace.is_read("changchun") and unit is not None
    assert len(unit.items("activities")) == len(everything(sample_repo).unit("changchun")
                                                .items("activities")) > 0
    assert workspace.stored(ACTIVITY) is not None


def test_a_changed_file_is_seen_by_the_next_load(sample_repo: Path):
    Workspace.load(sample_repo)
    path = sample_repo / ACTIVITY
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\nbroken = [\n", 1),
                    encoding="utf-8")
    workspace = Workspace.load(sample_repo)
    assert any(f.path == ACTIVITY and f.code.startswith("toml") for f in workspace.findings)
    assert states(workspace, TODAY) == states(everything(sample_repo), TODAY)


def test_a_corrupt_cache_means_reading_everything_again(sample_repo: Path):
    Workspace.load(sample_repo)
    cache_path(sample_repo).write_text('{"format": 3, "units": {"changchun": {"key": 1}}}')
    assert states(Workspace.load(sample_repo), TODAY) == states(everything(sample_repo), TODAY)


def test_units_open_on_screen_are_read_by_a_fresh_load(sample_repo: Path):
    Workspace.load(sample_repo)
    assert Workspace.load(sample_repo, read=["changchun"]).read_units() == ["changchun"]


async def test_opening_a_unit_from_the_dashboard_shows_its_records(sample_repo: Path):
    Workspace.load(sample_repo)  # an earlier run of the app filled the cache
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.workspace is not None and not app.workspace.is_read("changchun")
        assert str(app.screen.query_one("#grid").get_row_at(0)[0]) == "长春市"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnitOverviewScreen)
        assert app.workspace.is_read("changchun")
        assert "长春市" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("right", "enter")  # the 工作方案 cell: straight to that form
        await settle(pilot)
        assert "工作方案" in screen_text(app)


async def test_a_reload_keeps_the_open_unit_read(sample_repo: Path):
    Workspace.load(sample_repo)
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.go_home()
        app.reload()
        await settle(pilot)
        assert app.workspace.read_units() == ["changchun"]


def test_status_from_the_cache_says_what_a_first_reading_says(sample_repo: Path, capsys):
    first = llweek(capsys, "status", "--json", "-C", str(sample_repo), "--today", "2021-10-20")
    again = llweek(capsys, "status", "--json", "-C", str(sample_repo), "--today", "2021-10-20")
    reminded = [llweek(capsys, "status", "--remind", "-C", str(sample_repo), "--today",
                       "2021-10-20") for _ in range(2)]
    assert first[0] == 0 and first == again
    assert "长春市" in first[1] and '"state": "accepted"' in first[1]
    assert reminded[0] == reminded[1] and reminded[0][1].strip()
    cache_path(sample_repo).unlink()  # the cache's picture of 报送 marks is the files' own
    assert llweek(capsys, "status", "--remind", "-C", str(sample_repo), "--today",
                  "2021-10-20") == reminded[0]
