"""A unit's whole electronic submission: a folder and a .zip of the same name.

Inside: the five annexes (.xlsx); the work plan, the exhibition board draft (title, text and
its six named photos in a 2 × 3 grid), the summary with its eight named photos and each case
(with its photos, if any) as Word documents; the original photos, byte for byte, renamed
after their captions (the notice asks for hi-res originals; the documents hold print copies
at 300 dpi); optionally the print-ready PDF of all of it in the notice's order; and
材料清单.txt saying what is in the package and what is still missing or wrong. A photo is read
only from the unit's own photos/ folder inside the repository, whatever a TOML file names.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from datastore.deadlines import is_present
from datastore.findings import Finding
from datastore.loader import RepoData, UnitData
from datastore.models import CASES, DELIVERABLES, EXHIBITION, SUMMARY, WORK_PLAN, Photo
from datastore.errors import LlweekError
from datastore.photos import read_photo
from datastore.rules import validate_repo
from exports.annexes import ANNEXES
from exports.docx import SUMMARY_BOX, Grid, Picture, docx_bytes, print_copy
from exports.files import (
    annex_file,
    document_file,
    free_variant,
    package_name,
    place_file,
    safe_name,
    temp_file,
)
from exports.layouts import unit_lines
from exports.pdf import Part, PdfProblem, combined_pdf, pdf_name
from exports.sheet import Look
from exports.workbooks import records_of, unit_workbook, workbook_bytes

MANIFEST = "材料清单.txt"
PHOTO_FOLDERS = {EXHIBITION.key: "展板图片", SUMMARY.key: "总结照片"}
_COMPRESSED = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".zip", ".xlsx", ".docx", ".pdf")


@dataclass
class Contents:
    """What went into the package, and what could not, for the manifest."""

    lines: list[tuple[str, str]] = field(default_factory=list)  # (file, what it is)
    problems: list[str] = field(default_factory=list)

    def add(self, folder: Path, name: str, data: bytes, what: str) -> None:
        (folder / name).write_bytes(data)
        self.lines.append((name, what))


def write_package(data: RepoData, unit: UnitData, out_dir: Path, look: Look,
                  step: Callable[[str], None], *, pdf: bool = False,
                  warn: Callable[[str], None] | None = None) -> list[Path]:
    """Build the package in a hidden folder, then give it (and its zip) their final names.

    With `pdf`, the package also holds the print-ready PDF of all its documents and tables;
    when that cannot be made, the reason goes to `warn` and the manifest, and the rest is
    written all the same.
    """
    year, who = data.campaign.year or "", unit.name
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out_dir, prefix=".llweek-"))
    work.chmod(0o755)
    try:
        contents = Contents()
        tables: dict[str, Part] = {}  # `annex1` … `annex5`, for the print version
        for number, annex in ANNEXES.items():
            step(f"{who} {annex.label}")
            book = unit_workbook(annex, data, unit, look)
            count = len(records_of(unit, annex))
            title = annex.title_for(data.campaign)
            what = f"{title}（{count} {'份' if annex.is_form else '项'}）" if count else f"{title}（空白表）"
            name = annex_file(year, annex.label, who)
            contents.add(work, name, workbook_bytes(book), what)
            tables[f"annex{number}"] = Part(work / name, f"{annex.label} {title}")
        step(f"{who} 照片")
        pictures = {key: _photos(data.root, unit, _photo_list(unit.record(key)),
                                 DELIVERABLES[key], work, folder, contents,
                                 SUMMARY_BOX if key == SUMMARY.key else Grid.box)
                    for key, folder in PHOTO_FOLDERS.items()}
        step(f"{who} 文字材料")
        documents = _documents(data, unit, work, contents, pictures)
        if pdf:
            step(f"{who} 打印版 PDF（LibreOffice 转换）")
            _print_version(data, unit, work, contents, documents, tables, warn)
        findings = validate_repo(data, unit.id)
        manifest = _manifest(data, unit, contents, findings)
        (work / MANIFEST).write_text(manifest, encoding="utf-8")
        folder_name, zip_name = free_variant(out_dir, [package_name(year, who),
                                                       package_name(year, who) + ".zip"])
        step(f"{who} 压缩为 {zip_name}")
        archive = _zip(work, out_dir, folder_name)
        try:
            os.rename(work, out_dir / folder_name)
            return [out_dir / folder_name, place_file(archive, out_dir, zip_name)]
        finally:
            archive.unlink(missing_ok=True)
    finally:
        if work.exists():
            shutil.rmtree(work)


#: the notice's order of the paper materials: 工作方案, 附表1, 展板素材, 附表2–5, 总结, 案例
PRINT_ORDER = ("work_plan", "annex1", "exhibition", "annex2", "annex3", "annex4", "annex5",
               "summary", "cases")


def _print_version(data: RepoData, unit: UnitData, work: Path, contents: Contents,
                   documents: dict[str, list[Part]], tables: dict[str, Part],
                   warn: Callable[[str], None] | None) -> None:
    year, who = data.campaign.year or "", unit.name
    parts: list[Part] = []
    for key in PRINT_ORDER:
        if key in documents:
            parts += documents[key]
        elif key in tables:
            parts.append(tables[key])
    full_name = unit_lines(unit, data.campaign).full_name
    try:
        joined = combined_pdf(parts, f"{full_name} {data.campaign.title or ''} 纸质材料")
    except PdfProblem as problem:
        contents.problems.append(str(problem))
        if warn:
            warn(str(problem))
        return
    contents.add(work, pdf_name(year, who), joined,
                 f"打印版：以上 {len(parts)} 份文稿和表格按通知顺序合为一个 PDF（一式两份打印）")


def _documents(data: RepoData, unit: UnitData, work: Path, contents: Contents,
               pictures: dict[str, list[Picture]]) -> dict[str, list[Part]]:
    """The Word documents, by deliverable key, as parts of the print version."""
    year, who = data.campaign.year or "", unit.name
    full_name = unit_lines(unit, data.campaign).full_name
    keep = (full_name, unit.name)
    written: dict[str, list[Part]] = {}

    def add(key: str, what: str, title: str, body: str, subtitle: str | None, label: str,
            grid: Grid | None = None) -> None:
        name = document_file(year, what, who, ".docx")
        contents.add(work, name, docx_bytes(title, body, subtitle, keep=keep, grid=grid,
                                            author=full_name), label)
        written.setdefault(key, []).append(Part(work / name, f"{what} {title}"))

    plan = unit.record(WORK_PLAN.key)
    if plan is not None and (plan.title or plan.text):
        add(WORK_PLAN.key, "工作方案", plan.title or f"{year}年全民终身学习活动周工作方案",
            plan.text or "", full_name, "活动周工作方案")
    exhibition = unit.record(EXHIBITION.key)
    if exhibition is not None and (exhibition.title or exhibition.text or pictures[EXHIBITION.key]):
        add(EXHIBITION.key, "展板素材", exhibition.title or "展板素材", exhibition.text or "",
            full_name, f"成果展展板素材（展板样稿：文稿题目、内容和 {len(pictures[EXHIBITION.key])} 张命名图片）",
            Grid("活动图片", pictures[EXHIBITION.key]))
    summary = unit.record(SUMMARY.key)
    if summary is not None and (summary.text or pictures[SUMMARY.key]):
        add(SUMMARY.key, "年度工作总结", f"{full_name}{year}年全民终身学习活动周工作总结",
            summary.text or "", None, "活动周年度工作总结（附照片及命名）",
            Grid("活动照片", pictures[SUMMARY.key], box=SUMMARY_BOX))
    for number, stored in enumerate(unit.items(CASES.key), start=1):
        case = stored.record
        if case is None:
            continue
        what = f"典型活动案例{number}"
        photos = _photos(data.root, unit, case.photos, what, work, f"{what}照片", contents,
                         Grid.box)
        add(CASES.key, what, case.title or what, case.text or "", full_name,
            f"{what}「{case.title or ''}」" + (f"（附 {len(photos)} 张照片）" if photos else ""),
            Grid("活动照片", photos))
    return written


def _photo_list(record: object) -> list[Photo]:
    return list(getattr(record, "photos", None) or [])


def photo_file_name(number: int, caption: str | None, suffix: str) -> str:
    """`01-开幕式现场.jpg`: the number keeps the order, the caption names the picture."""
    words = safe_name(re.sub(r"\s+", " ", caption or ""), limit=40) if caption else ""
    return f"{number:02d}-{words}{suffix}" if words else f"{number:02d}{suffix}"


def _photos(root: Path, unit: UnitData, photos: list[Photo], label: str, work: Path,
            folder: str, contents: Contents, box: tuple[float, float]) -> list[Picture]:
    """Copy the originals byte for byte into `folder`; return their print copies for the
    documents. Each file is read once, from the unit's own photos/ folder only."""
    pictures: list[Picture] = []
    for number, photo in enumerate(photos, start=1):
        try:
            if not photo.file:
                raise LlweekError("没有选择文件")
            original = read_photo(root, unit.id, photo.file)
        except LlweekError as err:
            contents.problems.append(f"{label}第 {number} 张照片「{photo.file or ''}」{err}，"
                                     "未放入材料包")
            continue
        suffix = Path(photo.file).suffix.lower() or ".jpg"
        name = f"{folder}/{photo_file_name(number, photo.caption, suffix)}"
        (work / folder).mkdir(exist_ok=True)
        (work / name).write_bytes(original)
        contents.lines.append((name, f"{label}照片：{photo.caption or '（未命名）'}"))
        try:
            pictures.append(print_copy(original, photo.caption or "", box))
        except LlweekError as err:
            contents.problems.append(f"{label}第 {number} 张照片「{photo.file}」{err}，"
                                     "原件已放入材料包，文稿中缺这一张")
    return pictures


