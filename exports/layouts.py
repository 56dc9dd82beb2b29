"""Drawing the annexes on worksheets: the tables (附表1, 3, 5), the forms (附表2, 4) with their
附页, and the flat 汇总 sheet of a province roll-up.

Everything a record holds is printed: a text too long for one row continues on the rows
below it; a form keeps to one page with its three stamp boxes, and what its boxes cannot hold
goes on an 附页 sheet of its own, as the notice allows (可另附页).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from datastore.loader import UnitData
from datastore.models import GENDERS, Campaign, Record
from datastore.printfit import (
    LANDSCAPE,
    PADDING,
    PORTRAIT,
    SIDE_PADDING,
    WIDTH_SLACK,
    box_width_for,
    lines_height,
    lines_in,
    longest_token,
    text_width,
    wrap,
)
from exports.annexes import (
    CONTACT_FIELDS,
    CONTACT_LABEL,
    DATE_BLANK,
    OPINION_FIELDS,
    PHONE_FIELDS,
    PHONE_LABEL,
    STAMP,
    Annex,
    Column,
)
from exports.sheet import (
    FULL_SPACE,
    MAX_ROW_HEIGHT,
    UNIT_MARK,
    Put,
    Rich,
    Sheet,
    block,
    max_row_lines,
    sheet_text,
)
from exports.text import date_range

#: label | value value | label label | value; the opinion boxes take two columns each
FORM_WIDTHS = (80.0, 75.0, 103.0, 37.0, 35.0, 112.0)
FORM_LINE_HEIGHT = 30.0
OPINION_LINES = 6  # room for a signature and a stamp
OPINION_MAX_LINES = 12  # a longer opinion continues on the 附页
ONE_PAGE_SHRINK = 1.3  # a form up to this much taller than the page still prints on one page
TITLE_GAP = 10.0  # points of air around the title
VALUE_SIZES = (10.5, 9.0)  # smaller type for a value whose e-mail or number is wider than its box
ANNEX_PAGE = "附页"
CONTINUED = "（下接附页）"
CONTINUATION = "（续）"
#: the hidden column's cell on a table's header row
HEADER_KEY = "编号"
PHONE_BREAK = re.compile(r"([、,，;；/])\s*")
PHONE_JOIN = re.compile(r"([、,，;；/])\n")


@dataclass(frozen=True)
class UnitLines:
    """What the forms print about the submitting unit."""

    full_name: str  # 推荐单位, 以公章为准
    place: str  # 附表1: 吉林省 __市（县）__区
    contact_name: str | None
    contact_phone: str | None


def _stem(name: object, *suffixes: str) -> str:
    text = name.strip() if isinstance(name, str) else ""
    for suffix in suffixes:
        if len(text) > len(suffix) and text.endswith(suffix):
            return text[:-len(suffix)]
    return text


def unit_lines(unit: UnitData, campaign: Campaign) -> UnitLines:
    """The unit's header lines: 附表1's 「吉林省 __市（县）__区」 with the blanks filled in; a
    university has no 市（县）/区 and shows its own name."""
    profile = unit.profile
    full_name = (profile.name if profile and profile.name else None) or unit.name
    province = campaign.province or "吉林省"
    if unit.kind == "高校":
        place = full_name
    else:
        city = _stem((profile.county or profile.city) if profile else None, "市", "县")
        district = _stem(profile.district if profile else None, "区")
        blank = FULL_SPACE * 4
        place = f"{province}{FULL_SPACE}{city or blank}{FULL_SPACE}市（县）" \
                f"{FULL_SPACE}{district or blank}{FULL_SPACE}区"
    return UnitLines(full_name, place, profile.contact_name if profile else None,
                     profile.contact_phone if profile else None)


def value_of(record: Record | None, name: str) -> object:
    """A field's value, always of its declared type: one that failed its type when loading
    is a finding of validate and prints as blank, never as something else."""
    if record is None:
        return None
    return getattr(record, name, None)


def room_of(width: float) -> float:
    return (width - 2 * SIDE_PADDING) * WIDTH_SLACK


def when_text(record: Record | None, width: float, size: float) -> str:
    """活动时间: the dates (the second on its own line when both do not fit) and the note."""
    start, end = value_of(record, "start"), value_of(record, "end")
    if isinstance(start, dt.date) or isinstance(end, dt.date) or start is None and end is None:
        when = date_range(start if isinstance(start, dt.date) else None,  # type: ignore[arg-type]
                          end if isinstance(end, dt.date) else None)
        if "—" in when and text_width(when, size) > room_of(width):
            when = when.replace("—", "—\n", 1)
    else:
        when = " ".join(str(v) for v in (start, end) if v is not None)
    note = value_of(record, "time_note")
    return "\n".join(str(p) for p in (when, note) if p)


def phone_text(value: object, width: float, size: float) -> str:
    """Several phone numbers one to a line when they do not fit on one: never split one."""
    text = sheet_text(str(value)) if value is not None else ""
    if text_width(text, size) <= room_of(width):
        return text
    return PHONE_BREAK.sub(lambda m: m.group(1) + "\n", text).rstrip("\n")


def column_value(column: Column, record: Record | None, position: int, width: float,
                 size: float) -> object:
    """What a table's cell shows for this record (None: a blank numbered row)."""
    if not column.fields:
        return position
    if column.fields == ("rank",):
        rank = value_of(record, "rank")
        return position if record is None or rank is None else rank
    if record is None:
        return None
    if column.fields[:2] == ("start", "end"):
        return when_text(record, width, size)
    name = column.fields[0]
    value = value_of(record, name)
    if name in PHONE_FIELDS and value is not None:
        return phone_text(value, width, size)
    return value


