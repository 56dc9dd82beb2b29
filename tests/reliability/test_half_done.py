"""A save or a sync is never left half-done: a commit that fails puts the files back, and a
writer killed at any point is finished or undone by the next one, whatever state it left.

Kills here are real and deterministic: a `reference-transaction` hook kills the llweek process
(and its git) at the very moment the branch is about to move, i.e. after every file is written
and before the commit lands (or, asked to, as `git merge` begins: when it writes ORIG_HEAD).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from datastore.conflicts import MINE, finish_merge, list_conflicts, resolve_fields
from datastore.errors import LlweekError
from datastore.sync import sync
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, SUMMARY, add, central, clone, delete, edit, fields, subjects
from tests.reliability.hostile import WORKTREE

HOOK = """#!/bin/sh
# test only: at the moment a commit would move the branch, fail it or kill whoever runs it
[ "$1" = prepared ] || exit 0
marker="$(git rev-parse --git-dir)/test-at-commit"
[ -e "$marker" ] || exit 0
what="$(cat "$marker")"
moving=' (HEAD|refs/heads/main)$'
[ "$what" = kill-at-merge ] && moving=' ORIG_HEAD$'  # git merge notes ORIG_HEAD first
grep -qE "$moving" || exit 0
[ "$what" = fail ] && exit 1
rm -f "$marker"
caller=$(awk '{print $4}' /proc/$PPID/stat)
kill -9 "$caller" "$PPID"
exit 1
"""


@pytest.fixture
def remote(tmp_path: Path, sample_master: Path) -> Path:
    return central(tmp_path, sample_master)


@pytest.fixture
def mine(remote: Path, tmp_path: Path) -> Path:
    return _with_hook(clone(remote, tmp_path / "mine"))


@pytest.fixture
def other(remote: Path, tmp_path: Path) -> Path:
    return clone(remote, tmp_path / "other", "王宇", "wangyu_ccjy@163.com")


def _with_hook(repo: Path) -> Path:
    hook = repo / ".git/hooks/reference-transaction"
    hook.write_text(HOOK, encoding="utf-8")
    hook.chmod(0o755)
    return repo


def _at_next_commit(repo: Path, what: str) -> None:
    (repo / ".git/test-at-commit").write_text(what, encoding="utf-8")


def _in_a_process(repo: Path, code: str) -> subprocess.CompletedProcess:
    program = f"from pathlib import Path\nrepo = Path({str(repo)!r})\n{code}"
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(WORKTREE)}, timeout=120)


def _clean(repo: Path) -> None:
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    git(repo, "fsck", "--no-progress")
    assert not (repo / ".git/llweek-save.json").exists()
    assert not (repo / ".git/llweek-merge.json").exists()


# ------------------------------------------------------------------ a commit that fails


def test_a_save_whose_commit_fails_puts_the_file_back(mine: Path):
    before = (mine / ACTIVITY).read_bytes()
    _at_next_commit(mine, "fail")
    with pytest.raises(LlweekError, match="提交失败"):
        edit(mine, ACTIVITY, participants=999)
    assert (mine / ACTIVITY).read_bytes() == before
    _clean(mine)
    (mine / ".git/test-at-commit").unlink()
    assert edit(mine, ACTIVITY, participants=999).commit


def test_a_new_record_whose_commit_fails_is_not_left_behind(mine: Path):
    _at_next_commit(mine, "fail")
    new = "units/changchun/activities/newrecord1.toml"
    with pytest.raises(LlweekError, match="提交失败"):
        add(mine, new, name="新活动")
    assert not (mine / new).exists()
    _clean(mine)


def test_a_delete_whose_commit_fails_keeps_the_record(mine: Path):
    before = (mine / ACTIVITY).read_bytes()
    _at_next_commit(mine, "fail")
    with pytest.raises(LlweekError, match="提交失败"):
        delete(mine, ACTIVITY)
    assert (mine / ACTIVITY).read_bytes() == before
    _clean(mine)


# ------------------------------------------------------------------ a save killed


SAVE = """
from tests.gitscenarios import edit
edit(repo, "units/changchun/activities/dbxjjcezek.toml", participants=777)
print("saved")
"""


def test_a_save_killed_before_its_commit_is_finished_by_the_next_save(mine: Path):
    _at_next_commit(mine, "kill")
    killed = _in_a_process(mine, SAVE)
    assert killed.returncode == -9 and "saved" not in killed.stdout
    assert fields(mine, ACTIVITY)["participants"] == 777
    assert "participants = 777" not in git(mine, "show", f"HEAD:{ACTIVITY}")

    result = edit(mine, SUMMARY, text="年度总结的新内容")
    assert any(n.startswith("已清除上次中断留下的锁文件 .git/index.lock") for n in result.notes)
    finished = [n for n in result.notes if "在完成前被中断，现已补上提交" in n]
    assert finished and "长春市: 修改 附表1「“红色百年 薪火相传”党史学习系列讲座」" in finished[0]
    assert subjects(mine, "-2") == ["长春市: 修改 年度工作总结",
                                    "长春市: 修改 附表1「“红色百年 薪火相传”党史学习系列讲座」"]
    assert "Llweek-Record: " + ACTIVITY in git(mine, "log", "-1", "--format=%B", "HEAD~1")
    assert "participants = 777" in git(mine, "show", f"HEAD~1:{ACTIVITY}")
    _clean(mine)


def test_a_save_killed_then_edited_by_hand_is_given_up_without_overwriting(mine: Path):
    _at_next_commit(mine, "kill")
    assert _in_a_process(mine, SAVE).returncode == -9
    hand = (mine / ACTIVITY).read_text(encoding="utf-8").replace("participants = 777",
                                                                 "participants = 778")
    (mine / ACTIVITY).write_text(hand, encoding="utf-8")
    result = edit(mine, SUMMARY, text="年度总结的新内容")
    assert any("其中的文件之后又被改过" in n for n in result.notes)
    assert (mine / ACTIVITY).read_text(encoding="utf-8") == hand


def test_a_sync_killed_as_it_commits_pending_edits_is_finished_by_the_next_sync(mine: Path):
    text = (mine / ACTIVITY).read_text(encoding="utf-8").replace("participants = 520",
                                                                 "participants = 1234")
    (mine / ACTIVITY).write_text(text, encoding="utf-8")  # a hand edit, committed by sync
    _at_next_commit(mine, "kill")
    assert _in_a_process(mine, "from datastore.sync import sync\nsync(repo)").returncode == -9
    result = sync(mine)
    assert result.committed == [ACTIVITY] and result.pushed == 1
    _clean(mine)


# ------------------------------------------------------------------ a merge cut short


def _conflicted(mine: Path, other: Path) -> None:
    edit(other, ACTIVITY, name="党史讲座（王）")
    sync(other)
    edit(mine, ACTIVITY, name="党史讲座（测）")
    assert sync(mine).conflicts


def _forget_merge(repo: Path) -> None:
    for name in ("MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "AUTO_MERGE"):
        (repo / ".git" / name).unlink(missing_ok=True)


def test_conflicts_in_the_index_without_merge_head_are_undone_at_the_next_save(mine: Path,
                                                                               other: Path):
    _conflicted(mine, other)
    _forget_merge(mine)
    result = edit(mine, SUMMARY, text="年度总结的新内容")
    [note] = [n for n in result.notes if "没有完成的合并" in n]
    assert "合并记录 MERGE_HEAD 却已不在" in note and ACTIVITY in note and ".git/llweek-recovered/" in note
    assert fields(mine, ACTIVITY)["name"] == "党史讲座（测）"
    aside = next((mine / ".git/llweek-recovered").glob(f"*/{ACTIVITY}"))
    assert "<<<<<<< 我的修改" in aside.read_text(encoding="utf-8")
    _clean(mine)
    assert sync(mine).conflicts  # merged again, this time with all git's notes
    [record] = list_conflicts(mine)
    resolve_fields(mine, record.path, {f.path: MINE for f in record.fields})
    finish_merge(mine)
    assert sync(mine).pushed == 3


def test_conflict_markers_without_merge_head_are_explained_as_such(mine: Path, other: Path):
    _conflicted(mine, other)
    git(mine, "reset", "--quiet")  # the index back to HEAD; the markers stay in the file
    _forget_merge(mine)
    with pytest.raises(LlweekError) as refused:
        sync(mine)
    message = str(refused.value)
    assert f"{ACTIVITY}（含有冲突标记）" in message
    assert "以前一次没有完成的合并留下的" in message and "git checkout -- 文件" in message
    assert "无权" not in message


def test_a_merge_commit_made_but_merge_head_left_behind_is_not_merged_twice(mine: Path,
                                                                            other: Path):
    _conflicted(mine, other)
    theirs = (mine / ".git/MERGE_HEAD").read_text()
    [record] = list_conflicts(mine)
    resolve_fields(mine, record.path, {f.path: MINE for f in record.fields})
    finish_merge(mine)
    merged = git(mine, "rev-parse", "HEAD").strip()
    (mine / ".git/MERGE_HEAD").write_text(theirs)  # killed before git removed it
    result = sync(mine)
    assert "上次同步的合并其实已经提交，已清除它留下的合并记录（MERGE_HEAD）" in result.notes
    assert git(mine, "rev-parse", "HEAD").strip() == merged and result.pushed == 2  # edit, merge
    _clean(mine)


def test_a_merge_killed_before_it_commits_is_undone_then_merged_again(mine: Path, other: Path):
    edit(other, ACTIVITY, venue="对方改的地点")
    sync(other)
    edit(mine, ACTIVITY, participants=4321)
    _at_next_commit(mine, "kill")
    killed = _in_a_process(mine, "from datastore.sync import sync\nsync(repo)")
    assert killed.returncode == -9
    assert fields(mine, ACTIVITY)["venue"] == "对方改的地点"  # merged, not committed
    assert (mine / ".git/llweek-merge.json").exists()

    result = edit(mine, SUMMARY, text="年度总结的新内容")
    [note] = [n for n in result.notes if "合并途中被中断" in n]
    assert "合并已经做完，现已补上合并提交" in note
    assert subjects(mine, "-2") == ["长春市: 修改 年度工作总结", "同步：合并服务器上的修改"]
    _clean(mine)
    outcome = sync(mine)
    assert outcome.pulled == 0 and outcome.pushed == 3 and not outcome.conflicts
    assert sync(other).pulled == 3
    record = fields(other, ACTIVITY)
    assert (record["venue"], record["participants"]) == ("对方改的地点", 4321)
    _clean(mine)


def test_a_sync_killed_as_git_begins_its_merge_leaves_the_attributes_as_they_were(
        mine: Path, other: Path):
    """Sync's merge lets records conflict as `binary` through `.git/info/attributes`
    (datastore.mergeattrs); killed inside that window, the next writer puts the file back."""
    own = mine / ".git/info/attributes"
    own.parent.mkdir(exist_ok=True)
    own.write_text("*.docx -diff\n", encoding="utf-8")
    edit(other, ACTIVITY, venue="对方改的地点")
    sync(other)
    edit(mine, ACTIVITY, participants=4321)
    _at_next_commit(mine, "kill-at-merge")
    killed = _in_a_process(mine, "from datastore.sync import sync\nsync(repo)")
    assert killed.returncode == -9
    assert "merge=binary" in own.read_text(encoding="utf-8")  # killed inside the window

    edit(mine, SUMMARY, text="年度总结的新内容")
    assert own.read_text(encoding="utf-8") == "*.docx -diff\n"
    outcome = sync(mine)
    assert outcome.pulled == 1 and not outcome.conflicts
    record = fields(mine, ACTIVITY)
    assert (record["venue"], record["participants"]) == ("对方改的地点", 4321)
    _clean(mine)


def test_a_merge_killed_before_merge_head_is_written_is_undone_then_merged_again(
        mine: Path, other: Path):
    edit(other, ACTIVITY, venue="对方改的地点")
    sync(other)
    edit(mine, ACTIVITY, participants=4321)
    head = git(mine, "rev-parse", "HEAD").strip()
    git(mine, "fetch", "--quiet")
    theirs = git(mine, "rev-parse", "origin/main").strip()
    # the state a kill leaves after git merged the files and the index, before MERGE_HEAD:
    # sync's note is there, git's own notes are not
    git(mine, "merge", "--no-commit", "--no-ff", theirs)
    _forget_merge(mine)
    (mine / ".git/llweek-merge.json").write_text(f'{{"head": "{head}", "theirs": "{theirs}"}}')
    result = edit(mine, SUMMARY, text="年度总结的新内容")
    [note] = [n for n in result.notes if "合并途中被中断" in n]
    assert f"合并改动过的 1 个文件恢复为合并前的样子（{ACTIVITY}）" in note
    assert fields(mine, ACTIVITY)["venue"] != "对方改的地点"
    _clean(mine)
    outcome = sync(mine)
    assert outcome.pulled == 1 and not outcome.conflicts
    record = fields(mine, ACTIVITY)
    assert (record["venue"], record["participants"]) == ("对方改的地点", 4321)
    _clean(mine)
