"""修改历史 of one record or of a whole unit: every commit with its date, author and message;
below, the fields the highlighted commit changed. r restores the record as it was after that
commit, as a new commit on top (history is never rewritten).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from datastore.history import CommitInfo, RecordVersion, commit_changes, commits, record_history, \
    restore
from datastore.loader import kind_of_path
from datastore.save import SaveResult
from tui.jobs import Job
from tui.screens.record_list import clip
from tui.widgets.bar import KeysFooter, TopBar

#: how many commits a unit's history lists (the newest)
UNIT_LIMIT = 500

if TYPE_CHECKING:
    from tui.app import LlweekApp


def change_lines(version: RecordVersion) -> list[str]:
    lines = [line for change in version.changes for line in change.lines()]
    return lines or ([] if version.action != "修改" else ["（内容相同，只是格式不同）"])


class HistoryScreen(Screen):
    """The history of the record at `path`, or of the unit's folder when `path` is None."""

    BINDINGS = [
        Binding("r", "restore", "恢复此版本"),
        Binding("enter", "open", "该材料的历史"),
        Binding("escape", "back", "返回"),
    ]

    app: LlweekApp

    def __init__(self, unit_id: str, path: str | None = None) -> None:
        super().__init__()
        self.unit_id, self.path = unit_id, path
        self.versions: list[RecordVersion] = []
        self.infos: list[CommitInfo] = []
        self.changes: dict[str, list[tuple[str, RecordVersion]]] = {}  # unit: commit → files

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return self.path is None
        return True

    def heading(self) -> str:
        workspace = self.app.workspace
        name = workspace.unit_name(self.unit_id)
        if self.path is None:
            return f"{name} 全部材料"
        return f"{name} {self.describe(self.path)}"

    def describe(self, path: str) -> str:
        """附表1「…」 as the record is now; its kind alone once it is deleted."""
        kind = kind_of_path(path)[1]
        stored = self.app.workspace.stored(path)
        if kind is None:
            return path
        return kind.describe(stored.record if stored else None)

    def compose(self) -> ComposeResult:
        yield TopBar(f"{self.heading()} › 修改历史")
        yield Static("正在读取修改历史……", id="history-head")
        yield DataTable(id="commits", cursor_type="row")
        with VerticalScroll(id="history-detail"):
            yield Static("", id="changes")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading in (("date", "日期"), ("author", "修改人"), ("subject", "说明")):
            table.add_column(heading, key=key)
        table.focus()
        self.load()

    def load(self) -> None:
        root, path, folder = self.app.root, self.path, f"units/{self.unit_id}/"
        if path is not None:
            self.app.submit(Job(lambda: record_history(root, path), self._listed))
        else:
            self.app.submit(Job(lambda: commits(root, folder, limit=UNIT_LIMIT), self._listed))

    def _listed(self, found: list[Any]) -> None:
        if not self.is_attached:
            return
        infos: list[CommitInfo] = [v.commit for v in found] if self.path else found
        self.versions = found if self.path else []
        self.infos = infos
        table = self.query_one(DataTable)
        table.clear()
        for info in infos:
            table.add_row(f"{info.date:%Y-%m-%d %H:%M}", clip(info.author, 10), clip(info.subject, 60),
                          key=info.hash)
        head = f"共 {len(infos)} 次修改（最新的在上面）。"
        if self.path is not None:
            head += "选中一次修改，按 r 恢复为该次修改后的内容。"
        else:
            head += "Enter 查看所选修改涉及材料的历史，r 恢复该材料。"
        self.query_one("#history-head", Static).update(head if infos else "还没有修改记录。")
        self.show_changes()

    def highlighted(self) -> CommitInfo | None:
        table = self.query_one(DataTable)
        if not self.infos or table.row_count == 0:
            return None
        return self.infos[min(table.cursor_row, len(self.infos) - 1)]

    def on_data_table_row_highlighted(self) -> None:
        self.show_changes()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.path is None:
            self.action_open()

    # ------------------------------------------------------------------ the changes pane

    def show_changes(self) -> None:
        info = self.highlighted()
        box = self.query_one("#changes", Static)
        if info is None:
            box.update("")
            return
        if self.path is not None:
            version = self.versions[self.infos.index(info)]
            box.update(self._describe_version(info, [(self.path, version)]))
            return
        if info.hash in self.changes:
            box.update(self._describe_version(info, self.changes[info.hash]))
            return
        box.update("正在读取这次修改……")
        root, folder = self.app.root, f"units/{self.unit_id}/"

        def shown(files: list[tuple[str, RecordVersion]]) -> None:
            self.changes[info.hash] = files
            if self.is_attached and self.highlighted() == info:
                box.update(self._describe_version(info, files))

        self.app.submit(Job(lambda: commit_changes(root, info.hash, folder), shown))

    def _describe_version(self, info: CommitInfo, files: list[tuple[str, RecordVersion]]) -> Text:
        text = Text.assemble((f"{info.date:%Y-%m-%d %H:%M}  {info.author}", "bold"),
                             f"  <{info.email}>  {info.short}\n", (info.subject, "bold"), "\n")
        for path, version in files:
            if self.path is None:
                text.append(f"\n{self.describe(path)}（{version.action}）\n", style="bold")
            else:
                text.append(f"\n{version.action}\n", style="bold")
            for line in change_lines(version):
                text.append(f"  {line}\n")
        if not files:
            text.append("\n（没有改动材料记录，如只改了照片文件）\n", style="dim")
        return text

    # ------------------------------------------------------------------ actions

    def _single_file(self) -> tuple[CommitInfo, str, RecordVersion] | None:
        """The highlighted commit and the one record it changed (told why when not one)."""
        info = self.highlighted()
        if info is None:
            return None
        if self.path is not None:
            return info, self.path, self.versions[self.infos.index(info)]
        files = self.changes.get(info.hash)
        if files is None:
            self.notify("正在读取这次修改，请稍候。")
            return None
        if len(files) != 1:
            self.notify(f"这次修改涉及 {len(files)} 份材料：请在材料的列表或表单中打开它的历史"
                        "（h 或 ctrl+l）再恢复。", severity="warning")
            return None
        return info, *files[0]

    def action_open(self) -> None:
        found = self._single_file()
        if found is not None:
            self.app.push_screen(HistoryScreen(self.unit_id, found[1]))

    def action_restore(self) -> None:
        found = self._single_file()
        if found is None:
            return
        info, path, version = found
        if not self.app.may_edit(self.unit_id):
            self.notify("只读：您只能恢复本单位的材料。", severity="warning")
            return
        if version.action.startswith("删除"):
            self.notify("这次修改删除了这份材料，没有内容可恢复：请选更早的一次修改。", severity="warning")
            return
        from tui.screens.dialogs import ConfirmDialog

        app, root, what = self.app, self.app.root, self.describe(path)
        stored = app.workspace.stored(path)
        expected = stored.digest if stored else None

        def run() -> SaveResult:
            return restore(root, path, info.hash, expected=expected, actor=app.actor)

        def restored(result: SaveResult) -> None:
            if result.commit is None:
                self.notify(f"{what}现在就是这次修改后的内容，无需恢复。")
                return
            self.notify(f"已恢复{what}（{info.date:%Y-%m-%d %H:%M} {info.author} 修改后的内容）。",
                        title="已恢复")
            if self.is_attached:
                self.load()

        def answer(yes: bool | None) -> None:
            if yes:
                app.submit(Job(run, restored, unit=self.unit_id))

        app.push_screen(ConfirmDialog(
            f"把{what}恢复为 {info.date:%Y-%m-%d %H:%M} {info.author} 修改后的内容？\n"
            "恢复会作为一次新的修改保存，之前的历史都保留。", yes="恢复", no="取消"), answer)

    def action_back(self) -> None:
        self.dismiss()