def fit_widths(widths: Sequence[float], columns: Sequence[Column], records: Sequence[Record],
               size: float) -> list[float]:
    """The columns' widths, each widened so that no phone number, e-mail or date in it is
    split across lines; the room comes from the widest column."""
    out = list(widths)
    for index, column in enumerate(columns):
        if column.fields[:2] == ("start", "end"):
            need = box_width_for("2021年12月31日—", size)
        elif column.fields and column.fields[0] in (*PHONE_FIELDS, "email"):
            texts = [str(value_of(r, column.fields[0]) or "") for r in records]
            need = max((box_width_for(t, size) for t in texts), default=0.0)
        else:
            continue
        out[index] = max(out[index], min(need, widths[index] * 1.6))
    widest = max(range(len(out)), key=lambda i: widths[i])
    out[widest] -= sum(out) - sum(widths)
    return out


def spread(left: str, right: str, width: float, size: float) -> str:
    """Two parts on one printed line, the second pushed to the right; on two lines if too long."""
    room = room_of(width) / size
    gap = math.floor(room - (text_width(left, size) + text_width(right, size)) / size) - 1
    return f"{left}{FULL_SPACE * gap}{right}" if gap >= 2 else f"{left}\n{right}"


def flush_right(text: str, per_line: int) -> str:
    """Each line of `text` pushed to the right edge of a left-aligned box."""
    return "\n".join(FULL_SPACE * max(per_line - len(line) - 1, 0) + line
                     for line in text.split("\n"))


def _header(sheet: Sheet, annex: Annex, campaign: Campaign, key: str | None = None) -> None:
    sheet.add_row([Put(0, annex.label, "annex")], key=key)
    title = annex.title_for(campaign)
    size = sheet.styles.size_of("title")
    if text_width(title, size) > room_of(sheet.width_of(0, sheet.columns)):
        title = annex.title_for(campaign, broken=True)
    put = Put(0, title, "title", span=sheet.columns)
    sheet.add_row([put], height=sheet.height_of(put) + TITLE_GAP)


def _footer(sheet: Sheet, name: object, phone: object) -> None:
    size = sheet.size
    text = spread(f"{CONTACT_LABEL}{name or ''}", f"{PHONE_LABEL}{phone or ''}",
                  sheet.width_of(0, sheet.columns), size)
    sheet.add_row([Put(0, text, "line", span=sheet.columns)], height=FORM_LINE_HEIGHT)


