"""A unit's whole electronic submission: a folder and a .zip of the same name.

Inside: the five annexes (.xlsx), the work plan, the exhibition text, the summary and each
case as Word documents, the photos renamed after their captions, and 材料清单.txt saying what
is in the package and what is still missing or wrong. A photo is copied only from the unit's
own photos/ folder inside the repository, whatever a TOML file names.
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
from datastore.photos import photo_path
from datastore.rules import validate_repo
from exports.annexes import ANNEXES
from exports.docx import docx_bytes
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
from exports.sheet import Look
from exports.workbooks import records_of, unit_workbook

MANIFEST = "材料清单.txt"
PHOTO_FOLDERS = {EXHIBITION.key: "展板图片", SUMMARY.key: "总结照片"}
_COMPRESSED = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".zip", ".xlsx", ".docx")


@dataclass
class Contents:
    """What went into the package, and what could not, for the manifest."""

    lines: list[tuple[str, str]] = field(default_factory=list)  # (file, what it is)
    problems: list[str] = field(default_factory=list)

    def add(self, folder: Path, name: str, data: bytes, what: str) -> None:
        (folder / name).write_bytes(data)
        self.lines.append((name, what))


def write_package(data: RepoData, unit: UnitData, out_dir: Path, look: Look,
                  step: Callable[[str], None]) -> list[Path]:
    """Build the package in a hidden folder, then give it (and its zip) their final names."""
    year, who = data.campaign.year or "", unit.name
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out_dir, prefix=".llweek-"))
    work.chmod(0o755)
    try:
        contents = Contents()
        for annex in ANNEXES.values():
            step(f"{who} {annex.label}")
            count = len(records_of(unit, annex))
            title = annex.title_for(data.campaign)
            what = f"{title}（{count} {'份' if annex.is_form else '项'}）" if count else f"{title}（空白表）"
            contents.add(work, annex_file(year, annex.label, who),
                         unit_workbook(annex, data, unit, look), what)
        step(f"{who} 文字材料和照片")
        _documents(data, unit, work, contents)
        for key, folder in PHOTO_FOLDERS.items():
            _photos(data.root, unit, key, work, folder, contents)
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


def _documents(data: RepoData, unit: UnitData, work: Path, contents: Contents) -> None:
    year, who = data.campaign.year or "", unit.name
    full_name = unit_lines(unit, data.campaign).full_name
    plan = unit.record(WORK_PLAN.key)
    if plan is not None and (plan.title or plan.text):
        contents.add(work, document_file(year, "工作方案", who, ".docx"),
                     docx_bytes(plan.title or f"{year}年全民终身学习活动周工作方案",
                                plan.text or "", full_name), "活动周工作方案")
    exhibition = unit.record(EXHIBITION.key)
    if exhibition is not None and (exhibition.title or exhibition.text):
        contents.add(work, document_file(year, "展板素材", who, ".docx"),
                     docx_bytes(exhibition.title or "", exhibition.text or "", full_name),
                     "成果展展板素材（文稿题目和内容）")
    summary = unit.record(SUMMARY.key)
    if summary is not None and summary.text:
        contents.add(work, document_file(year, "年度工作总结", who, ".docx"),
                     docx_bytes(f"{full_name}{year}年全民终身学习活动周工作总结", summary.text),
                     "活动周年度工作总结")
    for number, stored in enumerate(unit.items(CASES.key), start=1):
        case = stored.record
        if case is None:
            continue
        contents.add(work, document_file(year, f"典型活动案例{number}", who, ".docx"),
                     docx_bytes(case.title or f"典型活动案例{number}", case.text or "", full_name),
                     f"典型活动案例{number}「{case.title or ''}」")


def photo_file_name(number: int, caption: str | None, suffix: str) -> str:
    """`01-开幕式现场.jpg`: the number keeps the order, the caption names the picture."""
    words = safe_name(re.sub(r"\s+", " ", caption or ""), limit=40) if caption else ""
    return f"{number:02d}-{words}{suffix}" if words else f"{number:02d}{suffix}"


def _photos(root: Path, unit: UnitData, key: str, work: Path, folder: str,
            contents: Contents) -> None:
    record = unit.record(key)
    photos: list[Photo] = record.photos if record is not None else []
    label = DELIVERABLES[key]
    for number, photo in enumerate(photos, start=1):
        source = photo_path(root, unit.id, photo.file) if photo.file else None
        if source is None or not source.is_file():
            contents.problems.append(f"{label}第 {number} 张照片「{photo.file or ''}」不在本单位"
                                     f" photos 文件夹中，未放入材料包")
            continue
        suffix = source.suffix.lower() or ".jpg"
        name = f"{folder}/{photo_file_name(number, photo.caption, suffix)}"
        (work / folder).mkdir(exist_ok=True)
        shutil.copyfile(source, work / name)
        contents.lines.append((name, f"{label}照片：{photo.caption or '（未命名）'}"))


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
