"""The package's Word documents (.docx), written with python-docx.

Laid out as GB/T 9704 sets official documents: A4, margins 3.7 / 3.5 / 2.8 / 2.6 cm, 28 pt
lines. Every look is a named style in the styles part, so the office can restyle a document
in one place: 标题 (Title) 方正小标宋简体 二号 centred, 一、 headings (Heading 1) 黑体 三号,
（一） headings (Heading 2) 楷体 三号, body (Normal) 仿宋_GB2312 三号 with a two-character
indent, photo names (Caption) 仿宋 四号. Each Chinese face is the run's East Asian font
(`w:eastAsia`), Latin text and digits in Times New Roman, and the font table names the face to
use where the first is not installed (`w:altName`: 宋体 for 方正小标宋简体, 仿宋 for 仿宋_GB2312,
as on every Chinese Windows; SimHei and KaiTi, the English names of 黑体 and 楷体). The page number `— 1 —` is a PAGE field in the body font.

A title wider than the line is broken only where a break cannot split a word (after
punctuation, around the notice's own terms and the unit's name, between a number and Chinese)
into lines of balanced length; if no such break fits, it stays on one line in a smaller size.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.part import PartFactory, XmlPart
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

from datastore.photos import decode_photo
from exports.text import clean

# python-docx keeps the font table as opaque bytes; as an XML part its fallbacks can be named
PartFactory.part_type_for[CT.WML_FONT_TABLE] = XmlPart

LATIN = "Times New Roman"
TITLE_FONT, HEADING_FONT, KAI_FONT, BODY_FONT = "方正小标宋简体", "黑体", "楷体", "仿宋_GB2312"
#: the face Word and WPS use where the first is not installed
FALLBACKS = {TITLE_FONT: "宋体", HEADING_FONT: "SimHei", KAI_FONT: "KaiTi",
             BODY_FONT: "仿宋"}
TITLE_PT, BODY_PT, CAPTION_PT = 22, 16, 14  # 二号, 三号, 四号
LINE_PT = 28
PAGE = dict(width=21.0, height=29.7, top=3.7, bottom=3.5, left=2.8, right=2.6,
            header=1.5, footer=2.8)  # cm
TEXT_WIDTH_CM = PAGE["width"] - PAGE["left"] - PAGE["right"]
PRINT_DPI = 300  # photos are embedded with this many pixels per inch of paper
MIN_TITLE_PT = 16

_HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
#: terms of the notice that a title must never be broken inside
TERMS = ("吉林省", "全民终身学习活动周", "全民终身学习", "终身学习", "活动周", "年度工作总结",
         "工作总结", "工作方案", "展板素材", "典型活动案例", "示范活动", "成果展", "智慧助老")
_BREAK_AFTER = set("，、：；。！？）》”’—— ")
_NO_BREAK_BEFORE = set("，、：；。！？）》”’")


@dataclass(frozen=True)
class Picture:
    """A photo to print in a document: a JPEG made for the page, and its name."""

    jpeg: bytes
    caption: str
    width: int  # pixels
    height: int


#: the summary's eight photos: four rows of two fit one page
SUMMARY_BOX = (7.4, 4.2)


@dataclass(frozen=True)
class Grid:
    """Photos after the text, `columns` to a row, each at most `box` (width, height) in cm."""

    heading: str
    pictures: Sequence[Picture]
    columns: int = 2
    box: tuple[float, float] = (7.4, 5.4)

    @staticmethod
    def print_pixels(box: tuple[float, float]) -> int:
        """How many pixels the long side of a photo in `box` needs to print sharp."""
        return math.ceil(max(box) / 2.54 * PRINT_DPI)


def print_copy(data: bytes, caption: str, box: tuple[float, float] = Grid.box) -> Picture:
    """A copy of a photo for the page: upright, enough pixels for `box` at PRINT_DPI (never
    more than the original has), as a JPEG. The original file is not touched."""
    image = decode_photo(data, Grid.print_pixels(box))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, dpi=(PRINT_DPI, PRINT_DPI), optimize=True)
    return Picture(out.getvalue(), caption, image.width, image.height)


def docx_bytes(title: str, body: str, subtitle: str | None = None, *,
               keep: Iterable[str] = (), grid: Grid | None = None,
               author: str | None = None) -> bytes:
    """The document: the title, an optional centred line under it (楷体), one paragraph per line
    of `body` (a line that starts 一、 or （一） is a heading), then the photos of `grid`.

    `keep`: names (such as the unit's) that the title must not be broken inside.
    """
    document = Document()
    _set_up(document, title, author)
    _title(document, clean(title), keep)
    if subtitle:
        document.add_paragraph(clean(subtitle), style="Subtitle")
    for line in clean(body).split("\n"):
        if line.strip():
            _body_paragraph(document, line.strip())
    if grid is not None and grid.pictures:
        _grid(document, grid)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- page, styles, fonts


def _set_up(document, title: str, author: str | None) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(PAGE["width"]), Cm(PAGE["height"])
    section.top_margin, section.bottom_margin = Cm(PAGE["top"]), Cm(PAGE["bottom"])
    section.left_margin, section.right_margin = Cm(PAGE["left"]), Cm(PAGE["right"])
    section.header_distance, section.footer_distance = Cm(PAGE["header"]), Cm(PAGE["footer"])
    _styles(document)
    _font_table(document)
    _page_number(section.footer.paragraphs[0], document.styles["Footer"])
    props = document.core_properties
    props.title, props.author = clean(title), author or ""
    props.last_modified_by, props.comments = author or "", ""
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    props.language = "zh-CN"


def set_fonts(target, east_asian: str, size: float | None = None) -> None:
    """Latin text in Times New Roman, Chinese in `east_asian`, on a style or a run.

    Theme fonts are removed: Word prefers a theme font to a named one on the same element.
    """
    target.font.name = LATIN
    if size is not None:
        target.font.size = Pt(size)
    r_fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(theme), None)
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:cs"), LATIN)
    r_fonts.set(qn("w:hint"), "eastAsia")


def _paragraph_style(document, name: str, font: str, size: float, *, centred: bool = False,
                     indent: bool = False, line: float | None = LINE_PT,
                     outline: int | None = None) -> BaseStyle:
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else \
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    style.next_paragraph_style = styles["Normal"]
    set_fonts(style, font, size)
    style.font.bold = style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Pt(2 * BODY_PT) if indent else Pt(0)
    fmt.left_indent = fmt.right_indent = Pt(0)
    fmt.space_before = fmt.space_after = Pt(0)
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing, fmt.line_spacing_rule = Pt(line), WD_LINE_SPACING.EXACTLY
    fmt.widow_control = True
    p_pr = style.element.get_or_add_pPr()
    for old in p_pr.findall(qn("w:pBdr")):  # the template's Title has a rule under it
        p_pr.remove(old)
    for old in p_pr.findall(qn("w:outlineLvl")):
        p_pr.remove(old)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        p_pr.append(level)
        fmt.keep_with_next = True
    r_pr = style.element.get_or_add_rPr()
    for old in r_pr.findall(qn("w:spacing")) + r_pr.findall(qn("w:kern")):
        r_pr.remove(old)
    return style


def _styles(document) -> None:
    """Redefine the template's named styles as official documents have them."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    r_fonts = r_pr.find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        r_fonts.attrib.pop(qn(theme), None)
    for attr, font in (("w:ascii", LATIN), ("w:hAnsi", LATIN), ("w:eastAsia", BODY_FONT),
                       ("w:cs", LATIN)):
        r_fonts.set(qn(attr), font)
    lang = r_pr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")  # Chinese glyphs and line-breaking rules, not Japanese
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    for attr in ("w:after", "w:line", "w:lineRule"):
        spacing.attrib.pop(qn(attr), None)

    _paragraph_style(document, "Normal", BODY_FONT, BODY_PT, indent=True)
    _paragraph_style(document, "Title", TITLE_FONT, TITLE_PT, centred=True, line=34)
    _paragraph_style(document, "Subtitle", KAI_FONT, BODY_PT, centred=True)
    _paragraph_style(document, "Heading 1", HEADING_FONT, BODY_PT, indent=True, outline=0)
    _paragraph_style(document, "Heading 2", KAI_FONT, BODY_PT, indent=True, outline=1)
    _paragraph_style(document, "Caption", BODY_FONT, CAPTION_PT, centred=True, line=None)
    _paragraph_style(document, "Footer", BODY_FONT, CAPTION_PT, centred=True, line=None)
    for name, font in (("Heading 1 Char", HEADING_FONT), ("Heading 2 Char", KAI_FONT)):
        style = document.styles[name]
        set_fonts(style, font, BODY_PT)
        style.font.bold = style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
    title = document.styles["Title"]
    title.paragraph_format.space_after = Pt(LINE_PT)  # one empty line under the title
    document.styles["Subtitle"].paragraph_format.space_after = Pt(LINE_PT)


def _font_table(document) -> None:
    """Name each Chinese face with the face to use where it is missing (`w:altName`)."""
    part = next(rel.target_part for rel in document.part.rels.values()
                if rel.reltype.endswith("/fontTable"))
    fonts = part.element
    for name, fallback in FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", fallback), ("w:charset", "86"), ("w:family", "roman"),
                           ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        fonts.append(font)


def _page_number(paragraph: Paragraph, style: BaseStyle) -> None:
    """`— 1 —`: a PAGE field between two dashes, all in the footer's (body) font."""
    paragraph.style = style
    paragraph.add_run("— ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None),
                       ("result", "1"), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "result":
            run.text = text
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(" —")


# ---------------------------------------------------------------- the title


def em_width(text: str) -> float:
    """Width in characters of the body size: Chinese and full-width 1, Latin and digits ½."""
    return sum(0.5 if ord(char) < 0x2E80 and char not in "—“”‘’" else 1.0 for char in text)


def break_points(title: str, keep: Iterable[str] = ()) -> list[int]:
    """Where the title may be broken without splitting a word (indexes into `title`)."""
    protected: list[tuple[int, int]] = []
    for phrase in sorted({*TERMS, *(k for k in keep if k)}, key=len, reverse=True):
        for found in re.finditer(re.escape(phrase), title):
            protected.append(found.span())
    for found in re.finditer(r"[0-9A-Za-z]+(?:[年月日届期周])?", title):
        protected.append(found.span())
    inside = {i for start, end in protected for i in range(start + 1, end)}
    edges = {i for span in protected for i in span}
    points = []
    for i in range(1, len(title)):
        if i in inside or title[i] in _NO_BREAK_BEFORE:
            continue
        if i in edges or title[i - 1] in _BREAK_AFTER or title[i] in "“‘《（(":
            points.append(i)
    return points


def title_lines(title: str, keep: Iterable[str] = ()) -> tuple[list[str], float]:
    """The title's lines and its size: one line if it fits, else the fewest balanced lines
    broken between words; where no such break fits at 二号, the largest size (down to 三号)
    at which one does."""
    points = break_points(title, keep)
    size = float(TITLE_PT)
    while size >= MIN_TITLE_PT:
        lines = _balanced(title, points, TEXT_WIDTH_CM / 2.54 * 72 / size)
        if lines is not None:
            return lines, size
        size -= 0.5
    return _balanced(title, points, math.inf) or [title], MIN_TITLE_PT


def _balanced(title: str, points: list[int], per_line: float) -> list[str] | None:
    if em_width(title) <= per_line:
        return [title]
    for count in range(1, min(len(points), 3) + 1):
        best: list[str] | None = None
        for cut in combinations(points, count):
            lines = [title[a:b] for a, b in zip((0, *cut), (*cut, len(title)))]
            if max(map(em_width, lines)) <= per_line and (
                    best is None or _spread(lines) < _spread(best)):
                best = lines
        if best is not None:
            return best
    return None


def _spread(lines: list[str]) -> tuple[float, float]:
    """Balanced lines first; among equals, the longer line on top (a 倒梯形 title)."""
    widths = [em_width(line) for line in lines]
    return max(widths) - min(widths), -widths[0]


def _title(document, title: str, keep: Iterable[str]) -> None:
    lines, size = title_lines(title, keep)
    paragraph = document.add_paragraph(style="Title")
    for number, line in enumerate(lines):
        run = paragraph.add_run(line)
        if size != TITLE_PT:
            run.font.size = Pt(size)
        if number < len(lines) - 1:
            run.add_break()


# ---------------------------------------------------------------- body and photos


def _body_paragraph(document, line: str) -> None:
    """A heading line in its style; a heading sentence that runs on into text keeps the text in
    the body font (`一、加强领导。省教育厅成立……`)."""
    level = 1 if _HEADING_1.match(line) else 2 if _HEADING_2.match(line) else 0
    if not level:
        document.add_paragraph(line)
        return
    stop = line.find("。")
    if stop == -1 or stop == len(line) - 1:
        document.add_paragraph(line, style=f"Heading {level}")
        return
    paragraph = document.add_paragraph()
    paragraph.add_run(line[:stop + 1], style=f"Heading {level} Char")
    paragraph.add_run(line[stop + 1:])


def _grid(document, grid: Grid) -> None:
    document.add_paragraph(grid.heading, style="Heading 1").paragraph_format.page_break_before = True
    rows = math.ceil(len(grid.pictures) / grid.columns)
    table = document.add_table(rows=rows * 2, cols=grid.columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    column = Cm(TEXT_WIDTH_CM / grid.columns)
    for col in table.columns:
        col.width = column
    for index, picture in enumerate(grid.pictures):
        row, col = divmod(index, grid.columns)
        photo_cell, name_cell = table.cell(row * 2, col), table.cell(row * 2 + 1, col)
        for cell in (photo_cell, name_cell):
            cell.width = column
        photo_cell.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM  # names on one line per row
        holder = photo_cell.paragraphs[0]
        holder.style = document.styles["Caption"]
        holder.paragraph_format.space_before = Pt(6)
        holder.paragraph_format.keep_with_next = True
        width, height = _fit(picture, grid.box)
        holder.add_run().add_picture(io.BytesIO(picture.jpeg), width=width, height=height)
        name = name_cell.paragraphs[0]
        name.style = document.styles["Caption"]
        name.paragraph_format.space_after = Pt(8)
        name.add_run(picture.caption)
    for tr in table.rows:  # a photo and its name never part across a page
        tr_pr = tr._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))


def _fit(picture: Picture, box: tuple[float, float]) -> tuple[Emu, Emu]:
    """The largest size with the photo's proportions inside `box` (cm)."""
    scale = min(box[0] / picture.width, box[1] / picture.height)
    return Cm(picture.width * scale), Cm(picture.height * scale)
