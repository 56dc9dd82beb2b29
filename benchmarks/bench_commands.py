"""The commands people wait for, each against its floor on the synthetic repository:

- validate (cold, and warm: its load cache filled) against compiled tomli parsing the same
  files in a fresh process (targets ≤ 1.3× cold, ≤ 0.5× warm);
- the merge driver: `git merge` of 100 records changed on both sides (different fields),
  with llweek's driver against Git's built-in merge of the same files (target ≤ 3×);
- `llweek log` of one record with 50 versions against `git log -p` of it (target ≤ 3×);
- peak memory of validate, status --json and log, all their processes counted (≤ 250 MiB).

    python benchmarks/bench_commands.py [--repo DIR] [--big DIR] [--runs N]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.measure import (  # noqa: E402
    Figure,
    standalone,
    absolute_figure,
    interleaved,
    peak_memory,
    ratio_figure,
    wall,
)

LLWEEK = [sys.executable, "-m", "tui"]
TOMLI_FLOOR = """
import os, sys, tomli
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".toml"):
            with open(os.path.join(folder, name), "rb") as handle:
                tomli.loads(handle.read().decode("utf-8"))
"""
IDENTITY = {"GIT_AUTHOR_NAME": "基准", "GIT_AUTHOR_EMAIL": "bench@example.cn",
            "GIT_COMMITTER_NAME": "基准", "GIT_COMMITTER_EMAIL": "bench@example.cn"}
MEMORY_LIMIT = 250


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, **IDENTITY}).stdout


def _set(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"^{key} = .*$", f"{key} = {value}", text, count=1, flags=re.M),
                    encoding="utf-8")


def _clone(source: Path, target: Path) -> Path:
    git(source.parent, "clone", "-q", str(source), str(target))
    subprocess.run([*LLWEEK, "status", "-C", str(target)], capture_output=True, check=True)
    return target  # a llweek command registered the merge driver


def validate(repo: Path, runs: int) -> list[Figure]:
    from datastore.answercache import answers_path
    from datastore.loadcache import cache_path

    def cold() -> float:
        cache_path(repo).unlink(missing_ok=True)
        answers_path(repo).unlink(missing_ok=True)
        return wall([*LLWEEK, "validate", "-C", str(repo)])

    floor = [sys.executable, "-c", TOMLI_FLOOR, str(repo)]
    ours, base, ratio = interleaved(cold, lambda: wall(floor), runs)
    figures = [ratio_figure("validate（冷：无缓存）对 tomli 解析同样的文件", ours, base, ratio, 1.3)]
    wall([*LLWEEK, "validate", "-C", str(repo)])  # fills the cache
    ours, base, ratio = interleaved(lambda: wall([*LLWEEK, "validate", "-C", str(repo)]),
                                    lambda: wall(floor), runs)
    figures.append(ratio_figure("validate（热：有缓存）对 tomli 解析同样的文件", ours, base, ratio, 0.5))
    return figures


def merge_driver(repo: Path, place: Path, runs: int, files: int = 100) -> Figure:
    """Both sides change a different field of the same `files` activities."""
    mine, floor = _clone(repo, place / "merge-mine"), _clone(repo, place / "merge-floor")
    (floor / ".git/info").mkdir(exist_ok=True)
    (floor / ".git/info/attributes").write_text("*.toml merge=text\n")  # Git's own merge
    activities = sorted((mine / "units/unit-001/activities").glob("*.toml"))[:files]
    for clone, branch, key in ((mine, "theirs", "venue"), (mine, "main", "participants")):
        git(clone, "checkout", "-q", "-B", branch, "origin/main")
        for path in activities:
            _set(path, key, '"新址"' if key == "venue" else "999")
        git(clone, "commit", "-q", "-am", f"{key} of {files} activities")
    git(floor, "fetch", "-q", str(mine), "theirs:theirs", "main:mine")
    git(floor, "checkout", "-q", "mine")
    heads = {clone: git(clone, "rev-parse", "HEAD").strip() for clone in (mine, floor)}

    def merged(clone: Path) -> float:
        git(clone, "reset", "-q", "--hard", heads[clone])
        took = wall(["git", "-C", str(clone), "merge", "-q", "--no-edit", "theirs"],
                    env={**os.environ, **IDENTITY})
        assert not git(clone, "diff", "--name-only", "--diff-filter=U"), "merge left conflicts"
        return took

    ours, base, ratio = interleaved(lambda: merged(mine), lambda: merged(floor), runs)
    return ratio_figure(f"git merge（{files} 个记录两边都改）llweek 合并驱动 对 Git 内置合并",
                        ours, base, ratio, 3.0)


def sync_merge(repo: Path, place: Path, runs: int, files: int = 100) -> Figure:
    """`llweek sync` merging `files` activities both sides changed (different fields; the
    records merged in-process, no driver process per file) against `git pull && git push`
    with Git's own merge of the same commits."""
    central = place / "sync-central.git"
    git(place, "clone", "-q", "--bare", str(repo), str(central))
    base = git(central, "rev-parse", "main").strip()
    helper, mine, floor = (_clone(central, place / name)
                           for name in ("sync-helper", "sync-mine", "sync-floor"))
    (floor / ".git/info/attributes").write_text("*.toml merge=text\n")
    heads = {}
    for clone, key in ((helper, "venue"), (mine, "participants"), (floor, "participants")):
        for path in sorted((clone / "units/unit-001/activities").glob("*.toml"))[:files]:
            _set(path, key, '"新址"' if key == "venue" else "999")
        git(clone, "commit", "-q", "-am", f"{key} of {files} activities")
        heads[clone] = git(clone, "rev-parse", "HEAD").strip()
    git(helper, "push", "-q", "origin", "main")
    theirs = heads[helper]
    env = {**os.environ, **IDENTITY}

    def synced(clone: Path, command: list[str]) -> float:
        git(central, "update-ref", "refs/heads/main", theirs)
        git(clone, "reset", "-q", "--hard", heads[clone])
        git(clone, "update-ref", "refs/remotes/origin/main", base)
        took = wall(command, env=env)
        assert git(central, "rev-parse", "main").strip() != theirs, "nothing was pushed"
        return took

    ours, floor_time, ratio = interleaved(
        lambda: synced(mine, [*LLWEEK, "sync", "-C", str(mine)]),
        lambda: synced(floor, ["sh", "-c", f"git -C '{floor}' pull -q --no-rebase --no-edit && "
                                           f"git -C '{floor}' push -q"]), runs)
    return ratio_figure(f"llweek sync（{files} 个记录两边都改，合并后推送）对 git pull && git push",
                        ours, floor_time, ratio, 3.0)


