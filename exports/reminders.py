"""催报名单 as a workbook: one row per unit and item still owed, with the person to call.

The same list as `llweek status --remind` (datastore.reminders), printable on A4 landscape
with the house styles, for the office's files or to send on.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from datastore.deadlines import repo_status
from datastore.loader import RepoData
from datastore.printfit import LANDSCAPE
from datastore.reminders import reminders
from datastore.rules import validate_repo
from exports.files import safe_name, write_new
from exports.sheet import Look, Put, Sheet, Styles, new_workbook

#: (heading, share of the page's width)
COLUMNS = (("单位", 14), ("填表联系人", 10), ("联系电话", 16), ("材料", 18), ("情况", 40))
SHEET = "催报名单"


def reminders_file(year: object, today: dt.date) -> str:
    """`2021-催报名单-2021-12-08.xlsx`."""
    return f"{year}-催报名单-{safe_name(today.isoformat())}.xlsx"


def reminders_workbook(data: RepoData, today: dt.date, look: Look | None = None) -> bytes:
    """The workbook's bytes: a title, a header repeated on every page, a row per item owed."""
    grid, _ = repo_status(data, validate_repo(data), today)
    chased = reminders(data, grid)
    out = io.BytesIO()
    book = new_workbook(out)
    whole = sum(share for _, share in COLUMNS)
    widths = [(LANDSCAPE.width - 2) * share / whole for _, share in COLUMNS]
    sheet = Sheet(book, Styles(book, look or Look()), SHEET, widths, LANDSCAPE, hidden_key=False)
    title = f"{data.campaign.title or '活动周'} 材料催报名单（截至 {today}）"
    sheet.add_row([Put(0, title, "title", span=len(COLUMNS))])
    sheet.add_row([Put(col, heading, "header") for col, (heading, _) in enumerate(COLUMNS)])
    for reminder in chased:
        for item in reminder.items:
            values = (reminder.name, reminder.contact_name or "（未填写）",
                      reminder.contact_phone or "（未填写）", item.label, item.ask)
            sheet.add_row([Put(col, value) for col, value in enumerate(values)])
    if not chased:
        sheet.add_row([Put(0, "各单位的材料都已按时报送，没有需要催报的单位。", span=len(COLUMNS))])
    sheet.finish(repeat=1)
    book.close()
    return out.getvalue()


def write_reminders(data: RepoData, today: dt.date, out_dir: Path) -> Path:
    """Write the workbook into `out_dir` (never over an earlier one); returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_new(out_dir, reminders_file(data.campaign.year or "", today),
                     reminders_workbook(data, today))
