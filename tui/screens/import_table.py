"""导入表格: a filled 附表 read back into the unit's records, as `llweek import` does.

The workbook is read first and what importing it would do is shown as the dry run lists it
(each addition, each changed field, each deletion, or what stops it and where); only then
does 导入 write it, as one commit. Reading and writing run in workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

from datastore.errors import LlweekError
from exports.importer import ImportPlan, apply_plan, read_plan
from tui.jobs import Job
from tui.screens.export import default_folder
from tui.widgets.bar import TopBar

if TYPE_CHECKING:
    from tui.app import LlweekApp


def plan_text(plan: ImportPlan) -> Text:
    """The dry run's words: what stops the import, or what it would change."""
    text = Text()
    if plan.problems:
        text.append("以下内容无法导入，不会写入任何记录：\n", style="bold red")
        for problem in plan.problems:
            text.append(f"  {problem}\n")
        text.append("请在表格中改正后重新预览。\n")
    elif not plan.changes:
        text.append("没有需要导入的改动", style="bold")
        text.append(f"（{plan.unchanged} 条与材料库中相同）\n" if plan.unchanged else "\n")
        for line in plan.kept:
            text.append(f"  {line}\n")
    else:
        text.append(f"将{plan.subject()}：\n", style="bold")
        for line in plan.lines():
            text.append(f"  {line}\n")
    for note in plan.notes:
        text.append(f"{note}\n", style="dim")
    return text


class ImportScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "apply", "导入", priority=True),
        Binding("escape", "back", "返回"),
    ]

    app: LlweekApp

    def __init__(self, unit_id: str) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.plan: ImportPlan | None = None
        self.running = False

    def compose(self) -> ComposeResult:
        name = self.app.workspace.unit_name(self.unit_id)
        yield TopBar(f"{name} › 导入表格")
        with VerticalScroll(id="body"):
            yield Static(f"把填好的附表（.xlsx）读回{name}的材料库：先预览，确认无误再导入。",
                         markup=False)
            with Horizontal(classes="field-line"):
                yield Label(Text("表格文件", style="bold"), classes="field-label")
                yield Input(str(default_folder(self.app.root)) + "/", id="path", compact=True,
                            classes="field-input")
            with Horizontal(classes="buttons"):
                yield Button("预览", id="preview", variant="primary", compact=True)
                yield Button("导入（ctrl+s）", id="apply", compact=True, disabled=True)
            yield Static("", id="import-plan")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def path(self) -> Path:
        return Path(self.query_one("#path", Input).value.strip()).expanduser()

    def show(self, text: Text | str) -> None:
        box = self.query_one("#import-plan", Static)
        box.update(text)
        box.scroll_visible()

    def on_input_changed(self) -> None:
        self.plan = None  # another file: preview again before importing
        self.query_one("#apply", Button).disabled = True

    def on_input_submitted(self) -> None:
        self.action_preview()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "preview":
            self.action_preview()
        else:
            self.action_apply()

    def action_preview(self) -> None:
        if self.running:
            return
        self.running = True
        root, unit, path = self.app.root, self.unit_id, self.path()
        self.show("正在读取……")

        def read() -> ImportPlan | LlweekError:
            try:
                return read_plan(root, unit, path)
            except LlweekError as err:  # a refusal is the preview's answer, not a failure
                return err

        self.app.submit(Job(read, self._previewed, after=self._idle))

    def _previewed(self, plan: ImportPlan | LlweekError) -> None:
        if not self.is_attached:
            return
        if isinstance(plan, LlweekError):
            self.plan = None
            self.query_one("#apply", Button).disabled = True
            self.show(Text(str(plan), style="bold red"))
            return
        self.plan = plan
        self.show(plan_text(plan))
        ready = not plan.problems and bool(plan.changes) and self.app.may_edit(self.unit_id)
        self.query_one("#apply", Button).disabled = not ready
        if ready:
            self.query_one("#apply", Button).focus()

    def action_apply(self) -> None:
        plan = self.plan
        if self.running:
            return
        if plan is None or plan.problems or not plan.changes:
            self.notify("请先预览，确认表格可以导入。", severity="warning")
            return
        if not self.app.may_edit(self.unit_id):
            self.notify("只读：您只能导入本单位的表格。", severity="warning")
            return
        self.running = True
        app, subject = self.app, plan.subject()
        self.show(Text.assemble(("正在导入……\n", "bold"), plan_text(plan)))

        def done(_: object) -> None:
            self.notify(f"已{subject}。", title="导入完成")
            self.plan = None
            if self.is_attached:
                self.query_one("#apply", Button).disabled = True
                self.show(Text.assemble((f"已{subject}，作为一次修改保存。\n", "bold"),
                                        plan_text(plan)))

        app.submit(Job(lambda: apply_plan(app.root, plan, app.actor), done, unit=self.unit_id,
                       failed=self._failed, after=self._idle))

    def _idle(self) -> None:
        self.running = False

    def _failed(self, error: LlweekError) -> bool:
        if self.is_attached:
            self.show(Text(str(error), style="bold red"))
            return True
        return False

    def action_back(self) -> None:
        self.dismiss()
