"""Reading a filled 附表 back into records: `llweek import --unit ID FILE.xlsx`.

The workbook comes from outside (a unit's PC, an e-mail), so it is size-checked and parsed
through defusedxml. Sheets are recognised by their title, columns by their headers and form
boxes by their labels, from the same definitions the export uses.

An exported workbook is a faithful round trip. Each row (each form) carries its record's id
in a hidden column, and a hidden sheet holds the records as they were exported, so:
- a row is matched with its record by id, whatever was renamed; by content only for a row
  without an id (typed in by hand), so importing the same file twice adds nothing twice;
- a cell changed in the workbook changes the field, a cleared cell clears it, a row deleted
  from the workbook deletes its record; a cell left as exported changes nothing, even where a
  colleague changed the record in the repository since (theirs stays); the same field
  changed on both sides is refused, never overwritten;
- a record added to the repository after the export is left alone; without the hidden sheet
  (a sheet copied into a new workbook) a record not shown is kept, and the plan lists it.
What cannot be read faithfully stops the import with its cell address: a value of the wrong
type, a formula, a merged cell among the rows, a column or a cell that is not part of the
form, a table (or form) of another unit. Nothing is written then; else all changes are one
commit.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from datastore.access import Actor
from datastore.errors import LlweekError
from datastore.ids import is_valid_id, new_id
from datastore.loader import RepoData, UnitData, load_repo
from datastore.models import KINDS, Record, RecordKind
from datastore.records import build_record, with_changes
from datastore.save import SaveResult, save_many
from datastore.tomlio import TomlSyntaxError, parse
from exports.annexes import (
    ANNEXES,
    CONTACT_FIELDS,
    CONTACT_LABEL,
    OPINION_FIELDS,
    PHONE_FIELDS,
    PHONE_LABEL,
    Annex,
    Column,
)
from exports.layouts import (
    ANNEX_PAGE,
    CONTINUATION,
    FULL_SPACE,
    PHONE_JOIN,
    hint_of,
    unit_lines,
    value_of,
    when_text,
)
from exports.sheet import UNIT_MARK, sheet_text
from exports.text import parse_date, parse_date_range
from exports.workbooks import MANIFEST_SHEET, ROLLUP_SHEET, UNEXPORTED_SHEET

MAX_FILE_MB = 20
MAX_UNPACKED_MB = 200
MAX_ROWS = 5000  # rows read from one sheet; an annex of a unit is far shorter
MATCH_FIELDS = {"activities": ("name",), "advanced_units": ("full_name",),
                "advanced_people": ("name", "employer")}
KEPT_HINT = "要删除表格中没有的记录，请重新导出表格，在新导出的表格中删除后再导入"
SHOWN = 24  # characters of a long value shown in a change line
_NOISE = re.compile(r"[\s\d“”\"「」()（）:：]")
_STAMP_LINE = re.compile(r"^[\s\u3000]*(?:[（(]盖章[)）]|\d*\s*年\s*\d*\s*月\s*\d*\s*日)[\s\u3000]*$")


class ImportRefused(LlweekError):
    """The workbook holds something that cannot be imported faithfully: nothing was written."""

    exit_code = 1


@dataclass
class FieldChange:
    label: str
    old: object
    new: object

    def describe(self) -> str:
        return f"{self.label}：{_shown(self.old)} → {_shown(self.new)}"


@dataclass
class Change:
    """One record the import adds, changes or deletes."""

    kind: RecordKind
    record: Record
    expected: str | None  # the file's digest when read; None for a new record
    verb: str  # 新增 | 修改 | 删除
    fields: list[FieldChange] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"{self.verb} {self.kind.describe(self.record)}"
        if self.verb != "修改":
            return [head]
        return [head, *(f"    {f.describe()}" for f in self.fields)]


@dataclass
class ImportPlan:
    """What importing a workbook would do; nothing is written while `problems` is not empty."""

    unit: str
    annexes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # records not shown that were not deleted

    def count(self, verb: str) -> int:
        return sum(c.verb == verb for c in self.changes)

    def subject(self) -> str:
        """`导入 附表1（新增 2 条，修改 3 条，删除 1 条）`."""
        deleted = self.count("删除")
        tail = f"，删除 {deleted} 条" if deleted else ""
        return (f"导入 {'、'.join(self.annexes)}（新增 {self.count('新增')} 条，"
                f"修改 {self.count('修改')} 条{tail}）")

    def lines(self) -> list[str]:
        """Each addition, each changed field, each deletion, each record the workbook no longer
        shows but that was not deleted; the dry run and the commit say this."""
        out = [line for change in self.changes for line in change.lines()]
        out += self.kept
        if self.unchanged:
            out.append(f"{self.unchanged} 条与材料库中相同，不变")
        return out

    def message(self) -> str:
        return f"{self.subject()}\n\n" + "\n".join(self.lines())


def _shown(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    text = str(value).replace("\n", " ")
    return f"「{text[:SHOWN]}…」" if len(text) > SHOWN else f"「{text}」"


def _norm(text: object) -> str:
    return _NOISE.sub("", str(text or ""))


def _key(value: object) -> str:
    """A name as matched against the records: white space does not count, digits do."""
    return re.sub(r"[\s\u3000]+", "", str(value or ""))


def _text(value: object) -> str:
    """A cell's value as text, exactly (line breaks normalised)."""
    if value is None:
        return ""
    value = getattr(value, "text", value)  # an array formula: the formula as typed
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


