"""The photo preview draws a real JPEG in half blocks and explains a photo it cannot use."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from tests.builders import jpeg_bytes
from tui.widgets.photo_preview import PhotoPicture, PhotoPreview


class PreviewHost(App):
    CSS = "PhotoPicture { height: 10; } PhotoPreview { height: auto; }"

    def compose(self) -> ComposeResult:
        yield PhotoPreview()


async def preview(path: Path) -> tuple[str, list[str]]:
    app = PreviewHost()
    async with app.run_test(size=(40, 14)) as pilot:
        app.query_one(PhotoPreview).show(path)
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = str(app.query_one(".photo-verdict").render())
        lines = [strip.text for strip in app.query_one(PhotoPicture).render_lines(
            app.query_one(PhotoPicture).region.reset_offset)]
        return verdict, lines


async def test_a_print_size_jpeg_is_drawn_with_its_size_and_verdict(tmp_path: Path):
    photo = tmp_path / "开幕式.jpg"
    photo.write_bytes(jpeg_bytes(2400, 1600))
    verdict, lines = await preview(photo)
    assert verdict.startswith("2400×1600 像素") and verdict.endswith("分辨率合格")
    assert any("▀" in line for line in lines)


async def test_a_small_photo_is_drawn_and_called_too_small(tmp_path: Path):
    photo = tmp_path / "small.jpg"
    photo.write_bytes(jpeg_bytes(1280, 720))
    verdict, lines = await preview(photo)
    assert "1280×720" in verdict and "分辨率不足" in verdict
    assert any("▀" in line for line in lines)


async def test_a_corrupt_photo_shows_a_message_and_no_picture(tmp_path: Path):
    photo = tmp_path / "broken.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not a picture at all")
    verdict, lines = await preview(photo)
    assert verdict.startswith("无法使用：")
    assert not any("▀" in line for line in lines)
