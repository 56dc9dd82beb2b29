"""How the benchmarks measure: whole processes, medians of interleaved runs, every process's
memory, and one line per figure with its floor and their ratio.

- Time is wall time of a whole process, from its start to its exit (interpreter start-up
  and imports included), or for a full-screen app from starting it in a real terminal (tmux)
  until the screen shows what a person waits for.
- llweek and its floor run in turn (A B A B …) so a busy machine slows both alike; the
  figure is the median of each side, the ratio the median of the pairwise ratios.
- Memory is the peak, over the run, of the summed proportional set size (PSS: shared pages
  split between the processes that share them) of the process and all its descendants.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

TMUX = ["tmux", "-L", f"llweek-bench-{os.getpid()}"]


@dataclass
class Figure:
    """One line of the report: llweek's figure, its floor, their ratio and the target."""

    what: str
    ours: float
    floor: float | None
    unit: str
    ratio: float | None
    target: str
    met: bool

    def line(self) -> str:
        floor = f"{self.floor:.3f} {self.unit}" if self.floor is not None else "—"
        ratio = f"{self.ratio:.2f}×" if self.ratio is not None else "—"
        verdict = "达标" if self.met else "未达标"
        return (f"{self.what}：llweek {self.ours:.3f} {self.unit}，基准 {floor}，比值 {ratio}"
                f"（目标 {self.target}）{verdict}")


def ratio_figure(what: str, ours: float, floor: float, ratio: float, limit: float,
                 unit: str = "s") -> Figure:
    return Figure(what, ours, floor, unit, ratio, f"≤ {limit}×", ratio <= limit)


def absolute_figure(what: str, ours: float, floor: float | None, limit: float,
                    unit: str = "s") -> Figure:
    ratio = ours / floor if floor else None
    return Figure(what, ours, floor, unit, ratio, f"≤ {limit} {unit}", ours <= limit)


def interleaved(ours: Callable[[], float], floor: Callable[[], float], runs: int
                ) -> tuple[float, float, float]:
    """(median of ours, median of the floor, median of the pairwise ratios), after one
    unmeasured warm-up run of each."""
    ours(), floor()
    pairs = [(ours(), floor()) for _ in range(runs)]
    return (statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs),
            statistics.median(a / b for a, b in pairs))


def wall(command: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
         stdin: bytes | None = None, check: bool = True) -> float:
    """Seconds from starting `command` until it has exited."""
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=cwd, env=env, input=stdin,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if check and done.returncode not in (0, 1):  # 1: llweek found errors, as intended
        raise SystemExit(f"{shlex.join(command)} 失败：{done.stderr.decode(errors='replace')}")
    return elapsed


# ------------------------------------------------------------------ memory of a process tree


