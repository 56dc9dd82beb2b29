"""Whole workbooks: one annex of one unit, or one annex of the whole province."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from openpyxl import Workbook

from datastore.loader import RepoData, UnitData
from datastore.models import Record
from exports.annexes import Annex
from exports.layouts import unit_lines, write_flat, write_form, write_table
from exports.sheet import Look

ROLLUP_SHEET = "汇总"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

Progress = Callable[[int, int, str], None]


def records_of(unit: UnitData, annex: Annex) -> list[Record]:
    """The unit's records for this annex, in the order they print (序号 or 推荐序号)."""
    return [s.record for s in unit.items(annex.kind.key) if s.record is not None]


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


def _new_workbook(annex: Annex, data: RepoData) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    book.properties.title = annex.title_for(data.campaign)
    book.properties.creator = "llweek"
    return book


def _add_unit_sheets(book: Workbook, annex: Annex, data: RepoData, unit: UnitData,
                     names: SheetNames, prefix: str, look: Look) -> None:
    records = records_of(unit, annex)
    if not annex.is_form:
        write_table(book.create_sheet(names(prefix or annex.label)), annex, data.campaign,
                    unit_lines(unit, data.campaign), records, look)
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
        write_form(book.create_sheet(names(title)), annex, data.campaign, record, look)


def unit_workbook(annex: Annex, data: RepoData, unit: UnitData, look: Look) -> Workbook:
    """One unit's annex: the table on one sheet, or one form sheet per applicant (a blank
    form when there is none yet)."""
    book = _new_workbook(annex, data)
    _add_unit_sheets(book, annex, data, unit, SheetNames(), "", look)
    return book


def rollup_workbook(annex: Annex, data: RepoData, look: Look,
                    progress: Callable[[str], None] | None = None) -> Workbook:
    """The province's annex: a flat 汇总 sheet of every record, then each unit that has any
    in the official layout."""
    book = _new_workbook(annex, data)
    names = SheetNames()
    flat = book.create_sheet(names(ROLLUP_SHEET))
    rows: list[tuple[str, Record]] = []
    for unit in data.units.values():
        if progress:
            progress(unit.name)
        records = records_of(unit, annex)
        if not records:
            continue
        rows += [(unit.name, record) for record in records]
        _add_unit_sheets(book, annex, data, unit, names, unit.name, look)
    write_flat(flat, annex, rows, look)
    return book


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
