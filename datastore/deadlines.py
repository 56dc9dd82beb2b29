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
    State.LATE: "截止后报送",
    State.OVERDUE: "已过截止日期仍未报送",
    State.ACCEPTED: "省里已审核通过",
    State.RETURNED: "省里已退回，需修改后重新报送",
}


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
    kind = KINDS[deliverable]
    return bool(unit.items(deliverable)) if kind.is_collection else unit.single(deliverable) is not None


def deliverable_state(present: bool, errors: int, mark: Mark | None, review: ReviewEntry | None,
                      due: dt.date | None, today: dt.date) -> State:
    """One state per unit × deliverable; a review counts until the unit submits again.

    Marks and reviews dated after `today` are ignored, so a past day is seen as it was.
    """
    submitted = mark.submitted if mark else None
    if submitted is not None and submitted > today:
        submitted = None
    if review is not None and review.at is not None and review.at > today:
        review = None
    if review is not None and review.state in ("accepted", "returned"):
        if submitted is None or review.at is None or submitted <= review.at:
            return State.ACCEPTED if review.state == "accepted" else State.RETURNED
    if submitted is not None:
        return State.LATE if due is not None and submitted > due else State.SUBMITTED
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
    done_states = {State.SUBMITTED, State.LATE, State.ACCEPTED}
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