def _children_of(root: int) -> set[int]:
    """Every live descendant of `root` (one pass over /proc)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler:
    """The peak summed PSS of a process and its descendants, sampled every 10 ms (new
    processes are looked for every 50 ms)."""

    def __init__(self, root: int) -> None:
        self.root, self.tree, self.peak_kib, self._scanned = root, {root}, 0, 0.0

    def sample(self) -> None:
        now = time.monotonic()
        if now - self._scanned > 0.05:
            self.tree = {self.root} | _children_of(self.root)
            self._scanned = now
        self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in self.tree))

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


def peak_memory(command: Sequence[str], *, cwd: Path | None = None, env: dict | None = None,
                stdin: bytes | None = None) -> float:
    """MiB: the peak of all of `command`'s processes together."""
    child = subprocess.Popen(list(command), cwd=cwd, env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler = TreeSampler(child.pid)
    if stdin is not None:
        assert child.stdin is not None
        child.stdin.write(stdin)
    if child.stdin:
        child.stdin.close()
    while child.poll() is None:
        sampler.sample()
        time.sleep(0.01)
    return sampler.peak_mib


# ------------------------------------------------------------------ full-screen apps in tmux


class Terminal:
    """A private tmux server: full-screen apps run in it as in a person's terminal."""

    def __init__(self, size: tuple[int, int] = (80, 24)) -> None:
        self.size = size
        self._count = 0
        # a session kept open keeps the server up: its start is paid once, by nobody
        subprocess.run([*TMUX, "new-session", "-d", "-s", "keep", "sleep", "86400"], check=True)

    def close(self) -> None:
        subprocess.run([*TMUX, "kill-server"], capture_output=True)

    def start(self, command: Sequence[str]) -> str:
        """Start `command` in a new window of the terminal's size; the window's name."""
        self._count += 1
        name = f"run{self._count}"
        width, height = self.size
        subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", str(width), "-y",
                        str(height), shlex.join(command)], check=True)
        return name

    def screen(self, name: str) -> str:
        return subprocess.run([*TMUX, "capture-pane", "-p", "-t", name], capture_output=True,
                              text=True).stdout

    def press(self, name: str, key: str) -> None:
        """Type one key (tmux's names: Enter, Down, x) as a person would."""
        subprocess.run([*TMUX, "send-keys", "-t", name, key], check=True)

    def wait(self, name: str, shown: Callable[[str], bool], timeout: float = 120.0,
             sampler: "TreeSampler | None" = None) -> None:
        """Until `shown(screen text)`; what was on the screen if it never is."""
        started = time.perf_counter()
        while True:
            screen = self.screen(name)
            if shown(screen):
                return
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"{timeout:.0f} s 内没有显示，屏幕为：\n{screen}")
            if sampler:
                sampler.sample()
            time.sleep(0.005 if sampler is None else 0.0)

    def stop(self, name: str) -> None:
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)

    def time_to(self, command: Sequence[str], shown: Callable[[str], bool], *,
                timeout: float = 120.0, memory: bool = False) -> float:
        """Seconds from starting `command` in a new window until `shown(screen text)`, or
        with `memory` the peak MiB of its processes until then (and a little after)."""
        started = time.perf_counter()
        name = self.start(command)
        sampler = None
        if memory:
            pane = subprocess.run([*TMUX, "display", "-p", "-t", name, "#{pane_pid}"],
                                  capture_output=True, text=True, check=True).stdout
            sampler = TreeSampler(int(pane))
        try:
            self.wait(name, shown, timeout, sampler)
            elapsed = time.perf_counter() - started
            if sampler:
                for _ in range(20):  # what it does right after the first screen counts too
                    sampler.sample()
                    time.sleep(0.02)
        finally:
            self.stop(name)
        return sampler.peak_mib if sampler else elapsed

    def per_key(self, command: Sequence[str], steps: Sequence[tuple[str, str]],
                keys: int) -> float:
        """Median seconds from typing `x` until the screen shows it, `keys` times, in the app
        `command` once `steps` (a key, then the text to wait for) have led to the field."""
        name = self.start(command)
        try:
            for key, expected in steps:
                if key:
                    self.press(name, key)
                self.wait(name, lambda screen: expected in screen)
            time.sleep(0.3)  # the field focused and every timer of the screen run
            before = self.screen(name).count("x")
            times = []
            for typed in range(1, keys + 1):
                started = time.perf_counter()
                self.press(name, "x")
                self.wait(name, lambda screen: screen.count("x") >= before + typed, 10.0)
                times.append(time.perf_counter() - started)
            return statistics.median(times)
        finally:
            self.stop(name)


def standalone(run: Callable[[Path, Path | None, int], list[Figure]], doc: str) -> int:
    """A benchmark module run by itself: its figures on a repository built (or given) here."""
    from benchmarks.synthetic import build

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="an existing 10,000-record synthetic repository")
    parser.add_argument("--big", type=Path, help="a 100,000-record one")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="llweek-bench-") as folder:
        repo = options.repo or build(Path(folder) / "repo")
        figures = run(repo, options.big, options.runs)
    for figure in figures:
        print(figure.line())
    return 0 if all(f.met for f in figures) else 1
