"""Save and sync against plain Git, on the 10,000-record repository.

    python benchmarks/bench_save_sync.py [--rounds N]

Targets (issue 3): one save (validate + write + commit) at most 1.3× `git add FILE && git
commit`; a sync of one changed record over a file:// remote at most 1.5× `git pull && git
push`. Both floors are measured here, in the same run, in the same clones with the same
configuration (llweek's core.fsync=all included), alternating with llweek's own runs so that
a busy machine slows both alike. Prints medians and ratios; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import activity_id, build  # noqa: E402
from datastore.gitrepo import open_repo  # noqa: E402
from datastore.loader import read_record  # noqa: E402
from datastore.models import ACTIVITIES  # noqa: E402
from datastore.records import with_changes  # noqa: E402
from datastore.save import save_record  # noqa: E402
from datastore.sync import sync  # noqa: E402

SAVE_TARGET, SYNC_TARGET = 1.3, 1.5
IDENTITY = {"GIT_AUTHOR_NAME": "基准", "GIT_AUTHOR_EMAIL": "bench@example.cn",
            "GIT_COMMITTER_NAME": "基准", "GIT_COMMITTER_EMAIL": "bench@example.cn"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, **IDENTITY})


def activity(unit: int, number: int) -> tuple[str, str]:
    return f"unit-{unit:03d}", ACTIVITIES.path(f"unit-{unit:03d}", activity_id(unit, number))


def save(root: Path, unit: int, number: int, **changes: object) -> float:
    """Change one activity through llweek's save path; returns the time of the save alone."""
    unit_id, rel = activity(unit, number)
    stored = read_record(root, rel, ACTIVITIES, ACTIVITIES.model, unit_id, [])
    assert stored.record is not None
    updated = with_changes(stored.record, changes)
    started = time.perf_counter()
    result = save_record(root, ACTIVITIES, unit_id, updated, expected=stored.digest)
    elapsed = time.perf_counter() - started
    assert result.commit is not None, f"{rel}: nothing changed, nothing measured"
    return elapsed


def hand_commit(root: Path, unit: int, number: int, participants: int) -> float:
    """The same change made by hand: edit the file, then time `git add && git commit`."""
    _, rel = activity(unit, number)
    text = (root / rel).read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("participants = "))
    (root / rel).write_text(text.replace(old, f"participants = {participants}"), encoding="utf-8")
    started = time.perf_counter()
    git(root, "add", rel)
    git(root, "commit", "-q", "-m", f"修改 {rel}")
    return time.perf_counter() - started


def timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def alternate(rounds: int, plain: Callable[[int], float], ours: Callable[[int], float]
              ) -> tuple[float, float]:
    plain_times, our_times = [], []
    for n in range(rounds):
        plain_times.append(plain(2 * n))
        our_times.append(ours(2 * n + 1))
    return statistics.median(plain_times), statistics.median(our_times)


def report(what: str, plain: float, ours: float, target: float) -> bool:
    ratio = ours / plain
    verdict = "达标" if ratio <= target else "未达标"
    print(f"{what}: git {plain * 1000:.1f} ms, llweek {ours * 1000:.1f} ms, "
          f"比值 {ratio:.2f}（目标 ≤ {target}）{verdict}")
    return ratio <= target


def bench_save(root: Path, rounds: int) -> bool:
    return report("保存一条记录", *alternate(
        rounds,
        lambda n: hand_commit(root, 10, n % 100, 1000 + n),
        lambda n: save(root, 10, n % 100, participants=1000 + n)), SAVE_TARGET)


def bench_sync(place: Path, remote: Path, rounds: int, same_record: bool) -> tuple[float, float]:
    """Each round: someone else pushed one record, this clone saved one; then it syncs."""
    other, mine = place / ("other-same" if same_record else "other"), \
        place / ("mine-same" if same_record else "mine")
    for clone in (other, mine):
        git(place, "clone", "-q", f"file://{remote}", str(clone))
        with open_repo(clone):  # llweek's configuration, for the floor as well
            pass
        git(clone, "config", "user.name", "基准")
        git(clone, "config", "user.email", "bench@example.cn")

    theirs_unit, my_unit = (40, 40) if same_record else (20, 30)

    def prepare(n: int) -> None:
        git(other, "pull", "-q", "--no-rebase", "--no-edit")
        save(other, theirs_unit, n % 100, participants=2000 + n)
        git(other, "push", "-q", "origin", "HEAD:main")
        if same_record:  # another field of the same record: llweek runs its merge driver
            save(mine, my_unit, n % 100, seq=500 + n)
        else:
            save(mine, my_unit, n % 100, participants=3000 + n)

    # the floor merges a record line by line, as Git does without llweek's driver
    line_merge = ["-c", "merge.llweek.driver=git merge-file %A %O %B"]

    def plain(n: int) -> float:
        prepare(n)
        return timed(lambda: (git(mine, *line_merge, "pull", "-q", "--no-rebase", "--no-edit"),
                              git(mine, "push", "-q", "origin", "HEAD:main")))

    def ours(n: int) -> float:
        prepare(n)
        return timed(lambda: _synced(mine))

    return alternate(rounds, plain, ours)


def _synced(root: Path) -> None:
    result = sync(root)
    assert (result.pulled, result.pushed) == (1, 2), result.summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="llweek-bench-") as folder:
        place = Path(folder)
        started = time.perf_counter()
        source = build(place / "source")
        remote = place / "central.git"
        git(place, "clone", "-q", "--bare", str(source), str(remote))
        work = place / "work"
        git(place, "clone", "-q", f"file://{remote}", str(work))
        git(work, "config", "user.name", "基准")
        git(work, "config", "user.email", "bench@example.cn")
        with open_repo(work):
            pass
        print(f"材料库：{sum(1 for _ in work.rglob('*.toml'))} 个记录文件，"
              f"建立用时 {time.perf_counter() - started:.1f} s，每项取 {options.rounds} 次的中位数")
        ok = bench_save(work, options.rounds)
        ok &= report("同步一条修改（file:// 远端，不同记录）",
                     *bench_sync(place, remote, options.rounds, same_record=False), SYNC_TARGET)
        plain, ours = bench_sync(place, remote, options.rounds, same_record=True)
        print(f"参考：两边改同一记录的不同字段：git 按行合并 {plain * 1000:.1f} ms，"
              f"llweek 字段级合并（另起一个合并驱动进程）{ours * 1000:.1f} ms，比值 {ours / plain:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
