"""合并冲突: the records a sync could not merge alone, until the merge is finished.

The repository stays mid-merge while this list has entries, whatever the user does: leaving
the app loses nothing, and the next start opens this list again. Enter opens a record (field
by field, or a whole-file choice for a deletion or a photo); f makes the merge commit once
every record is settled, then offers to push.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Label, Static, TextArea

from datastore.conflicts import MINE, THEIRS, ConflictedRecord, ConflictKind, finish_merge, \
    is_merging, list_conflicts, resolve_whole
from datastore.loader import kind_of_path
from datastore.tomlio import TomlSyntaxError, parse
from tui.jobs import Job
from tui.screens.dialogs import Dialog
from tui.screens.record_list import clip
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.record_text import record_text
from tui.workspace import Workspace

INTRO = ("同步时，您和别人改了同一份材料的同一项，需要决定保留哪一份：选中文件按Enter逐项选择，"
         "全部解决后按f完成合并。中途退出不会丢失任何内容，下次打开会回到这里。")

if TYPE_CHECKING:
    from tui.app import LlweekApp


def unit_of(path: str) -> str | None:
    return kind_of_path(path)[0]


class WholeConflictDialog(Dialog):
    """A file that cannot be merged field by field: keep my version or theirs, whole."""

    #: kind → (label of "mine", label of "theirs")
    CHOICES = {
        ConflictKind.DELETED_BY_ME: ("删除它（我的）", "保留对方修改后的"),
        ConflictKind.DELETED_BY_THEM: ("保留我修改后的", "删除它（对方的）"),
        ConflictKind.WHOLE: ("用我的", "用对方的"),
    }

    def __init__(self, record: ConflictedRecord) -> None:
        super().__init__()
        self.record = record
        self.answers = {"mine": MINE, "theirs": THEIRS, "stay": None}

    def compose(self) -> ComposeResult:
        record = self.record
        mine_label, theirs_label = self.CHOICES[record.kind]
        with Vertical(classes="dialog wide tall"):
            yield Static(f"{record.title}：{record.kind.label}。请选择保留哪一份（整份文件）。",
                         classes="question", markup=False)
            with VerticalScroll(classes="compare-box"):
                for label, text in (("我的", record.mine_text), ("对方的", record.theirs_text)):
                    yield Label(label, classes="compare-label")
                    yield self.version(text)
            with Horizontal(classes="buttons"):
                yield Button(mine_label, id="mine", variant="primary", compact=True)
                yield Button(theirs_label, id="theirs", compact=True)
                yield Button("稍后再定", id="stay", compact=True)

    def version(self, text: str | None) -> Static | TextArea:
        """One side: its fields by name; a file that is not a readable record, as it is."""
        if text is None:
            return Static("（已删除）" if self.record.kind is not ConflictKind.WHOLE
                          else "（照片等非文字文件）")
        try:
            return Static(record_text(self.record.path, parse(text)))
        except TomlSyntaxError:
            return TextArea(text, read_only=True, classes="compare")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()


class ConflictListScreen(Screen):
    BINDINGS = [
        Binding("enter", "open", "打开"),
        Binding("f", "finish", "完成合并"),
        Binding("escape", "back", "返回"),
    ]

    app: LlweekApp

    def __init__(self) -> None:
        super().__init__()
        self.records: list[ConflictedRecord] = []
        self.merging = True

    def compose(self) -> ComposeResult:
        yield TopBar("合并冲突")
        yield Static(INTRO, id="conflict-intro")
        yield Static("正在读取冲突……", id="conflict-state")
        yield DataTable(id="conflicts", cursor_type="row")
        yield Static("", id="conflict-detail")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("材料", key="title")
        table.add_column("情况", key="kind")
        table.add_column("文件", key="path")
        table.focus()

    def load(self) -> None:
        """Read the conflicts of the open merge again (after a resolution, a sync, a start)."""
        root = self.app.root
        self.app.submit(Job(lambda: (is_merging(root), list_conflicts(root)), self._listed))

    def data_changed(self, unit_id: str | None) -> None:
        if unit_id is None and self.is_mounted:
            self.load()

    def on_screen_resume(self) -> None:
        """Shown at first, or again after a record was settled: read the list afresh."""
        self.load()

    def _listed(self, found: tuple[bool, list[ConflictedRecord]]) -> None:
        if not self.is_attached:
            return
        self.merging, self.records = found
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for record in self.records:
            table.add_row(clip(record.title, 40), record.kind.label, record.path, key=record.path)
        if self.records:
            table.move_cursor(row=min(row, len(self.records) - 1))
        table.display = bool(self.records)
        if self.records:
            state = Text(f"还有 {len(self.records)} 个文件需要选择。", style="bold")
        elif self.merging:
            state = Text("所有冲突都已解决：按 f 完成合并，然后可以推送到服务器。", style="bold green")
        else:
            state = Text("当前没有正在进行的合并，也没有冲突。按 Esc 返回。")
        self.query_one("#conflict-state", Static).update(state)
        self.show_detail()

    def highlighted(self) -> ConflictedRecord | None:
        table = self.query_one(DataTable)
        if not self.records or table.row_count == 0:
            return None
        return self.records[min(table.cursor_row, len(self.records) - 1)]

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def show_detail(self) -> None:
        record = self.highlighted()
        lines: list[Text] = []
        if record is not None and record.kind is ConflictKind.FIELDS:
            for item in record.fields:
                base, mine, theirs = item.shown()
                lines.append(Text(f"「{item.label}」 我的：{mine}｜对方的：{theirs}｜原来：{base}"))
        elif record is not None:
            lines.append(Text(f"{record.kind.label}：按 Enter 选择保留哪一份。"))
        box = self.query_one("#conflict-detail", Static)
        box.update(Text("\n").join(lines))
        box.display = bool(lines)

    # ------------------------------------------------------------------ actions

    def action_open(self) -> None:
        record = self.highlighted()
        if record is None:
            return
        if record.kind is ConflictKind.FIELDS:
            from tui.screens.conflict_fields import ConflictFieldsScreen

            self.app.push_screen(ConflictFieldsScreen(record))
            return
        app, root, path = self.app, self.app.root, record.path

        def chosen(choice: Any) -> None:
            if choice in (MINE, THEIRS):
                app.submit(Job(lambda: resolve_whole(root, path, choice),
                               lambda _: self.load(), unit=unit_of(path)))

        app.push_screen(WholeConflictDialog(record), chosen)

    def action_finish(self) -> None:
        if self.records:
            self.notify(f"还有 {len(self.records)} 个文件的冲突没有解决，请先逐个打开选择。",
                        severity="warning")
            return
        if not self.merging:
            self.notify("当前没有正在进行的合并。")
            return
        app, root = self.app, self.app.root
        read = app.units_read()

        def run() -> Workspace:
            finish_merge(root)
            return Workspace.load(root, read)

        app.submit(Job(run, self._finished))

    def _finished(self, workspace: Workspace) -> None:
        from tui.screens.dialogs import ConfirmDialog

        app = self.app
        app.workspace = workspace
        app.refresh_views(None)
        self.notify("合并已完成，已记入修改历史。", title="已完成合并")

        def answer(push: bool | None) -> None:
            if push:
                app.syncer.start()

        if self.is_attached:
            self.dismiss()
        app.push_screen(ConfirmDialog("合并已完成。现在推送到服务器吗？", yes="推送", no="稍后再同步",
                                      safe_default=False), answer)

    def action_back(self) -> None:
        if self.records:
            self.notify("合并尚未完成：冲突都保留着，随时可以从命令面板（冲突）或同步回到这里。")
        self.dismiss()
