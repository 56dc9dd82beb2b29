"""Text as it goes onto paper: safe for a spreadsheet cell, dates the way Chinese forms write them."""

from __future__ import annotations

import datetime as dt
import re

# Characters XML 1.0 cannot hold, plus the C1 controls: nothing a person meant to type.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
FORMULA_START = ("=", "+", "-", "@")


_DIRTY = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def clean(text: str) -> str:
    """Line breaks normalised to \\n, tabs to spaces, control characters removed."""
    if not _DIRTY.search(text):  # the usual case, checked in one pass
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub("", text)


def looks_like_formula(text: str) -> bool:
    """Would a spreadsheet take this for a formula if someone retyped it?"""
    return text.lstrip().startswith(FORMULA_START)


def chinese_date(day: dt.date, *, with_year: bool = True) -> str:
    """`2021年10月8日`, or `10月8日` inside a range that already named the year."""
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def date_range(start: dt.date | None, end: dt.date | None) -> str:
    """活动时间 as the form writes it: `2021年10月8日—10月29日`, one day once."""
    if start and end:
        if start == end:
            return chinese_date(start)
        return f"{chinese_date(start)}—{chinese_date(end, with_year=end.year != start.year)}"
    if start:
        return f"{chinese_date(start)}起"
    if end:
        return f"至{chinese_date(end)}"
    return ""


_DATE = r"(?:(\d{4})\s*[年./-]\s*)?(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?"
_DASH = r"(?:—+|–|－|-|~|～|至|到)"
_RANGE = re.compile(rf"^\s*(至\s*)?{_DATE}(?:\s*(起)|\s*{_DASH}\s*{_DATE})?")


def parse_date_range(text: str, year: int) -> tuple[dt.date | None, dt.date | None, str] | None:
    """Read `活动时间` back: (start, end, time note); None when it does not start with a date.

    Understands what `date_range` writes and what people type (2021-10-08至2021-10-29,
    10.8—10.29 …); a date without a year takes the previous date's year, or `year`.
    """
    found = _RANGE.match(text)
    if not found:
        return None
    until, y1, m1, d1, since, y2, m2, d2 = found.groups()
    try:
        first = dt.date(int(y1) if y1 else year, int(m1), int(d1))
        second = dt.date(int(y2) if y2 else first.year, int(m2), int(d2)) if m2 else None
    except ValueError:
        return None
    note = text[found.end():].strip(" \n，,;；")
    if until:
        return None, first, note
    if since:
        return first, None, note
    return first, second or first, note


def parse_date(text: str) -> dt.date | None:
    """`2021-10-08`, `2021.10.8`, `2021/10/8`, `2021年10月8日`; None for anything else."""
    found = re.fullmatch(r"\s*(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?\s*", text)
    if not found:
        return None
    try:
        return dt.date(*map(int, found.groups()))
    except ValueError:
        return None