def _blank(value: object) -> bool:
    return not _text(value).strip()


# ------------------------------------------------------------------ opening the workbook


def open_workbook(path: Path) -> Any:
    """The workbook, after checks that keep a hostile file from hurting anyone."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:
        raise LlweekError("读取外来表格需要 defusedxml（且不能设置 OPENPYXL_DEFUSEDXML=False），已拒绝读取")
    if not path.is_file():
        raise LlweekError(f"找不到文件 {path}")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise LlweekError(f"{path.name} 不是 .xlsx 文件：请在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    if path.stat().st_size > MAX_FILE_MB * 1024 * 1024:
        raise LlweekError(f"{path.name} 超过 {MAX_FILE_MB} MB，不像是一份附表，已拒绝读取")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
            raise LlweekError(f"{path.name} 解压后超过 {MAX_UNPACKED_MB} MB，已拒绝读取")
        # formulas come back as the text typed ("=…"), never evaluated or trusted as cached
        return openpyxl.load_workbook(path)
    except LlweekError:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            OSError) as err:
        raise LlweekError(f"{path.name} 无法读取，不是有效的 Excel 表格（{err}）") from None
    except Exception as err:  # noqa: BLE001 - defusedxml and the XML parser raise many kinds
        raise LlweekError(f"{path.name} 内容异常，已拒绝读取（{type(err).__name__}）") from None


def _annex_of(ws: Any, province: str) -> Annex | None:
    """Which annex a sheet is, from the title in its first rows."""
    top = "".join(_text(c.value) for row in ws.iter_rows(max_row=4, max_col=12) for c in row)
    found = _norm(top).replace(province, "")
    for annex in ANNEXES.values():
        if _norm(annex.title.format(year="", province="")).replace("|", "") in found:
            return annex
    return None


# ------------------------------------------------------------------ what the workbook holds


@dataclass
class Manifest:
    """The hidden sheet of an exported workbook: for which unit, and the records exported."""

    unit: str | None
    annex: int | None
    base: dict[tuple[str, str], Record]


def _manifest(book: Any) -> Manifest | None:
    if MANIFEST_SHEET not in book.sheetnames:
        return None
    ws = book[MANIFEST_SHEET]
    head = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2), ())]
    info = dict(zip(head[::2], head[1::2]))
    base: dict[tuple[str, str], Record] = {}
    for row in ws.iter_rows(min_row=4, max_row=MAX_ROWS, values_only=True):
        if not row or not row[0] or row[0] not in KINDS or not is_valid_id(_text(row[1])):
            continue
        text = "".join(_text(part) for part in row[2:] if part is not None)
        try:
            record, _ = build_record(KINDS[row[0]].model, parse(text))
        except (TomlSyntaxError, ValidationError, ValueError):
            continue
        base[(row[0], _text(row[1]))] = record
    annex = info.get("annex")
    return Manifest(_text(info.get("unit")) or None,
                    int(annex) if isinstance(annex, (int, float)) else None, base)


@dataclass
class Item:
    """One record as the workbook shows it: a table row (and its continuation rows) or a form."""

    kind: RecordKind
    where: str
    id: str | None
    raw: dict[str, Any]  # field → value as read (text joined, hints taken off)
    cells: dict[str, str]  # field → cell address, for messages
    order: float | None = None  # 序号 / 推荐序号 as typed
    position: int = 0
    typed: bool = False  # a form without a hidden id: it does not say where it ranks


def _key_column(ws: Any) -> tuple[int | None, str | None]:
    """The hidden column of an exported sheet, and the unit it names."""
    for row in ws.iter_rows(max_row=6, max_col=min(ws.max_column, 40)):
        for cell in row:
            text = _text(cell.value)
            if text.startswith(UNIT_MARK):
                return cell.column, text[len(UNIT_MARK):].strip() or None
    return None, None


def _merged(ws: Any) -> list[Any]:
    return list(ws.merged_cells.ranges)


class SheetReader:
    """Reads one sheet into items, adding a problem for everything it cannot read."""

    def __init__(self, ws: Any, annex: Annex, year: int, problems: list[str]) -> None:
        self.ws, self.annex, self.year, self.problems = ws, annex, year, problems
        self.key_col, self.unit = _key_column(ws)
        self.specs = {s.name: s for s in annex.kind.model.specs()}

    def where(self, coordinate: str, label: str = "") -> str:
        return f"工作表「{self.ws.title}」{coordinate}{f'「{label}」' if label else ''}"

    def key_of(self, row: int) -> str | None:
        if self.key_col is None:
            return None
        text = _text(self.ws.cell(row, self.key_col).value).strip()
        return text if is_valid_id(text) else None

    def formula(self, cell: Any, label: str) -> bool:
        if cell.data_type == "f":
            self.problems.append(f"{self.where(cell.coordinate, label)}：「{_text(cell.value)}」"
                                 "是公式，请改为直接填写的内容")
            return True
        return False

    # -------------------------------------------------------------- tables

    def table(self) -> Iterator[Item]:
        """附表1 / 3 / 5: the rows under the header row, until the note or the footer."""
        ws, annex = self.ws, self.annex
        wanted = {_norm(c.header): c for c in annex.columns}
        header_row, columns = None, {}
        for row in ws.iter_rows(max_row=15):
            found = {cell.column: wanted[_norm(cell.value)] for cell in row
                     if cell.value is not None and _norm(cell.value) in wanted}
            if len(found) == len(wanted):
                header_row, columns = row[0].row, found
                break
        if header_row is None:
            self.problems.append(f"工作表「{ws.title}」找不到表头"
                                 f"（{'、'.join(c.header for c in annex.columns)}）")
            return
        last = header_row
        for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + MAX_ROWS):
            first = _text(row[0].value).strip()
            if first.startswith("注") or first.startswith(CONTACT_LABEL[:-1]):
                break
            last = row[0].row
        self._extra_columns(header_row, last, columns)
        for merged in _merged(ws):
            if header_row < merged.min_row <= last or merged.min_row <= header_row < merged.max_row:
                self.problems.append(f"工作表「{ws.title}」{merged.coord} 是合并的单元格：合并后只有"
                                     "左上角一格的内容能读出，请取消合并，每行分别填写")
        group: Item | None = None
        for row in ws.iter_rows(min_row=header_row + 1, max_row=last):
            number = row[0].row
            cells = {col: ws.cell(number, col) for col in columns}
            content = [c for col, c in cells.items() if columns[col].fields not in ((), ("rank",))]
            key = self.key_of(number)
            order_col = next((col for col, c in columns.items() if c.fields in ((), ("rank",))),
                             None)
            order_cell = cells.get(order_col) if order_col else None
            title = next((c for col, c in cells.items()
                          if columns[col].fields[:1] == (annex.kind.title_field,)), None)
            if self.key_col is not None:
                same = key is not None and group is not None and key == group.id
            else:  # no ids: a row with neither number nor name goes on with the one above
                same = title is not None and _blank(title.value)
            continues = (group is not None and same
                         and (order_cell is None or _blank(order_cell.value)))
            if all(_blank(c.value) for c in content) and not continues:
                continue
            if (not continues and key is not None and order_cell is not None
                    and _blank(order_cell.value)):
                self.problems.append(f"工作表「{ws.title}」第 {number} 行是一条记录的续行，但它上面"
                                     "不是这条记录：请把续行与它的第一行放在一起，或一起删除")
                continue
            if not continues:
                if group is not None:
                    yield group
                group = Item(annex.kind, f"工作表「{ws.title}」第 {number} 行", key, {}, {},
                             position=number)
                if order_cell is not None and not _blank(order_cell.value):
                    group.order = self._order(order_cell)
            for col, cell in cells.items():
                column: Column = columns[col]
                if column.fields in ((), ("rank",)) or self.formula(cell, column.header):
                    continue
                name = "+".join(column.fields)
                if name not in group.raw:
                    group.raw[name] = cell.value
                    group.cells[name] = cell.coordinate
                elif cell.value is None:
                    continue
                elif group.raw[name] is None:
                    group.raw[name] = cell.value
                elif isinstance(group.raw[name], str):
                    group.raw[name] += _text(cell.value)  # a text continued on this row
                else:
                    group.raw[name] = _text(group.raw[name]) + _text(cell.value)
        if group is not None:
            yield group

    def _order(self, cell: Any) -> float | None:
        value = cell.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        found = re.fullmatch(r"\s*(\d+)\s*", _text(value))
        if found:
            return float(found.group(1))
        self.problems.append(f"{self.where(cell.coordinate, '序号')}：「{_text(value)}」应为整数")
        return None

    def _extra_columns(self, header_row: int, last: int, columns: dict[int, Column]) -> None:
        """A column that is not the annex's: its header and the cells holding anything."""
        ws = self.ws
        from openpyxl.utils import get_column_letter

        for col in range(1, ws.max_column + 1):
            if col in columns or col == self.key_col:
                continue
            header = _text(ws.cell(header_row, col).value).strip()
            filled = [ws.cell(r, col).coordinate for r in range(header_row + 1, last + 1)
                      if not _blank(ws.cell(r, col).value)]
            if header or filled:
                name = f"「{header}」" if header else ""
                where = f"（{'、'.join(filled[:8])}{' 等' if len(filled) > 8 else ''} 有内容）" \
                    if filled else ""
                self.problems.append(f"工作表「{ws.title}」{get_column_letter(col)} 列{name}不是"
                                     f"{self.annex.label}的栏目{where}：请删除该列，或把内容移到"
                                     "相应的栏目中")

    # -------------------------------------------------------------- forms

    def form(self) -> Item | None:
        """附表2 / 4: each label's value is in the box to its right; the 先进事迹 box may go
        on over several rows; opinions under their headings; the footer's contact."""
        ws, annex, model = self.ws, self.annex, self.annex.kind.model
        fields = [name for line in annex.lines for name in line] + ["deeds"]
        labels = {_norm(model.label_of(name)): name for name in fields}
        opinions = {_norm(model.label_of(name)): name for name in OPINION_FIELDS}
        raw: dict[str, Any] = {}
        cells: dict[str, str] = {}
        used: set[str] = set()
        key = None
        rows = list(ws.iter_rows(max_row=min(ws.max_row, 200)))
        for row in rows:
            for cell in row:
                if cell.column == self.key_col:
                    key = key or self.key_of(cell.row)
                    used.add(cell.coordinate)
                    continue
                text = _text(cell.value)
                if not text.strip():
                    continue
                first_line = text.split("\n")[0]
                head = _norm(first_line)
                if head not in labels and head not in opinions:
                    head = _norm(re.split(r"[（(]", first_line)[0])
                if head in labels:
                    name = labels[head]
                    used.add(cell.coordinate)
                    target = ws.cell(cell.row, self._merged_end(cell) + 1)
                    if name == "deeds":
                        raw[name] = self._box_below(target, used)
                    elif not self.formula(target, model.label_of(name)):
                        raw[name] = self._without_hint(name, target.value)
                        used.add(target.coordinate)
                    cells[name] = target.coordinate
                elif head in opinions:
                    name = opinions[head]
                    used.add(cell.coordinate)
                    target = ws.cell(cell.row + 1, cell.column)
                    used.add(target.coordinate)
                    if not self.formula(target, model.label_of(name)):
                        raw[name] = _without_stamp(_text(target.value))
                    cells[name] = target.coordinate
                elif text.startswith(CONTACT_LABEL.rstrip("：")):
                    used.add(cell.coordinate)
                    found = _footer(text)
                    for name in CONTACT_FIELDS:
                        raw[name] = found.get(name)
                        cells[name] = cell.coordinate
        self._stray(rows, used)
        if not raw and key is None:
            return None
        return Item(annex.kind, f"工作表「{ws.title}」", key, raw, cells)

    def _merged_end(self, cell: Any) -> int:
        for merged in _merged(self.ws):
            if cell.coordinate in merged:
                return merged.max_col
        return cell.column

    def _box_below(self, first: Any, used: set[str]) -> str:
        """The 先进事迹 box: its first cell and those below it while the label column is empty."""
        ws, hint = self.ws, hint_of(self.annex, "deeds") or ""
        parts, row = [], first.row
        while row <= ws.max_row:
            if row > first.row and not _blank(ws.cell(row, 1).value):
                break
            cell = ws.cell(row, first.column)
            if not self.formula(cell, self.annex.kind.model.label_of("deeds")):
                parts.append(_text(cell.value))
            used.add(cell.coordinate)
            used.add(ws.cell(row, 1).coordinate)
            row += 1
        text = "".join(parts)
        if text.startswith(hint + "\n"):
            text = text[len(hint) + 1:]
        elif text.strip() == hint:
            text = ""
        return text

    def _without_hint(self, name: str, value: object) -> object:
        """A value box's value without the notice's hint printed after it."""
        hint = hint_of(self.annex, name)
        if not hint or not isinstance(value, str):
            return value
        text = _text(value)
        if text.strip() == hint:
            return None
        if text.endswith(hint):
            text = text[:-len(hint)]
            return text[:-1] if text.endswith(FULL_SPACE) else text
        return text

    def _stray(self, rows: list[Any], used: set[str]) -> None:
        """Anything typed outside the form's boxes would be lost: say where."""
        merged = {c for m in _merged(self.ws) for c in _cells_of(m) if _cells_of(m)[0] in used}
        for row in rows[2:]:  # the annex label and the title
            for cell in row:
                if cell.coordinate in used or cell.coordinate in merged or _blank(cell.value):
                    continue
                self.problems.append(f"{self.where(cell.coordinate)}：「{_shown(cell.value)[1:-1]}」"
                                     "不在表格的任何一栏中，无法导入：请把它填到相应的栏目里")

    # -------------------------------------------------------------- 附页

    def annex_page(self) -> tuple[str | None, dict[str, str]]:
        """An 附页: whose it is, and the text each field continues with (rows a user added
        without an id continue the text above them)."""
        ws, texts = self.ws, {}
        record, current = None, None
        fields = {"deeds", *OPINION_FIELDS}
        for row in ws.iter_rows(min_row=2, max_row=min(ws.max_row, MAX_ROWS)):
            key = _text(ws.cell(row[0].row, self.key_col).value).strip() if self.key_col else ""
            text = _text(row[0].value)
            if key in fields:
                current = key
            elif is_valid_id(key):
                record = record or key
                continue
            elif key or text.endswith(CONTINUATION) or current is None:
                continue
            texts[current] = texts.get(current, "") + text
        return record, texts


