"""Small modal questions: yes/no, unsaved changes, the Git identity, a file changed meanwhile,
a draft to restore, the province's review of a deliverable, a text to copy.

A question of any length scrolls inside its box: the buttons always stay on screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioSet, Static, TextArea

from rich.text import Text

from datastore.gitrepo import Identity
from datastore.models import REVIEW_STATES, ReviewEntry
from tui.widgets.toggles import Option

#: the most characters of a name or e-mail the identity dialog takes
IDENTITY_LIMIT = 60


def question_box(question: str | Text) -> VerticalScroll:
    """The question of a dialog, scrolling when long, so the buttons below stay visible."""
    return VerticalScroll(Static(question, classes="question", markup=False),
                          classes="question-box", can_focus=False)


class Dialog(ModalScreen):
    """A centred box; escape answers None (cancel)."""

    BINDINGS = [Binding("escape", "cancel", "取消")]
    #: button id → what the dialog answers
    answers: dict[str, object] = {}

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A button listed in `answers` answers; a dialog with its own handler (which Textual
        calls first, then this one) answers the others itself."""
        event.stop()
        if event.button.id in self.answers:
            self.dismiss(self.answers[event.button.id])


class FormDialog(Dialog):
    """A dialog that checks what was typed: #ok runs `finish`, #cancel answers None, and a
    problem shows in the #problem line instead of closing. (Textual calls the handlers of
    every class in turn, so a subclass's own on_mount adds to this one's.)"""

    def on_mount(self) -> None:
        self.query_one("#problem").display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.finish()
        elif event.button.id == "cancel":
            self.dismiss(None)

    def show_problem(self, message: str) -> None:
        box = self.query_one("#problem", Static)
        box.update(message)
        box.display = True

    def finish(self) -> None:
        raise NotImplementedError


