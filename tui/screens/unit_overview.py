"""单位概况: each deliverable of one unit with its state, findings, 报送 mark and review.

Here a unit marks a deliverable 报送 (s) and, for the nomination forms, 纸质材料已寄出 (p); the
province marks it 已收到 / 已通过 / 已退回 with a comment (r), which the unit sees here after syncing.
On a returned deliverable s is 重新报送: the day of the first sending is kept, and both show.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from datastore.deadlines import DeliverableStatus, State, days_text, mark_as_of
from datastore.loader import StoredRecord
from datastore.marks import resubmit, set_mark
from datastore.models import DELIVERABLES, REVIEW_STATES, Mark, ReviewEntry, UnitProfile
from datastore.reviews import describe_review, set_review
from tui.jobs import Job
from tui.screens.unit_screen import UnitScreen
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.findings import FindingsView
from tui.widgets.state import problems_text, state_text

#: the deliverables whose paper copies are posted too (纸质评选材料一式两份)
PAPER = ("advanced_units", "advanced_people")


def short_date(day: dt.date | None) -> str:
    return f"{day.month:02d}-{day.day:02d}" if day else ""


def sent_dates(mark: Mark | None) -> str:
    """`10-12`, or for something sent again `09-20→10-21` (first, then latest)."""
    if mark is None or mark.submitted is None:
        return "—"
    if mark.resubmitted:
        return f"{short_date(mark.first_submitted)}→{short_date(mark.submitted)}"
    return short_date(mark.submitted)


class UnitOverviewScreen(UnitScreen):
    BINDINGS = [
        Binding("enter", "open", "打开"),
        Binding("s", "submit", "报送"),
        Binding("p", "paper", "纸质"),  # short words: the province's footer holds r 审核 too
        Binding("i", "profile", "信息"),
        Binding("r", "review", "审核"),
        Binding("t", "import_table", "导入表格"),
        Binding("h", "app.history", "历史"),
        Binding("escape", "back", "返回"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":  # the province's key only
            return self.app.actor is not None and self.app.actor.is_province
        if action in ("submit", "paper", "import_table"):  # not offered on a read-only unit
            return self.app.may_edit(self.unit_id)
        return True

    def compose(self) -> ComposeResult:
        yield TopBar(f"{self.app.workspace.unit_name(self.unit_id)} › 单位概况")
        yield Static("", id="profile")
        yield DataTable(id="deliverables", cursor_type="row")
        yield FindingsView(id="deliverable-findings")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (("label", "材料"), ("due", "截止"), ("state", "状态"),
                           ("problems", "问题"), ("submitted", "报送"), ("paper", "纸质"),
                           ("review", "审核")):
            table.add_column(label, key=key)
        self.fill()
        table.focus()

    def statuses(self) -> dict[str, DeliverableStatus]:
        return self.app.workspace.unit_status(self.unit_id, self.app.today)

    def mark(self, status: DeliverableStatus) -> Mark | None:
        """The 报送 mark as of today: one dated later (seen with --today) does not count yet."""
        return mark_as_of(status.mark, self.app.today)

    def review(self, status: DeliverableStatus) -> ReviewEntry | None:
        """The province's review as of today (a later one, seen with --today, not yet)."""
        review = status.review
        if review is None or (review.at is not None and review.at > self.app.today):
            return None
        return review

    def fill(self) -> None:
        workspace = self.app.workspace
        unit = workspace.unit(self.unit_id)
        profile: UnitProfile | None = unit.profile if unit else None
        line = Text(profile.name if profile and profile.name else workspace.unit_name(self.unit_id),
                    style="bold")
        if unit and unit.kind:
            line.append(f"（{unit.kind}）")
        if profile and profile.contact_name:
            line.append(f"  {UnitProfile.label_of('contact_name')} {profile.contact_name} "
                        f"{profile.contact_phone or ''}")
        if not self.app.may_edit(self.unit_id):
            line.append("  只读", style="bold yellow")
        self.query_one("#profile", Static).update(line)
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for key, status in self.statuses().items():
            mark, review = self.mark(status), self.review(status)
            paper = short_date(mark.paper_sent) if mark and mark.paper_sent else (
                "未寄" if key in PAPER else "")
            table.add_row(DELIVERABLES[key], short_date(status.due), state_text(status.state),
                          problems_text(status.errors, status.warnings),
                          sent_dates(mark),
                          paper, REVIEW_STATES.get(review.state, "") if review else "", key=key)
        table.move_cursor(row=row)
        self.show_findings()

    def highlighted_key(self) -> str:
        table = self.query_one(DataTable)
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def show_findings(self) -> None:
        key = self.highlighted_key()
        status = self.statuses()[key]
        extra = []
        if status.due is not None:
            extra.append(Text(f"截止 {status.due}（{days_text(status.days_left)}）", style="dim"))
        mark = self.mark(status)
        if mark is not None and mark.resubmitted:
            extra.append(Text(f"已重报：首次报送 {mark.first_submitted}，退回后 {mark.submitted} "
                              "重新报送", style="bold"))
        review = self.review(status)
        if review is not None and review.comment:
            extra.append(Text(f"审核意见（{review.by or ''} {review.at or ''}）：{review.comment}",
                              style="bold"))
        found = self.app.workspace.findings_of(self.unit_id, key)
        self.query_one(FindingsView).show(found, extra)

    # ------------------------------------------------------------------ actions

    def action_open(self) -> None:
        self.app.open_deliverable(self.highlighted_key(), self.unit_id)

    def action_profile(self) -> None:
        self.app.open_profile(self.unit_id)

    def action_import_table(self) -> None:
        """A filled 附表 read back into this unit's records, previewed first."""
        from tui.screens.import_table import ImportScreen

        if self.may_edit("导入本单位的表格"):
            self.app.push_screen(ImportScreen(self.unit_id))

    def action_submit(self) -> None:
        """Mark the highlighted deliverable 报送 today, or take the mark back."""
        if not self.may_edit("为本单位标记报送"):
            return
        key = self.highlighted_key()
        status = self.statuses()[key]
        mark, today, label = self.mark(status), self.app.today, DELIVERABLES[key]
        if mark and mark.submitted and status.state is State.RETURNED:
            self._ask_resubmit(key, mark, status)
            return
        if mark and mark.submitted:
            question = f"撤销「{label}」的报送标记（{mark.submitted}）？"
            self._ask(question, key, submitted=None, paper_sent=None, yes="撤销报送")
            return
        question = f"标记「{label}」已于 {today} 报送？"
        if status.errors:
            question += f"\n注意：还有 {status.errors} 个错误未改正，报送后省里会看到。"
        self._ask(question, key, submitted=today, paper_sent=None, yes="标记报送",
                  safe=bool(status.errors))

    def action_paper(self) -> None:
        """Record that the paper copies of a nomination form were posted today (or undo)."""
        if not self.may_edit("为本单位标记报送"):
            return
        key = self.highlighted_key()
        label = DELIVERABLES[key]
        if key not in PAPER:
            self.notify(f"「{label}」不需要寄纸质材料。")
            return
        mark = self.mark(self.statuses()[key])
        if not mark or not mark.submitted:
            self.notify(f"请先把「{label}」标记为已报送（按 s），再登记纸质材料寄出。", severity="warning")
            return
        if mark.paper_sent:
            self._ask(f"撤销「{label}」纸质材料寄出（{mark.paper_sent}）的登记？", key,
                      submitted=mark.submitted, paper_sent=None, yes="撤销",
                      first=mark.first_submitted)
            return
        self._ask(f"登记「{label}」纸质材料一式两份已于 {self.app.today} 寄出？", key,
                  submitted=mark.submitted, paper_sent=self.app.today, yes="登记寄出", safe=False,
                  first=mark.first_submitted)

    def _ask_resubmit(self, key: str, mark: Mark, status: DeliverableStatus) -> None:
        """Returned by the province: 重新报送 today (focused), keeping the first day."""
        from tui.screens.dialogs import ConfirmDialog

        app, unit_id, today, label = self.app, self.unit_id, self.app.today, DELIVERABLES[key]
        question = (f"「{label}」已被退回。改好后重新报送（{today}）？\n"
                    f"首次报送日期 {mark.first} 保留" + (
                        "，按时报送的不算迟报。" if status.due and mark.first and mark.first <= status.due
                        else "。"))
        if status.errors:
            question += f"\n注意：还有 {status.errors} 个错误未改正。"

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                app.submit(Job(lambda: resubmit(app.root, unit_id, key, today, actor=app.actor),
                               lambda _: self.notify(f"已重新报送「{label}」。"), unit=unit_id))

        app.push_screen(ConfirmDialog(question, yes="重新报送", no="取消", safe_default=False),
                        answer)

    def _ask(self, question: str, key: str, *, submitted: dt.date | None,
             paper_sent: dt.date | None, yes: str, safe: bool = True,
             first: dt.date | None = None) -> None:
        from tui.screens.dialogs import ConfirmDialog

        app, unit_id = self.app, self.unit_id

        def answer(confirmed: bool | None) -> None:
            if confirmed:
                app.submit(Job(lambda: set_mark(app.root, unit_id, key, submitted=submitted,
                                                paper_sent=paper_sent, first_submitted=first,
                                                actor=app.actor),
                               lambda _: self.notify("已记录。"), unit=unit_id))

        app.push_screen(ConfirmDialog(question, yes=yes, no="取消", safe_default=safe), answer)

    def action_review(self) -> None:
        """The province marks the highlighted deliverable received, accepted or returned."""
        from tui.screens.dialogs import ReviewDialog

        app, unit_id = self.app, self.unit_id
        if app.actor is None or not app.actor.is_province:
            self.notify("只有省级人员可以审核。", severity="warning")
            return
        key = self.highlighted_key()
        current = self.statuses()[key].review
        what = f"{app.workspace.unit_name(unit_id)} {DELIVERABLES[key]}"
        when = dt.datetime.combine(app.today, dt.datetime.now().time())

        def answer(decision: tuple[str, str | None] | None) -> None:
            if decision is None:
                return
            state, comment = decision

            def run() -> StoredRecord:
                set_review(app.root, unit_id, key, state, comment, actor=app.actor, when=when)
                return app.workspace.read_reviews(unit_id)

            def done(stored: StoredRecord) -> None:
                app.workspace.install_reviews(stored)
                app.refresh_views(unit_id)
                self.notify(f"已记录：{describe_review(key, state)}。同步后单位就能看到。", title="已审核")

            app.submit(Job(run, done))

        app.push_screen(ReviewDialog(what, current), answer)
