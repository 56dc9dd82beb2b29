"""How text fits on the printed annexes: page sizes, the width of printed text, wrapping.

Spreadsheets cannot be asked how tall a cell's text is, so the exports estimate it, and the
rules use the same estimate to warn before printing. The estimate errs on the tall and wide
side: it is measured against LibreOffice with the Noto CJK fonts (CJK a full em, Latin letters
and digits about 0.64 em, lines 1.45 em apart), which print wider and taller than Excel with
仿宋; a row a little too high prints fine, a row too low cuts words off.

No spreadsheet library here: `datastore` stays free of them, and the validation rules call
`fits` on every keystroke of a form.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

CM = 72 / 2.54  # points per centimetre
#: GB/T 9704 margins (top, bottom, left, right) in points
MARGINS_PT = (3.7 * CM, 3.5 * CM, 2.8 * CM, 2.6 * CM)
A4_PT = (21.0 * CM, 29.7 * CM)
LINE_SPACING = 1.5  # line pitch / font size (LibreOffice gives Noto CJK 1.45)
PADDING = 6.0  # points above and below a cell's text
SIDE_PADDING = 4.0  # points left and right of a cell's text
WIDTH_SLACK = 0.96  # of a line's room that text may fill: renderers differ a little


@dataclass(frozen=True)
class Page:
    """The printable area of A4 inside the margins, in points."""

    landscape: bool

    @property
    def width(self) -> float:
        paper = A4_PT[1] if self.landscape else A4_PT[0]
        return paper - MARGINS_PT[2] - MARGINS_PT[3]

    @property
    def height(self) -> float:
        paper = A4_PT[0] if self.landscape else A4_PT[1]
        return paper - MARGINS_PT[0] - MARGINS_PT[1]


PORTRAIT, LANDSCAPE = Page(False), Page(True)

# Latin glyph widths in em, as DejaVu Sans (LibreOffice's stand-in for Western text) draws them
_NARROW = {c: 0.34 for c in " !'(),./:;[]|`ijlI.-"}
_NARROW.update({c: 0.98 for c in "mMW@%"})
_NARROW["w"] = 0.82
_NARROW.update({c: 0.72 for c in "ABCDEFGHJKLNOPQRSTUVXYZ&#"})


# the widths above in hundredths of an em, byte by byte, for a quick sum over ASCII text
_ASCII_WIDTH = bytes(min(round(_NARROW.get(chr(b), 0.64) * 100), 255) for b in range(256))


@lru_cache(maxsize=4096)
def _char_em(char: str) -> float:
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    return _NARROW.get(char, 0.64)


def _exact_width(text: str, size: float) -> float:
    if text.isascii():
        return sum(_NARROW.get(c, 0.64) for c in text) * size
    return sum(_char_em(c) for c in text) * size


def text_width(text: str, size: float) -> float:
    """Printed width of one line of text in points, quickly and never less than exact: every
    character of three bytes or more in UTF-8 (all of CJK) counts a full em."""
    ascii_part = text.encode("ascii", "ignore")
    others = len(text) - len(ascii_part)
    if not others:
        return sum(ascii_part.translate(_ASCII_WIDTH)) / 100 * size
    extra = len(text.encode("utf-8", "surrogatepass")) - len(text)  # 1 per 2-byte, 2 per 3-byte
    wide = max(extra - others, 0)
    return (sum(ascii_part.translate(_ASCII_WIDTH)) / 100 + wide + (others - wide) * 0.64) * size


# A line may break after a space, before or after a CJK character, after CJK punctuation;
# a run of Latin letters, digits and the marks inside numbers, e-mails and dates stays whole.
_UNIT = re.compile(r"[A-Za-z0-9@._+\-:/#%&=~']+|\s|.", re.DOTALL)
_NO_LINE_START = set("，。、；：？！）》」』】〕”’,.;:?!)]}%…—·")


def _units(paragraph: str) -> list[str]:
    """The pieces a line break may fall between; closing punctuation stays with what it closes."""
    pieces: list[str] = []
    for found in _UNIT.finditer(paragraph):
        piece = found.group(0)
        if pieces and piece[0] in _NO_LINE_START and not pieces[-1].isspace():
            pieces[-1] += piece
        else:
            pieces.append(piece)
    return pieces


def wrap(text: str, width: float, size: float) -> list[str]:
    """The printed lines of `text` in a box `width` points wide, as pieces of the text itself:
    joined again they give `text` back exactly (each paragraph's line break ends its last line).
    """
    room = max((width - 2 * SIDE_PADDING) * WIDTH_SLACK, size)
    lines: list[str] = []
    paragraphs = text.split("\n")
    for index, paragraph in enumerate(paragraphs):
        current, used = "", 0.0
        for piece in _units(paragraph):
            need = _exact_width(piece, size)
            if used + need <= room:
                current += piece
                used += need
            elif piece.isspace():  # a space at a break stays at the end of its line
                lines.append(current + piece)
                current, used = "", 0.0
            elif need <= room:
                lines.append(current)
                current, used = piece, need
            else:  # longer than a whole line: broken where it must be
                for char in piece:
                    step = _char_em(char) * size
                    if used + step > room and current:
                        lines.append(current)
                        current, used = "", 0.0
                    current += char
                    used += step
        lines.append(current + ("\n" if index < len(paragraphs) - 1 else ""))
    return lines


_LATIN_RUN = re.compile(r"[A-Za-z0-9@._+\-:/#%&=~']+")


def _quick_em(paragraph: str) -> tuple[float, float]:
    """(width, widest unbreakable piece) of a paragraph in em, at least as large as exact."""
    ascii_part = paragraph.encode("ascii", "ignore")
    narrow = sum(ascii_part.translate(_ASCII_WIDTH)) / 100
    others = len(paragraph) - len(ascii_part)
    if others:
        extra = len(paragraph.encode("utf-8", "surrogatepass")) - len(paragraph)
        wide = max(extra - others, 0)
        narrow += wide + (others - wide) * 0.64
    if not ascii_part:
        return narrow, 2.0
    widest = max((len(r) for r in _LATIN_RUN.findall(paragraph)), default=0) * 0.98
    return narrow, max(widest, 2.0)  # a character and the punctuation that may not start a line


def line_count(text: str, width: float, size: float) -> int:
    """How many printed lines `text` takes in a box `width` points wide, at most.

    Quick: a greedy line break leaves less than the widest piece unused at the end of each
    line, so a paragraph of width W takes at most W / (room - widest) + 1 lines; only where
    that bound is loose (long unbreakable pieces) is the text wrapped piece by piece.
    """
    if not text:
        return 1
    room = (width - 2 * SIDE_PADDING) * WIDTH_SLACK
    total = 0
    for paragraph in text.split("\n"):
        if len(paragraph) * size <= room:  # no character is wider than an em
            total += 1
            continue
        em, widest = _quick_em(paragraph)
        if em * size <= room:
            total += 1
        elif widest * size * 2 > room:
            total += len(wrap(paragraph, width, size))
        else:
            total += int(em * size / (room - widest * size)) + 1
    return total


def lines_height(lines: int, size: float) -> float:
    """Height in points of a box holding `lines` lines of `size`-point text."""
    return lines * size * LINE_SPACING + PADDING


def lines_in(height: float, size: float) -> int:
    """How many lines of `size`-point text a box `height` points tall holds."""
    return max(int((height - PADDING) / (size * LINE_SPACING)), 1)


def chunks(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """`text` cut into pieces of at most `max_lines` printed lines; joined they give it back.
    A piece that ends a paragraph shows an empty last line: that line counts too."""
    out, current, count = [], "", 0
    for line in wrap(text, width, size):
        extra = 1 if line.endswith("\n") else 0
        if current and count + 1 + extra > max_lines:
            out.append(current)
            current, count = "", 0
        current += line
        count += 1
    out.append(current)
    return out


def longest_token(text: str, size: float) -> float:
    """Width of the widest piece of `text` that no line break may split (a phone number, an
    e-mail address, a date written with digits)."""
    widest = 2.0 * size if any(not c.isascii() for c in text) else 0.0
    for found in _LATIN_RUN.finditer(text):
        piece = found.group(0)
        after = text[found.end():found.end() + 1]
        if after and after in _NO_LINE_START:
            piece += after
        widest = max(widest, _exact_width(piece, size))
    return widest


def box_width_for(text: str, size: float) -> float:
    """The narrowest box in which no unbreakable piece of `text` is split."""
    return math.ceil(longest_token(text, size) / WIDTH_SLACK + 2 * SIDE_PADDING)


# ---------------------------------------------------------------- warnings before printing

#: points of the boxes that hold long texts on the printed annexes (the layouts use these)
CONTENT_WIDTH = 136.0  # 附表1 活动内容
DEEDS_WIDTH = 362.0  # 附表2/4 先进事迹, the box right of its label
TABLE_SIZE = 12.0
ROW_LINES = 8  # lines one row of 附表1 holds before it continues on the next row
DEEDS_LINES = 21  # lines the 先进事迹 box of a one-page form holds (about 500 字)
_PRINTED = {"activities": ("content", CONTENT_WIDTH, ROW_LINES, "在附表1中续排 {extra} 行"),
            "advanced_units": ("deeds", DEEDS_WIDTH, DEEDS_LINES, "申报表的方框放不下，其余印在附页上"),
            "advanced_people": ("deeds", DEEDS_WIDTH, DEEDS_LINES, "申报表的方框放不下，其余印在附页上")}


def print_notes(kind: str, values: dict) -> list[tuple[str, str]]:
    """(field, sentence) for each long text that will not print where the notice's form puts
    it: it continues on further rows, or on an 附页. Every character is printed either way."""
    found = _PRINTED.get(kind)
    if not found:
        return []
    name, width, lines, words = found
    text = values.get(name)
    if not isinstance(text, str) or len(text) * TABLE_SIZE < (width - 2 * SIDE_PADDING) * lines:
        return []
    needed = len(wrap(text, width, TABLE_SIZE))
    if needed <= lines:
        return []
    extra = math.ceil(needed / lines) - 1
    return [(name, f"打印时约 {needed} 行，{words.format(extra=extra)}")]
