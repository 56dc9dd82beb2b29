"""One print-ready PDF of many documents and tables, through LibreOffice, with bookmarks.

The notice asks for 纸质材料一式两份: instead of some 30 files to open and print, the office
prints one PDF, its bookmarks in the notice's order. LibreOffice (`soffice`) converts each
.docx and .xlsx exactly as Word and Excel would print them (page setup, fit to width, repeated
headers); pypdf joins the results and adds one bookmark per document.

Each conversion runs in a private LibreOffice profile in a temp folder (parallel exports do not
collide, and the user's own LibreOffice settings and open windows are left alone), in a
process group of its own that is killed when it overruns its time limit. `soffice` is looked
up only in the absolute folders of PATH, never in the current folder (which may be the data
repository).

The documents name the faces of official papers (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体). Where
one is not installed, the private profile's font replacement table names the closest Chinese
face that is (宋体, 仿宋, 黑体, 楷体 of Windows fonts, else Noto Serif CJK SC for the serif
faces and Noto Sans CJK SC for 黑体), so the PDF never falls back to a Japanese glyph set.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from datastore.errors import LlweekError
from exports.files import safe_name

PROGRAMS = ("soffice", "libreoffice")
#: seconds one conversion of a unit's documents may take (a cold LibreOffice start included)
TIME_LIMIT = 300.0
INSTALL_HINT = ("未找到 LibreOffice，无法生成打印版 PDF；其余材料已照常导出。"
                "请安装 LibreOffice 的文字处理和电子表格组件后再导出一次"
                "（Debian/Ubuntu：sudo apt install libreoffice-writer libreoffice-calc；"
                "Windows、macOS：从 libreoffice.org 下载安装）。")


_SERIF = ("Source Han Serif SC", "Noto Serif CJK SC", "AR PL UMing CN")
_SANS = ("Source Han Sans SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei")
#: the faces the documents name, and what may stand in for each, best first
STAND_INS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("方正小标宋_GBK", "宋体", "SimSun", *_SERIF),
    "宋体": ("SimSun", *_SERIF),
    "仿宋_GB2312": ("仿宋", "FangSong", "STFangsong", *_SERIF),
    "仿宋": ("仿宋_GB2312", "FangSong", "STFangsong", *_SERIF),
    "楷体": ("楷体_GB2312", "KaiTi", "STKaiti", "AR PL UKai CN", *_SERIF),
    "黑体": ("SimHei", "STHeiti", *_SANS),
}


class PdfProblem(LlweekError):
    """The PDF could not be made; everything else of the export is still written."""


@dataclass(frozen=True)
class Part:
    """One document or table of the PDF and the bookmark that leads to it."""

    path: Path
    bookmark: str


def pdf_name(year: object, who: str) -> str:
    """`2021-长春市-打印版.pdf`, `2021-全省汇总-打印版.pdf`."""
    return f"{year}-{safe_name(who)}-打印版.pdf"


def find_soffice() -> Path | None:
    """LibreOffice's command, from the absolute folders of PATH only."""
    override = os.environ.get("LLWEEK_SOFFICE")
    if override:
        return Path(override) if os.path.isabs(override) and os.access(override, os.X_OK) else None
    for folder in os.get_exec_path():
        if not os.path.isabs(folder):
            continue
        for name in PROGRAMS:
            candidate = Path(folder) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    return None


def combined_pdf(parts: Sequence[Part], title: str, *, time_limit: float = TIME_LIMIT) -> bytes:
    """The parts converted and joined in the order given, one bookmark each."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfProblem(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="llweek-pdf-") as tmp:
        work = Path(tmp)
        sources = work / "in"
        sources.mkdir()
        # plain ASCII names inside the temp folder: no name of a unit reaches a command line
        copies = []
        for number, part in enumerate(parts, start=1):
            copy = sources / f"{number:03d}{part.path.suffix.lower()}"
            shutil.copyfile(part.path, copy)
            copies.append(copy)
        _convert(soffice, copies, work, time_limit)
        writer = PdfWriter()
        for part, copy in zip(parts, copies):
            converted = work / "out" / f"{copy.stem}.pdf"
            if not converted.is_file():
                raise PdfProblem(f"LibreOffice 未能转换「{part.path.name}」，未生成打印版 PDF")
            try:
                start = len(writer.pages)
                writer.append(PdfReader(converted), import_outline=False)
            except (PyPdfError, OSError, ValueError) as err:
                raise PdfProblem(f"「{part.path.name}」转换出的 PDF 无法读取（{err}），"
                                 "未生成打印版 PDF") from None
            if len(writer.pages) > start:
                writer.add_outline_item(title=part.bookmark, page_number=start)
        writer.add_metadata({"/Title": title, "/Creator": "llweek"})
        writer.page_mode = "/UseOutlines"
        out = work / "joined.pdf"
        with open(out, "wb") as handle:
            writer.write(handle)
        return out.read_bytes()


def installed_fonts() -> set[str]:
    """Every family name fontconfig knows (each face's names in all its languages)."""
    try:
        done = subprocess.run(["fc-list", "--format", "%{family}\\n"], capture_output=True,
                              text=True, timeout=30, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {name.strip() for line in done.stdout.splitlines() for name in line.split(",")}


def replacements(installed: set[str]) -> dict[str, str]:
    """For each face the documents name that is missing, the best stand-in that is there."""
    chosen = {}
    for face, candidates in STAND_INS.items():
        if face in installed:
            continue
        stand_in = next((c for c in candidates if c in installed), None)
        if stand_in:
            chosen[face] = stand_in
    return chosen


def _profile(profile: Path, fonts: dict[str, str]) -> None:
    """A fresh LibreOffice profile whose font replacement table holds `fonts`."""
    user = profile / "user"
    user.mkdir(parents=True)
    pairs = "".join(
        f'<node oor:name="_{n}" oor:op="replace">'
        f'<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        f'<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{escape(face)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{escape(stand_in)}</value></prop>'
        f'</node>' for n, (face, stand_in) in enumerate(fonts.items()))
    base = "/org.openoffice.Office.Common/Font/Substitution"
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<item oor:path="{base}"><prop oor:name="Replacement" oor:op="fuse">'
        f'<value>{"true" if fonts else "false"}</value></prop></item>'
        f'<item oor:path="{base}/FontPairs">{pairs}</item>'
        '</oor:items>\n', encoding="utf-8")


def _convert(soffice: Path, files: list[Path], work: Path, time_limit: float) -> None:
    """All files in one LibreOffice run (one start-up), in a private profile, time-limited."""
    profile = work / "profile"
    _profile(profile, replacements(installed_fonts()))
    home = work / "home"
    home.mkdir()
    command = [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless",
               "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck",
               "--convert-to", "pdf", "--outdir", str(work / "out"), *map(str, files)]
    env = {**os.environ, "HOME": str(home), "LC_ALL": "C.UTF-8"}
    env.pop("DISPLAY", None)
    try:
        process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    except OSError as err:
        raise PdfProblem(f"无法启动 LibreOffice（{err.strerror}），未生成打印版 PDF") from None
    try:
        output, _ = process.communicate(timeout=time_limit)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise PdfProblem(f"LibreOffice 转换超过 {time_limit:.0f} 秒仍未完成，已停止；"
                         "未生成打印版 PDF，其余材料已照常导出") from None
    if process.returncode != 0:
        said = output.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise PdfProblem(f"LibreOffice 转换失败（退出码 {process.returncode}：{said[0][:200]}），"
                         "未生成打印版 PDF")


def _kill(process: subprocess.Popen) -> None:
    """Stop the conversion and every process it started (they share its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.communicate()