def _gender_choice(sheet: Sheet, first_row: int, last_row: int, col: int) -> None:
    """性别 as a drop-down of 男 / 女."""
    sheet.ws.data_validation(first_row, col, last_row, col, {
        "validate": "list", "source": list(GENDERS), "ignore_blank": True,
        "error_title": "性别", "error_message": "请选择 男 或 女"})


def _record_rows(sheet: Sheet, values: Sequence[object], kinds: Sequence[str], key: str | None,
                 max_lines: int, repeat: Sequence[int] = ()) -> None:
    """One record's rows: its cells, continued below where a text is too long for one row
    (`repeat`: columns shown again on each continued row, for sorting a flat list)."""
    size = sheet.size
    rows = block(values, sheet.widths, size, max_lines)
    last = len(rows) - 1
    for index, row in enumerate(rows):
        puts = [Put(col, value, kind, top=index == 0, bottom=index == last, measured=lines)
                for col, ((value, lines), kind) in enumerate(zip(row, kinds))]
        for col in repeat if index else ():
            puts[col].value, puts[col].measured = rows[0][col]
        sheet.add_row(puts, height=lines_height(2, size) if last == 0 else 0.0, key=key)


def write_table(sheet: Sheet, annex: Annex, campaign: Campaign, unit: UnitLines, unit_id: str,
                records: Sequence[Record]) -> None:
    """附表1 / 3 / 5: title, the unit's line, the columns, numbered rows, note, footer."""
    look, width = sheet.styles.look, sheet.columns
    _header(sheet, annex, campaign, f"{UNIT_MARK}{unit_id}")
    if annex.is_ranked_list:
        line = spread(f"推荐单位：{unit.full_name}{STAMP}", f"填表时间：{DATE_BLANK}",
                      sheet.width_of(0, width), look.size)
    else:
        line = unit.place
    sheet.add_row([Put(0, line, "line", span=width)], height=FORM_LINE_HEIGHT)
    sheet.add_row([Put(col, column.header, "header") for col, column in enumerate(annex.columns)],
                  height=lines_height(2, look.size), key=HEADER_KEY)
    header_row = sheet.row - 1
    max_lines = max_row_lines(sheet.page, look.size, sum(sheet.heights), sheet.heights[-1])
    kinds = ["centered" if c.centered else "cell" for c in annex.columns]
    count = max(annex.rows, len(records))
    for index in range(count):
        record = records[index] if index < len(records) else None
        values = [column_value(c, record, index + 1, w, look.size)
                  for c, w in zip(annex.columns, sheet.widths)]
        _record_rows(sheet, values, kinds, getattr(record, "id", None), max_lines)
    last_data = sheet.row - 1
    if annex.note:
        sheet.add_row([Put(0, annex.note, "line", span=width)], height=FORM_LINE_HEIGHT)
    _footer(sheet, unit.contact_name, unit.contact_phone)
    gender = next((i for i, c in enumerate(annex.columns) if c.fields == ("gender",)), None)
    if gender is not None:
        _gender_choice(sheet, header_row + 1, last_data, gender)
    sheet.finish(repeat=header_row)


def hint_of(annex: Annex, name: str) -> str | None:
    spec = next((s for s in annex.kind.model.specs() if s.name == name), None)
    return f"（{spec.hint}）" if spec and spec.hint else None


def with_hint(text: str, hint: str | None) -> Rich | str:
    """A value box as the notice prints it: the value, then the notice's hint in grey."""
    if not hint:
        return text
    return Rich(((text, False), (FULL_SPACE + hint, True))) if text else Rich(((hint, True),))


def _value_size(text: str, width: float, size: float) -> float | None:
    """None when the text's unbreakable pieces fit at the table size, else a smaller size."""
    if longest_token(text, size) <= room_of(width):
        return None
    for smaller in VALUE_SIZES:
        if longest_token(text, smaller) <= room_of(width):
            return smaller
    return VALUE_SIZES[-1]