def _manifest(data: RepoData, unit: UnitData, contents: Contents,
              findings: list[Finding]) -> str:
    full_name = unit_lines(unit, data.campaign).full_name
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"{data.campaign.title or ''} 电子材料清单", f"单位：{full_name}（{unit.id}）",
             f"导出时间：{now}", "", "一、本材料包包含"]
    lines += [f"  {name}　{what}" for name, what in contents.lines]
    missing = [label for key, label in DELIVERABLES.items() if not is_present(unit, key)]
    errors = sum(f.is_error for f in findings)
    lines += ["", f"二、尚缺或有误（{len(missing)} 项未填写，{errors} 处错误，"
                  f"{len(findings) - errors} 处提醒）"]
    lines += [f"  未填写：{label}" for label in missing]
    lines += [f"  {problem}" for problem in contents.problems]
    for finding in sorted(findings, key=lambda f: (not f.is_error, f.path, f.line or 0)):
        what = DELIVERABLES.get(finding.deliverable or "", "单位信息")
        lines.append(f"  {finding.severity.label}　{what}：{finding.message}（{finding.location()}）")
    if not (missing or contents.problems or findings):
        lines.append("  无：全部材料符合通知要求。")
    return "\n".join(lines) + "\n"


def _zip(work: Path, out_dir: Path, folder_name: str) -> Path:
    """The package folder as a zip in a temp file beside it (photos stored, not recompressed)."""
    tmp = temp_file(out_dir)
    with zipfile.ZipFile(tmp, "w") as archive:
        for path in sorted(work.rglob("*")):
            if path.is_file():
                method = (zipfile.ZIP_STORED if path.suffix.lower() in _COMPRESSED
                          else zipfile.ZIP_DEFLATED)
                archive.write(path, f"{folder_name}/{path.relative_to(work).as_posix()}",
                              compress_type=method)
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    return tmp
