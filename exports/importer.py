"""Reading a filled 附表 back into records: `llweek import --unit ID FILE.xlsx`.

The workbook comes from outside (a unit's PC, an e-mail), so it is size-checked and parsed
through defusedxml. Sheets are recognised by their title, columns by their headers and form
boxes by their labels, from the same definitions the export uses, so an exported table that
was filled in Excel reads back as is.

Re-importing never duplicates: a row or form is matched with the unit's existing record by
活动名称 (附表1), 单位全称 (附表2, 3) or 姓名 (附表4, 5, and 工作单位 when two share a name);
序号 / 推荐序号 set the order. A blank cell keeps what the record holds; a filled one
replaces it. Records that do not change are not written; all the others become one commit.
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
from datastore.ids import new_id
from datastore.loader import RepoData, UnitData, load_repo
from datastore.models import Record, RecordKind
from datastore.records import with_changes
from datastore.save import SaveResult, save_many
from exports.annexes import (
    ANNEXES,
    CONTACT_FIELDS,
    CONTACT_LABEL,
    OPINION_FIELDS,
    PHONE_LABEL,
    Annex,
    Column,
)
from exports.text import parse_date, parse_date_range
from exports.workbooks import ROLLUP_SHEET

MAX_FILE_MB = 20
MAX_UNPACKED_MB = 200
MATCH_FIELDS = {"activities": ("name",), "advanced_units": ("full_name",),
                "advanced_people": ("name", "employer")}
_NOISE = re.compile(r"[\s\d“”\"「」()（）:：]")
_STAMP_LINE = re.compile(r"^[\s\u3000]*(?:[（(]盖章[)）]|\d*\s*年\s*\d*\s*月\s*\d*\s*日)[\s\u3000]*$")
_HINT_ONLY = re.compile(r"^[（(][^（）()]*[)）]$")


@dataclass
class Change:
    """One record the import adds or changes."""

    kind: RecordKind
    record: Record
    expected: str | None  # the file's digest when read; None for a new record
    fields: list[str]  # labels of the fields that change

    @property
    def verb(self) -> str:
        return "新增" if self.expected is None else "修改"


@dataclass
class ImportPlan:
    """What importing a workbook would do; nothing is written while `problems` is not empty."""

    unit: str
    annexes: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def subject(self) -> str:
        """`导入 附表1（新增 2 条，修改 3 条）`."""
        added = sum(c.expected is None for c in self.changes)
        return (f"导入 {'、'.join(self.annexes)}（新增 {added} 条，"
                f"修改 {len(self.changes) - added} 条）")


@dataclass
class _Row:
    """Values read from one table row or one form, keyed by field name."""

    where: str
    values: dict[str, Any]


def _norm(text: object) -> str:
    return _NOISE.sub("", str(text or ""))


def _key(value: object) -> str:
    """A name as matched against the records: white space does not count, digits do."""
    return re.sub(r"[\s\u3000]+", "", str(value or ""))


def _text(value: object) -> str:
    if value is None:
        return ""
    value = getattr(value, "text", value)  # an array formula: the formula as typed
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).replace("\r\n", "\n").strip()


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


def _annex_of(ws: Any, campaign_province: str) -> Annex | None:
    """Which annex a sheet is, from the title in its first rows."""
    top = "".join(_text(c.value) for row in ws.iter_rows(max_row=4) for c in row)
    found = _norm(top).replace(campaign_province, "")
    for annex in ANNEXES.values():
        if _norm(annex.title.format(year="", province="")).replace("|", "") in found:
            return annex
    return None


# ------------------------------------------------------------------ reading values


def _parse(annex: Annex, name: str, raw: object, year: int) -> Any:
    """A cell's value in the field's type; raises ValueError with a Chinese reason."""
    kinds = {spec.name: spec.kind for spec in annex.kind.model.specs()}
    kind = kinds.get(name, "int" if name in ("rank", "seq") else "str")
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if kind == "int":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
            return int(raw)
        found = re.fullmatch(r"\s*(\d+)\s*[人名]?\s*", _text(raw))
        if not found:
            raise ValueError("应为整数")
        return int(found.group(1))
    if kind == "date":
        if isinstance(raw, dt.date):
            return raw
        day = parse_date(_text(raw))
        if day is None:
            raise ValueError("应为日期，如 1975-03-01 或 1975年3月1日")
        return day
    return _text(raw)


def _blank(raw: object) -> bool:
    text = _text(raw)
    return not text or bool(_HINT_ONLY.match(text))


def _table_rows(ws: Any, annex: Annex, year: int, problems: list[str]) -> Iterator[_Row]:
    """附表1 / 3 / 5: the rows under the header row, until the note or the footer."""
    wanted = {_norm(c.header): c for c in annex.columns}
    header_row, columns = None, {}
    for row in ws.iter_rows(max_row=15):
        found = {cell.column: wanted[_norm(cell.value)] for cell in row
                 if cell.value is not None and _norm(cell.value) in wanted}
        if len(found) == len(wanted):
            header_row, columns = row[0].row, found
            break
    if header_row is None:
        problems.append(f"工作表「{ws.title}」找不到表头（{'、'.join(c.header for c in annex.columns)}）")
        return
    for row in ws.iter_rows(min_row=header_row + 1):
        first = _text(row[0].value)
        if first.startswith("注") or CONTACT_LABEL in first:
            break
        cells = {col: row[col - 1].value for col in columns if col - 1 < len(row)}
        content = [c for col, c in cells.items() if columns[col].fields not in ((), ("rank",))]
        if all(_blank(value) for value in content):
            continue
        values: dict[str, Any] = {}
        for col, raw in cells.items():
            column: Column = columns[col]
            where = f"工作表「{ws.title}」{row[col - 1].coordinate}「{column.header}」"
            if _blank(raw):
                continue
            try:
                if not column.fields:
                    values[annex.kind.order_field or "seq"] = _parse(annex, "seq", raw, year)
                elif column.fields[:2] == ("start", "end"):
                    values.update(_when(raw, year))
                else:
                    values[column.fields[0]] = _parse(annex, column.fields[0], raw, year)
            except ValueError as err:
                problems.append(f"{where}：「{_text(raw)}」{err}")
        yield _Row(f"工作表「{ws.title}」第 {row[0].row} 行", values)


def _when(raw: object, year: int) -> dict[str, Any]:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return {"start": raw, "end": raw}
    found = parse_date_range(_text(raw), year)
    if found is None:
        raise ValueError("应以日期开头，如 2021年10月8日—10月29日")
    start, end, note = found
    out: dict[str, Any] = {"start": start, "end": end, "time_note": note}
    return {k: v for k, v in out.items() if v}


def _merged_end(ws: Any, cell: Any) -> int:
    for merged in ws.merged_cells.ranges:
        if cell.coordinate in merged:
            return merged.max_col
    return cell.column


def _form_row(ws: Any, annex: Annex, year: int, problems: list[str]) -> _Row:
    """附表2 / 4: each label's value is in the box to its right; opinions below their label."""
    model = annex.kind.model
    fields = [name for line in annex.lines for name in line] + ["deeds"]
    labels = {_norm(model.label_of(name)): name for name in fields}
    opinions = {_norm(model.label_of(name)): name for name in OPINION_FIELDS}
    values: dict[str, Any] = {}
    for row in ws.iter_rows(max_row=60):
        for cell in row:
            text = _text(cell.value)
            if not text:
                continue
            head = _norm(re.split(r"[\n（(]", text)[0])
            if head in labels:
                name = labels[head]
                target = ws.cell(cell.row, _merged_end(ws, cell) + 1)
            elif head in opinions:
                name = opinions[head]
                target = ws.cell(cell.row + 1, cell.column)
            elif text.startswith(CONTACT_LABEL.rstrip("：")):
                values.update(_footer(text))
                continue
            else:
                continue
            raw = target.value
            if name in OPINION_FIELDS:
                raw = "\n".join(line for line in _text(raw).split("\n")
                                if not _STAMP_LINE.match(line)).strip()
            if _blank(raw):
                continue
            try:
                values[name] = _parse(annex, name, raw, year)
            except ValueError as err:
                problems.append(f"工作表「{ws.title}」{target.coordinate}「{model.label_of(name)}」："
                                f"「{_text(raw)}」{err}")
    return _Row(f"工作表「{ws.title}」", values)


