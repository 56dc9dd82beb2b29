"""The province's review in the app: marked on the unit overview in one clone, seen by the unit
in another after both sync through a real central repository."""

from __future__ import annotations

import tomllib

from app_harness import clones, last_commit, make_app, notices, screen_text, settle, type_text, \
    via_palette

from tests.conftest import git
from tui.screens.dialogs import ReviewDialog
from tui.screens.unit_overview import UnitOverviewScreen

COMMENT = "开幕式日期与全省不一致 请修改后重新报送"


async def highlight(pilot, app, key: str) -> None:
    table = app.screen.query_one("#deliverables")
    table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(key))
    await pilot.pause()


async def test_a_returned_deliverable_reaches_the_unit_with_its_comment(tmp_path, sample_master):
    province_clone, unit_clone = clones(tmp_path, sample_master)

    province = make_app(province_clone, None)
    async with province.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "单位：长春市")
        await highlight(pilot, province, "work_plan")
        await pilot.press("r")
        assert isinstance(province.screen, ReviewDialog)
        await pilot.click("#state-returned")
        await pilot.click("#ok")
        assert "退回时请写明意见" in screen_text(province)  # a return needs a comment
        province.screen.query_one("#review-comment").focus()
        await type_text(pilot, COMMENT)
        await pilot.click("#ok")
        await settle(pilot)
        row = province.screen.query_one("#deliverables").get_row("work_plan")
        assert row[6] == "已退回"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "推送 1 个提交" in notices(province)
    _, subject, paths = last_commit(province_clone)
    assert subject == "吉林省: 审核 长春市 工作方案：已退回"
    assert paths == ["reviews/changchun.toml"]
    entry = tomllib.loads((province_clone / "reviews/changchun.toml").read_text("utf-8"))["work_plan"]
    assert (entry["state"], entry["comment"], entry["by"]) == ("returned", COMMENT, "tester")

    unit = make_app(unit_clone)
    async with unit.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = unit.screen.query_one("#grid")
        assert str(grid.get_row("changchun")[1]) == "通过"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "拉取 1 个提交" in notices(unit)
        assert str(grid.get_row("changchun")[1]) == "退回"
        await via_palette(pilot, "单位概况")
        await highlight(pilot, unit, "work_plan")
        text = screen_text(unit)
        assert "退回" in text and "已退回" in text
        assert f"审核意见（tester 2021-10-20）：{COMMENT}" in text
        await pilot.press("r")  # a unit cannot review
        assert isinstance(unit.screen, UnitOverviewScreen)
    assert git(unit_clone, "status", "--porcelain") == ""