def _cells_of(merged: Any) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [f"{get_column_letter(c)}{r}" for r in range(merged.min_row, merged.max_row + 1)
            for c in range(merged.min_col, merged.max_col + 1)]


def _without_stamp(text: str) -> str | None:
    """An opinion box's text without the （盖章） and 年 月 日 lines at its end."""
    lines = text.split("\n")
    while lines and _STAMP_LINE.match(lines[-1]):
        lines.pop()
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) or None


def _footer(text: str) -> dict[str, str]:
    """`填表联系人：张丽　　　联系电话：0431-…` → contact_name, contact_phone."""
    found = re.match(rf"{CONTACT_LABEL[:-1]}[:：]?(.*?)(?:{PHONE_LABEL[:-1]}[:：]?(.*))?$",
                     re.sub(r"[\s\u3000]+", " ", text).strip())
    if not found:
        return {}
    parts = [(found.group(1) or "").strip(), (found.group(2) or "").strip()]
    return {name: value for name, value in zip(CONTACT_FIELDS, parts) if value}


# ------------------------------------------------------------------ values


def parse_value(kind: RecordKind, name: str, raw: object, year: int) -> dict[str, Any]:
    """A field's (or 活动时间's three fields') values as typed; ValueError with the reason."""
    if name == "start+end+time_note":
        return _when(raw, year)
    spec = next((s for s in kind.model.specs() if s.name == name), None)
    kind_name = spec.kind if spec else ("int" if name in ("rank", "seq") else "str")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {name: None}
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if kind_name == "int":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
            return {name: int(raw)}
        found = re.fullmatch(r"\s*(\d+)\s*[人名]?\s*", _text(raw))
        if not found:
            raise ValueError("应为整数")
        return {name: int(found.group(1))}
    if kind_name == "date":
        if isinstance(raw, dt.date):
            return {name: raw}
        day = parse_date(_text(raw))
        if day is None:
            raise ValueError("应为日期，如 1975-03-01 或 1975年3月1日")
        return {name: day}
    text = sheet_text(_text(raw))
    if name in PHONE_FIELDS:
        text = PHONE_JOIN.sub(r"\1", text)
    return {name: text}


