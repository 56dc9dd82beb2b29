"""催报名单 as a workbook: one row per unit and item still owed, with the person to call.

The same list as `llweek status --remind` (datastore.reminders), printable on A4 landscape
with the house styles, for the office's files or to send on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from datastore.deadlines import repo_status
from datastore.loader import RepoData
from datastore.reminders import reminders
from datastore.rules import validate_repo
from exports.files import safe_name, write_new
from exports.sheet import FormSheet, Look
from exports.workbooks import workbook_bytes

COLUMNS = (("单位", 14), ("填表联系人", 10), ("联系电话", 16), ("材料", 18), ("情况", 40))


def reminders_file(year: object, today: dt.date) -> str:
    """`2021-催报名单-2021-12-08.xlsx`."""
    return f"{year}-催报名单-{safe_name(today.isoformat())}.xlsx"


def reminders_workbook(data: RepoData, today: dt.date, look: Look | None = None) -> Workbook:
    look = look or Look()
    grid, _ = repo_status(data, validate_repo(data), today)
    chased = reminders(data, grid)
    book = Workbook()
    ws = book.active
    ws.title = "催报名单"
    sheet = FormSheet(ws, [width for _, width in COLUMNS], look, landscape=True)
    title = f"{data.campaign.title or '活动周'} 材料催报名单（截至 {today}）"
    sheet.put(1, 1, title, look.title, span=len(COLUMNS))
    for col, (heading, _) in enumerate(COLUMNS, start=1):
        sheet.put(2, col, heading, look.header)
    row = 3
    for reminder in chased:
        for item in reminder.items:
            values = (reminder.name, reminder.contact_name or "（未填写）",
                      reminder.contact_phone or "（未填写）", item.label, item.ask)
            for col, value in enumerate(values, start=1):
                sheet.put(row, col, value, look.cell)
            row += 1
    if not chased:
        sheet.put(row, 1, "各单位的材料都已按时报送，没有需要催报的单位。", look.cell, span=len(COLUMNS))
    sheet.finish(repeat_rows=(2, 2))
    return book


def write_reminders(data: RepoData, today: dt.date, out_dir: Path) -> Path:
    """Write the workbook into `out_dir` (never over an earlier one); returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    book = reminders_workbook(data, today)
    return write_new(out_dir, reminders_file(data.campaign.year or "", today), workbook_bytes(book))
