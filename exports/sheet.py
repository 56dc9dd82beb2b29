"""One printed form on one worksheet: A4 as GB/T 9704 sets it, Chinese fonts, boxes, row heights.

Workbooks are written with XlsxWriter in its constant-memory mode: each row is complete when
it is written (cells, merges, height), so a province roll-up of 100,000 records never holds
more than one row in memory. Row heights come from `datastore.printfit`, the estimate the
validation rules warn with; no row is ever taller than a page can hold, so no row is cut in
two by a page break and no text is clipped: text too long for one row continues on the rows
below it (`Sheet.block`).

Each sheet also carries a hidden last column: on the header row the unit it was exported
for, on each row the id of the record the row shows, so that import can tell rows apart
whatever a user does to the visible cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from datastore.printfit import (
    CM,
    LINE_SPACING,
    MARGINS_PT,
    PADDING,
    Page,
    chunks,
    line_count,
    lines_height,
)
from exports.text import chinese_date, clean, looks_like_formula

PAGE_FOOTER = '&C&"仿宋"&10第 &P 页，共 &N 页'
TITLE_FONT = "方正小标宋简体"  # with charset 134 and a serif family, a PC without it uses 宋体
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
FLAT_DATE = "yyyy-mm-dd"  # compact and sortable; the forms spell dates out
MAX_ROW_HEIGHT = 409.0  # the tallest row Excel stores, in points
MAX_CELL_TEXT = 32767  # the longest text an Excel cell holds
#: the workbook's Normal font: Arial 10 has the same digit width in Excel and (as Liberation
#: Sans) in LibreOffice, so columns are as wide everywhere (Calibri is missing on most Linux)
NORMAL_FONT = {"font_name": "Arial", "font_size": 10}
HIDDEN_WIDTH = 8.0  # points; the column is hidden anyway
FULL_SPACE = "\u3000"
#: text in the hidden column's header cell, before the unit id
UNIT_MARK = "llweek:"


def new_workbook(target: Any) -> xlsxwriter.Workbook:
    """A workbook that writes text as text (never a formula, number or link)."""
    return xlsxwriter.Workbook(target, {
        "constant_memory": True,
        "default_format_properties": dict(NORMAL_FONT),
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    })


class Look:
    """The size of the table text (default 小四, 12 pt); formats are made per workbook."""

    def __init__(self, size: float = 12) -> None:
        self.size = size


#: kind → (font, bold face?, horizontal, vertical, wrap, boxed)
_KINDS: dict[str, tuple[str, bool, str, str, bool, bool]] = {
    "annex": ("黑体", True, "left", "vcenter", False, False),
    "title": (TITLE_FONT, False, "center", "vcenter", True, False),
    "header": ("黑体", True, "center", "vcenter", True, True),
    "cell": ("仿宋", False, "left", "vcenter", True, True),
    "centered": ("仿宋", False, "center", "vcenter", True, True),
    "box": ("仿宋", False, "left", "top", True, True),
    "stamp": ("仿宋", False, "left", "bottom", True, True),
    "line": ("仿宋", False, "left", "vcenter", True, False),
}
_FIXED_SIZE = {"annex": 16.0, "title": 22.0}
_BODY = {kind for kind in _KINDS if kind not in _FIXED_SIZE}
_FORMULA_OR_SPACE = frozenset("=+-@ \t\u3000\n")
HINT_COLOUR = "#595959"


class Styles:
    """The formats of one workbook, made once each and reused by every cell."""

    def __init__(self, book: xlsxwriter.Workbook, look: Look) -> None:
        self.book, self.look = book, look
        self._made: dict[tuple, Format] = {}

    def size_of(self, kind: str, size: float | None = None) -> float:
        return _FIXED_SIZE.get(kind, size or self.look.size)

    def get(self, kind: str, *, size: float | None = None, top: bool = True,
            bottom: bool = True, number_format: str | None = None,
            quote: bool = False) -> Format:
        size = self.size_of(kind, size)
        key = (kind, size, top, bottom, number_format, quote)
        made = self._made.get(key)
        if made is None:
            font, sans, horizontal, vertical, wrap, boxed = _KINDS[kind]
            made = self.book.add_format({"font_name": font, "font_size": size,
                                         "align": horizontal, "valign": vertical,
                                         "text_wrap": wrap})
            made.set_font_charset(134)  # GB2312: Excel and WPS pick the Chinese face
            made.set_font_family(2 if sans else 1)
            if boxed:
                made.set_left(1)
                made.set_right(1)
                made.set_top(1 if top else 0)
                made.set_bottom(1 if bottom else 0)
            if number_format:
                made.set_num_format(number_format)
            if quote:
                made.set_quote_prefix()  # Excel keeps "=…" text when someone edits the cell
            self._made[key] = made
        return made

    def hint(self, size: float | None = None) -> Format:
        """The font of a hint inside a value box: the notice's words, in grey."""
        size = size or self.look.size
        key = ("hint", size)
        made = self._made.get(key)
        if made is None:
            made = self.book.add_format({"font_name": "仿宋", "font_size": size,
                                         "font_color": HINT_COLOUR})
            made.set_font_charset(134)
            made.set_font_family(1)
            self._made[key] = made
        return made