def _when(raw: object, year: int) -> dict[str, Any]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {"start": None, "end": None, "time_note": None}
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return {"start": raw, "end": raw, "time_note": None}
    found = parse_date_range(_text(raw), year)
    if found is None:
        raise ValueError("应以日期开头，如 2021年10月8日—10月29日")
    start, end, note = found
    return {"start": start, "end": end, "time_note": note or None}


def _same(value: object, printed: object) -> bool:
    """Does a value read from the workbook say what the record says? White space at the ends
    of a text does not count (a spreadsheet may add or drop it)."""
    if isinstance(printed, str):
        printed = sheet_text(printed).strip() or None
    if isinstance(value, str):
        value = value.strip() or None
    return value == printed


def _unchanged_raw(name: str, raw: object, base: Record) -> bool:
    """Is the cell exactly what the export printed for a field kept as typed (wrong type)?"""
    names = name.split("+")
    if not any(n in base.invalid for n in names):
        return False
    if len(names) > 1:
        printed = when_text(base, float("inf"), 12.0)
        return _compact(_text(raw).replace("—\n", "—")) == _compact(printed)
    return _same(_text(raw), value_of(base, name))


# ------------------------------------------------------------------ matching and planning


class KindPlan:
    """The unit's records of one kind, matched with what the workbook shows of them."""

    def __init__(self, plan: ImportPlan, unit: UnitData, kind: RecordKind, manifest: Manifest | None,
                 year: int, others: dict[str, str]) -> None:
        self.plan, self.unit, self.kind, self.year = plan, unit, kind, year
        self.stored = {s.id: s for s in unit.items(kind.key) if s.record is not None}
        self.base = {rid: r for (k, rid), r in (manifest.base.items() if manifest else ())
                     if k == kind.key}
        self.manifest = manifest
        self.others = others  # record id → the other unit it belongs to
        self.claimed: dict[str, Item] = {}
        self.added: list[tuple[Item, Record]] = []
        self.order: list[str] = []

    def match(self, items: list[Item]) -> None:
        for item in items:
            if item.id and item.id in self.claimed:
                self.plan.notes.append(f"{item.where}与{self.claimed[item.id].where}是同一条记录的"
                                       "副本，作为新的一条导入")
                item.id = None
            if item.id and item.id in self.others:
                self.plan.problems.append(f"{item.where}是「{self.others[item.id]}」的材料，"
                                          "不能导入到本单位：请确认 --unit 是否选对")
                continue
            if item.id and item.id in self.stored:
                self.claimed[item.id] = item
                self.order.append(item.id)
            elif item.id and item.id in self.base:
                self._deleted_meanwhile(item)
            else:
                self._unmatched(item)

    def _deleted_meanwhile(self, item: Item) -> None:
        base = self.base[item.id]  # type: ignore[index]
        if self._changes(item, base, base):
            self.plan.problems.append(f"{item.where}的「{self.kind.describe(base)}」在表格导出后已被"
                                      "删除，表格中却改过它：请与删除的人商量后重新导出")
        else:
            self.plan.notes.append(f"{item.where}的「{self.kind.describe(base)}」在表格导出后已被"
                                   "删除，未恢复")

    def _unmatched(self, item: Item) -> None:
        """A row without a known id: a record already added from it, by content, else new."""
        free = [rid for rid in self.stored if rid not in self.claimed and rid not in self.base]
        values = self._values(item)
        if values is None:
            return
        for rid in free:
            record = self.stored[rid].record
            if all(_same(v, value_of(record, k)) for k, v in values.items() if k != "id"):
                self.claimed[rid] = item
                self.order.append(rid)
                item.id = rid
                return
        if self.manifest is None:  # a table not exported by llweek: match by name
            keys = MATCH_FIELDS.get(self.kind.key, ("name",))
            first = _key(values.get(keys[0]))
            found = [rid for rid in free if first
                     and _key(value_of(self.stored[rid].record, keys[0])) == first]
            if len(found) > 1 and len(keys) > 1:
                second = _key(values.get(keys[1]))
                found = [rid for rid in found
                         if _key(value_of(self.stored[rid].record, keys[1])) == second] or found
            if found:
                self.claimed[found[0]] = item
                self.order.append(found[0])
                item.id = found[0]
                return
        if not any(v not in (None, "") for k, v in values.items()):
            return
        rid = item.id if item.id and is_valid_id(item.id) else new_id()
        try:
            record = with_changes(self.kind.model(id=rid),
                                  {k: v for k, v in values.items() if v is not None})
        except ValidationError as err:
            self.plan.problems.append(f"{item.where}：内容无法保存（{err.errors()[0]['msg']}）")
            return
        self.added.append((item, record))
        self.order.append(rid)

    def _values(self, item: Item, base: Record | None = None) -> dict[str, Any] | None:
        """The item's fields in their types; None (and problems) when a cell cannot be read.
        A cell still showing `base`'s value as exported counts as read (a value of the wrong
        type kept in the record is printed as typed and reads back the same)."""
        out: dict[str, Any] = {}
        ok = True
        for name, raw in item.raw.items():
            if base is not None and _unchanged_raw(name, raw, base):
                continue
            try:
                out.update(parse_value(self.kind, name, raw, self.year))
            except ValueError as err:
                label = "活动时间" if "+" in name else self.kind.model.label_of(name)
                where = item.cells.get(name, "")
                self.plan.problems.append(f"{item.where.split('」')[0]}」{where}「{label}」："
                                          f"「{_text(raw)}」{err}")
                ok = False
        return out if ok else None

    def _changes(self, item: Item, base: Record, current: Record) -> dict[str, Any] | None:
        """The fields the workbook changed against `base`, as they are to be set on `current`;
        None when a cell cannot be read (or a conflict was reported)."""
        values = self._values(item, base)
        if values is None:
            return None
        updates: dict[str, Any] = {}
        for name, value in values.items():
            if _same(value, value_of(base, name)) or _same(value, value_of(current, name)):
                continue
            if base is not current and not _same(value_of(current, name), value_of(base, name)):
                label = self.kind.model.label_of(name)
                self.plan.problems.append(
                    f"{item.where}「{label}」：表格中改为{_shown(value)}，但材料库中的"
                    f"「{self.kind.describe(current)}」在导出后已被改为{_shown(value_of(current, name))}："
                    "为免覆盖别人的修改，请重新导出后再改")
                return None
            updates[name] = value.strip() if isinstance(value, str) and "\n" not in value \
                else value
        return updates

    def plan_changes(self, present: bool) -> None:
        """Changes of matched records, additions, deletions, and the new order."""
        plan, kind = self.plan, self.kind
        for rid, item in self.claimed.items():
            stored = self.stored[rid]
            current = stored.record
            base = self.base.get(rid, current)
            updates = self._changes(item, base, current)  # type: ignore[arg-type]
            if updates is None:
                continue
            self._change(stored.record, stored.digest, updates, item.where)  # type: ignore[arg-type]
        for item, record in self.added:
            plan.changes.append(Change(kind, record, None, "新增"))
        if present and self.manifest is not None:
            for rid, base in self.base.items():
                stored = self.stored.get(rid)
                if rid in self.claimed or stored is None or stored.record is None:
                    continue
                if _record_text(stored.record) != _record_text(base):
                    plan.problems.append(f"表格中删除了「{kind.describe(stored.record)}」，但它在导出后"
                                         "已被修改：为免丢失，未删除。请重新导出后再改")
                    continue
                plan.changes.append(Change(kind, stored.record, stored.digest, "删除"))
        else:  # without the hidden sheet a missing row may be a deletion or a later addition
            for rid, stored in self.stored.items():
                if rid not in self.claimed:
                    plan.kept.append(f"表格中没有{kind.describe(stored.record)}，未删除：这份表格"
                                     "缺少导出时的隐藏信息，无法确认是删除")
            if plan.kept and KEPT_HINT not in plan.notes:
                plan.notes.append(KEPT_HINT)
        self._renumber()
        changed = {c.record.id for c in plan.changes if c.kind is kind}  # type: ignore[attr-defined]
        plan.unchanged += sum(rid not in changed for rid in self.claimed)

    def _change(self, record: Record, digest: str | None, updates: dict[str, Any],
                where: str) -> None:
        existing = next((c for c in self.plan.changes if c.record.id == record.id  # type: ignore[attr-defined]
                         and c.kind is self.kind), None)
        base = existing.record if existing else record
        try:
            changed = with_changes(base, updates)
        except ValidationError as err:
            self.plan.problems.append(f"{where}：内容无法保存（{err.errors()[0]['msg']}）")
            return
        fields = [FieldChange(self.kind.model.label_of(k), value_of(record, k), v)
                  for k, v in updates.items()]
        if existing:
            existing.record = changed
            existing.fields += fields
        elif fields:
            self.plan.changes.append(Change(self.kind, changed, digest, "修改", fields))

    def _renumber(self) -> None:
        """序号 / 推荐序号: the workbook's order (rows sorted by their numbers), the records it
        does not show after them; numbers 1, 2, 3 … only when that order changed or has gaps.
        A form without a hidden id does not say where it ranks: a record it matched keeps its
        place, a new one goes after all the others."""
        name = self.kind.order_field
        if not name:
            return
        items = {**{rid: item for rid, item in self.claimed.items() if not item.typed},
                 **{record.id: item for item, record in self.added}}  # type: ignore[attr-defined]
        deleted = {c.record.id for c in self.plan.changes  # type: ignore[attr-defined]
                   if c.kind is self.kind and c.verb == "删除"}
        shown, previous = [], 0.0
        for rid in self.order:
            item = items.get(rid)
            if item is None:
                continue
            number = item.order if item.order is not None else previous
            previous = number
            shown.append((number, len(shown), rid))
        wanted = [rid for _, _, rid in sorted(shown)]
        late = [rid for rid in wanted if items[rid].typed]
        rest = [rid for rid in self.stored if rid not in items and rid not in deleted]
        wanted = [rid for rid in wanted if rid not in late] + rest + late
        current = {rid: getattr(self.stored[rid].record, name, None) for rid in self.stored}
        added = {record.id: record for _, record in self.added}  # type: ignore[attr-defined]
        kept = [rid for rid in wanted if rid not in added]
        numbers = [current[rid] for rid in kept]
        keeps_order = (all(isinstance(v, int) for v in numbers) and numbers == sorted(numbers)
                       and len(set(numbers)) == len(numbers)
                       and wanted == kept + [rid for rid in wanted if rid in added])
        contiguous = numbers == list(range(1, len(numbers) + 1))
        if keeps_order and (contiguous or name == "seq"):
            start = max(numbers, default=0)
            targets = {rid: start + n for n, rid in enumerate(added, start=1)}
        else:
            targets = {rid: n for n, rid in enumerate(wanted, start=1)}
        for rid, number in targets.items():
            if rid in added:
                change = next(c for c in self.plan.changes if c.record is added[rid])
                change.record = added[rid] = with_changes(added[rid], {name: number})
            elif current.get(rid) != number:
                stored = self.stored[rid]
                self._change(stored.record, stored.digest, {name: number}, "")  # type: ignore[arg-type]