def _footer(text: str) -> dict[str, str]:
    """`填表联系人：张丽　　　联系电话：0431-…` → contact_name, contact_phone."""
    found = re.match(rf"{CONTACT_LABEL[:-1]}[:：]?(.*?)(?:{PHONE_LABEL[:-1]}[:：]?(.*))?$",
                     re.sub(r"[\s\u3000]+", " ", text).strip())
    if not found:
        return {}
    parts = [(found.group(1) or "").strip(), (found.group(2) or "").strip()]
    return {name: value for name, value in zip(CONTACT_FIELDS, parts) if value}


# ------------------------------------------------------------------ matching and planning


class _Pool:
    """The unit's records of one kind, and those this import adds, to match rows against."""

    def __init__(self, unit: UnitData, kind: RecordKind) -> None:
        self.kind = kind
        self.keys = MATCH_FIELDS.get(kind.key, ("name",))
        self.opened: dict[str, tuple[Record, str | None]] = {
            s.path: (s.record, s.digest) for s in unit.items(kind.key) if s.record is not None}
        self.planned: dict[str, Change] = {}

    def record(self, path: str) -> Record:
        return self.planned[path].record if path in self.planned else self.opened[path][0]

    def find(self, values: dict[str, Any], taken: set[str]) -> str | None:
        """The path of the record this row describes; each record answers one row per sheet."""
        first = _key(values.get(self.keys[0]))
        if not first:
            return None
        paths = [p for p in self.opened if p not in taken
                 and _key(getattr(self.record(p), self.keys[0], None)) == first]
        if len(paths) > 1 and len(self.keys) > 1 and values.get(self.keys[1]):
            second = _key(values[self.keys[1]])
            paths = [p for p in paths
                     if _key(getattr(self.record(p), self.keys[1], None)) == second] or paths
        if paths:
            taken.add(paths[0])
        return paths[0] if paths else None

    def next_order(self) -> int:
        name = self.kind.order_field or "seq"
        used = [getattr(self.record(p), name, None) for p in self.opened]
        return max((u for u in used if isinstance(u, int)), default=0) + 1


