"""导出: the official Excel annexes of one unit or the province roll-up, the electronic package,
and the print-ready PDF of either.

The output folder defaults to `exports/` beside the repository, never inside it (files there
would look like materials to commit). Before writing, the data on disk is checked: errors of
the chosen annexes are listed and the export goes on only when asked. Writing runs in a worker
with a progress bar; the written paths are listed at the end, with anything asked for that
could not be made (a PDF without LibreOffice) and what to do about it.

The form is built from sections (what, for whom, how, where): a new choice is one more
`yield` in its section and one more key in `chosen()`; a new question before writing is one
more step between `action_export` and `_write`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, RadioSet, Static

from datastore.errors import LlweekError
from datastore.findings import Finding
from datastore.loader import load_repo
from datastore.rules import validate_repo
from exports.annexes import ANNEXES
from exports.export import WARNED, WROTE, export
from exports.pdf import INSTALL_HINT, find_soffice
from exports.reminders import write_reminders
from exports.workbooks import UNREADABLE
from tui.jobs import Job
from tui.outfolder import default_folder, out_folder
from tui.screens.dialogs import Dialog
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.state import finding_text
from tui.widgets.toggles import Option, Tick

if TYPE_CHECKING:
    from tui.app import LlweekApp


class ExportWarningDialog(Dialog):
    """The errors still in the data; answers True to export anyway."""

    def __init__(self, lines: list[Text]) -> None:
        super().__init__()
        self.lines = lines
        self.answers = {"yes": True, "no": False}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(f"材料中还有 {len(self.lines)} 个错误，导出的表格会缺内容或有误。仍然导出吗？",
                         classes="question", markup=False)
            with VerticalScroll(classes="compare-box"):
                yield Static(Text("\n").join(self.lines))
            with Horizontal(classes="buttons"):
                yield Button("仍然导出", id="yes", variant="warning", compact=True)
                yield Button("取消，先去改正", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()


class ExportScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "export", "导出", priority=True),
        Binding("escape", "back", "返回"),
    ]

    app: LlweekApp

    def __init__(self) -> None:
        super().__init__()
        self.running = False
        self.wrote: list[str] = []  # "path（note）" of each file written, as export() says it
        self.warnings: list[str] = []  # what was asked for but could not be made, and why

    @property
    def may_roll_up(self) -> bool:
        return self.app.actor is not None and self.app.actor.is_province

    def compose(self) -> ComposeResult:
        yield TopBar("导出正式表格")
        with VerticalScroll(id="body"):
            yield from self.annex_choices()
            yield from self.scope_choices()
            yield from self.form_choices()
            yield from self.folder_choice()
            yield Static("", id="export-problem", classes="notice")
            with Horizontal(classes="buttons"):
                yield Button("导出（ctrl+s）", id="run", variant="primary", compact=True)
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="export-step")
            yield Static("", id="export-result")
        yield KeysFooter()

    # ------------------------------------------------------------------ the form's sections

    def annex_choices(self) -> ComposeResult:
        """What: the annexes."""
        campaign = self.app.workspace.campaign
        yield Static(Text("附表（电子材料包总是包含附表1–5）", style="bold"))
        for number, annex in ANNEXES.items():
            yield Tick(f"{annex.label}  {annex.title_for(campaign)}", True,
                       id=f"annex-{number}", compact=True, classes="annex")

    def scope_choices(self) -> ComposeResult:
        """For whom: the unit chosen on the dashboard, or every unit (the province)."""
        app, unit = self.app, self.app.current_unit
        yield Static(Text("范围", style="bold"), classes="export-heading")
        with RadioSet(id="scope", compact=True):
            yield Option(f"一个单位：{app.workspace.unit_name(unit)}" if unit
                         else "一个单位（请先在看板上选择）", value=bool(unit),
                         id="scope-unit", disabled=unit is None)
            yield Option("全省汇总（每个附表一个文件，含所有单位）" + (
                "" if self.may_roll_up else "：仅省级人员"), value=unit is None,
                id="scope-all", disabled=not self.may_roll_up)

    def form_choices(self) -> ComposeResult:
        """How: the electronic package, the print-ready PDF."""
        yield Static(Text("形式", style="bold"), classes="export-heading")
        yield Tick("电子材料包（Word 文稿含照片、原图、附表1–5，文件夹和 .zip）", False,
                   id="package", compact=True)
        yield Tick("打印版 PDF（按通知顺序合为一个带书签的文件，可直接打印）",
                   False, id="pdf", compact=True)
        if find_soffice() is None:
            yield Static(Text(INSTALL_HINT.replace("其余材料已照常导出。", ""), style="dim"),
                         id="pdf-missing", classes="field-findings")
        if self.may_roll_up:
            yield Tick("催报名单（各单位未报、逾期、退回的事项和填表联系人）", False,
                       id="reminders", compact=True)

    def folder_choice(self) -> ComposeResult:
        """Where: the output folder."""
        with Horizontal(classes="field-line export-heading"):
            yield Label(Text("输出文件夹", style="bold"), classes="field-label")
            yield Input(str(default_folder(self.app.root)), id="out", compact=True,
                        select_on_focus=False, classes="field-input")

    def on_mount(self) -> None:
        for name in ("#export-problem", "#progress", "#export-step", "#export-result"):
            self.query_one(name).display = False
        self.query_one("#annex-1", Checkbox).focus()

    # ------------------------------------------------------------------ choices

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "package":  # a package always holds every annex
            for box in self.query(".annex").results(Checkbox):
                box.disabled = event.value

    def chosen(self) -> dict[str, Any]:
        """The export() arguments the form describes; a refusal says what is missing."""
        package = self.query_one("#package", Checkbox).value
        annexes = [n for n in ANNEXES if self.query_one(f"#annex-{n}", Checkbox).value]
        if not annexes and not package and not self.reminders:
            raise LlweekError("请至少选择一个附表，或选择电子材料包")
        all_units = self.query_one("#scope-all", Option).value
        unit = None if all_units else self.app.current_unit
        if not all_units and unit is None:
            raise LlweekError("请先在看板上选择一个单位，或选择全省汇总")
        out = out_folder(self.app.root, self.query_one("#out", Input).value)
        return dict(annexes=None if package else annexes, unit=unit, all_units=all_units,
                    package=package, pdf=self.query_one("#pdf", Checkbox).value, out_dir=out)

    @property
    def reminders(self) -> bool:
        """The 催报名单 is asked for too (the province's option)."""
        boxes = self.query("#reminders").results(Checkbox)
        return any(box.value for box in boxes)

    def problem(self, message: str | None) -> None:
        box = self.query_one("#export-problem", Static)
        box.update(message or "")
        box.display = bool(message)
        if message:  # below a long note (no LibreOffice) it would be out of sight at 80×24
            self.call_after_refresh(box.scroll_visible, animate=False)

    # ------------------------------------------------------------------ exporting

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export()

    def action_export(self) -> None:
        if self.running:
            self.notify("正在导出，请稍候。")
            return
        try:
            options = self.chosen()
        except LlweekError as err:
            self.problem(str(err))
            return
        self.problem(None)
        self.running = True
        root, unit = self.app.root, options["unit"]
        wanted = None if options["package"] else {ANNEXES[n].kind.deliverable for n in options["annexes"]}

        def check() -> list[Finding]:  # in this process: forking a threaded app is not safe
            if wanted is not None and not wanted:  # the 催报名单 alone: nothing to check
                return []
            findings = validate_repo(load_repo(root), unit)
            return [f for f in findings if f.is_error and (
                wanted is None or f.deliverable is None or f.deliverable in wanted)]

        self.app.submit(Job(check, lambda errors: self._checked(errors, options),
                            failed=self._failed, after=self._idle))

    def _idle(self) -> None:
        self.running = False

    def _failed(self, error: LlweekError) -> bool:
        if self.is_attached:
            self.problem(str(error))
            return True
        return False

    def _checked(self, errors: list[Finding], options: dict[str, Any]) -> None:
        if not self.is_attached:
            return
        if not errors:
            self._write(options)
            return
        workspace = self.app.workspace
        lines = [Text.assemble(f"{workspace.unit_name(f.unit)} " if f.unit else "", finding_text(f),
                               f"（{f.location()}，不会导出）" if f.code in UNREADABLE else "")
                 for f in errors]

        def answer(go_on: bool | None) -> None:
            if go_on:  # files that cannot be read are then named in the workbooks
                self._write({**options, "force": True})

        self.app.push_screen(ExportWarningDialog(lines), answer)

    def _write(self, options: dict[str, Any]) -> None:
        app, root = self.app, self.app.root
        self.running = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=None, progress=0)
        for name in ("#progress", "#export-step"):
            self.query_one(name).display = True
        self.query_one("#export-result").display = False
        self.query_one("#export-step", Static).update("正在准备……")
        self.wrote, self.warnings = [], []

        def progress(done: int, total: int, message: str) -> None:
            app.call_from_thread(self._progress, done, total, message)

        reminders, today = self.reminders, app.today

        def run() -> list[Path]:
            wanted = options["package"] or options["annexes"]
            paths = export(root, progress=progress, **options) if wanted else []
            if reminders:
                path = write_reminders(load_repo(root), today, options["out_dir"])
                progress(1, 1, f"{WROTE}{path}")
                paths.append(path)
            return paths

        app.submit(Job(run, self._written, failed=self._failed, after=self._idle))

    def _progress(self, done: int, total: int, message: str) -> None:
        if message.startswith(WROTE):
            self.wrote.append(message.removeprefix(WROTE))
        elif message.startswith(WARNED) and message not in self.warnings:
            self.warnings.append(message)
        if self.is_attached:
            self.query_one("#progress", ProgressBar).update(total=total, progress=done)
            self.query_one("#export-step", Static).update(message)

    def _written(self, paths: list[Path]) -> None:
        self.notify(f"已导出 {len(paths)} 项。", title="导出完成")
        for warning in self.warnings:
            self.notify(warning, title="未全部完成", severity="warning", timeout=15)
        if not self.is_attached:
            return
        self.query_one("#export-step", Static).update("完成。")
        result = Text(f"已写入 {len(paths)} 项：\n", style="bold")
        for line in self.wrote or [str(path) for path in paths]:
            result.append(f"  {line}\n", style="not bold")
        for warning in self.warnings:
            result.append(f"{warning}\n", style="bold yellow")
        box = self.query_one("#export-result", Static)
        box.update(result)
        box.display = True
        box.scroll_visible()

    def action_back(self) -> None:
        self.dismiss()
