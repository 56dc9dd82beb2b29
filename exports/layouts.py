"""Drawing the annexes on worksheets: the tables (附表1, 3, 5), the forms (附表2, 4), and the
flat 汇总 sheet of a province roll-up."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl.styles import Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from datastore.loader import UnitData
from datastore.models import GENDERS, Campaign, Record
from exports.annexes import (
    CONTACT_FIELDS,
    CONTACT_LABEL,
    DATE_BLANK,
    OPINION_FIELDS,
    PHONE_LABEL,
    STAMP,
    Annex,
    Column,
)
from exports.sheet import (
    MAX_ROW_HEIGHT,
    SIDE_PADDING,
    FormSheet,
    Look,
    lines_height,
    print_setup,
    text_width,
    write_value,
)
from exports.text import date_range

# label | value value | label | value value, and three opinion boxes of two columns each
FORM_WIDTHS = (18.0, 10.0, 10.0, 18.0, 10.0, 18.0)
FORM_LINE_HEIGHT = 30.0
OPINION_LINES = 6  # room for a signature and a stamp
TITLE_GAP = 10.0  # points of air around the title
FULL_SPACE = "\u3000"


@dataclass(frozen=True)
class UnitLines:
    """What the forms print about the submitting unit."""

    full_name: str  # 推荐单位, 以公章为准
    place: str  # 附表1: 吉林省 __市（县）__区
    contact_name: str | None
    contact_phone: str | None


def unit_lines(unit: UnitData, campaign: Campaign) -> UnitLines:
    """The unit's header lines; a university has no 市（县）/区 and shows its own name."""
    profile = unit.profile
    full_name = (profile.name if profile and profile.name else None) or unit.name
    province = campaign.province or "吉林省"
    if unit.kind == "高校":
        place = full_name
    else:
        parts = [p for p in ((profile.city, profile.county, profile.district) if profile else ())
                 if isinstance(p, str) and p.strip()]
        blank = FULL_SPACE * 4
        place = f"{province} {' '.join(parts)}" if parts else f"{province}{blank}市（县）{blank}区"
    return UnitLines(full_name, place, profile.contact_name if profile else None,
                     profile.contact_phone if profile else None)


def value_of(record: Record | None, name: str) -> object:
    """A field's value, always of its declared type: one that failed its type when loading
    is a finding of validate and prints as blank, never as something else."""
    if record is None:
        return None
    return getattr(record, name, None)


def column_value(column: Column, record: Record | None, position: int) -> object:
    if not column.fields:
        return position
    if record is None:
        return position if column.fields == ("rank",) else None
    if column.fields[:2] == ("start", "end"):
        when = date_range(value_of(record, "start"), value_of(record, "end"))  # type: ignore[arg-type]
        note = value_of(record, "time_note")
        return "\n".join(str(p) for p in (when, note) if p)
    return value_of(record, column.fields[0])


def spread(left: str, right: str, sheet: FormSheet, size: float) -> str:
    """Two parts on one printed line, the second pushed to the right; on two lines if too long."""
    room = (sheet.width_of(1, sheet.columns) - 12) / size
    gap = math.floor(room - (text_width(left, size) + text_width(right, size)) / size) - 1
    return f"{left}{FULL_SPACE * gap}{right}" if gap >= 2 else f"{left}\n{right}"


def flush_right(text: str, per_line: int) -> str:
    """Each line of `text` pushed to the right edge of a left-aligned box."""
    return "\n".join(FULL_SPACE * max(per_line - len(line) - 1, 0) + line
                     for line in text.split("\n"))


def _header(sheet: FormSheet, annex: Annex, campaign: Campaign) -> None:
    look = sheet.look
    sheet.put(1, 1, annex.label, look.annex_label)
    title = annex.title_for(campaign)
    size = look.title.font.sz
    if text_width(title, size) > sheet.width_of(1, sheet.columns) - 2 * SIDE_PADDING:
        title = annex.title_for(campaign, broken=True)
    sheet.put(2, 1, title, look.title, span=sheet.columns,
              height=sheet.height_for(title, 1, sheet.columns, size) + TITLE_GAP)


def _footer(sheet: FormSheet, row: int, name: object, phone: object) -> None:
    size = sheet.look.size
    text = spread(f"{CONTACT_LABEL}{name or ''}", f"{PHONE_LABEL}{phone or ''}", sheet, size)
    sheet.put(row, 1, text, sheet.look.line, span=sheet.columns, height=FORM_LINE_HEIGHT)


def _gender_choice(ws: Worksheet, cells: str) -> None:
    """性别 as a drop-down of 男 / 女."""
    choice = DataValidation(type="list", formula1=f'"{",".join(GENDERS)}"', allow_blank=True,
                            showErrorMessage=True, errorTitle="性别", error="请选择 男 或 女")
    choice.add(cells)
    ws.add_data_validation(choice)


