"""Speed and memory of the province 附表1 roll-up (`llweek export --all-units --annex 1`).

Floor: a process that reads the same activity files with compiled tomli and writes the same
cells with XlsxWriter (the flat 汇总 sheet, then each unit's table with its title, header,
note and footer rows, the same formats and merged title rows), with no layout work at all.
Both sides are whole processes, started fresh, run in turns (floor, llweek, floor, …);
the figures are the medians. Memory is the peak resident size of the export process (it
starts no others that matter: the git calls of opening a repository are a few MB).

Targets: llweek ≤ 2× the floor at 10,000 activities; peak memory ≤ 250 MiB at 100,000.

    python benchmarks/export_rollup.py [--units 100] [--activities 100] [--rounds 5]
                                       [--memory-activities 1000]   (0: skip the 100,000 run)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MAX_RATIO = 2.0
MAX_MIB = 250


def _floor(root: Path, out: Path) -> None:
    """The same cells, read with tomli and written with XlsxWriter, nothing else."""
    import tomli
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    cell = book.add_format({"font_name": "仿宋", "font_size": 12, "text_wrap": True,
                            "valign": "vcenter", "border": 1})
    head = book.add_format({"font_name": "黑体", "font_size": 12, "text_wrap": True,
                            "align": "center", "border": 1})
    line = book.add_format({"font_name": "仿宋", "font_size": 12, "text_wrap": True})
    flat_cell = book.add_format({"font_name": "仿宋", "font_size": 10, "text_wrap": True,
                                 "border": 1})
    date = book.add_format({"font_name": "仿宋", "font_size": 10, "num_format": "yyyy-mm-dd",
                            "border": 1})
    headers = ["序号", "活动名称", "活动时间", "活动地点", "主办单位", "人数", "报名电话", "活动内容"]
    fields = ["seq", "name", "start", "end", "time_note", "venue", "organizer", "participants",
              "signup_phone", "content"]
    flat = book.add_worksheet("汇总")
    flat.write_row(0, 0, ["单位", *fields, "编号"], head)
    flat_row = 1
    campaign = tomli.loads((root / "campaign.toml").read_text(encoding="utf-8"))
    for ref in campaign["units"]:
        folder = root / "units" / ref["id"]
        unit = tomli.loads((folder / "unit.toml").read_text(encoding="utf-8"))
        records = [tomli.loads(p.read_text(encoding="utf-8"))
                   for p in sorted((folder / "activities").glob("*.toml"))]
        records.sort(key=lambda r: r.get("seq", 0))
        if not records:
            continue
        for record in records:
            flat.set_row(flat_row, 30)
            flat.write_string(flat_row, 0, unit["short_name"], flat_cell)
            for col, name in enumerate(fields, start=1):
                value = record.get(name)
                if name in ("start", "end"):
                    flat.write_datetime(flat_row, col, value, date)
                elif isinstance(value, int):
                    flat.write_number(flat_row, col, value, flat_cell)
                else:
                    flat.write_string(flat_row, col, value or "", flat_cell)
            flat.write_string(flat_row, len(fields) + 1, record["id"])
            flat_row += 1
        ws = book.add_worksheet(unit["short_name"])
        ws.write_string(0, 0, "附表1", line)
        ws.merge_range(1, 0, 1, 7, "2021年“吉林省全民终身学习示范活动”汇总表", line)
        ws.merge_range(2, 0, 2, 7, f"吉林省　{unit['city']}　市（县）　　区", line)
        ws.write_row(3, 0, headers, head)
        for index, record in enumerate(records):
            row = 4 + index
            ws.set_row(row, 60)
            when = f"{record['start']:%Y年%-m月%-d日}—{record['end']:%-m月%-d日}\n{record['time_note']}"
            # a synthetic record may leave a field out, as a unit's draft does
            values = [index + 1, record["name"], when, *(record.get(key, "") for key in (
                "venue", "organizer", "participants", "signup_phone", "content"))]
            for col, value in enumerate(values):
                if isinstance(value, int):
                    ws.write_number(row, col, value, cell)
                else:
                    ws.write_string(row, col, value, cell)
            ws.write_string(row, 8, record["id"])
        end = 4 + len(records)
        ws.merge_range(end, 0, end, 7, "注：活动不限 10 项，请根据实际情况填报。", line)
        ws.merge_range(end + 1, 0, end + 1, 7,
                       f"填表联系人：{unit['contact_name']}　联系电话：{unit['contact_phone']}", line)
        ws.repeat_rows(3)
    flat.autofilter(0, 0, flat_row - 1, len(fields))
    book.close()


def _run(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one whole process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    error = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} … failed: {error}")
    return elapsed, usage.ru_maxrss / 1024


def _llweek(root: Path, out: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())",
            "export", "-C", str(root), "--all-units", "--annex", "1", "-o", str(out)]


def _floor_command(root: Path, out: Path) -> list[str]:
    return [sys.executable, __file__, "--floor", str(root), str(out)]


def _build(folder: Path, units: int, activities: int) -> Path:
    from benchmarks.synthetic import build

    return build(folder / f"repo-{units}x{activities}", units, activities, git=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-activities", type=int, default=1000)
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.floor:
        _floor(Path(options.floor[0]), Path(options.floor[1]))
        return 0

    ok = True
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root = _build(work, options.units, options.activities)
        ours, floor = [], []
        for round_ in range(options.rounds):
            out = work / f"out-{round_}"
            floor.append(_run(_floor_command(root, work / f"floor-{round_}.xlsx")))
            ours.append(_run(_llweek(root, out)))
            shutil.rmtree(out)
        mine = statistics.median(t for t, _ in ours)
        base = statistics.median(t for t, _ in floor)
        ratio = mine / base
        ok &= ratio <= MAX_RATIO
        count = options.units * options.activities
        print(f"附表1 全省汇总，{count} 项活动（{options.rounds} 轮交替运行的中位数，整个进程）：")
        print(f"  llweek export {mine:.2f} s；下限（tomli 读取 + XlsxWriter 写同样的单元格）"
              f"{base:.2f} s；比值 {ratio:.2f}（目标 ≤ {MAX_RATIO}）")
        print(f"  内存峰值：llweek {statistics.median(m for _, m in ours):.0f} MiB，"
              f"下限 {statistics.median(m for _, m in floor):.0f} MiB")
        if options.memory_activities:
            big = _build(work, options.units, options.memory_activities)
            seconds, peak = _run(_llweek(big, work / "out-big"))
            ok &= peak <= MAX_MIB
            print(f"  {options.units * options.memory_activities} 项活动：{seconds:.1f} s，"
                  f"内存峰值 {peak:.0f} MiB（目标 ≤ {MAX_MIB} MiB）")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
