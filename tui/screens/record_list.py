"""A unit's records of one kind (附表1 rows, 先进单位, 先进个人, 案例) as a list.

a adds (the form opens on its first field), enter opens, d deletes after asking, and
shift+↑/↓ move a record; 序号 / 推荐序号 stay 1, 2, 3 … without gaps, and the package and
the tables follow them.

A list of thousands of rows shows its first rows at once and adds the rest in batches, each
a separate step of the event loop, so ctrl+q and every other key are answered meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from datastore.autosave import new_record_drafts
from datastore.deadlines import days_text
from datastore.findings import Finding
from datastore.ids import new_id
from datastore.loader import StoredRecord
from datastore.models import DELIVERABLES, RecordKind
from datastore.save import delete_record
from tui.jobs import Job
from tui.ordering import move_subject, renumber
from tui.screens.editor import RecordEditor
from tui.screens.unit_screen import UnitScreen
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.findings import FindingsView
from tui.widgets.state import problems_text, state_text


def clip(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells, with … when cut."""
    if cell_len(text) <= width:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > width - 1:
            break
        out += char
    return out + "…"


def cell(value: Any, width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.month:02d}-{value.day:02d}"
    return clip(" ".join(str(value).split()), width)


#: rows added at once when a list opens (more than a tall terminal shows), then per step
FIRST_ROWS = 60
BATCH = 100
#: seconds between batches: room for the table to measure them and for keys
PAUSE = 0.005
#: how the reorder keys are shown in the footer: one entry for both
MOVE_GROUP = Binding.Group("调序", compact=True)