def _record_text(record: Record) -> str:
    from datastore.records import record_to_text

    return record_to_text(record)


def _other_units(data: RepoData, unit_id: str) -> dict[str, str]:
    """Record id → name of the other unit it belongs to."""
    out: dict[str, str] = {}
    for other in data.units.values():
        if other.id == unit_id:
            continue
        for items in other.collections.values():
            for stored in items:
                out[stored.id] = other.name
    return out


def _unit_names(unit: UnitData) -> set[str]:
    profile = unit.profile
    names = {unit.name, unit.id, unit.ref.name if unit.ref else None,
             profile.name if profile else None, profile.short_name if profile else None}
    return {n for n in names if n}


def _compact(text: object) -> str:
    return re.sub(r"[\s\u3000]+", "", str(text or ""))


def _check_header(ws: Any, annex: Annex, data: RepoData, unit: UnitData,
                  problems: list[str]) -> None:
    """A table's header line names its unit (附表1 吉林省 __市（县）__区, 附表3/5 推荐单位):
    refuse another unit's; for a sheet llweek did not export, this is all there is to go by."""
    text = _text(ws.cell(3, 1).value)
    if annex.is_ranked_list:
        found = re.match(r"推荐单位[:：]\s*(.*?)\s*[（(]盖章", text)
        named = _compact(found.group(1) if found else "")

        def names(one: UnitData) -> set[str]:
            return {_compact(n) for n in (*_unit_names(one),
                                          unit_lines(one, data.campaign).full_name)}

        def matches(one: UnitData) -> bool:
            return any(n == named or (len(n) > 2 and n in named) for n in names(one))
    else:
        named = _compact(text)

        def matches(one: UnitData) -> bool:
            return _compact(unit_lines(one, data.campaign).place) == named
    if not named or matches(unit):
        return
    for other in data.units.values():
        if other.id != unit.id and matches(other):
            problems.append(f"工作表「{ws.title}」的表头是「{text.strip()}」，是{other.name}的表格，"
                            f"不是{unit.name}的：请确认 --unit 是否选对")
            return


