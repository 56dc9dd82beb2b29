"""A photo drawn in the terminal with half-block characters, plus its size and verdict.

Half blocks (▀ with a foreground and a background colour) work in every terminal over SSH:
each character cell shows two pixels stacked. Decoding runs in a worker; JPEGs are decoded at
a reduced scale (Pillow's draft mode), so even a 20 MB print photo previews quickly.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from rich.style import Style
from rich.text import Text
from textual import work
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from datastore.models import Rules
from datastore.photos import inspect_photo, open_image


def verdict(path: Path, rules: Rules) -> tuple[str, bool]:
    """`2400×1600 像素，分辨率合格` and whether the photo can be used as it is."""
    info = inspect_photo(path, follow=True)  # repository paths come link-free from photo_path
    if not info.ok:
        return f"无法使用：{info.problem}", False
    size = f"{info.width}×{info.height} 像素，{info.size_bytes / 1048576:.1f} MB"
    if not info.meets(rules.photo_min_long_side, rules.photo_min_short_side):
        return (f"{size}：分辨率不足（至少 {rules.photo_min_long_side}×"
                f"{rules.photo_min_short_side}）"), False
    return f"{size}：分辨率合格", True


def half_blocks(image: Image.Image, columns: int, rows: int) -> Text:
    """The image scaled to fit `columns` × `rows` cells, two pixels per cell."""
    image = image.convert("RGB")
    scale = min(columns / image.width, rows * 2 / image.height)
    width, height = max(1, int(image.width * scale)), max(2, int(image.height * scale) // 2 * 2)
    pixels = image.resize((width, height), Image.Resampling.BILINEAR).load()
    text = Text(no_wrap=True, overflow="crop")
    for y in range(0, height, 2):
        for x in range(width):
            top, bottom = pixels[x, y], pixels[x, y + 1]
            text.append("▀", Style(color=f"rgb{top}", bgcolor=f"rgb{bottom}"))
        if y + 2 < height:
            text.append("\n")
    return text


class PhotoPicture(Widget):
    """Just the picture; redrawn from a small cached copy when the widget is resized."""

    image: reactive[Image.Image | None] = reactive(None, layout=True)

    def render(self) -> Text:
        if self.image is None:
            return Text("")
        return half_blocks(self.image, max(self.size.width, 1), max(self.size.height, 1))


class PhotoPreview(Widget):
    """The picture and one line saying its pixel size and whether it is good enough to print."""

    def __init__(self, rules: Rules | None = None, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.rules = rules or Rules()

    def compose(self):  # noqa: ANN201
        yield PhotoPicture()
        yield Static("（未选择照片）", classes="photo-verdict")

    def show(self, path: Path | None) -> None:
        """Preview `path` (None clears); the slow part runs in a worker."""
        self.query_one(PhotoPicture).image = None
        if path is None:
            self.query_one(".photo-verdict", Static).update("（未选择照片）")
            return
        self.query_one(".photo-verdict", Static).update("正在读取照片…")
        self._load(path)

    @work(thread=True, exclusive=True, group="photo-preview", exit_on_error=False)
    def _load(self, path: Path) -> None:
        message, _ = verdict(path, self.rules)
        thumbnail: Image.Image | None = None
        try:
            with open_image(path, follow=True) as image:  # never blocks on a FIFO
                image.draft("RGB", (320, 320))
                thumbnail = ImageOps.exif_transpose(image)
                thumbnail.thumbnail((320, 320))
        except (OSError, UnidentifiedImageError, SyntaxError, ValueError,
                Image.DecompressionBombError):
            thumbnail = None
        self.app.call_from_thread(self._loaded, thumbnail, message)

    def _loaded(self, thumbnail: Image.Image | None, message: str) -> None:
        if not self.is_attached:  # its editor was closed while the photo was read
            return
        self.query_one(PhotoPicture).image = thumbnail
        self.query_one(".photo-verdict", Static).update(message)
