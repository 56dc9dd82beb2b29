"""Long lists stay responsive: a list shows its first rows at once and adds the rest in
batches, each a step of the event loop, while ctrl+q (a priority binding) always answers.

Shown by structure, not by timing: what one fill adds before it returns, the worker that
adds the rest, and the binding. `benchmarks/long_list.py` measures the 0.5 s on 5,012 rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from app_harness import settle

from benchmarks.synthetic import build
from datastore.access import Actor
from tui.app import LlweekApp
from tui.screens.activities import ActivitiesScreen
from tui.screens.record_list import BATCH, FIRST_ROWS

ROWS = FIRST_ROWS + 3 * BATCH + 7  # several batches, the last one short


@pytest.fixture(scope="module")
def long_repo(tmp_path_factory):
    return build(tmp_path_factory.mktemp("long") / "repo", units=1, activities=ROWS, git=False)


def long_app(repo) -> LlweekApp:
    return LlweekApp(repo, today=dt.date(2021, 10, 20),
                     actor=Actor("tester", "测试员", "unit", "unit-000"))


async def filled(pilot, screen) -> None:
    """Until the list holds every row (the screen's own state; bounded)."""
    for _ in range(10 * ROWS):
        if not screen.filling:
            return
        await pilot.pause()
    raise AssertionError("the list never finished filling")


def numbers(screen) -> list[int]:
    table = screen.query_one("#records")
    return [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]


async def test_a_long_list_shows_its_first_rows_then_fills_in_batches(long_repo):
    app = long_app(long_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = ActivitiesScreen("unit-000")
        await app.push_screen(screen)
        screen.fill()  # what opening, a save or a sync does
        assert screen.query_one("#records").row_count == FIRST_ROWS  # on screen at once
        assert screen.filling
        assert [w for w in app.workers if w.group == "fill" and not w.is_finished]
        await filled(pilot, screen)
        assert numbers(screen) == list(range(1, ROWS + 1))  # every row once, in 序号 order
        assert f"共 {ROWS} 项" in str(screen.query_one("#summary").render())


async def test_ctrl_q_answers_while_a_long_list_is_filling(long_repo):
    quit_binding = next(b for b in LlweekApp.BINDINGS if b.key == "ctrl+q")
    assert quit_binding.priority  # answered whatever widget has the focus
    app = long_app(long_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = ActivitiesScreen("unit-000")
        await app.push_screen(screen)
        screen.fill()
        assert screen.filling
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_cursor_stays_on_its_record_when_a_long_list_fills_again(long_repo):
    app = long_app(long_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = ActivitiesScreen("unit-000")
        await app.push_screen(screen)
        await filled(pilot, screen)
        far = screen.items[ROWS - 3].path  # in the last batch
        screen.fill(keep=far)
        screen.fill(keep=far)  # a second fill while the first one runs takes over
        await filled(pilot, screen)
        assert screen.highlighted_path() == far
        assert numbers(screen) == list(range(1, ROWS + 1))
