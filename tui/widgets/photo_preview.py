"""A photo drawn in the terminal, plus its size and verdict.

The drawing is textual-image's, in the way `tui.graphics` found this terminal can show it:
Sixel or Kitty graphics where the terminal has them (the photo itself, sharp), half blocks
(▀ in two colours, two pixels a cell) everywhere else, over any SSH link. Decoding runs in a
worker and goes through `datastore.photos` (bounded reads, no FIFOs or devices, no pixel
bombs); JPEGs are decoded at a reduced scale, so even a 20 MB print photo shows quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.widget import Widget
from textual.widgets import Static

from datastore.errors import LlweekError
from datastore.models import Rules
from datastore.photos import decode_photo, inspect_photo, read_photo_file
from tui.graphics import Protocol, chosen, image_widget

#: pixels of the long side of a preview; the full-screen view asks for more
PREVIEW_PIXELS = 480


@dataclass(frozen=True)
class Shown:
    """One photo of a record as the full-screen view shows it: its file (None when the name
    is not usable), its name and its place (第 3 张)."""

    path: Path | None
    caption: str
    label: str


def verdict(path: Path, rules: Rules) -> tuple[str, bool]:
    """`2400×1600 像素，分辨率合格` and whether the photo can be used as it is."""
    info = inspect_photo(path)
    if not info.ok:
        return f"无法使用：{info.problem}", False
    size = f"{info.width}×{info.height} 像素，{info.size_bytes / 1048576:.1f} MB"
    if not info.meets(rules.photo_min_long_side, rules.photo_min_short_side):
        return (f"{size}：分辨率不足（至少 {rules.photo_min_long_side}×"
                f"{rules.photo_min_short_side}）"), False
    return f"{size}：分辨率合格", True


def load_picture(path: Path, pixels: int) -> Image.Image | None:
    """The photo upright, at most `pixels` on its long side; None when it cannot be shown."""
    try:
        return decode_photo(read_photo_file(path), pixels)
    except LlweekError:
        return None


class PhotoPicture(Container):
    """Just the picture, drawn by the textual-image widget of `protocol` (default: the one
    the terminal offers), scaled to fit with its proportions."""

    def __init__(self, protocol: Protocol | None = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.protocol = protocol or chosen()
        self._image: Image.Image | None = None

    def compose(self) -> ComposeResult:
        yield image_widget(self.protocol)(classes="photo-image")

    @property
    def image(self) -> Image.Image | None:
        return self._image

    @image.setter
    def image(self, value: Image.Image | None) -> None:
        self._image = value
        if self.is_mounted:
            self.drawing.image = value

    @property
    def drawing(self) -> Widget:
        return self.query_one(".photo-image")

    def on_mount(self) -> None:
        self.drawing.image = self._image


class PhotoPreview(Widget):
    """The picture and one line saying its pixel size and whether it is good enough to print."""

    def __init__(self, rules: Rules | None = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.rules = rules or Rules()
        self.path: Path | None = None

    def compose(self) -> ComposeResult:
        yield PhotoPicture()
        yield Static("（未选择照片）", classes="photo-verdict")

    def show(self, path: Path | None) -> None:
        """Preview `path` (None clears); the slow part runs in a worker."""
        self.path = path
        self.query_one(PhotoPicture).image = None
        if path is None:
            self.query_one(".photo-verdict", Static).update("（未选择照片）")
            return
        self.query_one(".photo-verdict", Static).update("正在读取照片…")
        self._load(path)

    @work(thread=True, exclusive=True, group="photo-preview", exit_on_error=False)
    def _load(self, path: Path) -> None:
        message, _ = verdict(path, self.rules)
        picture = load_picture(path, PREVIEW_PIXELS)
        self.app.call_from_thread(self._loaded, path, picture, message)

    def _loaded(self, path: Path, picture: Image.Image | None, message: str) -> None:
        if not self.is_attached or path != self.path:  # closed, or another photo since
            return
        self.query_one(PhotoPicture).image = picture
        self.query_one(".photo-verdict", Static).update(message)
