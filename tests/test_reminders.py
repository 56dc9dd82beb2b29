"""催报: who still owes what, with the unit's contact person and phone, as text to paste —
from `llweek status --remind`, the dashboard's n, and as a sheet from the export screen."""

from __future__ import annotations

import datetime as dt
import json

from app_harness import notices, screen_text, settle
from openpyxl import load_workbook
from textual.widgets import TextArea

from datastore.access import Actor
from tests.gitscenarios import llweek
from tui.app import LlweekApp
from tui.screens.dialogs import TextDialog

DEMO_DAY = dt.date(2021, 12, 8)  # the sample's own "today", two days before the last deadline


def demo_app(repo, unit: str | None = None) -> LlweekApp:
    actor = Actor("tester", "测试员", "unit" if unit else "province", unit)
    return LlweekApp(repo, today=DEMO_DAY, actor=actor, picker_start=repo)


def test_remind_lists_each_unit_with_contact_and_items_on_the_demo_day(sample_repo, capsys):
    code, out, _ = llweek(capsys, "status", "-C", str(sample_repo), "--today", "2021-12-08",
                          "--remind")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2021年吉林省暨长春市全民终身学习活动周 材料催报（截至 2021-12-08）"
    siping = lines.index("四平市（填表联系人 赵阳 0434-3261587）：")
    assert lines[siping + 1:siping + 6] == [
        "  （1）展板素材：已过截止日期，尚未报送（10月15日截止，已过 54 天）",
        "  （2）先进单位（附表2、3）：已过截止日期，尚未报送（10月15日截止，已过 54 天）",
        "  （3）先进个人（附表4、5）：已过截止日期，尚未报送（10月15日截止，已过 54 天）",
        "  （4）年度工作总结：尚未填写（12月10日截止，还剩 2 天）",
        "  （5）典型活动案例：尚未填写（12月10日截止，还剩 2 天）",
    ]
    assert ("  （1）工作方案：已被退回，请修改后重新报送（9月28日截止，已过 71 天）；"
            "退回意见：工作方案缺少活动安排时间表和各县市分工，请补充后重新报送。") in lines
    assert not any(line.startswith("长春市") for line in lines)  # everything sent
    assert lines[-1].startswith("共 14 个单位有材料待报。")


def test_remind_as_json_gives_the_same_units_and_contacts(sample_repo, capsys):
    code, out, _ = llweek(capsys, "status", "-C", str(sample_repo), "--today", "2021-12-08",
                          "--remind", "--json")
    assert code == 0
    units = json.loads(out)["units"]
    assert len(units) == 14
    jilin = next(u for u in units if u["id"] == "jilin")
    assert (jilin["contact_name"], jilin["contact_phone"]) == ("刘红", "0432-62027316")
    assert [i["deliverable"] for i in jilin["items"]] == ["summary", "cases"]
    assert {i["state"] for i in jilin["items"]} == {"complete"}


async def test_the_office_gets_the_remind_text_on_the_dashboard(sample_repo, capsys):
    _, printed, _ = llweek(capsys, "status", "-C", str(sample_repo), "--today", "2021-12-08",
                           "--remind")
    app = demo_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert isinstance(app.screen, TextDialog)
        assert "催报：14 个单位有材料待报" in screen_text(app)
        text = app.screen.query_one("#text", TextArea).text
        assert text == printed  # the same words as llweek status --remind
        await pilot.click("#copy")
        assert "已复制到剪贴板" in screen_text(app)
        assert app.clipboard == text
        await pilot.press("escape")
        assert not isinstance(app.screen, TextDialog)


async def test_unit_staff_have_no_remind_key(sample_repo):
    app = demo_app(sample_repo, "changchun")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "催报" not in screen_text(app)
        await pilot.press("n")
        assert not isinstance(app.screen, TextDialog)


async def test_the_export_screen_writes_the_remind_sheet(sample_repo, tmp_path):
    app = demo_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        for number in range(1, 6):
            app.screen.query_one(f"#annex-{number}").value = False
        app.screen.query_one("#reminders").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已导出 1 项" in notices(app)
    written = tmp_path / "exports" / "2021-催报名单-2021-12-08.xlsx"
    assert list((tmp_path / "exports").iterdir()) == [written]
    sheet = load_workbook(written)["催报名单"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert rows[0][0] == "2021年吉林省暨长春市全民终身学习活动周 材料催报名单（截至 2021-12-08）"
    assert rows[1] == ("单位", "填表联系人", "联系电话", "材料", "情况")
    assert ("四平市", "赵阳", "0434-3261587", "展板素材",
            "已过截止日期，尚未报送（10月15日截止，已过 54 天）") in rows
    assert sum(1 for row in rows[2:] if row[0] == "长白山管委会") == 7
    assert sheet.print_title_rows == "$2:$2"  # the header on every printed page
