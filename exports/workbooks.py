"""Whole workbooks: one annex of one unit, or one annex of the whole province.

A unit's workbook also carries, on a hidden sheet, the records it was made from (their ids
and their content), so that importing it back can tell what a user changed, added or deleted
in the workbook from what colleagues changed in the repository since.

A record whose file cannot be read is never left out silently: the export refuses (see
`exports.export`), or, when asked to go on anyway, names it on a 「未导出的材料」 sheet.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from datastore.findings import Finding
from datastore.loader import RepoData, UnitData, load_repo, load_unit
from datastore.models import PROFILE, Record, RecordKind
from datastore.printfit import LANDSCAPE, PORTRAIT
from datastore.records import record_to_text
from exports.annexes import ANNEXES, Annex
from exports.layouts import (
    FLAT_SIZE,
    FORM_WIDTHS,
    FlatSheet,
    fit_widths,
    flat_widths,
    unit_lines,
    write_annex_page,
    write_form,
    write_table,
)
from exports.sheet import FLAT_DATE, Look, Put, Sheet, Styles, new_workbook

ROLLUP_SHEET = "汇总"
UNEXPORTED_SHEET = "未导出的材料"
MANIFEST_SHEET = "llweek"
MANIFEST_TITLE = "llweek 导出记录（导入时用于核对，请勿修改）"
MANIFEST_VERSION = 1
MANIFEST_CHUNK = 30000  # characters of a record's content per cell (a cell holds 32,767)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
#: loading findings that mean a file's record could not be read at all
UNREADABLE = ("toml.syntax", "file.encoding", "file.unreadable", "file.is_folder", "file.bad_id",
              "file.link", "file.special", "file.too_large")


@dataclass(frozen=True)
class Unreadable:
    """A record file the export could not read: where, and why."""

    path: str
    line: int | None
    message: str

    def describe(self) -> str:
        return f"{self.path}{f':{self.line}' if self.line else ''}  {self.message}"


def records_of(unit: UnitData, annex: Annex) -> list[Record]:
    """The unit's records for this annex, in the order they print (序号 or 推荐序号)."""
    return [s.record for s in unit.items(annex.kind.key) if s.record is not None]


def unreadable(findings: Iterable[Finding], unit: str, kinds: Iterable[RecordKind]) -> list[Unreadable]:
    """The files of `unit` holding records of `kinds` (and its unit.toml) that could not be read."""
    prefixes = tuple(f"units/{unit}/{kind.folder or kind.filename}" for kind in kinds)
    profile = PROFILE.path(unit)
    return [Unreadable(f.path, f.line, f.message) for f in findings
            if f.code in UNREADABLE and (f.path == profile or f.path.startswith(prefixes))]


class SheetNames:
    """Sheet titles as Excel allows them: no []:*?/\\, at most 31 characters, all different."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = _SHEET_FORBIDDEN.sub("", wanted).strip("' ") or "表"
        name, counter = base[:31], 1
        while name.lower() in self._used:
            counter += 1
            suffix = f"({counter})"
            name = base[:31 - len(suffix)] + suffix
        self._used.add(name.lower())
        return name


def _set_properties(book: xlsxwriter.Workbook, annex: Annex, data: RepoData) -> None:
    book.set_properties({"title": annex.title_for(data.campaign), "author": "llweek"})


def add_unit_sheets(book: xlsxwriter.Workbook, styles: Styles, names: SheetNames, annex: Annex,
                    data: RepoData, unit: UnitData, records: Sequence[Record],
                    prefix: str = "") -> None:
    """A unit's annex in the official layout: the table on one sheet, or one form sheet per
    applicant (a blank form when there is none yet), each with its 附页 where needed."""
    campaign = data.campaign
    if not annex.is_form:
        widths = fit_widths([c.width for c in annex.columns], annex.columns, records,
                            styles.look.size)
        sheet = Sheet(book, styles, names(prefix or annex.label), widths, annex.page)
        write_table(sheet, annex, campaign, unit_lines(unit, campaign), unit.id, records)
        return
    title_field = annex.kind.title_field or "id"
    for position, record in enumerate(records or [None], start=1):
        shown = getattr(record, title_field, None) if record is not None else None
        if prefix:
            title = f"{prefix}-{position}"
        elif record is None:
            title = annex.label
        else:
            title = f"{position}-{shown}" if shown else f"{annex.label}-{position}"
        sheet = Sheet(book, styles, names(title), FORM_WIDTHS, PORTRAIT)
        overflow = write_form(sheet, annex, campaign, record, unit.id)
        if overflow and record is not None:
            page = Sheet(book, styles, names(f"{title[:27]}-附页"), (PORTRAIT.width - 2,),
                         PORTRAIT)
            write_annex_page(page, annex, campaign, record, unit.id, overflow)


def write_unreadable(book: xlsxwriter.Workbook, styles: Styles, names: SheetNames,
                     skipped: Sequence[Unreadable]) -> None:
    """「未导出的材料」: the files left out because they could not be read; the workbook opens on it."""
    sheet = Sheet(book, styles, names(UNEXPORTED_SHEET), (200.0, 40.0, 200.0), PORTRAIT,
                  hidden_key=False)
    sheet.add_row([Put(0, UNEXPORTED_SHEET, "annex")])
    sheet.add_row([Put(0, f"以下 {len(skipped)} 个文件无法读取，其中的材料没有导出到本表格。"
                          "请改正这些文件后重新导出。", "line", span=3)])
    sheet.add_row([Put(0, "文件", "header"), Put(1, "行", "header"), Put(2, "问题", "header")])
    for item in skipped:
        sheet.add_row([Put(0, item.path), Put(1, item.line, "centered"), Put(2, item.message)])
    sheet.finish(repeat=2)
    sheet.ws.activate()


def write_manifest(book: xlsxwriter.Workbook, names: SheetNames, unit_id: str, annex: Annex,
                   records: Sequence[Record]) -> None:
    """The hidden sheet import compares with: unit, annex, each record's id and content."""
    ws = book.add_worksheet(names(MANIFEST_SHEET))
    ws.write_string(0, 0, MANIFEST_TITLE)
    ws.write_row(1, 0, ["version", MANIFEST_VERSION, "unit", unit_id, "annex", annex.number])
    ws.write_row(2, 0, ["kind", "id", "content"])
    for row, record in enumerate(records, start=3):
        text = record_to_text(record)
        parts = [text[i:i + MANIFEST_CHUNK] for i in range(0, len(text), MANIFEST_CHUNK)]
        ws.write_row(row, 0, [annex.kind.key, getattr(record, "id", "") or "", *parts])
    ws.hide()


