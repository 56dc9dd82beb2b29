"""The package's Word documents, read back with python-docx as the office would open them:
named styles with Chinese fonts, the official page, page numbers, titles broken between words,
and the right photos in order with their names."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import Image, ImageStat

from datastore.errors import LlweekError
from datastore.loader import load_repo
from datastore.photos import decode_photo, read_photo
from exports.docx import TEXT_WIDTH_CM, break_points, docx_bytes, em_width, title_lines
from exports.export import export
from tests.builders import jpeg_bytes

PHOTOS = ("units", "changchun", "photos")


@pytest.fixture(scope="module")
def package(tmp_path_factory, sample_master) -> Path:
    """長春市's package, exported once for the read-only checks of this module."""
    out = tmp_path_factory.mktemp("package")
    folder, _ = export(sample_master, unit="changchun", package=True, out_dir=out)
    return folder


def open_doc(folder: Path, what: str) -> Document:
    return docx.Document(str(folder / f"2021-{what}-长春市.docx"))


def east_asian(element) -> str | None:
    fonts = element.find(qn("w:rPr")) if element.tag != qn("w:rPr") else element
    r_fonts = fonts.find(qn("w:rFonts")) if fonts is not None else None
    return r_fonts.get(qn("w:eastAsia")) if r_fonts is not None else None


def pictures(document: Document) -> list[Image.Image]:
    """The embedded images in the order they appear in the document."""
    found = []
    for shape in document.inline_shapes:
        r_id = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        found.append(Image.open(io.BytesIO(document.part.related_parts[r_id].blob)))
    return found


def captions(document: Document) -> list[str]:
    return [p.text for table in document.tables for row in table.rows for cell in row.cells
            for p in cell.paragraphs if p.style.name == "Caption" and p.text]


def colour(image: Image.Image) -> list[float]:
    return ImageStat.Stat(image.convert("RGB").resize((64, 64))).mean


def test_every_document_names_its_styles_with_chinese_fonts(package):
    for what in ("工作方案", "展板素材", "年度工作总结", "典型活动案例1", "典型活动案例2"):
        document = open_doc(package, what)
        styles = document.styles
        expected = {"Title": ("方正小标宋简体", 22), "Heading 1": ("黑体", 16),
                    "Heading 2": ("楷体", 16), "Normal": ("仿宋_GB2312", 16),
                    "Caption": ("仿宋_GB2312", 14), "Footer": ("仿宋_GB2312", 14)}
        for name, (font, size) in expected.items():
            style = styles[name]
            assert east_asian(style.element) == font, (what, name)
            assert style.font.name == "Times New Roman" and style.font.size == Pt(size)
            assert not style.font.bold and style.font.color.rgb == (0, 0, 0)
        assert styles["Normal"].paragraph_format.first_line_indent == Pt(32)
        assert styles["Normal"].paragraph_format.line_spacing == Pt(28)
        lang = styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
        assert lang.get(qn("w:eastAsia")) == "zh-CN"
        table = next(rel.target_part for rel in document.part.rels.values()
                     if rel.reltype.endswith("/fontTable")).element
        fallbacks = {font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
                     for font in table.findall(qn("w:font")) if font.find(qn("w:altName")) is not None}
        assert fallbacks["方正小标宋简体"] == "宋体" and fallbacks["仿宋_GB2312"] == "仿宋"
        # no paragraph overrides the styles' fonts with fonts of its own
        assert not [r for p in document.paragraphs for r in p.runs if r.font.name]


def test_every_document_has_the_official_page_and_page_numbers(package):
    document = open_doc(package, "工作方案")
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 2) for m in (section.top_margin, section.bottom_margin,
                                     section.left_margin, section.right_margin)] == [3.7, 3.5, 2.8, 2.6]
    footer = section.footer.paragraphs[0]
    assert footer.style.name == "Footer" and footer.text == "— 1 —"
    xml = footer._p.xml
    assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))
    assert xml.count('w:fldCharType="begin"') == 1 and xml.count('w:fldCharType="end"') == 1
    assert [r.font.name for r in footer.runs] == [None] * len(footer.runs)  # the style's font


