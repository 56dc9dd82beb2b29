"""The photo preview: drawn the way the terminal's own answers offer (Sixel, Kitty graphics or
half blocks), a real JPEG with its size and verdict, a message for a photo it cannot use.

The terminal is a real pseudo-terminal whose other end answers as kitty, WezTerm, xterm or
tmux do; the app is driven with Pilot."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
import threading
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region

from tests.builders import jpeg_bytes
from tui import graphics
from tui.graphics import Protocol, choose, detect
from tui.widgets.photo_preview import PhotoPicture, PhotoPreview

KITTY = "\x1b_Gi=31;OK\x1b\\\x1b[?62;c"
WEZTERM = "\x1b_Gi=31;OK\x1b\\\x1b[?65;4;6;18;22c"
XTERM_SIXEL = "\x1b[?63;1;2;4;6;9;15;16;22;28c"
TMUX = "\x1b[?1;2c"  # tmux answers for itself, and drops the graphics query


@pytest.fixture(autouse=True)
def half_blocks_after():
    yield
    graphics.use(Protocol.HALF_BLOCKS)


class PreviewHost(App):
    CSS = ("PhotoPicture { height: 10; } PhotoPreview { height: auto; }"
           " PhotoPicture .photo-image { width: auto; height: 100%; }")

    def compose(self) -> ComposeResult:
        yield PhotoPreview()


def drawing_of(app: App):
    return app.query_one(PhotoPicture).drawing


def segments(app: App) -> list[str]:
    """What the photo's widget (and the inner one Sixel draws in) sends to the terminal."""
    widget = drawing_of(app)
    return [segment.text for child in [widget, *widget.walk_children()]
            for line in child.render_lines(Region(0, 0, child.size.width, child.size.height))
            for segment in line]


async def preview(path: Path) -> tuple[str, list[str], type]:
    app = PreviewHost()
    async with app.run_test(size=(40, 14)) as pilot:
        app.query_one(PhotoPreview).show(path)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        verdict = str(app.query_one(".photo-verdict").render())
        return verdict, segments(app), type(drawing_of(app))


class FakeTerminal:
    """The far end of a pseudo-terminal: reads what the app asks, answers like a terminal."""

    def __init__(self, answers: str, pixels: tuple[int, int] = (0, 0), *,
                 listen: bool = True) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, *pixels))
        self.answers, self.asked = answers, ""
        self.thread = threading.Thread(target=self._answer, daemon=True)
        if listen:
            self.thread.start()

    def _answer(self) -> None:
        while "\x1b[c" not in self.asked:  # DA1 comes last: answer once it has arrived
            try:
                chunk = os.read(self.master, 1024)
            except OSError:  # closed by the test
                return
            if not chunk:
                return
            self.asked += chunk.decode()
        if self.answers:
            os.write(self.master, self.answers.encode())

    def close(self) -> None:
        os.close(self.slave)
        os.close(self.master)


@pytest.mark.parametrize(("answers", "expected"), [
    (KITTY, Protocol.TGP), (WEZTERM, Protocol.SIXEL), (XTERM_SIXEL, Protocol.SIXEL),
    (TMUX, Protocol.HALF_BLOCKS), ("", Protocol.HALF_BLOCKS),
    ("\x1b_Gi=31;ENOTSUPPORTED:no\x1b\\\x1b[?62;c", Protocol.HALF_BLOCKS),
])
def test_the_terminals_answers_choose_the_protocol(answers, expected):
    assert choose(answers) is expected


@pytest.mark.parametrize(("answers", "expected"), [(KITTY, Protocol.TGP),
                                                   (WEZTERM, Protocol.SIXEL),
                                                   (TMUX, Protocol.HALF_BLOCKS)])