def unit_workbook(annex: Annex, data: RepoData, unit: UnitData, look: Look) -> bytes:
    """One unit's annex as an .xlsx file's bytes."""
    out = io.BytesIO()
    book = new_workbook(out)
    _set_properties(book, annex, data)
    styles, names = Styles(book, look), SheetNames()
    skipped = unreadable(data.findings, unit.id, [annex.kind])
    records = records_of(unit, annex)
    add_unit_sheets(book, styles, names, annex, data, unit, records)
    if skipped:
        write_unreadable(book, styles, names, skipped)
    write_manifest(book, names, unit.id, annex, records)
    book.close()
    return out.getvalue()


@dataclass
class _Rollup:
    """One annex's roll-up being written: its workbook, sheets and what was left out."""

    annex: Annex
    book: xlsxwriter.Workbook
    styles: Styles
    names: SheetNames
    flat: FlatSheet
    skipped: list[Unreadable]


def write_rollups(targets: dict[int, Path], root: Path, look: Look,
                  progress: Callable[[str], None] | None = None, *,
                  force: bool = False) -> list[Unreadable]:
    """Each annex's province roll-up into its target file, reading the repository one unit at
    a time (so memory stays small however large the province): a flat 汇总 sheet of every
    record, then each unit that has any in the official layout.

    Returns the files that could not be read; with `force` the workbooks name them on a
    「未导出的材料」 sheet, without it the workbooks are left unfinished (the caller drops them).
    """
    shell = load_repo(root, materials=False)
    rollups: list[_Rollup] = []
    for number, target in targets.items():
        annex = ANNEXES[number]
        book = new_workbook(str(target))
        _set_properties(book, annex, shell)
        styles, names = Styles(book, look), SheetNames()
        flat_sheet = Sheet(book, styles, names(ROLLUP_SHEET), flat_widths(annex), LANDSCAPE,
                           size=FLAT_SIZE, date_format=FLAT_DATE)
        rollups.append(_Rollup(annex, book, styles, names, FlatSheet(flat_sheet, annex), []))
    problems: list[Unreadable] = []
    for unit_id, shelled in shell.units.items():
        findings: list[Finding] = []
        unit = load_unit(root, unit_id, shelled.ref, findings)
        if progress:
            progress(unit.name)
        for rollup in rollups:
            annex = rollup.annex
            lost = unreadable(findings, unit_id, [annex.kind])
            rollup.skipped += lost
            records = records_of(unit, annex)
            if not records:
                continue
            for record in records:
                rollup.flat.add(unit.name, record)
            add_unit_sheets(rollup.book, rollup.styles, rollup.names, annex, shell, unit,
                            records, unit.name)
        problems += [p for p in unreadable(findings, unit_id, [r.annex.kind for r in rollups])
                     if p not in problems]
    for rollup in rollups:
        rollup.flat.finish()
        if rollup.skipped and force:
            write_unreadable(rollup.book, rollup.styles, rollup.names, rollup.skipped)
        rollup.book.close()
    return problems

