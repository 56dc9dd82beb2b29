"""Printed as the office prints them: each annex, filled with long and awkward values, goes
through LibreOffice to PDF, and the PDF's text must hold every character of every cell, keep
phone numbers, e-mail addresses and dates whole, and keep each form's stamp boxes with their
headings on one page."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from datastore.loader import load_repo
from datastore.models import ACTIVITIES, ADVANCED_PEOPLE, ADVANCED_UNITS
from datastore.records import with_changes
from datastore.save import UNCHECKED, save_record
from exports.export import export
from exports.text import chinese_date
from tests.office import need_office, pdf_pages, to_pdf

pytestmark = pytest.mark.slow

PHONES = ("0431-88912371", "0431-85673108", "13904310000")
EMAIL = "wangjianguo61@126.com"
DEEDS_500 = "\n".join("社区教育促进民族团结，带领老年学员学习智能手机、防范电信诈骗和健康知识讲座。" * 1
                      + "每周两次到社区授课，累计服务居民一千余人次。" for _ in range(10))
LONG = "社区教育大讲堂面向老年人开展智能技术培训，报名电话 0431-88912371，2021年10月12日开班。"


def _change(repo: Path, kind, index: int, **changes) -> None:  # noqa: ANN001
    stored = load_repo(repo).units["changchun"].items(kind.key)[index]
    save_record(repo, kind, "changchun", with_changes(stored.record, changes), expected=UNCHECKED)


def _fill(repo: Path) -> None:
    """Long and edge-case values in every annex of 长春市."""
    _change(repo, ACTIVITIES, 0, name="“银龄触网”老年人智能手机应用培训暨防范电信网络诈骗知识专题讲座",
            venue="长春市老年大学多媒体教室（南关区人民大街4455号）及各社区教育学校",
            organizer="长春市教育局、长春市老年大学、长春广播电视大学、南关区社区教育学院",
            signup_phone="、".join(PHONES), time_note="每周二、周四 9:00-11:00，周六下午加开一班",
            content=LONG * 14)
    _change(repo, ACTIVITIES, 1, content=("老年人智能手机培训课堂，" * 12 + "\n") * 40)  # 5,000+ 字
    _change(repo, ACTIVITIES, 2, content="=SUM(A1:A9) 开头像公式的内容，前后有空格  ")
    for kind in (ADVANCED_UNITS, ADVANCED_PEOPLE):
        _change(repo, kind, 0, deeds=DEEDS_500, unit_opinion="同意推荐。该同志（单位）事迹突出，" * 3)
        _change(repo, kind, 1, deeds=LONG * 30)
    _change(repo, ADVANCED_PEOPLE, 0, email=EMAIL, phone=PHONES[0])
    _change(repo, ADVANCED_UNITS, 0, full_name="长春市朝阳区红旗街道办事处社区教育中心暨老年学校",
            address="吉林省长春市朝阳区红旗街1188号红旗街道办事处三楼社区教育中心", phone=PHONES[0])


def _shown(value: object, *, flat: bool = False) -> str:
    """A cell as printed: the forms spell dates out, the 汇总 sheet writes 2021-10-12."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if flat else chinese_date(value.date())
    return str(value)


def _cell_text(path: Path) -> str:
    """Every visible cell of every visible sheet, as printed."""
    book = openpyxl.load_workbook(path)
    out = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        hidden = {col for dim in ws.column_dimensions.values() if dim.hidden
                  for col in range(dim.min, dim.max + 1)}
        for row in ws.iter_rows():
            out += [_shown(c.value) for c in row if c.value is not None and c.column not in hidden]
    return "".join(out)


def _chars(text: str) -> Counter:
    return Counter(c for c in text if not c.isspace())


@pytest.fixture
def filled(sample_repo: Path) -> Path:
    need_office()
    _fill(sample_repo)
    return sample_repo


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_every_character_of_every_cell_is_on_the_printed_pages(filled, tmp_path, number):
    [path] = export(filled, [number], unit="changchun", out_dir=tmp_path)
    printed = "".join(pdf_pages(to_pdf(path)))
    missing = _chars(_cell_text(path)) - _chars(printed)
    assert not missing, f"not printed: {''.join(missing.elements())[:200]}"


def test_phone_numbers_emails_and_dates_are_never_split_across_lines(filled, tmp_path):
    printed = ""
    for path in export(filled, [1, 2, 4, 5], unit="changchun", out_dir=tmp_path):
        printed += "\n".join(pdf_pages(to_pdf(path)))
    for token in (*PHONES, EMAIL, "2021年10月12日", "1966年3月14日"):
        assert token in printed, token
    activities = [s.record for s in load_repo(filled).units["changchun"].items("activities")]
    for activity in activities:
        assert chinese_date(activity.start) in printed


@pytest.mark.parametrize("number", [2, 4])
def test_each_form_keeps_its_stamp_boxes_with_their_headings_on_one_page(filled, tmp_path, number):
    [path] = export(filled, [number], unit="changchun", out_dir=tmp_path)
    pages = [re.sub(r"\s+", "", page) for page in pdf_pages(to_pdf(path))]
    kind = ADVANCED_UNITS if number == 2 else ADVANCED_PEOPLE
    records = [s.record for s in load_repo(filled).units["changchun"].items(kind.key)]
    forms = [page for page in pages if "单位意见" in page]
    assert len(forms) == len(records)  # one page each, the 附页 on pages of their own
    for page, record in zip(forms, records):
        assert getattr(record, kind.title_field)[:6] in page
        for heading in ("单位意见", "市(州)教育行政部门意见", "吉林省教育厅意见"):
            assert page.count(heading) == 1
        assert page.count("（盖章）") == 3
        assert page.count("年月日") >= 3
        assert "填表联系人" in page
    assert any("附页" in page for page in pages if page not in forms)


def test_rollup_summary_prints_on_a4_landscape_at_nine_point_or_more(filled, tmp_path):
    fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    if not re.search(r"\b(Arial|Liberation Sans)\b", fonts):
        pytest.skip("no Arial-metric font (fonts-liberation2): LibreOffice would lay the "
                    "columns out wider than Excel and shrink the page")
    [path] = export(filled, [1], all_units=True, out_dir=tmp_path)
    pdf = to_pdf(path)
    pages = pdf_pages(pdf)
    first_unit = next(n for n, page in enumerate(pages, start=1) if "附表1" in page[:400])
    summary = list(range(1, first_unit))  # the 汇总 sheet comes first, each unit's table after
    assert summary
    for n in summary:
        assert "活动名称" in pages[n - 1]  # the header row on every page
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", str(summary[-1]), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    assert min(heights) >= 9 * 1.25  # Noto CJK boxes are 1.3 em tall
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info)  # A4 landscape
    book = openpyxl.load_workbook(path)
    flat = [c for row in book["汇总"].iter_rows(max_col=11) for c in row if c.value is not None]
    printed = "".join(pages[n - 1] for n in summary)
    missing = _chars("".join(_shown(c.value, flat=True) for c in flat)) - _chars(printed)
    assert not missing, f"not printed: {''.join(missing.elements())[:200]}"