def form_value(annex: Annex, name: str, record: Record | None, width: float,
               size: float) -> tuple[object, float | None]:
    """What a form's value box shows, and the type size it needs."""
    value = value_of(record, name)
    if isinstance(value, dt.date):
        return value, None
    if name in PHONE_FIELDS:
        text = phone_text(value, width, size)
    else:
        text = sheet_text(str(value)) if value is not None else ""
    return with_hint(text, hint_of(annex, name)), _value_size(text, width, size)


@dataclass
class Overflow:
    """A text a form's box could not hold: the 附页 prints it."""

    name: str
    label: str
    text: str


class FormLayout:
    """附表2 / 4 planned before writing: each row's boxes and height, the 先进事迹 box as tall
    as the page allows, and what goes on the 附页."""

    def __init__(self, annex: Annex, campaign: Campaign, record: Record | None, sheet: Sheet):
        self.annex, self.campaign, self.record, self.sheet = annex, campaign, record, sheet
        self.size = sheet.styles.look.size
        self.overflow: list[Overflow] = []

    def lines(self) -> list[list[Put]]:
        annex, sheet, size = self.annex, self.sheet, self.size
        rows = []
        for line in annex.lines:
            pairs = [(0, 5)] if len(line) == 1 else [(0, 2), (3, 1)]
            puts = []
            for (col, span), name in zip(pairs, line):
                label_span = 1 if col == 0 else 2
                puts.append(Put(col, annex.kind.model.label_of(name), "centered", span=label_span))
                value_col = col + label_span
                value, small = form_value(annex, name, self.record,
                                          sheet.width_of(value_col, span), size)
                puts.append(Put(value_col, value, "cell", span=span, size=small))
            rows.append(puts)
        return rows

    def opinions(self) -> tuple[list[Put], list[Put]]:
        sheet, model = self.sheet, self.annex.kind.model
        heads = [Put(2 * i, model.label_of(name), "centered", span=2)
                 for i, name in enumerate(OPINION_FIELDS)]
        per_line = int(room_of(sheet.width_of(0, 2)) / self.size)
        stamp = flush_right(f"{STAMP}\n{DATE_BLANK}", per_line)
        boxes = []
        for index, name in enumerate(OPINION_FIELDS):
            opinion = value_of(self.record, name)
            text = sheet_text(str(opinion)) if opinion else ""
            room = OPINION_MAX_LINES - 3
            lines = wrap(text, sheet.width_of(2 * index, 2), self.size) if text else []
            if len(lines) > room:
                self.overflow.append(Overflow(name, model.label_of(name), "".join(lines[room:])))
                text = "".join(lines[:room])
            shown = f"{text.rstrip(chr(10))}\n\n{stamp}" if text else stamp
            boxes.append(Put(2 * index, shown, "stamp", span=2, lines=OPINION_LINES))
        return heads, boxes

    def deeds_rows(self, budget: float) -> list[list[Put]]:
        """The 先进事迹 box: the notice's hint, then the text; room for the notice's 500 字 at
        least; what does not fit in `budget` points goes on the 附页."""
        annex, size = self.annex, self.size
        label = annex.kind.model.label_of("deeds")
        width = self.sheet.width_of(1, 5)
        deeds = value_of(self.record, "deeds")
        text = sheet_text(str(deeds)) if deeds else ""
        hint = hint_of(annex, "deeds") or ""
        lines = wrap(f"{hint}\n{text}" if text else hint, width, size)
        blank = len(wrap(f"{hint}\n" + "字" * self.campaign.rules.deeds_max + "\n", width, size))
        per_row = lines_in(MAX_ROW_HEIGHT, size)
        for fits in range(max(lines_in(budget, size), 2), 1, -1):
            shown = lines if len(lines) <= fits else lines[:fits]
            total = max(len(shown), min(blank, fits))
            pieces = [piece or [""] for piece in
                      (shown[i:i + per_row] for i in range(0, total, per_row))]
            rows = [self._deeds_row(label, hint, bool(text), piece, index == 0,
                                    index == len(pieces) - 1, len(shown) < len(lines),
                                    min(total - per_row * index, per_row))
                    for index, piece in enumerate(pieces)]
            if self.height(rows) <= budget:
                break
        if len(shown) < len(lines):
            self.overflow.insert(0, Overflow("deeds", label, "".join(lines[len(shown):])))
        return rows

    @staticmethod
    def _deeds_row(label: str, hint: str, filled: bool, piece: list[str], first: bool,
                   last: bool, continued: bool, room: int) -> list[Put]:
        """One row of the 先进事迹 box (Excel's rows stop at 409 pt: a taller box takes two)."""
        shown: object = "".join(piece)
        if first:
            body = str(shown)[len(hint) + 1:] if filled else ""
            shown = Rich(((hint + "\n", True), (body, False))) if body else Rich(((hint, True),))
        head = label + (f"\n{CONTINUED}" if continued else "") if first else None
        return [Put(0, head, "centered", top=first, bottom=last),
                Put(1, shown, "box", span=5, top=first, bottom=last, lines=room)]

    def height(self, rows: Sequence[Sequence[Put]], minimum: float = 0.0) -> float:
        return sum(max([minimum, *(self.sheet.height_of(p) for p in row)]) for row in rows)