def write_table(ws: Worksheet, annex: Annex, campaign: Campaign, unit: UnitLines,
                records: Sequence[Record], look: Look) -> None:
    """附表1 / 3 / 5: title, the unit's line, the columns, numbered rows, note, footer."""
    sheet = FormSheet(ws, [c.width for c in annex.columns], look, landscape=annex.landscape)
    width = sheet.columns
    _header(sheet, annex, campaign)
    if annex.is_ranked_list:
        line = spread(f"推荐单位：{unit.full_name}{STAMP}", f"填表时间：{DATE_BLANK}", sheet, look.size)
    else:
        line = unit.place
    sheet.put(3, 1, line, look.line, span=width, height=FORM_LINE_HEIGHT)
    for col, column in enumerate(annex.columns, start=1):
        sheet.put(4, col, column.header, look.header, height=lines_height(2, look.size))
    count = max(annex.rows, len(records))
    row_height = lines_height(2, look.size)
    for index in range(count):
        record = records[index] if index < len(records) else None
        row = 5 + index
        for col, column in enumerate(annex.columns, start=1):
            style = look.centered if column.centered else look.cell
            sheet.put(row, col, column_value(column, record, index + 1), style, height=row_height)
    row = 5 + count
    if annex.note:
        sheet.put(row, 1, annex.note, look.line, span=width, height=FORM_LINE_HEIGHT)
        row += 1
    _footer(sheet, row, unit.contact_name, unit.contact_phone)
    gender = next((i for i, c in enumerate(annex.columns, 1) if c.fields == ("gender",)), None)
    if gender:
        letter = get_column_letter(gender)
        _gender_choice(ws, f"{letter}5:{letter}{4 + count}")
    sheet.finish(repeat_rows=(4, 4))


def _form_label(annex: Annex, name: str) -> str:
    spec = next(s for s in annex.kind.model.specs() if s.name == name)
    return f"{spec.label}\n（{spec.hint}）" if spec.hint else spec.label


def write_form(ws: Worksheet, annex: Annex, campaign: Campaign, record: Record | None,
               look: Look) -> None:
    """附表2 / 4: label and value boxes, the 先进事迹 box, three opinion boxes, the footer."""
    sheet = FormSheet(ws, FORM_WIDTHS, look)
    _header(sheet, annex, campaign)
    row = 3
    for line in annex.lines:
        pairs = [(1, 5)] if len(line) == 1 else [(1, 2), (4, 2)]
        for (col, span), name in zip(pairs, line):
            sheet.put(row, col, _form_label(annex, name), look.centered, height=FORM_LINE_HEIGHT)
            value = value_of(record, name)
            style = look.date if isinstance(value, dt.date) else look.cell
            sheet.put(row, col + 1, value, style, span=span)
            if name == "gender":
                _gender_choice(ws, ws.cell(row, col + 1).coordinate)
        row += 1
    row = _deeds_box(sheet, annex, campaign, record, row)
    per_line = sheet.chars_per_line(1, 2, look.size)
    for index, name in enumerate(OPINION_FIELDS):
        col = 1 + 2 * index
        sheet.put(row, col, annex.kind.model.label_of(name), look.centered, span=2,
                  height=FORM_LINE_HEIGHT)
        opinion = value_of(record, name)
        stamp = flush_right(f"{STAMP}\n{DATE_BLANK}", per_line)
        text = f"{opinion}\n\n{stamp}" if opinion else stamp
        sheet.put(row + 1, col, text, look.stamp_box, span=2,
                  height=lines_height(OPINION_LINES, look.size))
    _footer(sheet, row + 2, *(value_of(record, name) for name in CONTACT_FIELDS))
    sheet.finish(one_page=True)


def _deeds_box(sheet: FormSheet, annex: Annex, campaign: Campaign, record: Record | None,
               row: int) -> int:
    """The 先进事迹 box: room for the notice's 500 字 (or the text, if longer); returns the
    next row. A box taller than Excel's tallest row spans several rows."""
    look, size = sheet.look, sheet.look.size
    deeds = value_of(record, "deeds")
    room = "字" * campaign.rules.deeds_max + "\n" * 2
    need = max(sheet.height_for(room, 2, 5, size),
               sheet.height_for(str(deeds), 2, 5, size) if deeds else 0.0)
    rows = math.ceil(need / MAX_ROW_HEIGHT)
    sheet.put(row, 1, _form_label(annex, "deeds"), look.centered, rows=rows)
    sheet.put(row, 2, deeds, look.box, span=5, rows=rows, height=need)
    return row + rows


FLAT_WIDTHS = {"date": 14.0, "int": 9.0}
FLAT_DATE = "yyyy-mm-dd"  # compact and sortable; the forms spell dates out
HEADER_BORDER = Border(bottom=Side(style="thin"))


def write_flat(ws: Worksheet, annex: Annex, rows: Sequence[tuple[str, Record]], look: Look) -> None:
    """The roll-up's 汇总 sheet: one row per record, the unit first, for sorting and filtering."""
    specs = {s.name: s for s in annex.kind.model.specs()}
    fields = annex.flat_fields
    labels = ["单位", *(annex.kind.model.label_of(f) for f in fields)]
    widths = [14.0] + [40.0 if specs.get(f) and specs[f].multiline
                       else FLAT_WIDTHS.get(specs[f].kind if f in specs else "int", 18.0)
                       for f in fields]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    print_setup(ws, landscape=True)
    ws.print_title_rows = "1:1"
    header, body = look.header, look.cell.font
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(1, col, label)
        cell.font, cell.alignment, cell.border = header.font, header.alignment, HEADER_BORDER
    for row, (unit_name, record) in enumerate(rows, start=2):
        cell = ws.cell(row, 1)
        write_value(cell, unit_name)
        cell.font = body
        for col, name in enumerate(fields, start=2):
            value = value_of(record, name)
            cell = ws.cell(row, col)
            write_value(cell, value)
            cell.font = body
            if isinstance(value, dt.date):
                cell.number_format = FLAT_DATE
    last = f"{get_column_letter(len(labels))}{len(rows) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    ws.freeze_panes = "B2"
    if "gender" in fields and rows:  # no rows (nobody nominated yet): no range to choose in
        letter = get_column_letter(2 + fields.index("gender"))
        _gender_choice(ws, f"{letter}2:{letter}{len(rows) + 1}")