class RecordListScreen(UnitScreen):
    """The records of `KIND` for one unit; `EDITOR` opens one of them."""

    KIND: ClassVar[RecordKind]
    EDITOR: ClassVar[type[RecordEditor]]
    #: (field name, widest cell) of the columns after the number
    COLUMNS: ClassVar[tuple[tuple[str, int], ...]]
    #: what one record is called in messages (项 / 个)
    MEASURE: ClassVar[str] = "项"

    BINDINGS = [
        Binding("a", "add", "新增"),
        Binding("enter", "open", "打开"),
        Binding("d", "delete", "删除"),
        Binding("shift+up", "move(-1)", "上移", key_display="⇧↑", group=MOVE_GROUP),
        Binding("shift+down", "move(1)", "下移", key_display="⇧↓", group=MOVE_GROUP),
        Binding("h", "app.history", "历史"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, unit_id: str) -> None:
        super().__init__(unit_id)
        self.generation = 0  # each fill counts up; a batch of an older fill stops
        self.added: str | None = None  # a record being added: the cursor goes to it once saved

    def compose(self) -> ComposeResult:
        unit_name = self.app.workspace.unit_name(self.unit_id)
        yield TopBar(f"{unit_name} › {DELIVERABLES[self.KIND.deliverable]}")
        yield Static("", id="summary")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield FindingsView(id="row-findings")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        model = self.KIND.model
        number = model.label_of(self.KIND.order_field) if self.KIND.order_field else "序"
        table.add_column(number, key="number")
        for name, _ in self.COLUMNS:
            table.add_column(model.label_of(name), key=name)
        table.add_column("问题", key="problems")
        self.fill()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move" and not self.KIND.order_field:
            return False
        if action in ("add", "delete", "move"):  # not offered on a read-only unit
            return self.app.may_edit(self.unit_id)
        return True

    # ------------------------------------------------------------------ content

    @property
    def items(self) -> list[StoredRecord]:
        unit = self.app.workspace.unit(self.unit_id)
        return unit.items(self.KIND.key) if unit else []

    def fill(self, keep: str | None = None) -> None:
        """(Re)build the rows; the cursor stays on the record at path `keep` if given (a
        record just added: on it). The first BATCH rows are added now, the rest in later
        steps of the event loop."""
        table = self.query_one(DataTable)
        if self.added is not None and self.app.workspace.stored(self.added) is not None:
            keep, self.added = self.added, None
        current = keep or self.highlighted_path()
        self.generation += 1
        table.clear()
        by_path: dict[str, list[Finding]] = {}
        for finding in self.app.workspace.findings_of(self.unit_id):
            by_path.setdefault(finding.path, []).append(finding)
        items, widths = self.items, self.column_widths()
        self._add_rows(items, 0, FIRST_ROWS, current, by_path, widths)
        if len(items) > FIRST_ROWS:
            self._fill_rest(self.generation, items, current, by_path, widths)
        self.show_summary()
        self.show_findings()

    @work(group="fill", exclusive=True, exit_on_error=False, description="fill the list")
    async def _fill_rest(self, generation: int, items: list[StoredRecord], current: str | None,
                         by_path: dict[str, list[Finding]], widths: list[int]) -> None:
        """The rows after the first ones, BATCH at a time; between batches the event loop
        runs (the table measures the new rows, keys are answered, the screen is drawn)."""
        for start in range(FIRST_ROWS, len(items), BATCH):
            await asyncio.sleep(PAUSE)
            if generation != self.generation or not self.is_attached:
                return  # a newer fill took over, or the screen closed
            self._add_rows(items, start, start + BATCH, current, by_path, widths)

    def _add_rows(self, items: list[StoredRecord], start: int, stop: int, current: str | None,
                  by_path: dict[str, list[Finding]], widths: list[int]) -> None:
        """Add rows `start` … `stop` of `items` (Text cells: nothing to parse as markup)."""
        table = self.query_one(DataTable)
        for position in range(start, min(stop, len(items))):
            stored = items[position]
            record, found = stored.record, by_path.get(stored.path, [])
            errors = sum(f.is_error for f in found)
            if record is None:
                cells = [Text("（文件无法读取）", style="bold red")] + [""] * (len(self.COLUMNS) - 1)
                number: Any = position + 1
            else:
                cells = [Text(cell(getattr(record, name), width))
                         for (name, _), width in zip(self.COLUMNS, widths)]
                number = getattr(record, self.KIND.order_field) if self.KIND.order_field \
                    else position + 1
            table.add_row(Text(cell(number, 4)), *cells,
                          problems_text(errors, len(found) - errors), key=stored.path)
            if stored.path == current:
                table.move_cursor(row=position)

    @property
    def filling(self) -> bool:
        """Rows are still being added (a long list)."""
        return self.query_one(DataTable).row_count < len(self.items)

    def column_widths(self) -> list[int]:
        """COLUMNS' widths fit 80 columns; a wider terminal gives the room to the first one
        (the record's name) and the next widest, so text is not cut where there is space."""
        widths = [width for _, width in self.COLUMNS]
        spare = max(self.app.size.width - 80, 0)
        second = max(range(1, len(widths)), key=widths.__getitem__, default=0)
        widths[0] += spare if second == 0 else spare * 2 // 3
        if second:
            widths[second] += spare - spare * 2 // 3
        return widths

    def on_resize(self) -> None:
        if self.app.workspace is not None:
            self.fill()

    def show_summary(self) -> None:
        status = self.app.workspace.unit_status(self.unit_id, self.app.today)[self.KIND.deliverable]
        text = Text(f"共 {len(self.items)} {self.MEASURE}   状态 ")
        text.append_text(state_text(status.state))
        if status.due:
            text.append(f"   截止 {status.due}（{days_text(status.days_left)}）")
        if not self.items:
            text.append("\n还没有记录：按 a 新增。", style="bold")
        unsaved = new_record_drafts(self.app.root, f"units/{self.unit_id}/{self.KIND.folder}")
        if unsaved and self.app.may_edit(self.unit_id):
            text.append(f"\n有 {len(unsaved)} 条新增后没有保存的记录：按 a 可以恢复。", style="bold")
        self.query_one("#summary", Static).update(text)

    def highlighted_path(self) -> str | None:
        """The path of the record under the cursor, as the table shows it."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def history_target(self) -> tuple[str, str | None]:
        return self.unit_id, self.highlighted_path()

    def highlighted(self) -> StoredRecord | None:
        path = self.highlighted_path()
        return next((s for s in self.items if s.path == path), None)

    def show_findings(self) -> None:
        workspace = self.app.workspace
        stored = self.highlighted()
        found = workspace.findings_of(self.unit_id, path=stored.path) if stored else []
        folder = f"units/{self.unit_id}/{self.KIND.folder}"
        found += workspace.findings_of(self.unit_id, path=folder)
        self.query_one("#row-findings", FindingsView).show(found)

    # ------------------------------------------------------------------ actions

    def action_open(self) -> None:
        stored = self.highlighted()
        if stored is not None:
            self.app.push_screen(self.EDITOR(self.unit_id, stored=stored))

    def action_add(self) -> None:
        if not self.may_edit():
            return
        unsaved = new_record_drafts(self.app.root, f"units/{self.unit_id}/{self.KIND.folder}")
        # a record added before and never saved (the connection dropped): offered back first
        values: dict[str, Any] = {"id": Path(unsaved[0].path).stem if unsaved else new_id()}
        if self.KIND.order_field:
            values[self.KIND.order_field] = len(self.items) + 1
        self.added = self.KIND.path(self.unit_id, values["id"])
        self.app.push_screen(self.EDITOR(self.unit_id, record=self.KIND.model(**values)))

    def action_delete(self) -> None:
        stored = self.highlighted()
        if stored is None or not self.may_edit():
            return
        from tui.screens.dialogs import ConfirmDialog

        what = self.KIND.describe(stored.record)
        rest = [s for s in self.items if s.path != stored.path]
        app, kind, unit_id = self.app, self.KIND, self.unit_id

        def run() -> None:
            delete_record(app.root, kind, unit_id, stored.id, expected=stored.digest, actor=app.actor)
            if kind.order_field:
                renumber(app.root, kind, unit_id, rest, app.actor)

        def answer(yes: bool | None) -> None:
            if yes:
                app.submit(Job(run, lambda _: self.notify(f"已删除{what}。"), unit=unit_id))

        app.push_screen(ConfirmDialog(f"删除{what}？\n删除也会记入修改历史，需要时可以找回。",
                                      yes="删除", no="取消"), answer)

    def action_move(self, step: int) -> None:
        stored = self.highlighted()
        if stored is None or not self.KIND.order_field or not self.may_edit():
            return
        items = self.items
        index = items.index(stored)
        target = index + step
        if not 0 <= target < len(items):
            return
        items = items[:]
        items[index], items[target] = items[target], items[index]
        app, kind, unit_id = self.app, self.KIND, self.unit_id
        subject = move_subject(kind, stored, index + 1, target + 1)
        app.submit(Job(lambda: renumber(app.root, kind, unit_id, items, app.actor, subject),
                       lambda _: self.fill(keep=stored.path), unit=unit_id))