def write_form(sheet: Sheet, annex: Annex, campaign: Campaign, record: Record | None,
               unit_id: str) -> list[Overflow]:
    """附表2 / 4 on one page: label and value boxes, the 先进事迹 box, the three opinion boxes
    and the footer. Returns what did not fit, for the 附页."""
    layout = FormLayout(annex, campaign, record, sheet)
    _header(sheet, annex, campaign, f"{UNIT_MARK}{unit_id}")
    lines = layout.lines()
    heads, boxes = layout.opinions()
    fixed = (sum(sheet.heights) + layout.height(lines, FORM_LINE_HEIGHT)
             + layout.height([heads], FORM_LINE_HEIGHT) + layout.height([boxes])
             + FORM_LINE_HEIGHT)
    deeds = layout.deeds_rows(PORTRAIT.height * ONE_PAGE_SHRINK - fixed - PADDING)
    key = getattr(record, "id", None)
    for index, puts in enumerate(lines):
        sheet.add_row(puts, height=FORM_LINE_HEIGHT, key=key if index == 0 else None)
        for put in puts:
            if put.kind == "cell" and put.col in (1, 5):
                name = annex.lines[index][0 if put.col == 1 else 1]
                if name == "gender":
                    _gender_choice(sheet, sheet.row - 1, sheet.row - 1, put.col)
    for puts in deeds:
        sheet.add_row(puts)
    sheet.add_row(heads, height=FORM_LINE_HEIGHT)
    sheet.add_row(boxes)
    _footer(sheet, *(value_of(record, name) for name in CONTACT_FIELDS))
    sheet.finish(one_page=sum(sheet.heights) <= PORTRAIT.height * ONE_PAGE_SHRINK)
    return layout.overflow


def write_annex_page(sheet: Sheet, annex: Annex, campaign: Campaign, record: Record,
                     unit_id: str, overflow: Sequence[Overflow]) -> None:
    """The 附页 of one form: who it belongs to, then each text that continues there."""
    size = sheet.styles.look.size
    sheet.add_row([Put(0, f"{annex.label}{FULL_SPACE}{ANNEX_PAGE}", "annex")],
                  key=f"{UNIT_MARK}{unit_id}")
    title_field = annex.kind.title_field or "id"
    who = f"{annex.kind.model.label_of(title_field)}：{value_of(record, title_field) or ''}"
    title = Put(0, f"{annex.title_for(campaign, broken=True)}{FULL_SPACE}{ANNEX_PAGE}", "title")
    sheet.add_row([title], height=sheet.height_of(title) + TITLE_GAP)
    sheet.add_row([Put(0, who, "line")], height=FORM_LINE_HEIGHT, key=record.id)  # type: ignore[attr-defined]
    max_lines = max_row_lines(PORTRAIT, size, sum(sheet.heights))
    for part in overflow:
        sheet.add_row([Put(0, f"{part.label}{CONTINUATION}", "header")],
                      height=FORM_LINE_HEIGHT)
        rows = block([part.text], sheet.widths, size, max_lines)
        for index, ((text, _),) in enumerate(rows):
            sheet.add_row([Put(0, text, "box", top=index == 0, bottom=index == len(rows) - 1)],
                          key=part.name)
    sheet.finish()


