"""The full-screen app in a real terminal (tmux, 80×24), against a clean bare Textual app:

- `llweek demo` on a fresh folder until its dashboard shows the sample's units (target ≤ 3 s);
- the app started on the synthetic repository until the dashboard shows its units, at 10,000
  records (target ≤ 2× the bare app) and at 100,000 with a warm load cache (≤ 1.5 s), and its
  peak memory there, all its processes counted (≤ 250 MiB);
- one key typed in a form (附表1, 展板素材) until the terminal shows it, against a bare app's
  focused Input (< 50 ms).

    python benchmarks/bench_app.py [--repo DIR] [--big DIR] [--runs N]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import (  # noqa: E402
    Figure,
    Terminal,
    absolute_figure,
    interleaved,
    ratio_figure,
    standalone,
)

LLWEEK = [sys.executable, "-m", "tui"]
BARE = [sys.executable, str(Path(__file__).with_name("bare_app.py"))]
KEYS = 20  # a name field of 50 characters takes them all


def _grid_shows(name: str):  # noqa: ANN202
    """The dashboard (or the bare table) has drawn the row of this unit."""
    return lambda screen: any(line.lstrip().startswith(name) for line in screen.splitlines())


def demo(terminal: Terminal, place: Path, runs: int) -> Figure:
    count = iter(range(1000))

    def once() -> float:
        return terminal.time_to([*LLWEEK, "demo", str(place / f"demo{next(count)}")],
                                _grid_shows("长春市"))

    ours, floor, _ = interleaved(once, lambda: terminal.time_to(BARE, _grid_shows("第0市")), runs)
    return absolute_figure("llweek demo 到首屏（新文件夹，含建立示例库）", ours, floor, 3.0)


def start(terminal: Terminal, repo: Path, runs: int) -> tuple[float, float, float]:
    command = [*LLWEEK, "-C", str(repo), "--today", "2021-10-20", "--unit", "unit-000"]
    return interleaved(lambda: terminal.time_to(command, _grid_shows("第1市")),
                       lambda: terminal.time_to(BARE, _grid_shows("第0市")), runs)


def memory(terminal: Terminal, repo: Path, records: int) -> Figure:
    command = [*LLWEEK, "-C", str(repo), "--today", "2021-10-20", "--unit", "unit-000"]
    peak = terminal.time_to(command, _grid_shows("第1市"), memory=True)
    return absolute_figure(f"应用启动内存峰值（{records} 个记录，所有进程合计）", peak, None, 250,
                           "MiB")


# ------------------------------------------------------------------ keystrokes

#: from the dashboard of unit-001 (short texts: room for the keys) to a form's first field:
#: (key, text the screen shows after it)
_TO_UNIT = [("", "第2市"), ("Enter", "第1市 › 单位概况"), ("Down", "未填写「活动地点」")]
FORMS = {
    "附表1 表单": _TO_UNIT + [("Enter", "共 100 项"), ("Enter", "活动名称 *")],
    "展板素材": _TO_UNIT + [("Down", "内容 648 字"), ("Enter", "文稿题目 *")],
}


def keystrokes(terminal: Terminal, repo: Path, runs: int) -> list[Figure]:
    """A key typed into a form's field in the real terminal until it is on the screen,
    against the same in a bare app's focused Input, in turns."""
    command = [*LLWEEK, "-C", str(repo), "--today", "2021-10-20", "--unit", "unit-001"]
    figures = []
    for label, steps in FORMS.items():
        ours, floor, _ = interleaved(lambda: terminal.per_key(command, steps, KEYS),
                                     lambda: terminal.per_key([*BARE, "input"],
                                                              [("", "在此输入")], KEYS),
                                     max(runs // 2, 1))
        figures.append(Figure(f"{label}按键到重绘（真实终端）", ours * 1000, floor * 1000, "ms",
                              ours / floor, "< 50 ms", ours < 0.05))
    return figures


def run(repo: Path, big: Path | None, runs: int) -> list[Figure]:
    terminal = Terminal()
    place = Path(tempfile.mkdtemp(prefix="llweek-bench-app-"))
    try:
        figures = [demo(terminal, place, runs)]
        ours, floor, ratio = start(terminal, repo, runs)
        figures.append(ratio_figure("应用启动到看板可用（10,000 个记录）对空白 Textual 应用", ours, floor,
                                    ratio, 2.0))
        if big is not None:
            records = sum(1 for _ in big.rglob("*.toml"))
            ours, floor, _ = start(terminal, big, runs)  # its first run fills the cache
            figures.append(absolute_figure(f"应用启动到看板可用（{records} 个记录，缓存已建立）", ours,
                                           floor, 1.5))
            figures.append(memory(terminal, big, records))
        figures += keystrokes(terminal, repo, runs)
        return figures
    finally:
        terminal.close()
        shutil.rmtree(place, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(standalone(run, __doc__))
