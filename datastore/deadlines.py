"""Where each unit stands with each deliverable, as of a given day."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from datastore.findings import Finding, Severity
from datastore.loader import RepoData, UnitData
from datastore.models import DELIVERABLES, KINDS, Deadline, Mark, ReviewEntry


class State(StrEnum):
    MISSING = "missing"
    DRAFT = "draft"
    COMPLETE = "complete"
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    LATE = "late"
    OVERDUE = "overdue"
    ACCEPTED = "accepted"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        """Two characters, so the grid reads without colour and stays aligned."""
        return STATE_LABELS[self]

    @property
    def needs_work(self) -> bool:
        return self in (State.MISSING, State.DRAFT, State.OVERDUE, State.RETURNED)


STATE_LABELS = {
    State.MISSING: "未填",
    State.DRAFT: "草稿",
    State.COMPLETE: "待报",
    State.SUBMITTED: "已报",
    State.RESUBMITTED: "重报",
    State.LATE: "迟报",
    State.OVERDUE: "逾期",
    State.ACCEPTED: "通过",
    State.RETURNED: "退回",
}
STATE_MEANINGS = {
    State.MISSING: "尚未填写",
    State.DRAFT: "已填写但有错误",
    State.COMPLETE: "已完整，尚未报送",
    State.SUBMITTED: "已按时报送",
    State.RESUBMITTED: "已重报：退回后修改并重新报送（首次按时报送的，重报不算迟报）",
    State.LATE: "截止后才首次报送",
    State.OVERDUE: "已过截止日期仍未报送",
    State.ACCEPTED: "省里已审核通过",
    State.RETURNED: "省里已退回，需修改后重新报送",
}


def days_text(days: int) -> str:
    """`还剩 3 天`, `今天截止`, `已过 2 天`."""
    if days > 0:
        return f"还剩 {days} 天"
    return "今天截止" if days == 0 else f"已过 {-days} 天"


@dataclass(frozen=True)
class DeliverableStatus:
    unit: str
    deliverable: str
    state: State
    due: dt.date | None
    days_left: int | None
    present: bool
    errors: int
    warnings: int
    mark: Mark | None
    review: ReviewEntry | None

    @property
    def label(self) -> str:
        return DELIVERABLES[self.deliverable]


@dataclass
class DeadlineSummary:
    deadline: Deadline
    days_left: int
    units_total: int
    units_done: int  # every deliverable of this deadline submitted (or accepted)
    states: Counter = field(default_factory=Counter)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def is_present(unit: UnitData, deliverable: str) -> bool:
    if unit.present is not None:  # a stand-in from the load cache
        return deliverable in unit.present
    kind = KINDS[deliverable]
    return bool(unit.items(deliverable)) if kind.is_collection else unit.single(deliverable) is not None


def has_materials(unit: UnitData) -> bool:
    """Anything filled in beyond the unit's profile and marks."""
    return any(is_present(unit, key) for key in DELIVERABLES)


def mark_as_of(mark: Mark | None, today: dt.date) -> Mark | None:
    """The 报送 mark as it stood on `today`: a sending or posting dated later has not happened
    yet (a past day seen with --today), and a resubmission not yet is the first sending."""
    if mark is None or mark.first is None or mark.first > today:
        return None
    if mark.submitted is not None and mark.submitted > today:
        mark = Mark(submitted=mark.first, paper_sent=mark.paper_sent)
    if mark.paper_sent is not None and mark.paper_sent > today:
        mark = Mark(submitted=mark.submitted, first_submitted=mark.first_submitted)
    return mark


def deliverable_state(present: bool, errors: int, mark: Mark | None, review: ReviewEntry | None,
                      due: dt.date | None, today: dt.date) -> State:
    """One state per unit × deliverable; a review counts until the unit submits again.

    Lateness is judged by the first sending: something sent on time, returned and sent again
    after the deadline is 重报, not 迟报. Marks and reviews dated after `today` are ignored,
    so a past day is seen as it was.
    """
    mark = mark_as_of(mark, today)
    submitted = mark.submitted if mark else None
    if review is not None and review.at is not None and review.at > today:
        review = None
    if review is not None and review.state in ("accepted", "returned"):
        if submitted is None or review.at is None or submitted <= review.at:
            return State.ACCEPTED if review.state == "accepted" else State.RETURNED
    if mark is not None and submitted is not None:
        if due is not None and mark.first > due:
            return State.LATE
        return State.RESUBMITTED if mark.resubmitted else State.SUBMITTED
    if due is not None and today > due:
        return State.OVERDUE
    if not present:
        return State.MISSING
    return State.DRAFT if errors else State.COMPLETE


def unit_status(data: RepoData, unit: UnitData, findings: list[Finding],
                today: dt.date) -> dict[str, DeliverableStatus]:
    counts: Counter = Counter((f.deliverable, f.severity) for f in findings if f.unit == unit.id)
    reviews = data.reviews.get(unit.id)
    out = {}
    for key in DELIVERABLES:
        deadline = data.campaign.deadline_of(key)
        due = deadline.due if deadline else None
        mark = getattr(unit.submissions, key)
        review = getattr(reviews, key) if reviews else None
        present = is_present(unit, key)
        errors = counts[(key, Severity.ERROR)]
        state = deliverable_state(present, errors, mark, review, due, today)
        out[key] = DeliverableStatus(unit.id, key, state, due,
                                     (due - today).days if due else None, present, errors,
                                     counts[(key, Severity.WARNING)], mark, review)
    return out


def repo_status(data: RepoData, findings: list[Finding],
                today: dt.date) -> tuple[dict[str, dict[str, DeliverableStatus]], list[DeadlineSummary]]:
    """The dashboard: every unit × deliverable, and per deadline how many units are done."""
    grid = {unit_id: unit_status(data, unit, findings, today) for unit_id, unit in data.units.items()}
    done_states = {State.SUBMITTED, State.RESUBMITTED, State.LATE, State.ACCEPTED}
    summaries = []
    for deadline in data.campaign.deadlines:
        if deadline.due is None:
            continue
        states: Counter = Counter()
        done = 0
        for row in grid.values():
            cells = [row[k] for k in deadline.deliverables if k in row]
            states.update(c.state for c in cells)
            done += bool(cells) and all(c.state in done_states for c in cells)
        summaries.append(DeadlineSummary(deadline, (deadline.due - today).days, len(grid), done, states))
    return grid, summaries