def _plan_row(plan: ImportPlan, unit: UnitData, pool: _Pool, row: _Row, taken: set[str]) -> None:
    kind, model = pool.kind, pool.kind.model
    path = pool.find(row.values, taken)
    if path is None:
        values = dict(row.values)
        values.setdefault(kind.order_field or "seq", pool.next_order())
        base: Record = model(id=new_id())
        updates = values
    else:
        base = pool.record(path)
        updates = {k: v for k, v in row.values.items() if getattr(base, k, None) != v}
        if not updates:
            plan.unchanged += path not in pool.planned
            return
    try:
        record = with_changes(base, updates)
    except ValidationError as err:
        plan.problems.append(f"{row.where}：内容无法保存（{err.errors()[0]['msg']}）")
        return
    labels = [model.label_of(k) for k in updates]
    if path is None:
        path = kind.path(unit.id, record.id)  # type: ignore[attr-defined]
        pool.opened[path] = (record, None)
        taken.add(path)
    change = pool.planned.get(path)
    if change is None:
        change = Change(kind, record, pool.opened[path][1], labels)
        pool.planned[path] = change
        plan.changes.append(change)
    else:
        change.record = record
        change.fields += [label for label in labels if label not in change.fields]


def _check_unit_line(ws: Any, unit: UnitData, full_name: str, problems: list[str]) -> None:
    """附表3 / 5 name the recommending unit; refuse a table that is plainly another unit's."""
    for row in ws.iter_rows(max_row=4):
        for cell in row:
            found = re.match(r"推荐单位[:：]\s*(.*?)\s*[（(]盖章", _text(cell.value))
            if found and found.group(1):
                named = found.group(1)
                known = {full_name, unit.name, unit.ref.name if unit.ref else None, unit.id}
                if named not in known and unit.name not in named and named not in full_name:
                    problems.append(f"工作表「{ws.title}」的推荐单位是「{named}」，"
                                    f"不是「{full_name}」：请确认 --unit 是否选对")
                return


def read_plan(root: Path, unit_id: str, path: Path) -> ImportPlan:
    """What importing `path` into `unit_id` would change; reads, never writes."""
    data: RepoData = load_repo(root)
    unit = data.unit(unit_id)
    if unit is None:
        raise LlweekError(f"材料库中没有单位「{unit_id}」")
    book = open_workbook(path)
    if ROLLUP_SHEET in book.sheetnames:
        raise LlweekError(f"{path.name} 是全省汇总表（含多个单位），不能导入到一个单位："
                          "请导入该单位自己的附表")
    plan = ImportPlan(unit_id)
    year = data.campaign.year or dt.date.today().year
    province = data.campaign.province or "吉林省"
    profile = unit.profile
    full_name = (profile.name if profile and profile.name else None) or unit.name
    pools: dict[str, _Pool] = {}
    form_taken: dict[int, set[str]] = {}  # each form sheet of an annex is another applicant
    for ws in book.worksheets:
        annex = _annex_of(ws, province)
        if annex is None:
            plan.notes.append(f"工作表「{ws.title}」不是附表1–5，已跳过")
            continue
        if annex.label not in plan.annexes:
            plan.annexes.append(annex.label)
        pool = pools.setdefault(annex.kind.key, _Pool(unit, annex.kind))
        if annex.is_form:
            form = _form_row(ws, annex, year, plan.problems)
            if form.values:
                _plan_row(plan, unit, pool, form, form_taken.setdefault(annex.number, set()))
            continue
        if annex.is_ranked_list:
            _check_unit_line(ws, unit, full_name, plan.problems)
        taken: set[str] = set()
        for row in _table_rows(ws, annex, year, plan.problems):
            _plan_row(plan, unit, pool, row, taken)
    if not plan.annexes:
        raise LlweekError(f"{path.name} 中没有找到附表1–5（按表格标题识别）")
    return plan


def apply_plan(root: Path, plan: ImportPlan, actor: Actor | None = None) -> list[SaveResult]:
    """Write every change of the plan as one commit."""
    if plan.problems:
        raise LlweekError("表格中有无法导入的内容，未写入任何记录")
    if not plan.changes:
        return []
    return save_many(root, plan.unit, [(c.kind, c.record, c.expected) for c in plan.changes],
                     plan.subject(), actor=actor)
