"""The unit's explicit "报送" marks (submissions.toml), separate from completeness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from datastore.access import Actor
from datastore.errors import LlweekError
from datastore.gitrepo import Identity
from datastore.models import DELIVERABLES, SUBMISSIONS, Campaign, Mark, Submissions
from datastore.records import with_changes
from datastore.save import SaveResult, load_campaign, open_for_update, save_file, trailers, unit_name


def describe_mark(deliverable: str, mark: Mark | None) -> str:
    """`报送 附表1 示范活动（2021-10-14）` / `撤销报送 …` / `寄出纸质材料 …`."""
    label = DELIVERABLES[deliverable]
    if mark is None or mark.submitted is None:
        return f"撤销报送 {label}"
    if mark.paper_sent:
        return f"报送 {label}（{mark.submitted}，纸质材料 {mark.paper_sent} 寄出）"
    return f"报送 {label}（{mark.submitted}）"


def mark_message(campaign: Campaign, unit: str, deliverable: str, mark: Mark | None) -> str:
    """The commit message of a 报送 mark: `长春市: 报送 附表1 示范活动（2021-10-14）` + trailers."""
    rel = SUBMISSIONS.path(unit)
    return trailers(f"{unit_name(campaign, unit)}: {describe_mark(deliverable, mark)}", unit, [rel])


def set_mark(root: Path, unit: str, deliverable: str, *, submitted: dt.date | None,
             paper_sent: dt.date | None = None, actor: Actor | None = None,
             author: Identity | None = None, when: dt.datetime | None = None) -> SaveResult:
    """Mark (or with `submitted=None` unmark) one deliverable as 报送, as one commit."""
    if deliverable not in DELIVERABLES:
        raise LlweekError(f"未知的材料「{deliverable}」")
    if paper_sent and not submitted:
        raise LlweekError("请先标记报送，再登记纸质材料寄出日期")
    rel = SUBMISSIONS.path(unit)
    current, expected = open_for_update(root, rel, Submissions, unit, SUBMISSIONS)
    mark = Mark(submitted=submitted, paper_sent=paper_sent) if submitted else None
    updated = with_changes(current, {deliverable: mark})  # type: ignore[arg-type]
    message = mark_message(load_campaign(root), unit, deliverable, mark)
    return save_file(root, rel, updated, message, expected=expected, actor=actor, author=author,
                     when=when)