def test_a_real_terminal_is_asked_once_and_nothing_is_left_unread(answers, expected, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv(graphics.SETTING, raising=False)
    terminal = FakeTerminal(answers)
    try:
        assert detect(terminal.slave, terminal.slave) is expected
        terminal.thread.join(5)
        assert terminal.asked.endswith("\x1b[c") and "\x1b_G" in terminal.asked
        os.set_blocking(terminal.slave, False)
        with pytest.raises(BlockingIOError):  # every answer was read: none reaches the app
            os.read(terminal.slave, 1024)
    finally:
        terminal.close()


def test_the_cell_size_comes_from_the_kernel_or_else_from_the_terminal(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv(graphics.SETTING, raising=False)
    known = FakeTerminal(WEZTERM, pixels=(800, 480))  # 80 × 24 cells of 10 × 20 pixels
    try:
        detect(known.slave, known.slave)
        known.thread.join(5)
        assert graphics.cell() == (10, 20) and "\x1b[16t" not in known.asked
    finally:
        known.close()
    unknown = FakeTerminal("\x1b[6;24;12t" + WEZTERM)
    try:
        detect(unknown.slave, unknown.slave)
        assert "\x1b[16t" in unknown.asked and graphics.cell() == (12, 24)
    finally:
        unknown.close()


def test_a_silent_terminal_gets_half_blocks_after_the_time_limit(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv(graphics.SETTING, raising=False)
    terminal = FakeTerminal("", listen=False)
    try:
        assert detect(terminal.slave, terminal.slave, time_limit=0.3) is Protocol.HALF_BLOCKS
    finally:
        terminal.close()


@pytest.mark.parametrize("forced", ["env", "option"])
def test_the_setting_forces_half_blocks_without_asking(forced, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-kitty")
    if forced == "env":
        monkeypatch.setenv(graphics.SETTING, "halfblocks")
    terminal = FakeTerminal(KITTY, listen=False)
    try:
        assert detect(terminal.slave, terminal.slave,
                      half_blocks=forced == "option") is Protocol.HALF_BLOCKS
        os.set_blocking(terminal.master, False)
        with pytest.raises(BlockingIOError):  # nothing was written to the terminal
            os.read(terminal.master, 1024)
    finally:
        terminal.close()


def test_no_terminal_no_question():
    read, write = os.pipe()  # as under Pilot, or with output piped
    try:
        assert detect(read, write) is Protocol.HALF_BLOCKS
        os.set_blocking(read, False)
        with pytest.raises(BlockingIOError):
            os.read(read, 1024)
    finally:
        os.close(read)
        os.close(write)


async def test_a_wezterm_draws_the_photo_in_sixel(tmp_path, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv(graphics.SETTING, raising=False)
    terminal = FakeTerminal(WEZTERM)
    try:
        detect(terminal.slave, terminal.slave)
    finally:
        terminal.close()
    photo = tmp_path / "开幕式.jpg"
    photo.write_bytes(jpeg_bytes(2400, 1600))
    verdict, drawn, kind = await preview(photo)
    assert kind.__name__ == "Image" and kind.__module__ == "textual_image.widget.sixel"
    assert any(text.startswith("\x1bP") for text in drawn)  # a Sixel DCS string
    assert verdict.endswith("分辨率合格")


async def test_kitty_draws_the_photo_with_its_graphics_protocol(tmp_path, capfd):
    graphics.use(Protocol.TGP)
    photo = tmp_path / "开幕式.jpg"
    photo.write_bytes(jpeg_bytes(2400, 1600))
    verdict, drawn, kind = await preview(photo)
    assert kind.__name__ == "TGPImage"
    assert any(chr(0x10EEEE) in text for text in drawn)  # cells that show the placed image
    assert "\x1b_G" in capfd.readouterr().out  # the image itself went to the terminal


async def test_a_print_size_jpeg_is_drawn_in_half_blocks_with_its_size_and_verdict(tmp_path):
    photo = tmp_path / "开幕式.jpg"
    photo.write_bytes(jpeg_bytes(2400, 1600))
    verdict, drawn, kind = await preview(photo)
    assert kind.__name__ == "HalfcellImage"
    assert verdict.startswith("2400×1600 像素") and verdict.endswith("分辨率合格")
    assert "▀" in drawn


async def test_a_small_photo_is_drawn_and_called_too_small(tmp_path):
    photo = tmp_path / "small.jpg"
    photo.write_bytes(jpeg_bytes(1280, 720))
    verdict, drawn, _ = await preview(photo)
    assert "1280×720" in verdict and "分辨率不足" in verdict
    assert "▀" in drawn


async def test_a_corrupt_photo_shows_a_message_and_no_picture(tmp_path):
    photo = tmp_path / "broken.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not a picture at all")
    verdict, drawn, _ = await preview(photo)
    assert verdict.startswith("无法使用：")
    assert "▀" not in drawn


async def test_a_pipe_named_like_a_photo_never_blocks_the_preview(tmp_path):
    photo = tmp_path / "pipe.jpg"
    os.mkfifo(photo)
    verdict, drawn, _ = await preview(photo)
    assert verdict.startswith("无法使用：") and "▀" not in drawn
