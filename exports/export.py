"""`export()`: the one entry point the command line and the app's export screen share.

Progress is a plain callable `progress(done, total, message)`, so a Textual worker, a
terminal or a test can follow it alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from datastore.errors import LlweekError
from datastore.ids import check_id
from datastore.loader import RepoData, load_repo, load_unit
from datastore.models import KINDS, Campaign
from datastore.save import load_campaign
from exports.annexes import ANNEXES
from exports.files import ROLLUP_NAME, annex_file, package_name, place_file, temp_file, write_new
from exports.package import write_package
from exports.pdf import Part, PdfProblem, combined_pdf, pdf_name
from exports.sheet import Look
from exports.workbooks import (
    UNEXPORTED_SHEET,
    Unreadable,
    unit_workbook,
    unreadable,
    write_rollups,
)

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


class ExportRefused(LlweekError):
    """Records that cannot be read would be missing from the tables: nothing was written."""

    exit_code = 1

    def __init__(self, skipped: list[Unreadable]) -> None:
        lines = "\n  ".join(item.describe() for item in skipped)
        super().__init__(f"以下 {len(skipped)} 个文件无法读取，导出的表格会缺少其中的材料，"
                         f"因此没有导出：\n  {lines}\n请先改正这些文件；"
                         f"确需先导出其余材料，可加 --force（表格中会附「{UNEXPORTED_SHEET}」表列出它们）")
        self.skipped = skipped


def load_units(root: Path, unit_ids: list[str] | None) -> RepoData:
    """The province's files and the units wanted (all: None), with their loading findings."""
    data = load_repo(root, materials=False)
    for unit_id in list(data.units) if unit_ids is None else unit_ids:
        ref = data.units[unit_id].ref
        data.units[unit_id] = load_unit(root, unit_id, ref, data.findings)
        unit = data.units[unit_id]
        for stored in [*unit.singles.values(), *(s for v in unit.collections.values() for s in v)]:
            data.stored[stored.path] = stored
    return data


def export(root: Path | str, annexes: Iterable[int] | None = None, *, unit: str | None = None,
           all_units: bool = False, package: bool = False, pdf: bool = False,
           out_dir: Path | str, progress: Progress | None = None,
           table_size: float = 12.0, force: bool = False) -> list[Path]:
    """Write the official workbooks and return the paths written.

    - `unit`: that unit's annexes, one workbook each (`2021-附表1-长春市.xlsx`);
    - `all_units`: per annex the province roll-up (`2021-附表1-全省汇总.xlsx`);
    - `package`: instead, each unit's whole electronic submission, a folder and a .zip
      (it always holds all five annexes);
    - `pdf`: also one print-ready PDF (LibreOffice): in each package, of all its documents and
      tables; otherwise of the workbooks written. If it cannot be made, progress says why
      (WARNED) and everything else is written all the same.
    An existing file is never replaced: the new one takes the name `…(2)`.
    A record file that cannot be read stops the export (ExportRefused, nothing written);
    with `force` the rest is exported and each workbook names what is missing.
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
    root = Path(root)
    look = Look(table_size)
    if all_units and not package:
        return _rollups(root, numbers, out, look, progress, force, pdf)

    data = load_units(root, None if all_units else [_unit_id(root, unit)])
    units = list(data.units.values()) if all_units else [data.units[unit]]  # type: ignore[index]
    kinds = KINDS.values() if package else [ANNEXES[n].kind for n in numbers]
    skipped = [s for one in units for s in unreadable(data.findings, one.id, kinds)]
    if skipped and not force:
        raise ExportRefused(skipped)
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

    steps = _Steps(len(numbers) + pdf, progress)
    one = units[0]
    written = []
    for number in numbers:
        annex = ANNEXES[number]
        steps(f"{one.name} {annex.label}")
        written.append(_write(out, annex_file(year, annex.label, one.name),
                              unit_workbook(annex, data, one, look), steps))
    return written + (_tables_pdf(data.campaign, numbers, written, one.name, out, steps)
                      if pdf else [])


def _tables_pdf(campaign: Campaign, numbers: list[int], paths: list[Path], who: str, out: Path,
                steps: _Steps) -> list[Path]:
    """The workbooks just written as one PDF, a bookmark per annex; [] (and a warning) if not."""
    steps(f"{who} 打印版 PDF（LibreOffice 转换）")
    parts = [Part(path, f"{ANNEXES[n].label} {ANNEXES[n].title_for(campaign)}")
             for n, path in zip(numbers, paths)]
    try:
        joined = combined_pdf(parts, f"{campaign.title or ''} {who}")
    except PdfProblem as problem:
        steps.warn(str(problem))
        return []
    return [_write(out, pdf_name(campaign.year or "", who), joined, steps)]


def _rollups(root: Path, numbers: list[int], out: Path, look: Look, progress: Progress | None,
             force: bool, pdf: bool) -> list[Path]:
    """Every annex's province roll-up in one pass over the units."""
    campaign = load_campaign(root)
    year = campaign.year or ""
    units = len(load_repo(root, materials=False).units)
    steps = _Steps(units + len(numbers) + pdf, progress)
    temps = {number: temp_file(out) for number in numbers}
    try:
        skipped = write_rollups(temps, root, look, lambda name: steps(f"读取 {name}"),
                                force=force)
        if skipped and not force:
            raise ExportRefused(skipped)
        written = []
        for number, temp in temps.items():
            label = ANNEXES[number].label
            steps(f"{label} 保存")
            wanted = annex_file(year, label, ROLLUP_NAME)
            path = place_file(temp, out, wanted)
            steps.wrote(path, wanted)
            written.append(path)
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return written + (_tables_pdf(campaign, numbers, written, ROLLUP_NAME, out, steps)
                      if pdf else [])


def _unit_id(root: Path, unit_id: str | None) -> str:
    checked = check_id(unit_id, "单位编号")
    if checked not in load_repo(root, materials=False).units:
        raise LlweekError(f"材料库中没有单位「{unit_id}」")
    return checked


def _write(out: Path, name: str, data: bytes, steps: _Steps) -> Path:
    path = write_new(out, name, data)
    steps.wrote(path, name)
    return path