def log(repo: Path, place: Path, runs: int, versions: int = 50) -> Figure:
    clone = _clone(repo, place / "log")
    record = sorted((clone / "units/unit-002/activities").glob("*.toml"))[0]
    rel = str(record.relative_to(clone))
    while int(git(clone, "rev-list", "--count", "HEAD", "--", rel)) < versions:
        _set(record, "participants", str(100 + int(git(clone, "rev-list", "--count", "HEAD"))))
        git(clone, "commit", "-q", "-am", "修改人数")
    ours, base, ratio = interleaved(
        lambda: wall([*LLWEEK, "log", "-C", str(clone), rel]),
        lambda: wall(["git", "-C", str(clone), "log", "-p", "--", rel]), runs)
    return ratio_figure(f"llweek log（一个记录 {versions} 个版本）对 git log -p", ours, base,
                        ratio, 3.0)


def memory(repo: Path, records: int) -> list[Figure]:
    log_path = str(sorted((repo / "units/unit-002/activities").glob("*.toml"))[0]
                   .relative_to(repo))
    figures = []
    for what, args in (("validate", ["validate"]), ("status --json", ["status", "--json"]),
                       ("log 一个记录", ["log", log_path])):
        peak = peak_memory([*LLWEEK, *args, "-C", str(repo)] if what != "log 一个记录"
                           else [*LLWEEK, "log", "-C", str(repo), log_path])
        figures.append(absolute_figure(f"{what} 内存峰值（{records} 个记录，所有进程合计）", peak,
                                       None, MEMORY_LIMIT, "MiB"))
    return figures


def run(repo: Path, big: Path | None, runs: int) -> list[Figure]:
    place = Path(tempfile.mkdtemp(prefix="llweek-bench-commands-"))
    try:
        figures = validate(repo, runs)
        figures.append(merge_driver(repo, place, runs))
        figures.append(sync_merge(repo, place, runs))
        figures.append(log(repo, place, runs))
        if big is not None:
            figures += memory(big, sum(1 for _ in big.rglob("*.toml")))
        return figures
    finally:
        shutil.rmtree(place, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(standalone(run, __doc__))