class ConfirmDialog(Dialog):
    """A question with two answers; `safe_default` focuses the answer that changes nothing."""

    def __init__(self, question: str, *, yes: str = "确定", no: str = "取消",
                 safe_default: bool = True) -> None:
        super().__init__()
        self.question, self.yes, self.no, self.safe_default = question, yes, no, safe_default
        self.answers = {"yes": True, "no": False}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield question_box(self.question)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="primary", compact=True)
                yield Button(self.no, id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no" if self.safe_default else "#yes", Button).focus()


class UnsavedDialog(Dialog):
    """Leaving an editor with changes: save, discard, or stay."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what
        self.answers = {"save": "save", "discard": "discard", "stay": None}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield question_box(f"「{self.what}」有未保存的修改。")
            with Horizontal(classes="buttons"):
                yield Button("保存后返回", id="save", variant="primary", compact=True)
                yield Button("不保存", id="discard", variant="error", compact=True)
                yield Button("继续编辑", id="stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()


class IdentityDialog(FormDialog):
    """The name and e-mail Git records with every save; asked once, kept in the repository."""

    def __init__(self, suggestion: Identity | None) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("第一次保存：请填写您的姓名和邮箱。它们会记在每次修改的历史里，"
                         "让大家知道是谁改的（只需填写一次）。", classes="question")
            with Horizontal(classes="field-line"):
                yield Label("姓名", classes="field-label")
                yield Input(self.suggestion.name if self.suggestion else "", id="name",
                            compact=True, max_length=IDENTITY_LIMIT)
            with Horizontal(classes="field-line"):
                yield Label("邮箱", classes="field-label")
                yield Input(self.suggestion.email if self.suggestion else "", id="email",
                            compact=True, max_length=IDENTITY_LIMIT)
            yield Static("", id="problem", classes="field-findings")
            with Horizontal(classes="buttons"):
                yield Button("保存", id="ok", variant="primary", compact=True)
                yield Button("取消", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "name":
            self.query_one("#email", Input).focus()
        else:
            self.finish()

    def finish(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        email = self.query_one("#email", Input).value.strip()
        problem = None if name else "请填写姓名"
        if problem is None and ("@" not in email or " " in email or email.startswith("@")):
            problem = "请填写有效的邮箱，如 zhangli@126.com"
        if problem:
            self.show_problem(problem)
            return
        self.dismiss(Identity(name, email))


class StaleDialog(Dialog):
    """The file was deleted (or cannot be read) since the form opened, so nothing can be
    merged: show what is on screen, field by field, and let the person choose."""

    def __init__(self, message: str, mine: Text, theirs: str | None = None) -> None:
        """`theirs`: the file's text when it is there but not a readable record."""
        super().__init__()
        self.message, self.mine, self.theirs = message, mine, theirs
        self.answers = {"overwrite": "overwrite", "reload": "reload", "stay": None}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(self.message, classes="question", markup=False)
            with VerticalScroll(classes="compare-box"):
                yield Label("您的内容（尚未保存）", classes="compare-label")
                yield Static(self.mine)
                if self.theirs is not None:
                    yield Label("文件中现在的内容（无法读取为材料）", classes="compare-label")
                    yield TextArea(self.theirs, read_only=True, classes="compare")
            with Horizontal(classes="buttons"):
                yield Button("用我的内容保存", id="overwrite", variant="warning", compact=True)
                yield Button("放弃我的修改", id="reload", compact=True)
                yield Button("继续编辑", id="stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()


class RestoreDraftDialog(Dialog):
    """Typing kept from a form left without saving (a dropped connection): what differs
    from the saved version, field by field; answers True to restore it, False to drop it."""

    def __init__(self, what: str, when: str, differences: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.what, self.when, self.differences = what, when, differences
        self.answers = {"restore": True, "drop": False}

    def compose(self) -> ComposeResult:
        shown = Text()
        for label, saved, typed in self.differences:
            shown.append(f"「{label}」\n", style="bold")
            shown.append("  已保存的：", style="dim")
            shown.append(f"{saved}\n")
            shown.append("  未保存的：", style="bold")
            shown.append(f"{typed}\n")
        shown.rstrip()
        when = self.when.replace("T", " ")[:16]
        with Vertical(classes="dialog wide"):
            yield Static(f"{self.what} 有 {when} 未保存的修改（上次没有保存就离开了，"
                         "如连接中断）。恢复这些修改吗？", classes="question", markup=False)
            with VerticalScroll(classes="compare-box draft-box"):
                yield Static(shown)
            with Horizontal(classes="buttons"):
                yield Button("恢复未保存的修改", id="restore", variant="primary", compact=True)
                yield Button("丢弃", id="drop", compact=True)

    def on_mount(self) -> None:
        self.query_one("#restore", Button).focus()

    def action_cancel(self) -> None:
        """Escape decides nothing: the draft stays for next time."""
        self.dismiss(None)


class TextDialog(Dialog):
    """A text to read and copy (催报): selectable, with a button that copies it all."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text
        self.answers = {"close": None}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(self.title_text, classes="question", markup=False)
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="text",
                           classes="copy-text")
            yield Static("", id="copied", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("复制全部", id="copy", variant="primary", compact=True)
                yield Button("关闭", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#copied").display = False
        self.query_one("#copy", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            event.stop()
            self.app.copy_to_clipboard(self.text)
            box = self.query_one("#copied", Static)
            box.update("已复制到剪贴板（终端支持时）；也可以用鼠标选中文字复制。")
            box.display = True


class ReviewDialog(FormDialog):
    """已收到 / 已通过 / 已退回 with a comment; answers (state, comment) or None.

    A return needs a comment: it is what the unit reads to know what to change. The current
    decision is shown above, not filled in: a new decision gets its own words.
    """

    def __init__(self, what: str, current: ReviewEntry | None) -> None:
        super().__init__()
        self.what, self.current = what, current

    def compose(self) -> ComposeResult:
        question = f"审核：{self.what}"
        current = self.current
        if current is not None and current.state in REVIEW_STATES:
            question += f"\n现在：{REVIEW_STATES[current.state]}（{current.at or ''} {current.by or ''}）"
            if current.comment:
                question += f" {current.comment}"
        with Vertical(classes="dialog"):
            yield Static(question, classes="question", markup=False)
            with RadioSet(id="review-state", compact=True):
                for key, label in REVIEW_STATES.items():
                    yield Option(label, id=f"state-{key}")
            yield Label("意见（退回时必填，单位会看到）", classes="compare-label")
            yield TextArea("", soft_wrap=True, id="review-comment")
            yield Static("", id="problem", classes="notice")
            with Horizontal(classes="buttons"):
                yield Button("保存", id="ok", variant="primary", compact=True)
                yield Button("取消", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def finish(self) -> None:
        pressed = self.query_one(RadioSet).pressed_button
        comment = self.query_one("#review-comment", TextArea).text.strip()
        problem = None
        if pressed is None:
            problem = "请选择审核结果：已收到、已通过或已退回"
        elif pressed.id == "state-returned" and not comment:
            problem = "退回时请写明意见，单位才知道要修改什么"
        if problem:
            self.show_problem(problem)
            return
        self.dismiss((pressed.id.removeprefix("state-"), comment or None))
