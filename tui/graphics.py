"""How this terminal draws a photo: Kitty graphics, Sixel, or half blocks — asked once, before
the app starts.

Windows Terminal, WezTerm, iTerm2 and a recent xterm draw Sixel images; kitty draws its own
graphics protocol (TGP); every other terminal, and every terminal inside tmux or screen that
does not pass graphics on, gets half blocks (▀ in two colours), which work everywhere.

The terminal is asked in one go: a TGP query, a cell-size query (only when the kernel does not
know the cell size) and, last, the primary device attributes (DA1), which every terminal
answers and which lists Sixel (attribute 4). Terminals answer in order, so the DA1 answer
closes the exchange: nothing is waited for beyond it, and no late answer can reach the app
afterwards as keystrokes (over a slow SSH link textual-image's own 0.1 s probes would time out
and leave their answers in the input). Without an answer within TIME_LIMIT, or when stdin or
stdout is not a terminal (a pipe, the tests' Pilot), no question is asked: half blocks.

textual-image is imported only here, with its own import-time probing turned off (it would
query the terminal a second time, and after Textual has started it cannot read the answers);
the cell size it scales images with comes from this probe. `LLWEEK_PHOTOS=halfblocks` (or
`llweek --half-blocks`) skips the question and draws half blocks.
"""

from __future__ import annotations

import enum
import os
import re
import select
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

SETTING = "LLWEEK_PHOTOS"
HALF_BLOCKS_VALUES = ("halfblocks", "blocks", "half-blocks", "text")
TIME_LIMIT = 2.0  # seconds to wait for a terminal that never answers DA1
_TGP_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
_CELL_QUERY = "\x1b[16t"
_DA1 = "\x1b[c"
_DA1_ANSWER = re.compile(r"\x1b\[\?([\d;]*)c")
_TGP_ANSWER = re.compile(r"\x1b_Gi=31;([^\x1b]*)\x1b\\")
_CELL_ANSWER = re.compile(r"\x1b\[6;(\d+);(\d+)t")


class Protocol(enum.Enum):
    """How photos are drawn, best first."""

    SIXEL = "Sixel 图形"
    TGP = "Kitty 图形"
    HALF_BLOCKS = "字符色块"


_chosen: Protocol = Protocol.HALF_BLOCKS
_cell: tuple[int, int] | None = None  # a cell's (width, height) in pixels, where known


def choose(answers: str) -> Protocol:
    """The protocol the terminal's answers offer: Sixel first (WezTerm and Konsole answer the
    TGP query too but draw textual-image's TGP placements wrongly), then TGP, else half blocks."""
    attributes = _DA1_ANSWER.search(answers)
    if attributes and "4" in attributes.group(1).split(";"):
        return Protocol.SIXEL
    tgp = _TGP_ANSWER.search(answers)
    if tgp and tgp.group(1) == "OK":
        return Protocol.TGP
    return Protocol.HALF_BLOCKS


def cell_size(answers: str) -> tuple[int, int] | None:
    """A cell's (width, height) in pixels from the terminal's answer to `CSI 16 t`."""
    found = _CELL_ANSWER.search(answers)
    return (int(found.group(2)), int(found.group(1))) if found else None


def forced_half_blocks(environ: dict[str, str] | os._Environ = os.environ) -> bool:
    return environ.get(SETTING, "").strip().lower() in HALF_BLOCKS_VALUES


def detect(stdin_fd: int | None = None, stdout_fd: int | None = None, *,
           half_blocks: bool = False, time_limit: float = TIME_LIMIT) -> Protocol:
    """Ask the terminal (once, before the app starts) and remember its answer for the app."""
    global _chosen, _cell
    _chosen, _cell = Protocol.HALF_BLOCKS, None
    if (half_blocks or forced_half_blocks() or os.name != "posix"
            or os.environ.get("TERM", "") in ("", "dumb", "linux")):  # the console: no graphics
        return _chosen
    stdin_fd = sys.stdin.fileno() if stdin_fd is None and sys.stdin else stdin_fd
    stdout_fd = sys.stdout.fileno() if stdout_fd is None and sys.stdout else stdout_fd
    if stdin_fd is None or stdout_fd is None or not (os.isatty(stdin_fd) and os.isatty(stdout_fd)):
        return _chosen
    _cell = _kernel_cell_size(stdout_fd)
    answers = ask(stdin_fd, stdout_fd, _TGP_QUERY + ("" if _cell else _CELL_QUERY) + _DA1,
                  time_limit)
    _chosen = choose(answers)
    _cell = _cell or cell_size(answers)
    return _chosen


def use(protocol: Protocol, cell: tuple[int, int] | None = None) -> None:
    """Set the protocol outright (a terminal asked elsewhere; tests)."""
    global _chosen, _cell
    _chosen, _cell = protocol, cell


def chosen() -> Protocol:
    return _chosen


def cell() -> tuple[int, int]:
    """A cell's (width, height) in pixels: as the terminal said, else a usual 10 × 20."""
    return _cell or (10, 20)


def ask(stdin_fd: int, stdout_fd: int, query: str, time_limit: float) -> str:
    """Write `query`, read the answers up to and including the DA1 answer (or the time limit),
    with the terminal in cbreak mode so no answer is echoed; the terminal is restored after."""
    import termios
    import tty

    saved = termios.tcgetattr(stdin_fd)
    answers = b""
    try:
        tty.setcbreak(stdin_fd, termios.TCSANOW)
        os.write(stdout_fd, query.encode())
        deadline = time.monotonic() + time_limit
        while not _DA1_ANSWER.search(answers.decode("latin-1")):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdin_fd], [], [], left)[0]:
                break
            chunk = os.read(stdin_fd, 1024)
            if not chunk:
                break
            answers += chunk
    finally:
        termios.tcsetattr(stdin_fd, termios.TCSANOW, saved)
    return answers.decode("utf-8", "replace")


def _kernel_cell_size(fd: int) -> tuple[int, int] | None:
    """The cell size from the terminal's window size in pixels, where the kernel knows it."""
    import fcntl
    import struct
    import termios

    try:
        rows, columns, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    except OSError:
        return None
    if rows and columns and width and height:
        return width // columns, height // rows
    return None


@contextmanager
def _quiet_import() -> Iterator[None]:
    """textual-image probes the terminal while it is imported, if stdout is one; it must not."""
    real = sys.__stdout__

    class NotATerminal:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def isatty(self) -> bool:
            return False

    if _cell:
        os.environ["TEXTUAL_CELL_WIDTH"], os.environ["TEXTUAL_CELL_HEIGHT"] = map(str, _cell)
    sys.__stdout__ = NotATerminal()  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.__stdout__ = real


def image_widget(protocol: Protocol | None = None) -> type:
    """The textual-image widget class that draws photos with `protocol` (default: the chosen)."""
    with _quiet_import():
        from textual_image.widget import HalfcellImage, SixelImage, TGPImage
    return {Protocol.SIXEL: SixelImage, Protocol.TGP: TGPImage,
            Protocol.HALF_BLOCKS: HalfcellImage}[protocol or _chosen]