def test_text_lines_become_paragraphs_and_numbered_headings_take_heading_styles(package, sample_master):
    cases = [stored.record for stored in load_repo(sample_master).units["changchun"].items("cases")]
    case = min(cases, key=lambda c: c.seq)  # 典型活动案例1 is the first in the unit's order
    document = open_doc(package, "典型活动案例1")
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == case.title
    assert paragraphs[1].style.name == "Subtitle" and paragraphs[1].text == "长春市教育局"
    body = [(p.style.name, p.text) for p in paragraphs[2:]]
    lines = [line.strip() for line in case.text.split("\n") if line.strip()]
    assert [text for _, text in body] == lines
    headings = [line for line in lines if line.startswith(("一、", "二、", "三、", "四、"))]
    assert len(headings) == 4 and all(("Heading 1", line) in body for line in headings)
    assert all(style == "Normal" for style, text in body if not text.startswith(("一、", "二、", "三、", "四、")))


def test_a_heading_sentence_running_into_text_keeps_the_text_in_the_body_font():
    document = docx.Document(io.BytesIO(docx_bytes("题目", "（一）加强领导。省教育厅成立领导小组。\n正文")))
    mixed = document.paragraphs[1]
    assert mixed.style.name == "Normal"
    assert [(r.style.name, r.text) for r in mixed.runs] == [
        ("Heading 2 Char", "（一）加强领导。"), ("Default Paragraph Font", "省教育厅成立领导小组。")]
    assert east_asian(document.styles["Heading 2 Char"].element) == "楷体"


def test_board_draft_is_title_text_and_six_named_photos_in_a_grid(package, sample_master):
    exhibition = load_repo(sample_master).units["changchun"].record("exhibition")
    document = open_doc(package, "展板素材")
    assert document.paragraphs[0].text == exhibition.title
    text = [p.text for p in document.paragraphs[2:] if p.style.name == "Normal"]
    assert text == [line.strip() for line in exhibition.text.split("\n") if line.strip()]
    assert document.paragraphs[-1].text == "活动图片"
    [grid] = document.tables
    assert (len(grid.rows), len(grid.columns)) == (6, 2)  # three rows of photos and their names
    assert captions(document) == [photo.caption for photo in exhibition.photos]
    embedded = pictures(document)
    originals = [decode_photo(read_photo(sample_master, "changchun", p.file), 256)
                 for p in exhibition.photos]
    assert len(embedded) == 6
    for index, image in enumerate(embedded):  # each is the photo of its place, upright
        distances = [sum(abs(a - b) for a, b in zip(colour(image), colour(o))) for o in originals]
        assert distances.index(min(distances)) == index
        assert abs(image.width / image.height - originals[index].width / originals[index].height) < 0.02
    for shape, image in zip(document.inline_shapes, embedded):
        assert shape.width <= Cm(TEXT_WIDTH_CM / 2)
        assert image.width / (shape.width / 914400) >= 299  # pixels per inch on paper: sharp
    for number, photo in enumerate(exhibition.photos, start=1):  # originals untouched beside
        copied = package / "展板图片" / f"{number:02d}-{photo.caption}.jpg"
        assert copied.read_bytes() == (sample_master.joinpath(*PHOTOS) / photo.file).read_bytes()


def test_summary_holds_its_text_then_its_eight_named_photos(package, sample_master):
    summary = load_repo(sample_master).units["changchun"].record("summary")
    document = open_doc(package, "年度工作总结")
    names = [p.text for p in document.paragraphs]
    assert names.index("活动照片") == len(names) - 1  # the photos come after all the text
    assert captions(document) == [photo.caption for photo in summary.photos]
    assert len(pictures(document)) == 8
    assert all(shape.height <= Cm(4.21) for shape in document.inline_shapes)  # 4 rows a page


def test_long_title_breaks_between_words_into_balanced_lines(package):
    title = open_doc(package, "年度工作总结").paragraphs[0]
    lines = title.text.split("\n")
    assert lines == ["长春市教育局2021年", "全民终身学习活动周工作总结"]
    assert title._p.xml.count("<w:br/>") == 1


@pytest.mark.parametrize(("title", "lines"), [
    ("春城处处是课堂 百年征程学不停", ["春城处处是课堂 百年征程学不停"]),  # fits: one line
    ("吉林省长白山保护开发区管理委员会教育科技局2021年全民终身学习活动周工作总结",
     ["吉林省长白山保护开发区管理委员会教育科技局", "2021年全民终身学习活动周工作总结"]),
])
def test_titles_break_only_where_no_word_is_split(title, lines):
    keep = ["吉林省长白山保护开发区管理委员会教育科技局"]
    found, size = title_lines(title, keep)
    assert found == lines
    per_line = TEXT_WIDTH_CM / 2.54 * 72 / size
    assert all(em_width(line) <= per_line for line in found)
    assert size >= 16


