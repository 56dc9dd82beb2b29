"""Reading a record full of unknown keys, against its floor: tomllib parsing the same file.

Every unknown key is a finding that names its line; finding those lines must stay linear in
the file's size (a regular expression per key was quadratic: 19.6 s at 16,000 keys). For
2,000 and 16,000 keys this prints llweek's time to read the record with all its findings,
the floor's, their ratio, and how the ratio grows from the small file to the large one.
Targets: ratio ≤ 3 at 16,000 keys; growth ≤ 1.5 (a linear cost keeps the ratio flat).

    python benchmarks/bench_key_lines.py [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datastore.loader import record_from_bytes  # noqa: E402
from datastore.models import Activity  # noqa: E402
from datastore.tomlio import tomllib  # noqa: E402


def record(keys: int) -> bytes:
    lines = ['id = "bench00001"', 'name = "讲座"', *(f"unknown_{n} = {n}" for n in range(keys))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def best(runs: int, work) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    ratios = {}
    for keys in (2_000, 16_000):
        raw = record(keys)
        ours = best(options.runs, lambda: record_from_bytes(raw, "units/u/activities/bench00001.toml",
                                                             None, Activity, "u", []))
        floor = best(options.runs, lambda: tomllib.loads(raw.decode("utf-8")))
        ratios[keys] = ours / floor
        print(f"{keys:>6} unknown keys: llweek {ours * 1000:7.1f} ms, floor {floor * 1000:7.1f} ms, "
              f"ratio {ratios[keys]:.2f}")
    growth = ratios[16_000] / ratios[2_000]
    print(f"ratio growth from 2,000 to 16,000 keys: {growth:.2f} (linear keeps it near 1; target ≤ 1.5)")
    print(f"ratio at 16,000 keys: {ratios[16_000]:.2f} (target ≤ 3)")


if __name__ == "__main__":
    main()
