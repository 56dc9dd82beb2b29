"""How the main screens look at 80×24 (over SSH) and 120×40, on the sample data as of 2021-10-20."""

from __future__ import annotations

import pytest
from app_harness import conflicted, make_app, settle, via_palette

SIZES = [(80, 24), (120, 40)]


def steps(*names: str):
    """What to do after loading: open each palette entry in turn, or press a key."""

    async def run(pilot) -> None:
        await settle(pilot)
        for name in names:
            if name.startswith("key:"):
                await pilot.press(name[4:])
                await settle(pilot)
            else:
                await via_palette(pilot, name)
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard_snapshot(snap_compare, sample_repo, size):
    assert snap_compare(make_app(sample_repo), terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_activities_list_snapshot(snap_compare, sample_repo, size):
    assert snap_compare(make_app(sample_repo), terminal_size=size, run_before=steps("附表1"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exhibition_snapshot(snap_compare, sample_repo, size):
    assert snap_compare(make_app(sample_repo), terminal_size=size, run_before=steps("展板素材"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_activity_form_snapshot(snap_compare, sample_repo, size):
    assert snap_compare(make_app(sample_repo), terminal_size=size,
                        run_before=steps("附表1", "key:down", "key:enter"))


def test_conflict_fields_snapshot(snap_compare, tmp_path, sample_master):
    """The conflict the sync stopped on, field by field, one field chosen."""
    app = make_app(conflicted(tmp_path, sample_master))
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=steps("key:ctrl+r", "key:enter", "key:t"))


def test_export_snapshot(snap_compare, sample_repo):
    async def run(pilot) -> None:
        await steps("导出")(pilot)
        pilot.app.screen.query_one("#out").value = "/srv/llweek/exports"  # not the test's folder
        await pilot.pause()

    assert snap_compare(make_app(sample_repo), terminal_size=(80, 24), run_before=run)
