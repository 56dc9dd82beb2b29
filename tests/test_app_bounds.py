"""Bounds and messages: one-line fields hold at most their limit, shown by a counter; commit
subjects and dialogs stay readable whatever a name holds; one message per problem;
placeholders that are valid examples; the province's opinion fields read-only for units."""

from __future__ import annotations

import datetime as dt

from app_harness import last_commit, make_app, notices, screen_text, settle, type_text, via_palette
from textual import events
from textual.widgets import Input, TextArea

from datastore.models import NAME_LIMIT, Activity
from tests.builders import write_record
from tui.screens.advanced_people import AdvancedPersonEditor
from tui.screens.advanced_units import AdvancedUnitEditor
from tui.screens.dialogs import ConfirmDialog

PASTED = "社区教育" * 750  # 3,000 characters
DAY = dt.date(2021, 10, 12)


async def test_a_long_paste_into_a_name_is_cut_to_its_limit_and_the_subject_stays_short(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("a")
        await settle(pilot)
        name = app.screen.query_one("#field-name", Input)
        name.post_message(events.Paste(PASTED))
        await pilot.pause()
        assert name.value == PASTED[:NAME_LIMIT]
        assert f"{NAME_LIMIT}/{NAME_LIMIT}" in screen_text(app)
        assert f"只保留了前 {NAME_LIMIT} 个" in notices(app)
        await type_text(pilot, "多")  # full: one more key changes nothing
        assert name.value == PASTED[:NAME_LIMIT]
        await pilot.press("ctrl+s")
        await settle(pilot)
    subject = last_commit(sample_repo)[1]
    assert subject == f"长春市: 新增 附表1「{PASTED[:23]}…」"


async def test_a_name_too_long_in_the_file_is_a_finding_and_the_delete_dialog_keeps_its_buttons(
        sample_repo):
    write_record(sample_repo, "units/changchun/activities/toolongname.toml", Activity(
        id="toolongname", seq=13, name=PASTED, start=DAY, end=DAY, venue="社区学校",
        organizer="长春市教育局", participants=40, signup_phone="0431-82857798", content="讲座"))
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        app.screen.query_one("#records").move_cursor(row=12)
        await pilot.pause()
        assert "「活动名称」3000 个字符，超过 50 个的上限" in screen_text(app)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert "删除" in text and "取消" in text  # both buttons on screen at 80×24
        assert PASTED[:30] not in text
        await pilot.press("escape")


async def test_letters_in_participants_give_one_message_not_two(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#field-participants", Input).focus()
        await type_text(pilot, "八十人")
        await pilot.pause()
        text = screen_text(app)
        assert "「人数」只能填整数" in text
        assert "未填写「人数」" not in text


async def test_date_placeholders_are_valid_examples_from_the_campaign(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        opening = app.screen.query_one("#field-opening_date", Input)
        assert opening.placeholder == "年-月-日，如 2021-11-16"  # the province's own opening
        opening.focus()
        opening.value = ""
        await type_text(pilot, "2021-11-16")  # typed as the placeholder says
        await pilot.pause()
        assert "不在全省总开幕式" not in screen_text(app)
        await pilot.press("escape")  # the sample's own date: nothing changed
        await settle(pilot)

        await via_palette(pilot, "附表1")
        await pilot.press("a")
        await settle(pilot)
        start = app.screen.query_one("#field-start", Input)
        end = app.screen.query_one("#field-end", Input)
        assert start.placeholder == "年-月-日，如 2021-10-11"  # inside 10-01 … 11-30
        assert end.placeholder == "年-月-日，如 2021-10-13"
        start.focus()
        await type_text(pilot, "2021-10-11")
        end.focus()
        await type_text(pilot, "2021-10-13")
        await pilot.pause()
        assert "不在示范活动集中展示期" not in screen_text(app)
        await type_text(pilot, "x")
        await pilot.pause()
        assert "「结束日期」应写作 年-月-日，如 2021-10-13" in screen_text(app)


async def test_a_unit_cannot_type_the_provinces_opinion(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "先进单位")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AdvancedUnitEditor)
        assert app.screen.query_one("#field-province_opinion", TextArea).read_only
        assert not app.screen.query_one("#field-city_opinion", TextArea).read_only  # 长春 is a 市州
        app.screen.query_one("#field-province_opinion", TextArea).focus()
        await type_text(pilot, "同意")
        await pilot.pause()
        assert "由省教育厅填写" in screen_text(app)
        assert not app.screen.dirty


async def test_a_university_cannot_type_the_city_opinion_either(sample_repo):
    app = make_app(sample_repo, "jlu")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "先进个人")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AdvancedPersonEditor)
        for name in ("city_opinion", "province_opinion"):
            assert app.screen.query_one(f"#field-{name}", TextArea).read_only
        assert not app.screen.query_one("#field-unit_opinion", TextArea).read_only


async def test_the_province_fills_in_its_opinion(sample_repo):
    app = make_app(sample_repo, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "先进单位")
        await pilot.press("enter")
        await settle(pilot)
        assert not app.screen.query_one("#field-province_opinion", TextArea).read_only
