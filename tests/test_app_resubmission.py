"""重新报送: a returned deliverable is marked again in one key; the first sending's day is kept,
the state reads 重报 with both days, and sending again after the deadline is not 迟报."""

from __future__ import annotations

import datetime as dt
import tomllib

from app_harness import commit_count, last_commit, make_app, screen_text, settle, worktree_changes

from datastore.deadlines import State, deliverable_state
from datastore.models import Mark, ReviewEntry
from tui.screens.dialogs import ConfirmDialog
from tui.screens.unit_overview import UnitOverviewScreen

DUE = dt.date(2021, 10, 15)
RETURNED = ReviewEntry(state="returned", at=dt.date(2021, 10, 20), by="wuxiaohui", comment="改")


def state(mark: Mark, today: dt.date = dt.date(2021, 10, 25)) -> State:
    return deliverable_state(True, 0, mark, RETURNED, DUE, today)


def test_sent_on_time_returned_and_sent_again_late_is_resubmitted_not_late():
    again = Mark(submitted=dt.date(2021, 10, 21), first_submitted=dt.date(2021, 9, 20))
    assert state(again) is State.RESUBMITTED
    assert State.RESUBMITTED.label == "重报"


def test_a_first_sending_after_the_deadline_stays_late_when_sent_again():
    again = Mark(submitted=dt.date(2021, 10, 21), first_submitted=dt.date(2021, 10, 16))
    assert state(again) is State.LATE


def test_a_past_day_sees_the_return_before_the_sending_again():
    again = Mark(submitted=dt.date(2021, 10, 21), first_submitted=dt.date(2021, 9, 20))
    assert state(again, today=dt.date(2021, 10, 20)) is State.RETURNED
    assert state(again, today=dt.date(2021, 9, 25)) is State.SUBMITTED


async def test_resubmitting_a_returned_work_plan_keeps_the_first_day(sample_repo):
    app = make_app(sample_repo, "yanbian")
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#grid").get_row("yanbian")[1]) == "退回"
        await pilot.press("enter")
        assert isinstance(app.screen, UnitOverviewScreen)
        await pilot.press("s")  # on 工作方案, the first row
        assert isinstance(app.screen, ConfirmDialog)
        assert "重新报送" in screen_text(app) and "首次报送日期 2021-09-27 保留" in screen_text(app)
        await pilot.press("enter")  # 重新报送 has the focus
        await settle(pilot)
        row = app.screen.query_one("#deliverables").get_row("work_plan")
        assert str(row[2]) == "重报" and row[4] == "09-27→10-20"
        assert "已重报：首次报送 2021-09-27，退回后 2021-10-20 重新报送" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert str(app.screen.query_one("#grid").get_row("yanbian")[1]) == "重报"
    assert commit_count(sample_repo) == before + 1
    _, subject, paths = last_commit(sample_repo)
    assert subject == "延边朝鲜族自治州: 重新报送 工作方案（2021-10-20，首次报送 2021-09-27）"
    assert paths == ["units/yanbian/submissions.toml"]
    mark = tomllib.loads((sample_repo / paths[0]).read_text(encoding="utf-8"))["work_plan"]
    assert mark == {"submitted": dt.date(2021, 10, 20), "first_submitted": dt.date(2021, 9, 27)}
    assert worktree_changes(sample_repo) == ""