@dataclass(frozen=True)
class Rich:
    """A cell of several runs: (text, is_hint) each; reads back as the runs joined."""

    runs: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclass
class Put:
    """One box of a row: a value in `span` columns from `col` (0-based)."""

    col: int
    value: Any
    kind: str = "cell"
    span: int = 1
    size: float | None = None
    top: bool = True
    bottom: bool = True
    number_format: str | None = None
    lines: int | None = None  # at least this many lines of room
    measured: int | None = None  # the lines its text takes, when already known


def shown_text(value: object) -> str:
    """The text a value prints as, for the height estimate."""
    if isinstance(value, Rich):
        return value.text
    if isinstance(value, dt.date):
        return chinese_date(value)
    return "" if value is None else str(value)


def sheet_text(value: str) -> str:
    """Text as a cell may hold it: line breaks normalised, control characters gone."""
    return clean(value)[:MAX_CELL_TEXT]


@dataclass
class Sheet:
    """A worksheet laid out as a printed form: columns fixed, rows written top to bottom, each
    as tall as its text needs."""

    book: xlsxwriter.Workbook
    styles: Styles
    name: str
    widths: Sequence[float]  # points
    page: Page
    size: float = 0.0  # of the text; 0: the workbook's table size
    date_format: str = DATE_FORMAT
    hidden_key: bool = True
    ws: Worksheet = field(init=False)
    row: int = field(default=0, init=False)
    heights: list[float] = field(default_factory=list, init=False)  # of the rows written
    _formats: dict[tuple, Format] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.size = self.size or self.styles.look.size
        ws = self.ws = self.book.add_worksheet(self.name)
        for index, width in enumerate(self.widths):
            ws.set_column_pixels(index, index, round(width / 0.75))
        if self.hidden_key:
            ws.set_column_pixels(self.key_col, self.key_col, round(HIDDEN_WIDTH / 0.75),
                                 None, {"hidden": True})
        print_setup(ws, self.page)

    @property
    def columns(self) -> int:
        return len(self.widths)

    @property
    def key_col(self) -> int:
        """The hidden column: the unit on the header row, each row's record id."""
        return len(self.widths)

    def width_of(self, col: int, span: int = 1) -> float:
        return float(sum(self.widths[col:col + span]))

    def height_of(self, put: Put) -> float:
        """The height the box's text needs."""
        size = self.styles.size_of(put.kind, put.size or self.size)
        if put.measured is not None:
            return lines_height(max(put.measured, put.lines or 0), size)
        text = shown_text(put.value)
        if _KINDS[put.kind][4]:
            lines = line_count(text, self.width_of(put.col, put.span), size) if text else 1
        else:
            lines = text.count("\n") + 1
        return lines_height(max(lines, put.lines or 0), size)

    def add_row(self, puts: Sequence[Put], *, height: float = 0.0, key: str | None = None) -> int:
        """Write the next row: its boxes, its height (at least `height`), its record id."""
        row = self.row
        need = height
        for put in puts:
            if put.measured is not None and put.kind in _BODY:  # the usual case, quickly
                tall = (max(put.measured, put.lines or 0) * (put.size or self.size)
                        * LINE_SPACING + PADDING)
            else:
                tall = self.height_of(put)
            need = max(need, tall)
        need = round(min(need, MAX_ROW_HEIGHT), 1)
        self.ws.set_row(row, need)
        self.heights.append(need)
        for put in puts:
            self._put(row, put)
        if key is not None and self.hidden_key:
            self.ws.write_string(row, self.key_col, key)
        self.row += 1
        return row

    def _put(self, row: int, put: Put) -> None:
        ws, styles = self.ws, self.styles
        value = put.value
        quote = isinstance(value, str) and value[:1] in _FORMULA_OR_SPACE \
            and looks_like_formula(value)
        number_format = put.number_format or (
            self.date_format if isinstance(value, dt.date) else None)
        size = put.size or self.size
        key = (put.kind, size, put.top, put.bottom, number_format, quote)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = styles.get(put.kind, size=size, top=put.top,
                                                  bottom=put.bottom, number_format=number_format,
                                                  quote=quote)
        if put.span > 1:
            ws.merge_range(row, put.col, row, put.col + put.span - 1, "", fmt)
        write_value(ws, row, put.col, value, fmt, styles, size)

    def finish(self, *, repeat: int | None = None, one_page: bool = False) -> None:
        """Repeat the header row on every printed page; a form that fits is kept on one page."""
        if repeat is not None:
            self.ws.repeat_rows(repeat)
        if one_page:
            self.ws.fit_to_pages(1, 1)
        # done with this sheet: let go of its temporary file now (XlsxWriter opens it again
        # when it assembles the workbook), so a roll-up of many forms keeps few files open
        self.ws._opt_close()


