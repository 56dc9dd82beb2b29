"""The app's sync banner against `git status`, on the 10,000-record repository.

    python benchmarks/bench_sync_banner.py [--rounds N]

After every save and sync the app reads the clone's local state again (commits not yet
pushed, an open merge) to keep the banner under the top bar current. Target: that check
costs at most 0.5× one `git status --porcelain` in the same clone, the cheapest way any Git
tool learns a working tree's state. Both are timed alternately in the same run, so a busy
machine slows both alike. Prints medians and the ratio; exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import build  # noqa: E402
from datastore.gitrepo import open_repo  # noqa: E402
from datastore.syncstate import local_state  # noqa: E402

TARGET = 0.5


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def timed(action) -> float:  # noqa: ANN001
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="llweek-bench-") as folder:
        place = Path(folder)
        source = build(place / "source")
        git(place, "clone", "-q", "--bare", str(source), str(place / "central.git"))
        mine = place / "mine"
        git(place, "clone", "-q", f"file://{place / 'central.git'}", str(mine))
        with open_repo(mine):  # llweek's configuration, for the floor as well
            pass
        state = local_state(mine)
        assert state.ahead == 0 and not state.merging, state
        status, ours = [], []
        for _ in range(args.rounds):
            status.append(timed(lambda: git(mine, "status", "--porcelain")))
            ours.append(timed(lambda: local_state(mine)))
    plain, check = statistics.median(status), statistics.median(ours)
    ratio = check / plain
    verdict = "达标" if ratio <= TARGET else "未达标"
    print(f"同步提示检查: git status {plain * 1000:.1f} ms, llweek {check * 1000:.1f} ms, "
          f"比值 {ratio:.2f}（目标 ≤ {TARGET}）{verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
