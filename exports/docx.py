"""A plain Word document (.docx) of a title and paragraphs, written with the standard library.

A .docx is a zip of a few XML parts; a text document needs only four. Laid out as GB/T 9704
sets official documents: A4, margins 3.7 / 3.5 / 2.8 / 2.6 cm, the title in 方正小标宋简体 二号
centred, the body in 仿宋 三号 with a two-character first-line indent, and the page number
`— 1 —` at the foot of each page.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from exports.text import clean

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TWIPS_PER_CM = 567

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="{_PKG}/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>
</Types>"""
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG}/relationships">
<Relationship Id="rId1" Type="{_R}/officeDocument" Target="word/document.xml"/>
</Relationships>"""
DOCUMENT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{_PKG}/relationships">
<Relationship Id="rId1" Type="{_R}/footer" Target="footer1.xml"/>
</Relationships>"""


def _run(text: str, font: str, half_points: int) -> str:
    fonts = f'w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{font}"'
    return (f'<w:r><w:rPr><w:rFonts {fonts}/><w:sz w:val="{half_points}"/>'
            f'<w:szCs w:val="{half_points}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def _paragraph(text: str, *, font: str = "仿宋", size: int = 16, centered: bool = False,
               indent: bool = True) -> str:
    props = '<w:spacing w:line="560" w:lineRule="exact"/>'  # 28 pt lines, as official papers
    if centered:
        props += '<w:jc w:val="center"/>'
    elif indent:
        props += '<w:ind w:firstLine="640" w:firstLineChars="200"/>'  # two characters
    return f"<w:p><w:pPr>{props}</w:pPr>{_run(text, font, size * 2) if text else ''}</w:p>"


FOOTER = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          f'<w:ftr xmlns:w="{_W}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
          f'{_run("— ", "宋体", 28)}<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
          f'<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
          f'<w:r><w:fldChar w:fldCharType="end"/></w:r>{_run(" —", "宋体", 28)}</w:p></w:ftr>')


def _section() -> str:
    def cm(value: float) -> int:
        return round(value * _TWIPS_PER_CM)

    return (f'<w:sectPr><w:footerReference w:type="default" r:id="rId1"/>'
            f'<w:pgSz w:w="11906" w:h="16838"/>'
            f'<w:pgMar w:top="{cm(3.7)}" w:right="{cm(2.6)}" w:bottom="{cm(3.5)}" '
            f'w:left="{cm(2.8)}" w:header="{cm(1.5)}" w:footer="{cm(2.8)}" w:gutter="0"/>'
            f'</w:sectPr>')


def docx_bytes(title: str, body: str, subtitle: str | None = None) -> bytes:
    """The document: title, an optional centred line under it, then one paragraph per line."""
    parts = [_paragraph(clean(title), font="方正小标宋简体", size=22, centered=True)]
    if subtitle:
        parts.append(_paragraph(clean(subtitle), font="楷体", centered=True))
    parts.append(_paragraph(""))
    for line in clean(body).split("\n"):
        if line.strip():
            parts.append(_paragraph(line.strip()))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>'
                f'{"".join(parts)}{_section()}</w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/_rels/document.xml.rels", DOCUMENT_RELS)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/footer1.xml", FOOTER)
    return out.getvalue()
