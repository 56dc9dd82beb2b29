"""How soon a list of thousands of records shows its first rows (target: within 0.5 s).

Opens 附表1 of a unit with 5,012 activities in the app and measures, from the key that opens
it until the first rows are drawn, and until every row is in the table; the floor is a bare
Textual app drawing the same first batch of rows. Prints each as a ratio.

    python benchmarks/long_list.py [--activities 5012]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

from benchmarks.synthetic import build  # noqa: E402
from datastore.access import Actor  # noqa: E402

SIZE = (80, 24)
TARGET = 0.5
ROUNDS = 5


FIRST_SHOWN = "社区智能手机培训第1期"


def drawn(app: App) -> str:
    """What the terminal shows now."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


class BareTable(App):
    """The floor: a table given the same first batch of rows."""

    def compose(self) -> ComposeResult:
        yield DataTable()


async def bare_first_rows(rows: int) -> float:
    async with BareTable().run_test(size=SIZE) as pilot:
        table = pilot.app.query_one(DataTable)
        table.add_columns("序号", "活动名称", "开始", "结束", "地点", "人数", "问题")
        await pilot.pause()
        started = time.perf_counter()
        table.add_rows([(str(n), f"社区智能手机培训第{n}期", "10-12", "10-12", "朝阳区社区学校",
                         "40", "") for n in range(rows)])
        await pilot.pause()
        return time.perf_counter() - started


async def app_times(root: Path) -> tuple[list[float], list[float], int]:
    """(seconds to the first rows, seconds to every row) per opening, and the row count."""
    from tui.app import LlweekApp
    from tui.screens.activities import ActivitiesScreen

    app = LlweekApp(root, today=dt.date(2021, 10, 20), actor=Actor("bench", "基准", "unit", "unit-000"))
    first, full, total = [], [], 0
    async with app.run_test(size=SIZE) as pilot:
        while app.workspace is None:
            await asyncio.sleep(0.01)
        await pilot.pause()
        for _ in range(ROUNDS):
            started = time.perf_counter()
            screen = ActivitiesScreen("unit-000")
            app.push_screen(screen)
            while not (screen.is_mounted and FIRST_SHOWN in drawn(app)):
                await asyncio.sleep(0.002)
            first.append(time.perf_counter() - started)
            while screen.filling:
                await asyncio.sleep(0.002)
            full.append(time.perf_counter() - started)
            total = screen.query_one(DataTable).row_count
            app.pop_screen()
            await pilot.pause()
    return first, full, total


def main() -> None:
    from tui.screens.record_list import FIRST_ROWS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=5012)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="llweek-bench-") as folder:
        root = build(Path(folder) / "repo", units=1, activities=options.activities, git=False)
        first, full, total = asyncio.run(app_times(root))
    floor = statistics.median(asyncio.run(bare_first_rows(FIRST_ROWS)) for _ in range(ROUNDS))
    shown, whole = statistics.median(first), statistics.median(full)
    print(f"附表1 {total} 条记录")
    print(f"打开到画出前 {FIRST_ROWS} 行：{shown:.3f} s；目标 {TARGET} s，比值 {shown / TARGET:.2f}；"
          f"空白表格画 {FIRST_ROWS} 行 {floor:.3f} s，比值 {shown / floor:.1f}")
    print(f"全部 {total} 行填完：{whole:.2f} s（分批填入，期间按键照常响应）")


if __name__ == "__main__":
    main()