def test_a_title_without_a_safe_break_stays_on_one_smaller_line():
    title = "终身学习" * 6  # 24 characters, every break would split a term
    assert break_points(title) == [4, 8, 12, 16, 20]
    unbreakable = "学而时习之不亦说乎有朋自远方来不亦乐乎人不知而不愠"
    assert break_points(unbreakable) == []
    lines, size = title_lines(unbreakable)
    assert lines == [unbreakable] and size < 22 and em_width(unbreakable) * size <= TEXT_WIDTH_CM / 2.54 * 72


def test_a_photo_that_is_a_pipe_or_too_large_is_left_out_and_said_so(sample_repo, tmp_path):
    photos = sample_repo.joinpath(*PHOTOS)
    (photos / "exh-03.jpg").unlink()
    os.mkfifo(photos / "exh-03.jpg")  # reading it would wait forever
    folder, _ = export(sample_repo, unit="changchun", package=True, out_dir=tmp_path)
    manifest = (folder / "材料清单.txt").read_text(encoding="utf-8")
    assert "第 3 张照片「exh-03.jpg」这是命名管道（FIFO），不是普通文件" in manifest
    assert len(pictures(docx.Document(str(folder / "2021-展板素材-长春市.docx")))) == 5
    assert len(list((folder / "展板图片").iterdir())) == 5


def test_a_pixel_bomb_is_refused_before_it_is_decoded(tmp_path):
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, "PNG")  # 144 million pixels in a few kB
    assert len(bomb.getvalue()) < 1_000_000
    with pytest.raises(LlweekError, match="像素数异常巨大"):
        decode_photo(bomb.getvalue(), 1000)


def test_a_rotated_photo_is_printed_upright(tmp_path):
    upright = decode_photo(jpeg_bytes(1200, 800, orientation=6), 600)
    assert (upright.width, upright.height) == (400, 600)


def test_a_photo_named_outside_the_units_folder_is_never_read(sample_repo, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(jpeg_bytes(100, 100))
    link = sample_repo.joinpath(*PHOTOS) / "link.jpg"
    os.symlink(secret, link)
    for name in ("link.jpg", "../../../../secret.jpg", "../../jilin/photos/x.jpg"):
        with pytest.raises(LlweekError, match="不在本单位 photos 文件夹中"):
            read_photo(sample_repo, "changchun", name)


def test_package_zip_holds_the_documents_as_written(package):
    archive = package.parent / f"{package.name}.zip"
    with zipfile.ZipFile(archive) as zipped:
        inside = zipped.read(f"{package.name}/2021-展板素材-长春市.docx")
    assert inside == (package / "2021-展板素材-长春市.docx").read_bytes()


def test_a_case_with_photos_prints_them_after_its_text(sample_repo, tmp_path):
    from datastore.models import CASES, Photo
    from datastore.records import with_changes
    from datastore.save import UNCHECKED, save_record
    from tests.builders import write_photo

    stored = load_repo(sample_repo).units["changchun"].items(CASES.key)[0]
    names = [write_photo(sample_repo, "changchun", f"case-{n}.jpg", 2400, 1600) for n in (1, 2)]
    photos = [Photo(file=names[0], caption="宣讲团走进社区"), Photo(file=names[1], caption="居民学习心得交流")]
    save_record(sample_repo, CASES, "changchun", with_changes(stored.record, {"photos": photos}),
                expected=UNCHECKED)
    folder, _ = export(sample_repo, unit="changchun", package=True, out_dir=tmp_path)
    document = docx.Document(str(folder / "2021-典型活动案例1-长春市.docx"))
    assert document.paragraphs[-1].text == "活动照片"
    assert captions(document) == ["宣讲团走进社区", "居民学习心得交流"]
    assert len(pictures(document)) == 2
    assert sorted(p.name for p in (folder / "典型活动案例1照片").iterdir()) == [
        "01-宣讲团走进社区.jpg", "02-居民学习心得交流.jpg"]
    other = docx.Document(str(folder / "2021-典型活动案例2-长春市.docx"))
    assert not other.tables and not pictures(other)  # a case without photos: text only
