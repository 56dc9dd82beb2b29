"""Lock files a killed llweek or git leaves never stop the next save or sync: cleared with a line
saying so when no process holds them, left alone (and named) while one really does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from datastore import lock
from datastore.errors import RepoBusy
from datastore.sync import sync
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, central, clone, edit, fields, llweek

GIT_LOCKS = ["index.lock", "HEAD.lock", "refs/heads/main.lock", "packed-refs.lock",
             "ORIG_HEAD.lock", "config.lock", "refs/remotes/origin/main.lock",
             "objects/info/commit-graphs/commit-graph-chain.lock",
             "objects/info/commit-graph.lock"]


@pytest.fixture
def mine(tmp_path: Path, sample_master: Path) -> Path:
    return clone(central(tmp_path, sample_master), tmp_path / "mine")


@pytest.mark.parametrize("name", GIT_LOCKS)
def test_a_lock_left_by_a_killed_git_is_cleared_at_the_next_save(mine: Path, name: str):
    stale = mine / ".git" / name
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("0" * 40 + "\n")  # made just now: age plays no part
    result = edit(mine, ACTIVITY, participants=321)
    assert not stale.exists()
    assert result.notes == [f"已清除上次中断留下的锁文件 .git/{name}（没有程序在使用它）"]
    assert "participants = 321" in git(mine, "show", f"HEAD:{ACTIVITY}")


def test_locks_left_by_a_killed_sync_are_cleared_at_the_next_sync(mine: Path, capsys):
    edit(mine, ACTIVITY, participants=654)
    for name in ("index.lock", "HEAD.lock", "refs/heads/main.lock"):
        (mine / ".git" / name).write_text("")
    code, out, err = llweek(capsys, "sync", "-C", str(mine))
    assert code == 0 and "推送 1 个提交" in out
    assert err.count("已清除上次中断留下的锁文件") == 3 and ".git/HEAD.lock" in err
    assert git(mine, "status", "--porcelain") == ""


def test_a_commit_graph_write_cut_short_does_not_stop_the_next_syncs_from_writing_one(
        mine: Path, capsys):
    """Sync writes Git's commit-graph after each fetch; a kill there leaves its chain lock,
    which would make every later write fail without a word (and `log` slow)."""
    edit(mine, ACTIVITY, participants=777)
    stale = mine / ".git/objects/info/commit-graphs/commit-graph-chain.lock"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("")
    code, _, err = llweek(capsys, "sync", "-C", str(mine))
    assert code == 0 and "commit-graph-chain.lock" in err
    assert not stale.exists()
    chain = (stale.parent / "commit-graph-chain").read_text().split()
    assert chain and git(mine, "commit-graph", "verify") == ""


def test_merge_driver_temp_files_are_removed_and_never_committed(mine: Path):
    for name in (".merge_file_a1B2c3", ".merge_file_ZZZZZZ"):
        (mine / name).write_text('id = "x"\n', encoding="utf-8")
    result = sync(mine)
    assert not list(mine.glob(".merge_file_*"))
    assert sorted(result.notes) == ["已删除上次中断的合并留下的临时文件 .merge_file_ZZZZZZ",
                                    "已删除上次中断的合并留下的临时文件 .merge_file_a1B2c3"]
    assert result.committed == [] and result.not_committed == []
    assert ".merge_file" not in git(mine, "log", "--all", "--name-only", "--format=")


def _blocking_commit(repo: Path, fifo: Path) -> subprocess.Popen:
    """`git commit -a` by hand, its editor waiting on `fifo`: git holds index.lock meanwhile."""
    os.mkfifo(fifo)
    (repo / ACTIVITY).write_text((repo / ACTIVITY).read_text(encoding="utf-8")
                                 .replace("participants = ", "participants = 1"), encoding="utf-8")
    editor = f"sh -c 'cat {fifo} > /dev/null; echo 手工提交 > \"$1\"' -"
    return subprocess.Popen(["git", "commit", "-a"], cwd=repo, env={**os.environ, "GIT_EDITOR": editor},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_until(condition, process: subprocess.Popen) -> None:  # noqa: ANN001
    """Until `condition()` holds (a state git reaches on its own), or the process ended."""
    while not condition():
        assert process.poll() is None, "git ended before reaching the state"
        os.sched_yield()


def test_a_git_really_holding_index_lock_is_left_alone_and_named(mine: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)  # how long a save waits for it, not a timing
    held = mine / ".git/index.lock"
    committing = _blocking_commit(mine, tmp_path / "editor")
    try:
        _wait_until(held.exists, committing)
        summary = (mine / "units/changchun/summary.toml").read_bytes()
        with pytest.raises(RepoBusy) as refused:
            edit(mine, "units/changchun/summary.toml", text="新的总结")
        message = str(refused.value)
        assert f"git commit（进程 {committing.pid}" in message
        assert "保存 units/changchun/summary.toml正在等待" in message and ".git/index.lock" in message
        assert held.exists() and committing.poll() is None
        assert (mine / "units/changchun/summary.toml").read_bytes() == summary
    finally:
        with open(tmp_path / "editor", "w") as release:
            release.write("done\n")
        committing.wait()
    assert committing.returncode == 0 and not held.exists()
    result = edit(mine, "units/changchun/summary.toml", text="新的总结")
    assert result.commit and result.notes == []
    assert git(mine, "log", "-2", "--format=%s").splitlines()[1] == "手工提交"


def test_a_sync_waits_for_a_git_at_work_then_says_who(mine: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)
    committing = _blocking_commit(mine, tmp_path / "editor")
    try:
        _wait_until((mine / ".git/index.lock").exists, committing)
        code, _, err = llweek(capsys, "sync", "-C", str(mine))
        assert code == 2 and "同步正在等待 git commit" in err and "请等它结束后再试" in err
    finally:
        with open(tmp_path / "editor", "w") as release:
            release.write("done\n")
        committing.wait()
    assert llweek(capsys, "sync", "-C", str(mine))[0] == 0
    assert fields(mine, ACTIVITY)["participants"] >= 10