#: the form fields that name where the applicant works, hence whose form it is
FORM_PLACES = ("full_name", "parent_org", "address", "employer")


def _check_form(ws: Any, annex: Annex, form: Item, data: RepoData, unit: UnitData,
                problems: list[str]) -> None:
    """A form without llweek's hidden column has no unit line: its 单位全称 / 上级主管部门 /
    通讯地址 (附表2) or 工作单位 (附表4) go by. Refuse a form naming another unit and not this one."""

    def names(one: UnitData) -> set[str]:
        found = {_compact(n) for n in (*_unit_names(one), unit_lines(one, data.campaign).full_name)}
        return {n for n in found if len(n) > 2}

    values = {name: _compact(form.raw.get(name)) for name in FORM_PLACES if name in form.raw}
    values = {name: text for name, text in values.items() if text}
    own = names(unit)
    if any(n in text for text in values.values() for n in own):
        return
    for name, text in values.items():
        for other in data.units.values():
            if other.id != unit.id and any(n in text for n in names(other)):
                label = annex.kind.model.label_of(name)
                problems.append(f"工作表「{ws.title}」{form.cells.get(name, '')}「{label}」是"
                                f"「{_text(form.raw.get(name)).strip()}」，是{other.name}的表格，"
                                f"不是{unit.name}的：请确认 --unit 是否选对")
                return


