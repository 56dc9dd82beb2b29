"""`llweek validate` on 10,000 records against its floor: a bare tomllib parse of the same files.

Both run as fresh processes (interpreter start included), best of several runs, in the same
run of this script. Targets: ratio ≤ 1.5, peak memory ≤ 250 MB.

    python benchmarks/bench_validate.py [--repo DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import build, record_files  # noqa: E402

FLOOR = """
import sys, tomllib
for name in sys.stdin.read().splitlines():
    with open(name, "rb") as handle:
        tomllib.loads(handle.read().decode("utf-8"))
"""


def timed(command: list[str], stdin: str | None = None) -> tuple[float, float]:
    """Wall seconds and user+system CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, input=stdin, text=True, stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def peak_mb(command: list[str]) -> float:
    """Peak resident memory of one run (a fresh interpreter that runs the command)."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, help="an existing synthetic repository")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    repo = options.repo or build(Path(tempfile.mkdtemp(prefix="llweek-bench-")) / "repo")
    files = "\n".join(str(p) for p in record_files(repo))
    validate = [sys.executable, "-m", "tui", "validate", "-C", str(repo)]
    floor = [sys.executable, "-c", FLOOR]
    timed(validate), timed(floor, files)  # warm the file cache
    ours = [timed(validate) for _ in range(options.runs)]
    base = [timed(floor, files) for _ in range(options.runs)]
    wall_ratio = min(w for w, _ in ours) / min(w for w, _ in base)
    cpu_ratio = min(c for _, c in ours) / min(c for _, c in base)
    memory = peak_mb(validate)
    print(f"records: {files.count(chr(10)) + 1}")
    print(f"llweek validate: {min(w for w, _ in ours):.2f} s wall, {min(c for _, c in ours):.2f} s cpu")
    print(f"tomllib floor:   {min(w for w, _ in base):.2f} s wall, {min(c for _, c in base):.2f} s cpu")
    print(f"ratio: {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x cpu (target <= 1.5)")
    print(f"peak memory: {memory:.0f} MB (target <= 250)")


if __name__ == "__main__":
    main()
