"""One conflicted record, field by field: 原来 / 我的 / 对方的, and what the merged record becomes.

Every field changed two ways takes mine (m), theirs (t) or a value typed anew (e); in a long
text, m and t take that side's version only of the paragraphs both changed, keeping every
paragraph only one side changed. The preview below shows the whole merged record, long texts
in full, with the choices made so far (pgup/pgdn scroll it). ctrl+s writes the record and
marks it resolved (nothing is committed until the merge is finished on the list).

The same screen settles a save over a colleague's change (datastore.saveover): then ctrl+s
hands the choices to the editor, which saves.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Static, TextArea

from datastore.conflicts import MINE, THEIRS, Choice, ConflictedRecord, ConflictField, Edited, \
    resolve_fields, side_text
from datastore.diff3 import has_markers
from datastore.fieldpath import KeyPath, model_of_path, put, show
from tui.jobs import Job
from tui.screens.conflicts import unit_of
from tui.screens.dialogs import FormDialog
from tui.screens.record_list import clip
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.record_form import FieldError, display, parse_value
from tui.widgets.record_text import record_text

CHOICE_LABELS = {MINE: "我的", THEIRS: "对方的"}
HINT = "每一项选一份：m 用我的，t 用对方的，e 改写；全部选好后 ctrl+s 保存。"

if TYPE_CHECKING:
    from tui.app import LlweekApp


@dataclass(frozen=True)
class TakenSide(Edited):
    """m / t on a long text: the text with that side's version where both changed it."""

    side: str = MINE


def choice_label(choice: Choice | None) -> str:
    if choice is None:
        return "未选"
    if isinstance(choice, TakenSide):
        return CHOICE_LABELS[choice.side]
    return "改写" if isinstance(choice, Edited) else CHOICE_LABELS[choice]


def chosen_value(field: ConflictField, choice: Choice) -> Any:
    if isinstance(choice, Edited):
        return choice.value
    return field.mine if choice == MINE else field.theirs


def is_long_text(field: ConflictField) -> bool:
    return any(isinstance(v, str) and "\n" in v for v in (field.base, field.mine, field.theirs))


def text_changes(base: Any, side: Any) -> Text:
    """What one side changed in a long text, whole lines: `第 3 行起：` and the new lines."""
    old = base.splitlines() if isinstance(base, str) else []
    new = side.splitlines() if isinstance(side, str) else []
    out = Text()
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if j2 > j1:
            out.append(f"  第 {j1 + 1} 行起{'改为' if i2 > i1 else '新增'}：\n", style="bold")
            out.append("".join(f"    {line}\n" for line in new[j1:j2]))
        else:
            out.append(f"  删去原来的第 {i1 + 1}–{i2} 行：\n", style="bold")
            out.append("".join(f"    {line}\n" for line in old[i1:i2]))
    return out or Text("  （没有改动）\n")


def value_parser(record: ConflictedRecord, field: ConflictField) -> Callable[[str], Any]:
    """Typed text → the value the field stores, as the record's form would read it."""
    model = model_of_path(record.path)
    spec = next((s for s in model.specs() if (s.name,) == field.path), None) if model else None

    def parse(text: str) -> Any:
        if has_markers(text):
            raise FieldError("文字里还留着冲突标记（<<<<<<< … >>>>>>>），请改好后再确定")
        if spec is not None:
            return parse_value(spec, text)
        if isinstance(field.mine, int) or isinstance(field.theirs, int):
            try:
                return int(text.strip())
            except ValueError:
                raise FieldError(f"「{field.label}」只能填整数") from None
        return text if "\n" in text else (text.strip() or None)

    return parse