FLAT_SIZE = 10.0  # 汇总: printed at 10 pt on A4 landscape, never shrunk below 9 pt
FLAT_UNIT = "单位"


def flat_columns(annex: Annex) -> list[tuple[str, str, float, float]]:
    """(field, header, minimum width, share of the rest) of each column of the 汇总 sheet."""
    specs = {s.name: s for s in annex.kind.model.specs()}
    date_width = box_width_for("2021-12-31", FLAT_SIZE)
    phone_width = box_width_for("0431-88912371、", FLAT_SIZE)  # 、 may not start a line
    out = [("", FLAT_UNIT, 44.0, 1.0)]
    for name in annex.flat_fields:
        spec = specs.get(name)
        label = annex.kind.model.label_of(name)
        if name in (annex.kind.order_field, "participants"):
            out.append((name, label, 34.0, 0.0))
        elif spec and spec.kind == "date":
            out.append((name, label, date_width, 0.0))
        elif name in PHONE_FIELDS:
            out.append((name, label, phone_width, 0.0))
        elif name == "email":
            out.append((name, label, box_width_for("wangjianguo61@126.com", FLAT_SIZE), 0.0))
        elif name == "gender":
            out.append((name, label, 30.0, 0.0))
        elif spec and spec.multiline:
            out.append((name, label, 60.0, 4.0))
        else:
            out.append((name, label, 44.0, 1.0))
    return out


class FlatSheet:
    """The roll-up's 汇总 sheet: one record after another, the unit first, for sorting and
    filtering; written as the units are read, so a large province never sits in memory."""

    def __init__(self, sheet: Sheet, annex: Annex) -> None:
        self.sheet, self.annex = sheet, annex
        self.columns = flat_columns(annex)
        fields = [name for name, *_ in self.columns]
        self.repeat = [0] + [i for i, name in enumerate(fields)
                             if name in (annex.kind.order_field, annex.kind.title_field)]
        self.kinds = ["cell"] * len(self.columns)
        heads = [Put(i, header, "header") for i, (_, header, _, _) in enumerate(self.columns)]
        sheet.add_row(heads, key=HEADER_KEY)
        self.max_lines = max_row_lines(LANDSCAPE, FLAT_SIZE, sum(sheet.heights),
                                       sheet.heights[-1])
        self.count = 0

    def add(self, unit_name: str, record: Record) -> None:
        values: list[object] = [unit_name]
        for name, *_ in self.columns[1:]:
            value = value_of(record, name)
            if name in PHONE_FIELDS and value is not None:
                value = phone_text(value, self.sheet.width_of(len(values)), FLAT_SIZE)
            values.append(value)
        _record_rows(self.sheet, values, self.kinds, getattr(record, "id", None),
                     self.max_lines, self.repeat)
        self.count += 1

    def finish(self) -> None:
        sheet = self.sheet
        last = max(sheet.row - 1, 1)
        sheet.ws.autofilter(0, 0, last, len(self.columns) - 1)
        sheet.ws.freeze_panes(1, 1)
        fields = [name for name, *_ in self.columns]
        if "gender" in fields and self.count:  # nobody nominated yet: no range to choose in
            _gender_choice(sheet, 1, last, fields.index("gender"))
        sheet.finish(repeat=0)


def flat_widths(annex: Annex) -> list[float]:
    """The 汇总 columns filling the width of A4 landscape."""
    columns = flat_columns(annex)
    room = LANDSCAPE.width - 2 - sum(minimum for _, _, minimum, _ in columns)
    shares = sum(share for *_, share in columns) or 1.0
    return [minimum + max(room, 0.0) * share / shares for _, _, minimum, share in columns]
