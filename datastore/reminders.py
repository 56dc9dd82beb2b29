"""催报: who still owes what, with the contact person to call, as text ready to paste.

The office chases a unit for every deliverable that was returned, is overdue, or is not yet
sent while its deadline is near (or past). The contact is the unit's own 填表联系人 and
联系电话 from its 单位信息, so the message reaches the person who fills the forms in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datastore.deadlines import DeliverableStatus, State, days_text
from datastore.loader import RepoData
from datastore.models import DELIVERABLES

#: not yet sent is chased from this many days before its deadline
REMIND_WITHIN_DAYS = 14
#: what each chased state asks the unit for
_ASKS = {
    State.MISSING: "尚未填写",
    State.DRAFT: "已开始填写，还有错误未改正，尚未报送",
    State.COMPLETE: "已填好，尚未标记报送",
    State.OVERDUE: "已过截止日期，尚未报送",
    State.RETURNED: "已被退回，请修改后重新报送",
}


@dataclass(frozen=True)
class ReminderItem:
    """One deliverable a unit is asked for."""

    deliverable: str
    state: State
    due: dt.date | None
    days_left: int | None
    comment: str | None = None  # the province's words when it was returned

    @property
    def label(self) -> str:
        return DELIVERABLES[self.deliverable]

    @property
    def ask(self) -> str:
        """`已过截止日期，尚未报送（10月15日截止，已过 54 天）`."""
        text = _ASKS[self.state]
        if self.due is not None and self.days_left is not None:
            text += f"（{self.due.month}月{self.due.day}日截止，{days_text(self.days_left)}）"
        if self.comment:
            text += f"；退回意见：{' '.join(self.comment.split())}"
        return text


@dataclass(frozen=True)
class Reminder:
    """A unit to chase: whom to call and for what."""

    unit: str
    name: str
    contact_name: str | None
    contact_phone: str | None
    items: tuple[ReminderItem, ...]

    @property
    def contact(self) -> str:
        """`填表联系人 张丽 0431-88912371`, or what is missing from the 单位信息."""
        if not self.contact_name and not self.contact_phone:
            return "单位信息中未填写填表联系人和电话"
        return f"填表联系人 {self.contact_name or '（未填写）'} {self.contact_phone or '（电话未填写）'}"


def is_chased(status: DeliverableStatus) -> bool:
    """Returned, overdue, or not yet sent with its deadline at most REMIND_WITHIN_DAYS away."""
    if status.state in (State.RETURNED, State.OVERDUE):
        return True
    if status.state not in (State.MISSING, State.DRAFT, State.COMPLETE):
        return False
    return status.days_left is not None and status.days_left <= REMIND_WITHIN_DAYS


def reminders(data: RepoData, grid: dict[str, dict[str, DeliverableStatus]]) -> list[Reminder]:
    """Every unit with something to chase, in the campaign's order of units."""
    found = []
    for unit_id, row in grid.items():
        items = tuple(ReminderItem(key, status.state, status.due, status.days_left,
                                   status.review.comment if status.state is State.RETURNED
                                   and status.review else None)
                      for key, status in row.items() if is_chased(status))
        if not items:
            continue
        unit = data.units[unit_id]
        profile = unit.profile
        found.append(Reminder(unit_id, unit.name, profile.contact_name if profile else None,
                              profile.contact_phone if profile else None, items))
    return found


def reminder_text(data: RepoData, chased: list[Reminder], today: dt.date) -> str:
    """The whole message: a heading, each unit with its contact and items, a closing line."""
    title = data.campaign.title or "活动周"
    lines = [f"{title} 材料催报（截至 {today}）", ""]
    if not chased:
        lines.append("各单位的材料都已按时报送，没有需要催报的单位。")
        return "\n".join(lines) + "\n"
    for reminder in chased:
        lines.append(f"{reminder.name}（{reminder.contact}）：")
        lines += [f"  （{number}）{item.label}：{item.ask}"
                  for number, item in enumerate(reminder.items, start=1)]
        lines.append("")
    contact = data.campaign.contact
    phones = "、".join(contact.phones)
    lines.append(f"共 {len(chased)} 个单位有材料待报。请尽快在材料库中补齐并报送"
                 + (f"；如有问题请联系省活动周领导小组办公室 {contact.name or ''} {phones}".rstrip()
                    if contact.name or phones else "") + "。")
    return "\n".join(lines) + "\n"
