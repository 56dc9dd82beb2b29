"""One printed form on one worksheet: A4 as GB/T 9704 sets it, Chinese fonts, boxes, row heights.

openpyxl cannot measure text, so row heights come from an estimate: a CJK character is as
wide as its point size, other characters about half of it, and a merged cell is as wide as
its columns together. The estimate errs on the tall side: a row a little too high prints
fine, a row too low cuts words off.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from exports.text import chinese_date, clean, looks_like_formula

CM = 1 / 2.54  # page margins are given in inches
MARGINS = PageMargins(top=3.7 * CM, bottom=3.5 * CM, left=2.8 * CM, right=2.6 * CM,
                      header=1.5 * CM, footer=2.5 * CM)
PAGE_FOOTER = "第 &P 页，共 &N 页"
TITLE_FONT = "方正小标宋简体"  # with charset 134 and a serif family, a PC without it uses 宋体
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MAX_ROW_HEIGHT = 409.0  # the tallest row Excel stores, in points
MAX_CELL_TEXT = 32767  # the longest text an Excel cell holds
PT_PER_WIDTH = 5.25  # one unit of column width is 7 pixels, 0.75 pt each
PAGE_HEIGHT = {False: (29.7 - 3.7 - 3.5) / 2.54 * 72, True: (21.0 - 3.7 - 3.5) / 2.54 * 72}
ONE_PAGE_SHRINK = 1.3  # a form up to this much taller than the page still prints on one page
LINE_SPACING = 1.4  # line height / font size: a little more than Excel and LibreOffice give 仿宋
PADDING = 6.0  # points of room above and below a cell's text
SIDE_PADDING = 4.0  # points of room left and right of a cell's text
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def chinese_font(name: str, size: float, *, sans: bool = False) -> Font:
    """A font Excel and WPS resolve to the Chinese face: charset 134 (GB2312)."""
    return Font(name=name, size=size, charset=134, family=2 if sans else 1)


@dataclass(frozen=True)
class Style:
    font: Font
    alignment: Alignment
    boxed: bool = True
    number_format: str = "General"


def _align(horizontal: str = "left", vertical: str = "center", wrap: bool = True) -> Alignment:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)


class Look:
    """Every style the forms use, for one size of table text (default 小四, 12 pt)."""

    def __init__(self, size: float = 12) -> None:
        self.size = size
        body = chinese_font("仿宋", size)
        self.annex_label = Style(chinese_font("黑体", 16, sans=True), _align(wrap=False), False)
        self.title = Style(chinese_font(TITLE_FONT, 22), _align("center"), False)
        self.header = Style(chinese_font("黑体", size, sans=True), _align("center"))
        self.cell = Style(body, _align())
        self.centered = Style(body, _align("center"))
        self.date = Style(body, _align(), number_format=DATE_FORMAT)
        self.box = Style(body, _align(vertical="top"))
        self.stamp_box = Style(body, _align(vertical="bottom"))
        self.line = Style(body, _align(), False)


def write_value(cell: Cell, value: object) -> None:
    """Put a value in a cell: text always as text (never a formula), dates as dates."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        text = clean(value)[:MAX_CELL_TEXT]
        cell.value = text
        cell.data_type = "s"  # openpyxl would take "=…" for a formula
        if looks_like_formula(text):
            cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
    elif isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        cell.value = value
    else:
        write_value(cell, str(value))


def shown_text(value: object) -> str:
    """The text a value prints as, for the height estimate."""
    if isinstance(value, dt.date):
        return chinese_date(value)
    return "" if value is None else str(value)


def text_width(text: str, size: float) -> float:
    """Printed width in points: CJK characters (3+ bytes in UTF-8) a full em, others half."""
    wide = (len(text.encode("utf-8")) - len(text)) / 2
    return (wide + 0.55 * (len(text) - wide)) * size


