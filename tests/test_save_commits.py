"""Save = commit: one commit per save with DESIGN §6's message, the lock, and stale files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from datastore.errors import IdentityMissing, LlweekError, RepoBusy, StaleRecord
from datastore.gitrepo import GitRepo, Identity
from datastore.lock import clear_leftovers, repo_lock
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, delete, edit, fields, subjects


def test_saving_activity_commits_only_that_record_with_its_message(sample_repo: Path):
    (sample_repo / "units/changchun/unit.toml").write_text("# 手工改了一半\n", encoding="utf-8")
    before = len(subjects(sample_repo))

    result = edit(sample_repo, ACTIVITY, participants=530)

    assert len(subjects(sample_repo)) == before + 1
    assert result.commit is not None
    message = git(sample_repo, "log", "-1", "--format=%an <%ae>%n%B")
    assert message.splitlines()[:2] == ["测试员 <tester@example.cn>",
                                        "长春市: 修改 附表1「“红色百年 薪火相传”党史学习系列讲座」"]
    assert "Llweek-Unit: changchun" in message
    assert f"Llweek-Record: {ACTIVITY}" in message
    assert git(sample_repo, "show", "--name-only", "--format=", "HEAD").split() == [ACTIVITY]
    assert "participants = 530" in git(sample_repo, "show", f"HEAD:{ACTIVITY}")
    assert git(sample_repo, "status", "--porcelain").strip() == "M units/changchun/unit.toml"


def test_each_save_is_its_own_commit_and_an_unchanged_save_none(sample_repo: Path):
    before = len(subjects(sample_repo))
    edit(sample_repo, ACTIVITY, participants=1)
    edit(sample_repo, ACTIVITY, venue="长春市图书馆二楼")
    unchanged = edit(sample_repo, ACTIVITY, venue="长春市图书馆二楼")
    assert len(subjects(sample_repo)) == before + 2
    assert unchanged.commit is None


def test_deleting_activity_is_a_commit_of_its_own(sample_repo: Path):
    delete(sample_repo, ACTIVITY)
    assert subjects(sample_repo, "-1") == ["长春市: 删除 附表1「“红色百年 薪火相传”党史学习系列讲座」"]
    assert git(sample_repo, "show", "--name-status", "--format=", "HEAD").split() == ["D", ACTIVITY]
    assert not (sample_repo / ACTIVITY).exists()


def test_deleting_a_case_deletes_its_own_photos_in_the_same_commit(sample_repo: Path):
    from datastore.models import Photo
    from tests.builders import jpeg_bytes

    case = "units/changchun/cases/hwkha6inir.toml"
    own = "units/changchun/photos/case-01.jpg"
    (sample_repo / own).write_bytes(jpeg_bytes(1600, 1200))
    git(sample_repo, "add", own)
    git(sample_repo, "commit", "-q", "-m", "长春市: 案例照片")
    edit(sample_repo, case, photos=[Photo(file="case-01.jpg", caption="课堂"),
                                    Photo(file="exh-01.jpg", caption="宣讲会")])
    delete(sample_repo, case)
    changed = git(sample_repo, "show", "--name-status", "--format=", "HEAD").split()
    assert changed == ["D", case, "D", own] or changed == ["D", own, "D", case]
    assert (sample_repo / "units/changchun/photos/exh-01.jpg").is_file()  # 展板 still uses it
    assert git(sample_repo, "status", "--porcelain") == ""


def test_saving_without_identity_changes_nothing_until_it_is_given_once(sample_repo: Path):
    git(sample_repo, "config", "--unset", "user.name")
    git(sample_repo, "config", "--unset", "user.email")
    before = (sample_repo / ACTIVITY).read_bytes()

    with pytest.raises(IdentityMissing, match="git config user.name"):
        edit(sample_repo, ACTIVITY, participants=9)
    assert (sample_repo / ACTIVITY).read_bytes() == before
    assert git(sample_repo, "status", "--porcelain") == ""

    with GitRepo(sample_repo) as repo:
        repo.set_identity(Identity("王宇", "wangyu_ccjy@163.com"))
    edit(sample_repo, ACTIVITY, participants=9)
    assert git(sample_repo, "log", "-1", "--format=%an").strip() == "王宇"
    assert "wangyu_ccjy@163.com" in (sample_repo / ".git/config").read_text(encoding="utf-8")


def test_save_refuses_a_file_changed_on_disk_since_it_was_opened(sample_repo: Path):
    from datastore.loader import read_record
    from datastore.models import ACTIVITIES
    from datastore.records import with_changes
    from datastore.save import save_record

    opened = read_record(sample_repo, ACTIVITY, ACTIVITIES, ACTIVITIES.model, "changchun", [])
    edit(sample_repo, ACTIVITY, venue="别人改的地点")  # e.g. a sync or a second window
    before = len(subjects(sample_repo))

    with pytest.raises(StaleRecord, match="已被修改") as refused:
        save_record(sample_repo, ACTIVITIES, "changchun",
                    with_changes(opened.record, {"participants": 7}), expected=opened.digest)
    assert refused.value.current_text is not None and "别人改的地点" in refused.value.current_text
    assert fields(sample_repo, ACTIVITY)["venue"] == "别人改的地点"
    assert len(subjects(sample_repo)) == before


def test_saving_during_an_unresolved_merge_is_refused_before_writing(sample_repo: Path):
    theirs = git(sample_repo, "commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "对方的提交")
    (sample_repo / ".git/MERGE_HEAD").write_text(theirs)  # a merge of a commit not yet here
    before = (sample_repo / ACTIVITY).read_bytes()
    with pytest.raises(LlweekError, match="合并还没有提交：请先同步一次"):
        edit(sample_repo, ACTIVITY, participants=3)
    assert (sample_repo / ACTIVITY).read_bytes() == before


def test_a_second_writer_waits_for_the_lock_then_saves(sample_repo: Path):
    with GitRepo(sample_repo) as repo:
        git_dir = repo.git_dir
    holding = threading.Event()

    def hold_briefly() -> None:
        with repo_lock(git_dir, "同步"):
            holding.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    holding.wait()
    result = edit(sample_repo, ACTIVITY, participants=11)
    holder.join()
    assert result.commit is not None
    assert fields(sample_repo, ACTIVITY)["participants"] == 11


def test_a_busy_repository_says_who_holds_it(sample_repo: Path):
    with GitRepo(sample_repo) as repo:
        git_dir = repo.git_dir
    with repo_lock(git_dir, "同步"):
        result: list[BaseException] = []
        waiter = threading.Thread(target=lambda: _try_lock(git_dir, result))
        waiter.start()
        waiter.join()
    assert isinstance(result[0], RepoBusy)
    assert "材料库正被占用" in str(result[0]) and "同步" in str(result[0])
    assert f"进程 {os.getpid()}" in str(result[0])


def _try_lock(git_dir: Path, result: list[BaseException]) -> None:
    try:
        with repo_lock(git_dir, "保存", wait=0.2):
            pass
    except RepoBusy as err:
        result.append(err)


def test_an_index_lock_left_by_a_crash_is_cleared_and_the_save_goes_through(sample_repo: Path):
    stale = sample_repo / ".git/index.lock"
    stale.write_text("")  # just now: age plays no part, only whether a process holds it
    result = edit(sample_repo, ACTIVITY, participants=12)
    assert not stale.exists()
    assert "participants = 12" in git(sample_repo, "show", f"HEAD:{ACTIVITY}")
    assert result.notes == ["已清除上次中断留下的锁文件 .git/index.lock（没有程序在使用它）"]


def test_an_index_lock_of_git_still_working_here_is_left_alone(sample_repo: Path):
    lock = sample_repo / ".git/index.lock"
    lock.write_text("")
    # a git process at work inside this repository, waiting for its next request: it has
    # answered one, so it is surely running there (however slowly a busy machine starts it)
    working = subprocess.Popen(["git", "cat-file", "--batch-check"], cwd=sample_repo / "units",
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert working.stdin is not None and working.stdout is not None
        working.stdin.write("HEAD\n")
        working.stdin.flush()
        assert working.stdout.readline().split()[1] == "commit"
        with pytest.raises(RepoBusy, match="git cat-file"):
            clear_leftovers(sample_repo / ".git", "保存", wait=0)
        assert lock.exists()
    finally:
        working.kill()
        working.wait()


SAVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from datastore.loader import load_repo
    from datastore.models import ACTIVITIES
    from datastore.records import with_changes
    from datastore.save import save_record
    root, value = Path(sys.argv[1]), int(sys.argv[2])
    ids = sys.argv[3:]
    items = {s.id: s for s in load_repo(root).units["changchun"].items("activities")}
    for record_id in ids:
        opened = items[record_id]
        save_record(root, ACTIVITIES, "changchun",
                    with_changes(opened.record, {"participants": value}), expected=opened.digest)
""")


def test_two_llweek_processes_saving_into_one_clone_lose_nothing(sample_repo: Path):
    ids = sorted(p.stem for p in (sample_repo / "units/changchun/activities").glob("*.toml"))
    first, second = ids[:5], ids[5:10]
    before = len(subjects(sample_repo))
    runs = [subprocess.Popen([sys.executable, "-c", SAVER, str(sample_repo), value, *part],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for value, part in (("1001", first), ("2002", second))]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    assert len(subjects(sample_repo)) == before + 10
    assert git(sample_repo, "status", "--porcelain") == ""
    for record_id in first + second:
        text = git(sample_repo, "show", f"HEAD:units/changchun/activities/{record_id}.toml")
        assert f"participants = {1001 if record_id in first else 2002}" in text
