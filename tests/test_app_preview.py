"""The dashboard from the load cache while the whole repository is read: the same states as
after reading, drawn before any record is parsed, and nothing opens until the records are in."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from pathlib import Path

import pytest
from app_harness import TODAY, make_app, screen_text, settle
from textual.widgets import DataTable

from tui.screens.dashboard import DashboardScreen
from tui.workspace import Workspace

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"


def states(workspace: Workspace, today: dt.date) -> dict:
    grid, summaries = workspace.status(today)
    return {"grid": {unit: {key: (cell.state, cell.present, cell.errors, cell.warnings)
                            for key, cell in row.items()} for unit, row in grid.items()},
            "names": {unit: workspace.unit_name(unit) for unit in grid},
            "done": [(s.deadline.title, s.units_done) for s in summaries]}


def test_the_cache_picture_shows_what_reading_everything_shows(sample_repo: Path):
    loaded = Workspace.load(sample_repo)
    preview = Workspace.preview(sample_repo)
    assert preview is not None
    for today in (TODAY, dt.date(2021, 12, 31)):
        assert states(preview, today) == states(loaded, today)
    assert not any(unit.collections for unit in preview.data.units.values())  # no record read


def test_no_cache_picture_once_a_file_changed(sample_repo: Path):
    Workspace.load(sample_repo)
    path = sample_repo / ACTIVITY
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert Workspace.preview(sample_repo) is None
    Workspace.load(sample_repo)
    assert Workspace.preview(sample_repo) is not None


def test_no_cache_picture_from_a_corrupt_cache(sample_repo: Path):
    Workspace.load(sample_repo)
    from datastore.loadcache import cache_path

    cache_path(sample_repo).write_text('{"format": 3, "units": {"changchun": {"key": 1}}}')
    assert Workspace.preview(sample_repo) is None


@pytest.fixture
def held_load(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Reading the whole repository waits until the test lets it go (the cache's picture
    does not)."""
    release = threading.Event()
    real = Workspace.load.__func__

    def load(cls, root):  # noqa: ANN001, ANN202
        release.wait(30)
        return real(cls, root)

    monkeypatch.setattr(Workspace, "load", classmethod(load))
    return release


async def test_while_reading_the_dashboard_shows_the_cache_and_opens_nothing(sample_repo, held_load):
    held_load.set()
    Workspace.load(sample_repo)  # an earlier run of the app filled the cache
    held_load.clear()
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(300):
            if app.preview is not None:
                break
            await asyncio.sleep(0.01)
        assert app.preview is not None and app.workspace is None
        await pilot.pause()
        grid = app.screen.query_one("#grid", DataTable)
        assert grid.row_count == 15 and str(grid.get_row_at(0)[0]) == "长春市"
        assert "正在读取全部材料" in screen_text(app)
        await pilot.press("enter")
        assert isinstance(app.screen, DashboardScreen)
        assert any("还在读取中" in n.message for n in app._notifications)
        held_load.set()
        await settle(pilot)
        assert app.workspace is not None and app.preview is None
        assert "正在读取全部材料" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, DashboardScreen)