class EditValueDialog(FormDialog):
    """Type a new value for one conflicting field; answers Edited(value), or None to cancel."""

    def __init__(self, field: ConflictField, text: str, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self.field, self.text, self.parse = field, text, parse
        self.multiline = "\n" in text or isinstance(field.mine, str) and "\n" in field.mine

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" + (" tall" if self.multiline else "")):
            question = f"改写「{self.field.label}」："
            if has_markers(self.text):
                question += ("\n<<<<<<< 到 >>>>>>> 之间是双方改得不一样的地方（||||||| 后是原来的，"
                             "======= 后是对方的）：留下要的文字，删去其余文字和这些标记行。")
            yield Static(question, classes="question", markup=False)
            if self.multiline:
                yield TextArea(self.text, soft_wrap=True, id="value", classes="edit-value")
            else:
                yield Input(self.text, id="value", compact=True)
            yield Static("", id="problem", classes="field-findings")
            with Horizontal(classes="buttons"):
                yield Button("确定", id="ok", variant="primary", compact=True)
                yield Button("取消", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#value").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.finish()

    def finish(self) -> None:
        editor = self.query_one("#value")
        text = editor.text if isinstance(editor, TextArea) else editor.value  # type: ignore[attr-defined]
        try:
            value = self.parse(text)
        except FieldError as err:
            self.show_problem(str(err))
            return
        self.dismiss(Edited(value))


class ConflictFieldsScreen(Screen):
    BINDINGS = [
        Binding("m", "choose('mine')", "用我的"),
        Binding("t", "choose('theirs')", "用对方的"),
        Binding("e", "edit", "改写"),
        Binding("pageup", "scroll(-1)", "预览上翻", show=False, priority=True),
        Binding("pagedown", "scroll(1)", "预览下翻", show=False, priority=True),
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "back", "返回"),
    ]

    app: LlweekApp

    def __init__(self, record: ConflictedRecord,
                 save: Callable[[dict[KeyPath, Choice]], None] | None = None,
                 intro: str | None = None) -> None:
        """`save` takes the choices instead of writing them into the merge (a save over a
        colleague's change); `intro` says what happened above the fields."""
        super().__init__()
        self.record, self.save, self.intro = record, save, intro
        self.choices: dict[KeyPath, Choice] = {}

    @property
    def dirty(self) -> bool:
        """Choices made here and not yet saved (quitting asks first)."""
        return bool(self.choices)

    def heading(self) -> str:
        return f"冲突 {self.record.title}"

    def compose(self) -> ComposeResult:
        yield TopBar(f"冲突 › {self.record.title}")
        yield Static(f"{self.intro}\n{HINT}" if self.intro else HINT, id="conflict-hint",
                     markup=False)
        yield DataTable(id="fields", cursor_type="row")
        with VerticalScroll(id="merge-detail"):
            yield Static("", id="field-detail")
            yield Static("", id="preview")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading in (("label", "项目"), ("base", "原来的"), ("mine", "我的"),
                             ("theirs", "对方的"), ("choice", "选择")):
            table.add_column(heading, key=key)
        self.fill()
        table.focus()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for index, field in enumerate(self.record.fields):
            choice = self.choices.get(field.path)
            base, mine, theirs = field.shown(14)
            table.add_row(clip(field.label, 16), clip(base, 14), clip(mine, 14), clip(theirs, 14),
                          Text(choice_label(choice), style="bold" if choice else "bold red"),
                          key=str(index))
        table.move_cursor(row=row)
        self.show_detail()

    def highlighted(self) -> ConflictField:
        table = self.query_one(DataTable)
        return self.record.fields[min(table.cursor_row, len(self.record.fields) - 1)]

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        field = self.highlighted()
        choice = self.choices.get(field.path)
        detail = Text.assemble((f"「{field.label}」", "bold"), "\n")
        if is_long_text(field):  # a long text: only the lines each side changed
            for name, value in (("我的修改", field.mine), ("对方的修改", field.theirs)):
                detail.append(f"{name}（与原来相比）：\n", style="bold underline")
                detail.append_text(text_changes(field.base, value))
        else:
            for name, value in (("原来的", field.base), ("我的", field.mine), ("对方的", field.theirs)):
                detail.append(f"{name}：", style="bold")
                detail.append(show(value, 400) + "\n")
        if choice is not None:
            detail.append(f"已选：{choice_label(choice)}", style="bold green")
            if isinstance(choice, Edited):
                detail.append(f"  {show(choice.value)}")
        self.query_one("#field-detail", Static).update(detail)
        self.query_one("#preview", Static).update(self.preview())

    def preview(self) -> Text:
        """The merged record with the choices made so far; undecided fields say so."""
        data = copy.deepcopy(self.record.merged or {})
        open_keys = set()
        for field in self.record.fields:
            choice = self.choices.get(field.path)
            if choice is None:
                open_keys.add(field.path[0])
            else:
                put(data, field.path, copy.deepcopy(chosen_value(field, choice)))
        text = Text()
        text.append("合并后的记录（预览）\n", style="bold underline")  # the heading only
        return text.append_text(record_text(self.record.path, data, open_keys, full=True))

    # ------------------------------------------------------------------ choosing

    def _set(self, field: ConflictField, choice: Choice) -> None:
        self.choices[field.path] = choice
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.fill()
        if row + 1 < len(self.record.fields):  # on to the next undecided field
            table.move_cursor(row=row + 1)

    def action_choose(self, side: str) -> None:
        field = self.highlighted()
        chosen = MINE if side == "mine" else THEIRS
        if is_long_text(field) and isinstance(field.mine, str) and isinstance(field.theirs, str):
            base = field.base if isinstance(field.base, str) else ""
            self._set(field, TakenSide(side_text(base, field.mine, field.theirs, chosen), chosen))
            return
        self._set(field, chosen)

    def action_scroll(self, pages: int) -> None:
        """The detail and preview below the table (the table keeps the keys)."""
        detail = self.query_one("#merge-detail", VerticalScroll)
        detail.scroll_relative(y=pages * max(detail.size.height - 1, 1), animate=False)

    def action_edit(self) -> None:
        field = self.highlighted()
        current = self.choices.get(field.path)
        if isinstance(current, Edited):
            text = display(current.value)
        elif field.suggestion is not None:
            text = field.suggestion
        else:
            text = display(chosen_value(field, current or MINE))

        def typed(answer: Edited | None) -> None:
            if answer is not None:
                self._set(field, answer)

        self.app.push_screen(EditValueDialog(field, text, value_parser(self.record, field)), typed)

    def action_save(self) -> None:
        missing = [i for i, f in enumerate(self.record.fields) if f.path not in self.choices]
        if missing:
            self.query_one(DataTable).move_cursor(row=missing[0])
            self.notify(f"还没有为「{self.record.fields[missing[0]].label}」选择保留哪一份。",
                        severity="warning")
            return
        app, root, path, choices = self.app, self.app.root, self.record.path, dict(self.choices)
        title = self.record.title
        if self.save is not None:
            self.save(choices)
            self.choices = {}
            self.dismiss()
            return

        def saved(_: Any) -> None:
            self.notify(f"已保存：{title}", title="冲突已解决")
            if self.is_attached:
                self.dismiss()

        app.submit(Job(lambda: resolve_fields(root, path, choices), saved, unit=unit_of(path)))

    def action_back(self) -> None:
        if not self.choices:
            self.dismiss()
            return
        from tui.screens.dialogs import ConfirmDialog

        def answer(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        self.app.push_screen(ConfirmDialog("放弃这里已做的选择吗？文件仍保持冲突状态，之后可以再来选择。",
                                           yes="放弃", no="继续选择"), answer)
