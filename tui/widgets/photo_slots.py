"""Numbered photo slots (展板 6, 年度总结 8): a caption, a file from the server, its resolution.

Choosing a file asks the screen (it opens the file picker and stages the file for the save
that uses it, datastore.photostage, in a worker); the slot then shows the file's size in
pixels and the verdict. The slot the cursor is in draws its photo below it (as the terminal
allows: Sixel, Kitty graphics or half blocks); `v` shows it over the whole screen.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Static

from datastore.findings import Finding
from datastore.models import Photo, Rules
from datastore.photos import inspect_photo
from datastore.photostage import find_photo
from tui.widgets.photo_preview import PhotoPreview, Shown
from tui.widgets.state import finding_text


class PhotoFile(Static, can_focus=True):
    """The file of one slot: enter chooses a file, delete removes it from the slot, v (or
    space) shows the photo over the whole screen."""

    BINDINGS = [
        Binding("enter", "choose", "选择照片"),
        Binding("delete,x", "remove", "移除照片"),
        Binding("v,space", "view", "查看大图"),
    ]

    def action_view(self) -> None:
        from tui.screens.photo_viewer import PhotoViewerScreen  # a screen above the widgets

        slot = self.parent_slot()
        slots = next(a for a in self.ancestors if isinstance(a, PhotoSlots))
        if not slot.file:
            self.notify("这一张还没有照片：按 Enter 选择。")
            return
        filled = [s for s in slots.slots if s.file]
        shown = [s.shown() for s in filled]
        self.app.push_screen(PhotoViewerScreen(shown, filled.index(slot), slot.rules, slots.label))

    def action_choose(self) -> None:
        slot = self.parent_slot()
        if not slot.read_only:
            self.post_message(PhotoSlots.Choose(slot.index))

    def action_remove(self) -> None:
        slot = self.parent_slot()
        if not slot.read_only and slot.file:
            slot.set_file(None)

    def parent_slot(self) -> PhotoSlot:
        return next(a for a in self.ancestors if isinstance(a, PhotoSlot))


class PhotoSlot(Vertical):
    """Slot `index` (from 1): caption, file and findings."""

    def __init__(self, index: int, photo: Photo | None, root: Path, unit: str, rules: Rules,
                 read_only: bool) -> None:
        super().__init__(classes="photo-slot")
        self.index, self.root, self.unit, self.rules, self.read_only = index, root, unit, rules, read_only
        self.file: str | None = photo.file if photo else None
        self.caption = photo.caption if photo and photo.caption else ""
        self.previewed: str | None = None  # the file the preview shows

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Label(Text(f"第 {self.index} 张 命名", style="bold"), classes="field-label")
            yield Input(self.caption, placeholder="给这张图片起个名字", compact=True, select_on_focus=False,
                        disabled=self.read_only, id=f"caption-{self.index}",
                        classes="field-input")
        with Horizontal(classes="field-line"):
            yield Label("照片文件", classes="field-label")
            yield PhotoFile(self._file_text(), id=f"photo-{self.index}", classes="photo-file")
        yield Static("", classes="field-findings")
        yield PhotoPreview(self.rules, id=f"preview-{self.index}")

    def on_mount(self) -> None:
        self.set_class(bool(self.file), "has-photo")

    def on_descendant_focus(self) -> None:
        self.add_class("-active")
        self.show_preview()

    def show_preview(self) -> None:
        """Draw the slot's photo (read again only when the file changed)."""
        if self.file == self.previewed or not self.has_class("-active"):
            return
        self.previewed = self.file
        path = find_photo(self.root, self.unit, self.file) if self.file else None
        self.query_one(PhotoPreview).show(path)

    def shown(self) -> Shown:
        """This slot's photo as the full-screen view shows it."""
        path = find_photo(self.root, self.unit, self.file) if self.file else None
        caption = self.query_one(Input).value.strip()
        return Shown(path, caption, f"第 {self.index} 张")

    def on_descendant_blur(self) -> None:
        self.remove_class("-active")

    def _file_text(self) -> Text:
        if not self.file:
            return Text("（未选择）按 Enter 选择服务器上的照片", style="dim")
        text = Text(self.file)
        path = find_photo(self.root, self.unit, self.file)
        info = inspect_photo(path) if path else None
        if info is None or not info.ok:
            return text.append(f"  {info.problem if info else '文件名不可用'}", style="bold red")
        text.append(f"  {info.width}×{info.height}  ")
        if info.meets(self.rules.photo_min_long_side, self.rules.photo_min_short_side):
            return text.append("分辨率合格", style="green")
        return text.append("分辨率不足", style="yellow")

    def set_file(self, name: str | None) -> None:
        self.file = name
        self.query_one(PhotoFile).update(self._file_text())
        self.set_class(bool(name), "has-photo")
        self.show_preview()
        self.post_message(PhotoSlots.Changed())

    @property
    def photo(self) -> Photo | None:
        caption = self.query_one(Input).value.strip()
        if not self.file and not caption:
            return None
        return Photo(file=self.file, caption=caption or None)

    def show(self, findings: list[Finding]) -> None:
        box = self.query_one(".field-findings", Static)
        box.update(Text("\n").join(finding_text(f) for f in findings))
        box.display = bool(findings)
        self.set_class(any(f.is_error for f in findings), "has-error")


class PhotoSlots(Vertical):
    """`count` slots holding `photos` in order."""

    class Changed(Message):
        """A caption was typed or a file chosen or removed."""

    class Choose(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, photos: list[Photo], count: int, label: str, root: Path, unit: str,
                 rules: Rules, read_only: bool) -> None:
        super().__init__(classes="photo-slots")
        self.label, self.count = label, max(count, len(photos))
        self.slots = [PhotoSlot(i + 1, photos[i] if i < len(photos) else None, root, unit,
                                rules, read_only) for i in range(self.count)]
        self.initial = [(p.file, p.caption) for p in photos]

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.label}（{self.count} 张，每张都要命名）", style="bold"),
                     classes="slots-head")
        yield Static("", classes="field-findings slots-findings")
        yield from self.slots

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())

    def photos(self) -> list[Photo]:
        return [photo for slot in self.slots if (photo := slot.photo) is not None]

    @property
    def touched(self) -> bool:
        return [(p.file, p.caption) for p in self.photos()] != self.initial

    def mark_saved(self) -> None:
        self.initial = [(p.file, p.caption) for p in self.photos()]

    def slot(self, index: int) -> PhotoSlot:
        return self.slots[index - 1]

    def show_findings(self, findings: list[Finding]) -> None:
        """Findings about `photos[n]…` go to the n-th filled slot, the rest to the header."""
        filled = [slot for slot in self.slots if slot.photo is not None]
        per_slot: dict[int, list[Finding]] = {}
        general: list[Finding] = []
        for finding in findings:
            position = _photo_position(finding.field)
            if position is not None and position <= len(filled):
                per_slot.setdefault(filled[position - 1].index, []).append(finding)
            else:
                general.append(finding)
        for slot in self.slots:
            slot.show(per_slot.get(slot.index, []))
        box = self.query_one(".slots-findings", Static)
        box.update(Text("\n").join(finding_text(f) for f in general))
        box.display = bool(general)


def _photo_position(field: str | None) -> int | None:
    """3 for `photos[3].caption`; None for anything else."""
    if not field or not field.startswith("photos["):
        return None
    number = field[len("photos["):].split("]", 1)[0]
    return int(number) if number.isdigit() else None
