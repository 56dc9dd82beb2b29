"""Speed of the province 附表1 roll-up: 10,000 activities of 100 units.

Floor: bare openpyxl writing the same cells with the same styles (every unit's table and the
flat 汇总 sheet), measured in the same run. Goal: the roll-up takes at most 2× the floor, and
the whole export (loading the repository included) stays under 250 MB.

    python benchmarks/export_rollup.py [--units 100] [--activities 100]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MAX_RATIO = 2.0
MAX_MB = 250


def _rollup(root: str) -> dict:
    from datastore.loader import load_repo
    from exports.annexes import ANNEXES
    from exports.sheet import Look
    from exports.workbooks import rollup_workbook, workbook_bytes

    started = time.perf_counter()
    data = load_repo(root)
    loaded = time.perf_counter()
    size = len(workbook_bytes(rollup_workbook(ANNEXES[1], data, Look())))
    done = time.perf_counter()
    return {"load": loaded - started, "write": done - loaded, "bytes": size}


def _bare(root: str) -> dict:
    """The same cells and styles, written with openpyxl alone."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    from datastore.loader import load_repo
    from exports.annexes import ANNEXES
    from exports.layouts import column_value

    data = load_repo(root)
    annex = ANNEXES[1]
    rows = [(u.name, [s.record for s in u.items("activities")]) for u in data.units.values()]
    started = time.perf_counter()
    font = Font(name="仿宋", size=12, charset=134)
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    wrap = Alignment(wrap_text=True, vertical="center")
    book = Workbook()
    flat = book.active
    flat.title = "汇总"
    fields = annex.flat_fields
    line = 2
    for unit_name, records in rows:
        ws = book.create_sheet(unit_name)
        for index, record in enumerate(records):
            for col, column in enumerate(annex.columns, start=1):
                cell = ws.cell(5 + index, col, column_value(column, record, index + 1))
                cell.font, cell.border, cell.alignment = font, border, wrap
            flat.cell(line, 1, unit_name).font = font
            for col, name in enumerate(fields, start=2):
                flat.cell(line, col, getattr(record, name)).font = font
            line += 1
    out = io.BytesIO()
    book.save(out)
    return {"write": time.perf_counter() - started, "bytes": len(out.getvalue())}


def _child(kind: str, root: str) -> dict:
    """Run one measurement in a fresh interpreter, so memory peaks are its own."""
    done = subprocess.run([sys.executable, __file__, "--child", kind, root],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        kind, root = options.child
        result = _rollup(root) if kind == "rollup" else _bare(root)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    from benchmarks.synthetic import build

    with tempfile.TemporaryDirectory() as folder:
        root = str(build(Path(folder) / "repo", options.units, options.activities, git=False))
        bare = _child("bare", root)
        rollup = _child("rollup", root)
    ratio = rollup["write"] / bare["write"]
    print(f"{options.units * options.activities} 项活动：附表1 全省汇总 {rollup['write']:.2f} s，"
          f"openpyxl 直接写同样的单元格 {bare['write']:.2f} s，比值 {ratio:.2f}（上限 {MAX_RATIO}）")
    print(f"读取材料库 {rollup['load']:.2f} s；导出进程内存峰值 {rollup['peak_mb']:.0f} MB"
          f"（上限 {MAX_MB} MB）；文件 {rollup['bytes'] / 1048576:.1f} MB")
    return 0 if ratio <= MAX_RATIO and rollup["peak_mb"] <= MAX_MB else 1


if __name__ == "__main__":
    sys.exit(main())