def line_count(text: str, width: float, size: float) -> int:
    """Lines the text wraps into in a cell `width` points wide (a little slack for word breaks)."""
    usable = max(width - 2 * SIDE_PADDING, size)
    return sum(max(1, math.ceil(text_width(part, size) * 1.04 / usable))
               for part in text.split("\n"))


def lines_height(lines: int, size: float) -> float:
    return lines * size * LINE_SPACING + PADDING


class FormSheet:
    """A worksheet laid out as a printed form: columns fixed, rows grown to fit their text."""

    def __init__(self, ws: Worksheet, widths: Sequence[float], look: Look, *,
                 landscape: bool = False) -> None:
        self.ws, self.look, self.widths = ws, look, list(widths)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        self._heights: dict[int, float] = {}
        self._tall: list[tuple[int, int, float]] = []
        print_setup(ws, landscape)

    @property
    def columns(self) -> int:
        return len(self.widths)

    def width_of(self, col: int, span: int = 1) -> float:
        """Width in points of `span` columns starting at `col` (1-based)."""
        return sum(self.widths[col - 1:col - 1 + span]) * PT_PER_WIDTH

    def chars_per_line(self, col: int, span: int, size: float) -> int:
        return int((self.width_of(col, span) - 2 * SIDE_PADDING) / size)

    def height_for(self, text: str, col: int, span: int, size: float) -> float:
        return lines_height(line_count(text, self.width_of(col, span), size), size)

    def put(self, row: int, col: int, value: object, style: Style, *, span: int = 1,
            rows: int = 1, height: float = 0.0) -> Cell:
        """Write `value` into a box of `span` columns × `rows` rows; the rows grow to fit it.

        A merged box gets its style and border on every cell, or Excel draws it half open.
        """
        ws = self.ws
        if span > 1 or rows > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1,
                           end_column=col + span - 1)
        cell = ws.cell(row, col)
        write_value(cell, value)
        cell.font, cell.alignment = style.font, style.alignment
        if style.number_format != "General":
            cell.number_format = style.number_format
        if style.boxed:
            for r in range(row, row + rows):
                for c in range(col, col + span):
                    ws.cell(r, c).border = BOX
        text = shown_text(value)
        if text and style.alignment.wrap_text:
            height = max(height, self.height_for(text, col, span, style.font.sz))
        elif text:
            height = max(height, lines_height(text.count("\n") + 1, style.font.sz))
        if rows == 1:
            if height > self._heights.get(row, 0.0):
                self._heights[row] = height
        else:
            self._tall.append((row, row + rows - 1, height))
        return cell

    def finish(self, repeat_rows: tuple[int, int] | None = None, *, one_page: bool = False) -> None:
        """Set the row heights the text needs; repeat the header rows on every printed page.

        `one_page`: a form that is only a little taller than A4 is shrunk onto one page.
        """
        heights = self._heights
        for first, last, need in self._tall:
            spanned = range(first, last + 1)
            have = sum(heights.get(r, 0.0) for r in spanned)
            if need > have:
                extra = (need - have) / len(spanned)
                for r in spanned:
                    heights[r] = heights.get(r, 0.0) + extra
        dims = self.ws.row_dimensions
        for row, height in heights.items():
            if height:
                dims[row].height = round(min(height, MAX_ROW_HEIGHT), 1)
        if repeat_rows:
            self.ws.print_title_rows = f"{repeat_rows[0]}:{repeat_rows[1]}"
        landscape = self.ws.page_setup.orientation == "landscape"
        if one_page and sum(heights.values()) <= PAGE_HEIGHT[landscape] * ONE_PAGE_SHRINK:
            self.ws.page_setup.fitToHeight = 1


def print_setup(ws: Worksheet, landscape: bool) -> None:
    """A4, GB/T 9704 margins, one page wide (any number of pages tall), numbered pages."""
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = MARGINS
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.font = "仿宋"
    ws.oddFooter.center.size = 10
    ws.sheet_view.showGridLines = False