def read_plan(root: Path, unit_id: str, path: Path) -> ImportPlan:
    """What importing `path` into `unit_id` would change; reads, never writes."""
    data: RepoData = load_repo(root)
    unit = data.unit(unit_id)
    if unit is None:
        raise LlweekError(f"材料库中没有单位「{unit_id}」")
    book = open_workbook(path)
    if ROLLUP_SHEET in book.sheetnames:
        raise ImportRefused(f"{path.name} 是全省汇总表（含多个单位），不能导入到一个单位："
                            "请导入该单位自己的附表")
    plan = ImportPlan(unit_id)
    manifest = _manifest(book)
    if manifest and manifest.unit and manifest.unit != unit_id:
        other = data.unit(manifest.unit)
        raise ImportRefused(f"{path.name} 是{other.name if other else manifest.unit}导出的表格，"
                            f"不能导入到{unit.name}：请确认 --unit 是否选对")
    year = data.campaign.year or dt.date.today().year
    province = data.campaign.province or "吉林省"
    items: dict[str, list[Item]] = {}
    pages: dict[str, dict[str, str]] = {}
    for ws in book.worksheets:
        if ws.title in (MANIFEST_SHEET, UNEXPORTED_SHEET):
            continue
        annex = _annex_of(ws, province)
        if annex is None:
            plan.notes.append(f"工作表「{ws.title}」不是附表1–5，已跳过")
            continue
        reader = SheetReader(ws, annex, year, plan.problems)
        if reader.unit and reader.unit != unit_id:
            other = data.unit(reader.unit)
            raise ImportRefused(f"工作表「{ws.title}」是{other.name if other else reader.unit}的表格，"
                                f"不能导入到{unit.name}：请确认 --unit 是否选对")
        if ANNEX_PAGE in _text(ws["A1"].value):
            record, texts = reader.annex_page()
            if record:
                pages[record] = texts
            continue
        if annex.label not in plan.annexes:
            plan.annexes.append(annex.label)
        bucket = items.setdefault(annex.kind.key, [])
        if annex.is_form:
            form = reader.form()
            if form is not None:
                if reader.unit is None:
                    _check_form(ws, annex, form, data, unit, plan.problems)
                form.position = len(bucket) + 1
                form.order = float(form.position)
                form.typed = form.id is None
                bucket.append(form)
            continue
        if reader.unit is None:
            _check_header(ws, annex, data, unit, plan.problems)
        bucket.extend(reader.table())
    if not plan.annexes:
        raise ImportRefused(f"{path.name} 中没有找到附表1–5（按表格标题识别）")
    for bucket in items.values():
        for item in bucket:
            for name, text in pages.get(item.id or "", {}).items():
                item.raw[name] = _text(item.raw.get(name)) + text
    others = _other_units(data, unit_id)
    for key, bucket in items.items():
        kind = KINDS[key]
        planner = KindPlan(plan, unit, kind, manifest, year, others)
        planner.match(bucket)
        present = manifest is not None and manifest.annex is not None \
            and ANNEXES[manifest.annex].kind is kind
        planner.plan_changes(present)
    return plan


def apply_plan(root: Path, plan: ImportPlan, actor: Actor | None = None) -> list[SaveResult]:
    """Write every change of the plan as one commit."""
    if plan.problems:
        raise ImportRefused("表格中有无法导入的内容，未写入任何记录")
    if not plan.changes:
        return []
    saved = [(c.kind, c.record, c.expected) for c in plan.changes if c.verb != "删除"]
    gone = [(c.kind, c.record.id, c.expected) for c in plan.changes  # type: ignore[attr-defined]
            if c.verb == "删除"]
    return save_many(root, plan.unit, saved, plan.message(), actor=actor, deletions=gone)
