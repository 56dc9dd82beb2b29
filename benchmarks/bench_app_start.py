"""How fast the app is usable on a campaign of realistic size (100 units × 100 activities).

Prints, each against a floor measured in the same run on the same machine:
- start: until the dashboard shows every unit and answers keys, vs a bare Textual app with a
  table (target: at most 1.5 s);
- keystroke: one key typed in a form (附表1 and 展板素材) until its counters and findings are
  redrawn, vs the same key in a bare Input (target: under 50 ms).

    python benchmarks/bench_app_start.py [--units 100] [--activities 100]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Footer, Input  # noqa: E402

from benchmarks.synthetic import build  # noqa: E402
from datastore.access import Actor  # noqa: E402

SIZE = (80, 24)
KEYS = 30


class BareApp(App):
    """The floor: a table and a footer, nothing loaded."""

    def compose(self) -> ComposeResult:
        yield DataTable()
        yield Input()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("单位", "方案")
        table.add_rows([(f"第{n}市", "通过") for n in range(100)])


async def bare_ready() -> None:
    async with BareApp().run_test(size=SIZE) as pilot:
        await pilot.pause()
        print("ready", flush=True)


async def bare_keystroke() -> float:
    async with BareApp().run_test(size=SIZE) as pilot:
        pilot.app.query_one(Input).focus()
        await pilot.pause()
        return await _per_key(pilot)


async def _per_key(pilot) -> float:
    times = []
    for _ in range(KEYS):
        started = time.perf_counter()
        await pilot.press("x")
        await pilot.pause()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _app(root: Path):
    from tui.app import LlweekApp

    return LlweekApp(root, today=dt.date(2021, 10, 20),
                     actor=Actor("bench", "基准", "unit", "unit-000"))


async def _loaded(pilot) -> None:
    app = pilot.app
    while app.workspace is None or app.screen.query_one("#grid", DataTable).row_count == 0:
        await asyncio.sleep(0.005)
    await pilot.pause()


async def app_ready(root: Path) -> None:
    async with _app(root).run_test(size=SIZE) as pilot:
        await _loaded(pilot)
        print("ready", flush=True)


def time_to_ready(*args: str) -> float:
    """Seconds from starting a fresh Python process (imports included) until it says ready."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "ready":
            elapsed = time.perf_counter() - started
            break
    else:
        raise SystemExit(f"{args} did not start")
    child.wait()
    return elapsed


async def app_keystroke(root: Path, key: str, open_first: bool) -> tuple[float, float]:
    """(median seconds from a key to the redrawn form, seconds of the form's own checking)."""
    from tui.screens import deliverable_screen

    async with _app(root).run_test(size=SIZE) as pilot:
        await _loaded(pilot)
        app = pilot.app
        app.push_screen(deliverable_screen(key, "unit-000"))
        await pilot.pause()
        if open_first:
            await pilot.press("enter")
            await pilot.pause()
        app.screen.query_one("#field-name" if open_first else "#field-title").focus()
        await pilot.pause()
        per_key = await _per_key(pilot)
        started = time.perf_counter()
        for _ in range(KEYS):
            app.screen.recheck()
        return per_key, (time.perf_counter() - started) / KEYS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--ready", metavar="ROOT", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.bare:
        asyncio.run(bare_ready())
        return
    if options.ready:
        asyncio.run(app_ready(Path(options.ready)))
        return
    with tempfile.TemporaryDirectory(prefix="llweek-bench-") as folder:
        root = build(Path(folder) / "repo", options.units, options.activities)
        records = sum(1 for _ in root.rglob("*.toml"))
        floor = statistics.median(time_to_ready("--bare") for _ in range(3))
        start = statistics.median(time_to_ready("--ready", str(root)) for _ in range(3))
        print(f"{records} 个记录文件")
        print(f"启动（新进程，含导入）到看板可用：{start:.2f} s；空白 Textual 应用 {floor:.2f} s；"
              f"比值 {start / floor:.1f}（目标 ≤ 1.5 s）")
        key_floor = asyncio.run(bare_keystroke())
        for label, key, open_first in (("附表1 表单", "activities", True),
                                       ("展板素材", "exhibition", False)):
            per_key, checking = asyncio.run(app_keystroke(root, key, open_first))
            print(f"{label}：按键到重绘 {per_key * 1000:.1f} ms，空白输入框 {key_floor * 1000:.1f} ms，"
                  f"比值 {per_key / key_floor:.2f}；表单自身检查 {checking * 1000:.1f} ms（目标 < 50 ms）")


if __name__ == "__main__":
    main()
