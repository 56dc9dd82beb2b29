"""查看照片: one photo of a slot over the whole screen, with its name, size and verdict.

Opened with `v` (or space) on a photo slot; ← / → go to the previous or next photo of the same
record, Esc goes back. The photo is decoded in a worker at the size the screen can show
(no larger than the screen's pixels), and drawn as the terminal allows (Sixel, Kitty graphics or half blocks).
"""

from __future__ import annotations

from PIL import Image
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from datastore.models import Rules
from tui.graphics import cell, chosen
from tui.widgets.bar import TopBar
from tui.widgets.photo_preview import PhotoPicture, Shown, load_picture, verdict

#: the most pixels a full-screen photo is decoded to (a 4K screen's width)
VIEW_PIXELS = 3840


class PhotoViewerScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "返回"),
        Binding("left", "step(-1)", "上一张"),
        Binding("right", "step(1)", "下一张"),
    ]

    def __init__(self, photos: list[Shown], index: int, rules: Rules, heading: str) -> None:
        super().__init__()
        self.photos, self.index, self.rules, self.heading = photos, index, rules, heading

    def compose(self) -> ComposeResult:
        yield TopBar(self.heading)
        yield Static("", id="viewer-caption", markup=False)
        yield PhotoPicture(id="viewer-picture")
        yield Static("", id="viewer-verdict", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    @property
    def current(self) -> Shown:
        return self.photos[self.index]

    def show(self) -> None:
        shown = self.current
        name = shown.caption or "（未命名）"
        self.query_one("#viewer-caption", Static).update(Text.assemble(
            (f"{shown.label}  {name}", "bold"), f"    （{self.index + 1}/{len(self.photos)}，"
            f"{chosen().value}显示，← → 换一张）"))
        self.query_one("#viewer-picture", PhotoPicture).image = None
        verdict_box = self.query_one("#viewer-verdict", Static)
        if shown.path is None:
            verdict_box.update("无法使用：照片不在本单位 photos 文件夹中")
            return
        verdict_box.update("正在读取照片…")
        width, height = cell()
        self._load(shown, min(VIEW_PIXELS, max(self.app.size.width * width,
                                               self.app.size.height * height)))

    @work(thread=True, exclusive=True, group="photo-preview", exit_on_error=False)
    def _load(self, shown: Shown, pixels: int) -> None:
        message, _ = verdict(shown.path, self.rules)
        picture = load_picture(shown.path, pixels)
        self.app.call_from_thread(self._loaded, shown, picture, message)

    def _loaded(self, shown: Shown, picture: Image.Image | None, message: str) -> None:
        if not self.is_attached or shown != self.current:
            return
        self.query_one("#viewer-picture", PhotoPicture).image = picture
        self.query_one("#viewer-verdict", Static).update(message)

    def action_step(self, delta: int) -> None:
        if len(self.photos) > 1:
            self.index = (self.index + delta) % len(self.photos)
            self.show()

    def action_back(self) -> None:
        self.dismiss()
