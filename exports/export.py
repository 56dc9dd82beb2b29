"""`export()`: the one entry point the command line and the app's export screen share.

Progress is a plain callable `progress(done, total, message)`, so a Textual worker, a
terminal or a test can follow it alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from datastore.errors import LlweekError
from datastore.ids import check_id
from datastore.loader import RepoData, UnitData, load_repo
from exports.annexes import ANNEXES
from exports.files import ROLLUP_NAME, annex_file, package_name, write_new
from exports.package import write_package
from exports.pdf import Part, PdfProblem, combined_pdf, pdf_name
from exports.sheet import Look
from exports.workbooks import rollup_workbook, unit_workbook, workbook_bytes

Progress = Callable[[int, int, str], None]
RENAMED_NOTE = "（同名文件已存在，未覆盖，另存为此名）"
#: how progress reports a file written: this, its path, and RENAMED_NOTE if it took another name
WROTE = "已写入 "
#: how progress reports something asked for that could not be made (the rest is written)
WARNED = "注意："


class _Steps:
    """Counts steps and reports each; tells when a file had to take another name."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def __call__(self, message: str) -> None:
        self.done = min(self.done + 1, self.total)
        if self.progress:
            self.progress(self.done, self.total, message)

    def warn(self, message: str) -> None:
        if self.progress:
            self.progress(self.done, self.total, f"{WARNED}{message}")

    def wrote(self, path: Path, wanted: str) -> None:
        note = RENAMED_NOTE if path.name != wanted else ""
        if self.progress:
            self.progress(self.done, self.total, f"{WROTE}{path}{note}")


def export(root: Path | str, annexes: Iterable[int] | None = None, *, unit: str | None = None,
           all_units: bool = False, package: bool = False, pdf: bool = False,
           out_dir: Path | str, progress: Progress | None = None,
           table_size: float = 12.0) -> list[Path]:
    """Write the official workbooks and return the paths written.

    - `unit`: that unit's annexes, one workbook each (`2021-附表1-长春市.xlsx`);
    - `all_units`: per annex the province roll-up (`2021-附表1-全省汇总.xlsx`);
    - `package`: instead, each unit's whole electronic submission, a folder and a .zip
      (it always holds all five annexes);
    - `pdf`: also one print-ready PDF (LibreOffice): in each package, of all its documents and
      tables; otherwise of the workbooks written. If it cannot be made, progress says why
      (WARNED) and everything else is written all the same.
    An existing file is never replaced: the new one takes the name `…(2)`.
    """
    numbers = sorted(set(annexes or ANNEXES))
    unknown = [n for n in numbers if n not in ANNEXES]
    if unknown:
        raise LlweekError(f"没有附表{'、'.join(map(str, unknown))}：附表编号为 1–5")
    if unit and all_units:
        raise LlweekError("请在“一个单位”和“全省汇总”之间选一个")
    if not unit and not all_units:
        raise LlweekError("请指定要导出的单位（--unit 单位编号），或导出全省汇总（--all-units）")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise LlweekError(f"{out} 是一个文件，不是文件夹：请换一个输出位置")
    data = load_repo(Path(root))
    units = list(data.units.values()) if all_units else [_unit(data, unit)]
    look = Look(table_size)
    year = data.campaign.year or ""

    if package:
        steps = _Steps(len(units) * (len(ANNEXES) + 3 + pdf), progress)
        written: list[Path] = []
        for one in units:
            paths = write_package(data, one, out, look, steps, pdf=pdf, warn=steps.warn)
            for path, suffix in zip(paths, ("", ".zip")):
                steps.wrote(path, package_name(year, one.name) + suffix)
            written += paths
        return written

    if all_units:
        steps = _Steps(len(numbers) * (len(units) + 1) + pdf, progress)
        written = []
        for number in numbers:
            annex = ANNEXES[number]
            book = rollup_workbook(annex, data, look, lambda name: steps(f"{annex.label} {name}"))
            steps(f"{annex.label} 保存")
            written.append(_write(out, annex_file(year, annex.label, ROLLUP_NAME),
                                  workbook_bytes(book), steps))
        return written + (_tables_pdf(data, numbers, written, ROLLUP_NAME, out, steps) if pdf else [])

    steps = _Steps(len(numbers) + pdf, progress)
    one = units[0]
    written = []
    for number in numbers:
        annex = ANNEXES[number]
        steps(f"{one.name} {annex.label}")
        book = unit_workbook(annex, data, one, look)
        written.append(_write(out, annex_file(year, annex.label, one.name),
                              workbook_bytes(book), steps))
    return written + (_tables_pdf(data, numbers, written, one.name, out, steps) if pdf else [])


def _tables_pdf(data: RepoData, numbers: list[int], paths: list[Path], who: str, out: Path,
                steps: _Steps) -> list[Path]:
    """The workbooks just written as one PDF, a bookmark per annex; [] (and a warning) if not."""
    steps(f"{who} 打印版 PDF（LibreOffice 转换）")
    parts = [Part(path, f"{ANNEXES[n].label} {ANNEXES[n].title_for(data.campaign)}")
             for n, path in zip(numbers, paths)]
    try:
        joined = combined_pdf(parts, f"{data.campaign.title or ''} {who}")
    except PdfProblem as problem:
        steps.warn(str(problem))
        return []
    return [_write(out, pdf_name(data.campaign.year or "", who), joined, steps)]


def _unit(data: RepoData, unit_id: str | None) -> UnitData:
    found = data.unit(check_id(unit_id, "单位编号"))
    if found is None:
        raise LlweekError(f"材料库中没有单位「{unit_id}」")
    return found


def _write(out: Path, name: str, data: bytes, steps: _Steps) -> Path:
    path = write_new(out, name, data)
    steps.wrote(path, name)
    return path
