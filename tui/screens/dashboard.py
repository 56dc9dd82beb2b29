"""截止日期看板 (home): the deadlines with days left, and every unit × deliverable state.

Enter on a unit's name opens its overview; enter on a state opens that deliverable. A unit's
staff see their own unit on the first row. The province gets the 催报 text with n: who still
owes what, with each unit's contact person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from datastore.deadlines import STATE_LABELS, DeadlineSummary, State, days_text
from datastore.models import DELIVERABLES
from datastore.reminders import reminder_text, reminders
from tui.commands.status import SHORT
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.state import state_text

SPINNER_AFTER = 0.8  # seconds

if TYPE_CHECKING:
    from tui.app import LlweekApp


def deadlines_table(summaries: list[DeadlineSummary]) -> Table:
    """One line per deadline: date, what is due, days left (overdue marked), units done."""
    table = Table(box=None, padding=(0, 1), expand=True, header_style="bold")
    table.add_column("截止日期", no_wrap=True)
    table.add_column("报送内容", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("剩余", no_wrap=True)
    table.add_column("已报齐", no_wrap=True, justify="right")
    table.add_column("逾期", no_wrap=True, justify="right")
    for summary in summaries:
        deadline = summary.deadline
        days = Text(days_text(summary.days_left))
        if summary.overdue:
            days.stylize("bold red" if summary.units_done < summary.units_total else "dim")
        elif summary.days_left <= 7:
            days.stylize("bold yellow")
        overdue = summary.states[State.OVERDUE]
        table.add_row(str(deadline.due), deadline.title or "", days,
                      f"{summary.units_done}/{summary.units_total}",
                      Text(f"{overdue} 项", style="bold red") if overdue else Text("—", style="dim"))
    return table


def legend() -> Text:
    text = Text("图例 ")
    for state in STATE_LABELS:
        text.append_text(state_text(state))
        text.append(" ")
    return text.append("  Enter 打开  c 联系方式", style="dim")


class DashboardScreen(Screen):
    BINDINGS = [
        # priority: the grid's own (hidden) enter would otherwise hide 打开 from the footer
        Binding("enter", "open", "打开", priority=True),
        Binding("c", "app.contact", "联系方式"),
        Binding("h", "app.history", "历史"),
        Binding("e", "app.export", "导出"),
        Binding("n", "remind", "催报"),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remind":  # the office chases the units
            return self.app.actor is None or self.app.actor.is_province
        return True

    app: LlweekApp

    def compose(self) -> ComposeResult:
        yield TopBar("截止日期看板")
        yield Static("正在读取材料库……", id="deadlines")
        yield DataTable(id="grid", cursor_type="cell")
        yield Static(legend(), id="legend")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("单位", key="unit")
        for key in DELIVERABLES:
            table.add_column(SHORT[key], key=key)
        if self.app.workspace is None:
            # the spinner only if reading takes a while: drawn from the start, it would slow
            # down the reading it is waiting for
            self.set_timer(SPINNER_AFTER, self._spin_while_loading)
        else:
            self.data_changed(None)

    def _spin_while_loading(self) -> None:
        if self.app.workspace is None and self._loading():
            self.query_one(DataTable).loading = True

    def _loading(self) -> bool:
        return any(w.name == "load" and w.is_running for w in self.app.workers)

    def ordered_units(self) -> list[str]:
        workspace, actor = self.app.workspace, self.app.actor
        units = list(workspace.data.units) if workspace else []
        own = actor.unit if actor else None
        return ([own] if own in units else []) + [u for u in units if u != own]

    def data_changed(self, unit_id: str | None) -> None:
        """Redraw from the workspace (after loading, or after any save)."""
        if not self.is_mounted:
            return
        workspace, actor = self.app.workspace, self.app.actor
        if workspace is None:
            if not self._loading():
                self.query_one(DataTable).loading = False
                self.query_one("#deadlines", Static).update(
                    Text("材料库没有读取成功（原因见右下角的提示）。请改正后重新打开，按 ctrl+q 退出。",
                         style="bold red"))
            return
        grid, summaries = workspace.status(self.app.today)
        title = workspace.campaign.title or "活动周"
        header = Text(title, style="bold")
        self.query_one("#deadlines", Static).update(_stack(header, deadlines_table(summaries)))
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        table.loading = False
        table.clear()
        own = actor.unit if actor else None
        for unit in self.ordered_units():
            name = Text(workspace.unit_name(unit), style="bold" if unit == own else "")
            table.add_row(name, *(state_text(grid[unit][key].state) for key in DELIVERABLES),
                          key=unit)
        table.cursor_coordinate = cursor
        self.query_one(TopBar).refresh_who()
        if unit_id is None:
            table.focus()

    def _cell_at_cursor(self) -> tuple[str | None, str | None]:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None, None
        key = table.coordinate_to_cell_key(table.cursor_coordinate)
        return key.row_key.value, key.column_key.value

    def unit_under_cursor(self) -> str | None:
        """The unit of the highlighted row (what the palette and the export work on)."""
        return self._cell_at_cursor()[0] if self.is_mounted else None

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open()

    def action_remind(self) -> None:
        """催报: the text to send to every unit that still owes something."""
        from tui.screens.dialogs import TextDialog

        app = self.app
        if app.workspace is None:
            app.notify("材料库还在读取中，请稍候。")
            return
        grid, _ = app.workspace.status(app.today)
        chased = reminders(app.workspace.data, grid)
        text = reminder_text(app.workspace.data, chased, app.today)
        app.push_screen(TextDialog(f"催报：{len(chased)} 个单位有材料待报（可复制后粘贴到消息里发送）",
                                   text))

    def action_open(self) -> None:
        unit, column = self._cell_at_cursor()
        if unit is None:
            return
        if column == "unit":
            self.app.open_unit(unit)
        else:
            self.app.open_deliverable(column, unit)


def _stack(*parts: object) -> Table:
    """Renderables one above the other in one Static."""
    grid = Table.grid(expand=True)
    grid.add_column()
    for part in parts:
        grid.add_row(part)
    return grid
