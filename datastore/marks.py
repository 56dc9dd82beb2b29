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
    """`报送 附表1 示范活动（2021-10-14）` / `重新报送 …` / `撤销报送 …` / `寄出纸质材料 …`."""
    label = DELIVERABLES[deliverable]
    if mark is None or mark.submitted is None:
        return f"撤销报送 {label}"
    if mark.paper_sent:
        return f"报送 {label}（{mark.submitted}，纸质材料 {mark.paper_sent} 寄出）"
    if mark.resubmitted:
        return f"重新报送 {label}（{mark.submitted}，首次报送 {mark.first_submitted}）"
    return f"报送 {label}（{mark.submitted}）"


def mark_message(campaign: Campaign, unit: str, deliverable: str, mark: Mark | None,
                 what: str | None = None) -> str:
    """The commit message of a 报送 mark: `长春市: 报送 附表1 示范活动（2021-10-14）` + trailers;
    `what` replaces describe_mark's words (重新报送)."""
    rel = SUBMISSIONS.path(unit)
    subject = f"{unit_name(campaign, unit)}: {what or describe_mark(deliverable, mark)}"
    return trailers(subject, unit, [rel])


def set_mark(root: Path, unit: str, deliverable: str, *, submitted: dt.date | None,
             paper_sent: dt.date | None = None, first_submitted: dt.date | None = None,
             actor: Actor | None = None, author: Identity | None = None,
             when: dt.datetime | None = None, what: str | None = None) -> SaveResult:
    """Mark (or with `submitted=None` unmark) one deliverable as 报送, as one commit.

    `first_submitted` is the day of the first sending of something sent again; `what` the
    commit subject's words when describe_mark's are not the right ones."""
    if deliverable not in DELIVERABLES:
        raise LlweekError(f"未知的材料「{deliverable}」")
    if paper_sent and not submitted:
        raise LlweekError("请先标记报送，再登记纸质材料寄出日期")
    rel = SUBMISSIONS.path(unit)
    current, expected = open_for_update(root, rel, Submissions, unit, SUBMISSIONS)
    first = first_submitted if submitted and first_submitted and first_submitted < submitted \
        else None
    mark = Mark(submitted=submitted, first_submitted=first, paper_sent=paper_sent) \
        if submitted else None
    updated = with_changes(current, {deliverable: mark})  # type: ignore[arg-type]
    message = mark_message(load_campaign(root), unit, deliverable, mark, what)
    return save_file(root, rel, updated, message, expected=expected, actor=actor, author=author,
                     when=when)


def resubmit(root: Path, unit: str, deliverable: str, day: dt.date, *,
             actor: Actor | None = None, author: Identity | None = None,
             when: dt.datetime | None = None) -> SaveResult:
    """重新报送 a returned deliverable on `day`: the first sending's day is kept (it is the one
    that counts against the deadline), and so is a registered paper posting."""
    rel = SUBMISSIONS.path(unit)
    current, _ = open_for_update(root, rel, Submissions, unit, SUBMISSIONS)
    mark: Mark | None = getattr(current, deliverable, None)
    if mark is None or mark.first is None:
        raise LlweekError(f"「{DELIVERABLES[deliverable]}」还没有报送过：请直接标记报送")
    what = f"重新报送 {DELIVERABLES[deliverable]}（{day}，首次报送 {mark.first}）"
    return set_mark(root, unit, deliverable, submitted=day, first_submitted=mark.first,
                    paper_sent=mark.paper_sent, actor=actor, author=author, when=when, what=what)
