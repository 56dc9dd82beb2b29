"""Every speed and memory figure of llweek against its floor, in one run:

    python -m benchmarks [--quick] [--keep DIR] [--runs N]

Builds the synthetic repositories (10,000 records, and unless --quick 100,000), then runs the
app, command, save/sync, sync-banner, push-check and roll-up export benchmarks; each line says
llweek's figure, its floor, their ratio and the target. Exits 1 when a target is missed.
`--keep DIR` keeps (and reuses) the built repositories there.
"""

from __future__ import annotations

import argparse
import compileall
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import bench_app, bench_commands  # noqa: E402
from benchmarks.synthetic import build  # noqa: E402

#: benchmarks that are scripts of their own: (file, arguments with --quick); each prints its
#: figures
SCRIPTS = [("bench_save_sync.py", []), ("bench_sync_banner.py", []), ("push_check.py", []),
           ("export_rollup.py", ["--memory-activities", "100"]), ("bench_key_lines.py", []),
           ("long_list.py", [])]


def _repository(place: Path, name: str, activities: int) -> Path:
    target = place / name
    if not target.exists():
        print(f"建立 {name}（100 个单位 × {activities} 项活动）……", flush=True)
        build(target, 100, activities)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="跳过 100,000 个记录的部分")
    parser.add_argument("--keep", type=Path, help="保留（并重用）生成的材料库的文件夹")
    parser.add_argument("--runs", type=int, default=7, help="每项交替运行的次数")
    options = parser.parse_args()
    # as `pip install .` does: compiled modules, so no run pays for compiling llweek's source
    for package in ("datastore", "tui", "exports"):
        compileall.compile_dir(HERE.parent / package, quiet=1)
    place = options.keep or Path(tempfile.mkdtemp(prefix="llweek-bench-"))
    place.mkdir(parents=True, exist_ok=True)
    repo = _repository(place, "repo-10k", 100)
    big = None if options.quick else _repository(place, "repo-100k", 1000)
    figures = bench_app.run(repo, big, options.runs) + bench_commands.run(repo, big, options.runs)
    print()
    for figure in figures:
        print(figure.line(), flush=True)
    ok = all(f.met for f in figures)
    for script, args in SCRIPTS:
        if (HERE / script).exists():
            extra = args if options.quick else []  # --quick: no 100,000-record part anywhere
            ok &= subprocess.run([sys.executable, str(HERE / script), *extra]).returncode == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