def write_value(ws: Worksheet, row: int, col: int, value: object, fmt: Format,
                styles: Styles, size: float | None = None) -> None:
    """A value into a cell: text always as text (never a formula), dates as dates."""
    if isinstance(value, str):
        if value:
            ws.write_string(row, col, sheet_text(value), fmt)
        else:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, Rich):
        runs = [(sheet_text(text), is_hint) for text, is_hint in value.runs]
        runs = [(text, is_hint) for text, is_hint in runs if text]
        if len(runs) >= 2:  # XlsxWriter wants two runs at least
            parts: list[Any] = []
            for text, is_hint in runs:
                parts += [styles.hint(size), text] if is_hint else [text]
            ws.write_rich_string(row, col, *parts, fmt)
            return
        value = runs[0][0] if runs else None
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, sheet_text(value), fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, str(value), fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
    else:
        ws.write_string(row, col, sheet_text(str(value)), fmt)


def block(values: Sequence[object], widths: Sequence[float], size: float,
          max_lines: int) -> list[list[tuple[object, int | None]]]:
    """One record as printed rows of (value, lines it takes): a text too long for one row
    continues in the same column of the rows below, so no row is taller than `max_lines`
    lines; other values stay on the first row. Joined column by column, the rows give each
    value back exactly."""
    pieces: list[list[tuple[object, int | None]]] = []
    for value, width in zip(values, widths):
        if isinstance(value, str) and value:
            text = sheet_text(value)
            lines = line_count(text, width, size)
            pieces.append([(part, None) for part in chunks(text, width, size, max_lines)]
                          if lines > max_lines else [(text, lines)])
        else:
            pieces.append([(value, None)])
    rows = max(len(p) for p in pieces)
    return [[p[i] if i < len(p) else (None, None) for p in pieces] for i in range(rows)]


ROWS_PER_PAGE = 2  # continued rows are cut this short, so that pages fill up


def max_row_lines(page: Page, size: float, above: float, header: float = 0.0) -> int:
    """Lines of text one row may hold: it fits on the first page below `above` points of
    title and header, and a few such rows fill a later page below its repeated `header`."""
    room = min(page.height - above, (page.height - header) / ROWS_PER_PAGE, MAX_ROW_HEIGHT)
    return max(int((room - 2 * PADDING - PADDING) / (size * LINE_SPACING)), 1)


def print_setup(ws: Worksheet, page: Page) -> None:
    """A4, GB/T 9704 margins, one page wide (any number of pages tall), numbered pages."""
    ws.set_paper(9)
    if page.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    top, bottom, left, right = (m / 72 for m in MARGINS_PT)
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.set_header("", {"margin": 1.5 * CM / 72})
    ws.set_footer(PAGE_FOOTER, {"margin": 2.5 * CM / 72})
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.hide_gridlines(2)
