"""`llweek status`: the deadline dashboard as text (readable at 80 columns) or JSON."""

from __future__ import annotations

import argparse
import datetime as dt

from datastore.deadlines import STATE_MEANINGS, DeadlineSummary, DeliverableStatus, days_text, \
    repo_status
from datastore.loader import RepoData
from datastore.models import DELIVERABLES
from datastore.reminders import Reminder, reminder_text, reminders
from datastore.validation import validate_path
from tui.cli import EXIT_OK
from tui.commands.common import pad, print_json, repo_root, today

#: column headers at 80 columns; staff know 附表2 / 附表4 as the nomination forms
SHORT = {"work_plan": "方案", "activities": "附表1", "exhibition": "展板",
         "advanced_units": "附表2", "advanced_people": "附表4", "summary": "总结",
         "cases": "案例"}


def run(args: argparse.Namespace) -> int:
    data, findings, _ = validate_path(repo_root(args))  # only changed units are read
    day = today(args)
    grid, summaries = repo_status(data, findings, day)
    if args.remind:
        chased = reminders(data, grid)
        if args.json:
            print_json(reminders_json(chased, day))
        else:
            print(reminder_text(data, chased, day), end="")
        return EXIT_OK
    if args.json:
        print_json(to_json(data, grid, summaries, day))
    else:
        print_text(data, grid, summaries, day)
    return EXIT_OK


def print_text(data: RepoData, grid: dict[str, dict[str, DeliverableStatus]],
               summaries: list[DeadlineSummary], day: dt.date) -> None:
    print(f"{data.campaign.title or '活动周'}　截至 {day}")
    print("截止日期：")
    for summary in summaries:
        deadline = summary.deadline
        print(f"  {deadline.due}  {deadline.title}")
        print(f"              {days_text(summary.days_left)}，"
              f"已报齐 {summary.units_done}/{summary.units_total} 个单位")
    print()
    header = pad("单位", 18) + "".join(pad(SHORT[k], 7) for k in DELIVERABLES)
    print(header.rstrip())
    for unit_id, row in grid.items():
        name = data.units[unit_id].name
        print((pad(name, 18) + "".join(pad(row[k].state.label, 7) for k in DELIVERABLES)).rstrip())
    print("\n图例：" + "；".join(f"{s.label} {m}" for s, m in STATE_MEANINGS.items()))


def to_json(data: RepoData, grid: dict[str, dict[str, DeliverableStatus]],
            summaries: list[DeadlineSummary], day: dt.date) -> dict:
    return {
        "today": day.isoformat(),
        "campaign": {"year": data.campaign.year, "title": data.campaign.title},
        "deadlines": [{
            "key": s.deadline.key, "title": s.deadline.title, "due": s.deadline.due.isoformat(),
            "days_left": s.days_left, "overdue": s.overdue,
            "deliverables": s.deadline.deliverables, "units_done": s.units_done,
            "units_total": s.units_total,
        } for s in summaries],
        "units": [{
            "id": unit_id, "name": data.units[unit_id].name, "kind": data.units[unit_id].kind,
            "deliverables": {key: _cell(cell) for key, cell in row.items()},
        } for unit_id, row in grid.items()],
    }


def reminders_json(chased: list[Reminder], day: dt.date) -> dict:
    return {"today": day.isoformat(), "units": [{
        "id": r.unit, "name": r.name, "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
        "items": [{"deliverable": i.deliverable, "label": i.label, "state": str(i.state),
                   "due": i.due.isoformat() if i.due else None, "days_left": i.days_left,
                   "comment": i.comment, "text": i.ask} for i in r.items],
    } for r in chased]}


def _cell(cell: DeliverableStatus) -> dict:
    mark, review = cell.mark, cell.review
    return {
        "state": str(cell.state), "label": cell.state.label,
        "due": cell.due.isoformat() if cell.due else None, "days_left": cell.days_left,
        "errors": cell.errors, "warnings": cell.warnings,
        "submitted": mark.submitted.isoformat() if mark and mark.submitted else None,
        "first_submitted": mark.first_submitted.isoformat()
        if mark and mark.first_submitted else None,
        "paper_sent": mark.paper_sent.isoformat() if mark and mark.paper_sent else None,
        "review": None if review is None else {
            "state": review.state, "at": review.at.isoformat() if review.at else None,
            "by": review.by, "comment": review.comment},
    }
