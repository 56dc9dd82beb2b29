"""One generic form for every record, built from the model's field specs.

Each field shows its Chinese label, the value as text, a 字数 counter where the notice counts
characters (a one-line field: its characters against its limit, which it cannot exceed), and
below it the findings about it. A value that cannot be stored in its type (letters in 人数,
2021-02-30) is refused here, at the field, with the reason. A field the province fills in is
shown to a unit read-only, saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

from datastore.findings import Finding
from datastore.models import FieldSpec, Record, Rules
from datastore.examples import date_placeholder
from tui.widgets.counter import counter_text, limit_text
from tui.widgets.state import finding_text

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_INT = re.compile(r"^[-−]?\d+$")


class FieldError(ValueError):
    """A typed value that its field cannot hold; the message says why, in Chinese."""


def display(value: Any) -> str:
    """A stored value as the text in its field."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_value(spec: FieldSpec, text: str, example: dt.date | None = None) -> Any:
    """The text of a field as the value its model stores (None when left empty); `example`
    is the valid date a refused date's message shows."""
    if spec.multiline:
        return text if text.strip() else None
    text = text.strip()
    if not text:
        return None
    if spec.kind == "int":
        if not _INT.match(text):
            raise FieldError(f"「{spec.label}」只能填整数（如 120），不能有文字、单位或小数点")
        return int(text.replace("−", "-"))
    if spec.kind == "date":
        found = _DATE.match(text)
        if not found:
            shown = (example or dt.date.today()).isoformat()
            raise FieldError(f"「{spec.label}」应写作 年-月-日，如 {shown}")
        year, month, day = (int(part) for part in found.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise FieldError(f"「{spec.label}」没有 {year} 年 {month} 月 {day} 日这一天") from None
    return text


class BoundedInput(Input):
    """A one-line field with a most number of characters: a paste longer than the room left
    is cut to fit, and the person is told, instead of being dropped without a word."""

    def __init__(self, value: str, *, label: str, **options: Any) -> None:
        super().__init__(value, **options)
        self.label = label

    def _on_paste(self, event: events.Paste) -> None:
        if not (event.text and self.max_length):
            return  # Input's own handling
        line = event.text.splitlines()[0]
        start, end = sorted(self.selection)
        room = self.max_length - len(self.value) + (end - start)
        if len(line) <= room:
            return
        event.prevent_default()  # Input's own handling would refuse the whole paste
        event.stop()
        self.replace(line[:max(room, 0)], start, end)
        self.notify(f"「{self.label}」最多 {self.max_length} 个字：粘贴的 {len(line)} 个字只保留了前 "
                    f"{max(room, 0)} 个。", severity="warning")


class FieldRow(Vertical):
    """Label, editor and findings of one field. `locked` says who fills a field in that is
    not the user's to change (it is then read-only)."""

    def __init__(self, spec: FieldSpec, text: str, rules: Rules, read_only: bool, *,
                 example: dt.date | None = None, locked: str | None = None) -> None:
        super().__init__(classes="field multiline" if spec.multiline else "field")
        self.spec, self.initial, self.rules = spec, text, rules
        self.read_only, self.example, self.locked = read_only or locked is not None, example, locked

    def compose(self) -> ComposeResult:
        spec = self.spec
        label = Text(spec.label, style="bold")
        if spec.required:
            label.append(" *", style="red")
        if spec.multiline:
            with Horizontal(classes="field-head"):
                yield Label(label, classes="field-label")
                if self.locked or spec.hint:
                    yield Label(self.locked or spec.hint or "", classes="field-hint")
                yield Static(counter_text(self.rules, spec.counter, self.initial),
                             classes="counter")
            area = TextArea(self.initial, soft_wrap=True, read_only=self.read_only,
                            id=f"field-{spec.name}", classes="field-input")
            area.show_line_numbers = False
            yield area
        else:
            with Horizontal(classes="field-line"):
                yield Label(label, classes="field-label")
                yield self._line_editor()
                if spec.counter or spec.limit:
                    yield Static(self._count(self.initial), classes="counter")
        yield Static("", classes="field-findings")

    def _line_editor(self) -> Widget:
        spec = self.spec
        if spec.choices:
            options = [(choice, choice) for choice in spec.choices]
            if self.initial and self.initial not in spec.choices:
                options.append((self.initial, self.initial))
            return Select(options, prompt="请选择", value=self.initial or Select.NULL,
                          compact=True, disabled=self.read_only, id=f"field-{spec.name}",
                          classes="field-input")
        if self.locked:
            placeholder = self.locked
        elif spec.kind == "date" and self.example:
            placeholder = date_placeholder(self.example)
        else:
            placeholder = spec.hint or ""
        return BoundedInput(self.initial, label=spec.label, placeholder=placeholder,
                            compact=True, select_on_focus=False, max_length=spec.limit or 0,
                            disabled=self.read_only, id=f"field-{spec.name}",
                            classes="field-input")

    def _count(self, text: str) -> Text:
        if self.spec.counter:
            return counter_text(self.rules, self.spec.counter, text)
        return limit_text(self.spec.limit or 0, text)

    def on_descendant_focus(self) -> None:
        self.add_class("-active")

    def on_descendant_blur(self) -> None:
        self.remove_class("-active")

    @property
    def editor(self) -> Widget:
        return self.query_one(".field-input")

    @property
    def text(self) -> str:
        editor = self.editor
        if isinstance(editor, TextArea):
            return editor.text
        if isinstance(editor, Select):
            return "" if editor.value is Select.NULL else str(editor.value)
        assert isinstance(editor, Input)
        return editor.value

    @text.setter
    def text(self, value: str) -> None:
        editor = self.editor
        if isinstance(editor, TextArea):
            editor.text = value
        elif isinstance(editor, Select):
            if value and value not in self.spec.choices:  # a value kept from the file
                editor.set_options([(c, c) for c in (*self.spec.choices, value)])
            editor.value = value if value else Select.NULL
        else:
            assert isinstance(editor, Input)
            editor.value = value

    def update_counter(self) -> None:
        for counter in self.query(".counter").results(Static):
            counter.update(self._count(self.text) if not self.spec.multiline
                           else counter_text(self.rules, self.spec.counter, self.text))

    def show(self, findings: list[Finding], refused: str | None) -> None:
        lines = [Text.assemble(("不能保存", "bold red"), " ", refused)] if refused else []
        lines += [finding_text(f) for f in sorted(findings, key=lambda f: not f.is_error)]
        box = self.query_one(".field-findings", Static)
        box.update(Text("\n").join(lines))
        box.display = bool(lines)
        self.set_class(refused is not None or any(f.is_error for f in findings), "has-error")


def stored_value(record: Record, name: str) -> Any:
    """The field's value, or the value of the wrong type kept from the file."""
    if name in record.invalid:  # also where the field fell back to its default
        return record.invalid[name]
    return getattr(record, name)


class RecordForm(Vertical):
    """The fields of `record` in the model's form order."""

    class Changed(Message):
        """Some field's text changed (typed, pasted, chosen)."""

    def __init__(self, record: Record, rules: Rules, read_only: bool = False, *,
                 examples: dict[str, dt.date] | None = None,
                 locked: dict[str, str] | None = None) -> None:
        """`examples`: a valid date per date field; `locked`: fields the user may not change,
        with who fills them in."""
        super().__init__(classes="record-form")
        self.record, self.rules, self.read_only = record, rules, read_only
        self.examples, self.locked = examples or {}, locked or {}

    def compose(self) -> ComposeResult:
        for spec in type(self.record).specs():
            yield FieldRow(spec, display(stored_value(self.record, spec.name)), self.rules,
                           self.read_only, example=self.examples.get(spec.name),
                           locked=self.locked.get(spec.name))

    @property
    def rows(self) -> dict[str, FieldRow]:
        return {row.spec.name: row for row in self.query(FieldRow).results(FieldRow)}

    def _changed(self, widget: Widget) -> None:
        for row in widget.ancestors:
            if isinstance(row, FieldRow):
                row.update_counter()
                break
        self.post_message(self.Changed())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed(event.input)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._changed(event.text_area)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._changed(event.select)

    def changes(self) -> tuple[dict[str, Any], dict[str, str]]:
        """(values of the fields the user changed, reasons for those that cannot be stored).

        Untouched fields are left out, so a value kept from the file stays as it was."""
        values: dict[str, Any] = {}
        refused: dict[str, str] = {}
        for name, row in self.rows.items():
            if row.text == row.initial:
                continue
            try:
                values[name] = parse_value(row.spec, row.text, row.example)
            except FieldError as err:
                refused[name] = str(err)
        return values, refused

    def typed(self) -> dict[str, str]:
        """The text of every field the user changed, as typed (kept by the autosave)."""
        return {name: row.text for name, row in self.rows.items() if row.text != row.initial}

    def put_texts(self, texts: dict[str, str]) -> None:
        """Put texts into their fields as if typed (a restored draft); others stay."""
        rows = self.rows
        for name, text in texts.items():
            row = rows.get(name)
            if row is not None and not row.read_only:
                row.text = text

    def load(self, record: Record) -> None:
        """Show `record` as the stored version (after a save that merged others' changes)."""
        self.record = record
        for name, row in self.rows.items():
            text = display(stored_value(record, name))
            row.initial = text
            row.text = text

    def mark_saved(self) -> None:
        """What is on screen now is what is stored."""
        for row in self.rows.values():
            row.initial = row.text

    def show_findings(self, by_field: dict[str, list[Finding]], refused: dict[str, str]) -> None:
        for name, row in self.rows.items():
            row.show(by_field.get(name, []), refused.get(name))

    def focus_field(self, name: str | None = None) -> None:
        rows = self.rows
        row = rows.get(name) if name else next(iter(rows.values()), None)
        if row is not None:
            row.editor.focus()
            row.scroll_visible()
