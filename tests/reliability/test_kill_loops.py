"""kill -9 during saves and syncs, over and over: every acknowledged save is still there, `git
fsck` stays clean, and the next save and sync go through without anyone deleting a file.

Each round kills the whole process group (llweek and the git it runs) at a moment drawn from a
seeded generator, so kills land before, inside and after each step. The central repository is
reached through `setsid git-receive-pack`, as a real server would be: killing a clone's sync
must not kill the server's side of the push. Nothing here waits on time to decide an outcome:
the assertions hold whenever the kill lands.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datastore.conflicts import MINE, finish_merge, list_conflicts, resolve_fields
from datastore.sync import sync
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, SUMMARY, central, clone, edit, fields
from tests.reliability.hostile import WORKTREE

ROUNDS = 100
CASE = "units/changchun/cases/a56hz6uwqr.toml"

SAVER = """
import sys
from pathlib import Path
from tests.gitscenarios import add, edit
repo, start = Path(sys.argv[1]), int(sys.argv[2])
for n in range(start, start + 1000):
    if n % 3 == 0:
        result = add(repo, f"units/changchun/activities/kill-{n:06d}.toml", name=f"活动{n}", seq=n)
    elif n % 3 == 1:
        result = edit(repo, "units/changchun/activities/dbxjjcezek.toml", participants=n)
    else:
        result = edit(repo, "units/changchun/summary.toml", text=f"总结第 {n} 版")
    print(f"ack {n} {result.commit}", flush=True)
"""


def _server_side_apart(repo: Path) -> None:
    """The push and fetch helpers in a session of their own, as on a remote server."""
    git(repo, "config", "remote.origin.receivepack", "setsid git-receive-pack")
    git(repo, "config", "remote.origin.uploadpack", "setsid git-upload-pack")


def _start(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{WORKTREE}:{WORKTREE / 'tests'}"}
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _contains(repo: Path, commit: str, ref: str = "main") -> bool:
    return subprocess.run(["git", "-C", str(repo), "merge-base", "--is-ancestor", commit, ref],
                          capture_output=True, check=False).returncode == 0


def _fsck(repo: Path) -> None:
    done = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-progress"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr


@pytest.mark.slow
def test_saves_killed_at_random_moments_lose_no_acknowledged_save(tmp_path: Path,
                                                                  sample_master: Path):
    remote = central(tmp_path, sample_master)
    mine = clone(remote, tmp_path / "mine")
    chance = random.Random(20211020)
    acknowledged: dict[int, str] = {}
    for round_ in range(ROUNDS):
        saver = _start(SAVER, str(mine), str(1000 * (round_ + 1)))  # each round its own numbers
        wanted = chance.randint(0, 2)  # acknowledgements to wait for before the kill
        assert saver.stdout is not None
        for _ in range(wanted):
            line = saver.stdout.readline()
            if line.startswith("ack "):
                _, n, commit = line.split()
                acknowledged[int(n)] = commit
        time.sleep(chance.uniform(0, 0.6))  # where the kill lands; no outcome depends on it
        _kill(saver)
        for line in saver.stdout.read().splitlines():  # acknowledged before the kill landed
            if line.startswith("ack "):
                _, n, commit = line.split()
                acknowledged[int(n)] = commit

    assert len(acknowledged) >= ROUNDS // 2
    result = edit(mine, SUMMARY, text="最后一版总结")  # the next save needs no hand
    assert result.commit
    assert sync(mine).unreachable is None
    assert git(mine, "status", "--porcelain") == ""
    _fsck(mine)
    _fsck(remote)
    for n, commit in acknowledged.items():
        if commit != "None":
            assert _contains(mine, commit, "HEAD"), f"acknowledged save {n} ({commit}) is gone"
    head_files = git(mine, "ls-tree", "-r", "--name-only", "HEAD")
    for n in acknowledged:
        if n % 3 == 0:
            assert f"units/changchun/activities/kill-{n:06d}.toml" in head_files
    last_edit = max(n for n in acknowledged if n % 3 == 1)
    assert fields(mine, ACTIVITY)["participants"] >= last_edit


@pytest.mark.slow
def test_syncs_killed_at_random_moments_lose_nothing_and_the_next_sync_goes_through(
        tmp_path: Path, sample_master: Path):
    remote = central(tmp_path, sample_master)
    mine = clone(remote, tmp_path / "mine")
    other = clone(remote, tmp_path / "other", "王宇", "wangyu_ccjy@163.com")
    _server_side_apart(mine)
    chance = random.Random(20211021)
    acknowledged: list[str] = []
    for round_ in range(ROUNDS):
        edit(other, ACTIVITY, venue=f"对方的地点 {round_}")  # a field merge for mine
        if round_ % 10 == 5:
            edit(other, CASE, title=f"对方的标题 {round_}")  # the same field as mine: a conflict
        sync(other)
        acknowledged.append(edit(mine, ACTIVITY, participants=1000 + round_).commit)
        if round_ % 10 == 5:
            acknowledged.append(edit(mine, CASE, title=f"我的标题 {round_}").commit)
        syncing = _start("import sys; from pathlib import Path; from datastore.sync import sync;"
                         " sync(Path(sys.argv[1]))", str(mine))
        time.sleep(chance.uniform(0, 2.0))  # where the kill lands; no outcome depends on it
        _kill(syncing)
        result = sync(mine)  # the next sync: no hand-deleted file, whatever the kill left
        if result.conflicts:
            for record in list_conflicts(mine):
                resolve_fields(mine, record.path, {f.path: MINE for f in record.fields})
            finish_merge(mine)
            result = sync(mine)
        assert not result.conflicts and result.unreachable is None, result
        if round_ % 10 == 0:
            _fsck(mine)

    sync(other)
    for repo in (mine, other, remote):
        _fsck(repo)
    assert git(mine, "status", "--porcelain") == ""
    for commit in acknowledged:
        assert _contains(remote, commit), f"acknowledged save {commit} is not on the server"
    pushed = git(remote, "log", "main", "--name-only", "--format=")
    assert ".merge_file_" not in pushed and "llweek-" not in pushed
    assert fields(other, ACTIVITY)["participants"] == 1000 + ROUNDS - 1
    assert fields(other, ACTIVITY)["venue"] == f"对方的地点 {ROUNDS - 1}"
