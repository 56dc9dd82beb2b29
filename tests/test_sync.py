"""`llweek sync` between staff clones of one central repository (real git, real bare remote)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from datastore.access import Actor
from datastore.conflicts import MINE, THEIRS, ConflictKind, Edited, list_conflicts, \
    resolve_fields, resolve_whole
from datastore.errors import LlweekError
from datastore.gitrepo import open_repo
from datastore.sync import sync
from datastore.tomlio import TomlSyntaxError, parse
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, SUMMARY, add, central, clone, delete, edit, fields, \
    llweek, llweek_process, subjects, unmerged


@pytest.fixture
def remote(tmp_path: Path, sample_master: Path) -> Path:
    return central(tmp_path, sample_master)


@pytest.fixture
def zhang(remote: Path, tmp_path: Path) -> Path:
    return clone(remote, tmp_path / "zhang", "张丽", "cc_zhangli@126.com")


@pytest.fixture
def wang(remote: Path, tmp_path: Path) -> Path:
    return clone(remote, tmp_path / "wang", "王宇", "wangyu_ccjy@163.com")


def test_sync_with_nothing_new_on_either_side(zhang: Path, capsys):
    assert llweek(capsys, "sync", "-C", str(zhang)) == (0, "拉取 0 个提交，推送 0 个提交\n", "")


def test_after_a_sync_a_records_history_is_read_from_the_commit_graph(zhang: Path, wang: Path,
                                                                      capsys):
    """A sync leaves Git's commit-graph with changed-path filters (its BDAT chunk), covering
    what it fetched, so `llweek log` of one record skips the commits that did not touch it."""
    edit(wang, ACTIVITY, participants=560)
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    before = llweek(capsys, "log", "-C", str(zhang), ACTIVITY)
    assert llweek(capsys, "sync", "-C", str(zhang))[1] == "拉取 1 个提交，推送 0 个提交\n"
    graphs = list((zhang / ".git/objects/info/commit-graphs").glob("*.graph"))
    assert graphs and all(b"BDAT" in graph.read_bytes() for graph in graphs)
    assert git(zhang, "commit-graph", "verify") == ""
    after = llweek(capsys, "log", "-C", str(zhang), ACTIVITY)
    assert after[1].count("\n") > before[1].count("\n") and "560" in after[1]


def test_adjacent_fields_edited_in_two_clones_merge_cleanly(zhang: Path, wang: Path, capsys):
    edit(zhang, ACTIVITY, venue="长春市图书馆二楼报告厅")
    assert llweek(capsys, "sync", "-C", str(zhang))[1] == "拉取 0 个提交，推送 1 个提交\n"
    zhang_commit = git(zhang, "rev-parse", "HEAD").strip()
    edit(wang, ACTIVITY, participants=560)

    code, out, err = llweek(capsys, "sync", "-C", str(wang))
    assert (code, out) == (0, "拉取 1 个提交，推送 2 个提交\n"), err
    assert llweek(capsys, "sync", "-C", str(zhang))[1] == "拉取 2 个提交，推送 0 个提交\n"

    for clone_root in (zhang, wang):
        record = fields(clone_root, ACTIVITY)
        assert (record["venue"], record["participants"]) == ("长春市图书馆二楼报告厅", 560)
    assert subjects(wang, "-1") == ["同步：合并服务器上的修改"]
    assert git(wang, "merge-base", "--is-ancestor", zhang_commit, "HEAD", check=False) == ""


def test_one_field_changed_in_two_clones_stops_with_both_values_kept(zhang: Path, wang: Path,
                                                                   capsys):
    edit(zhang, ACTIVITY, participants=600)
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, participants=480, venue="长春市图书馆二楼")

    code, out, err = llweek(capsys, "sync", "-C", str(wang))

    assert code == 3
    assert "冲突：1 个文件需要选择保留哪一份修改" in err
    assert f"长春市 附表1「“红色百年 薪火相传”党史学习系列讲座」（{ACTIVITY}）：双方都修改了" in err
    assert "「人数」 我的：480｜对方的：600｜原来：520" in err
    assert unmerged(wang) == {ACTIVITY: {1, 2, 3}}
    assert "participants = 480" in git(wang, "show", f":2:{ACTIVITY}")
    assert "participants = 600" in git(wang, "show", f":3:{ACTIVITY}")
    with pytest.raises(TomlSyntaxError):  # the working file cannot pass for a resolved record
        parse((wang / ACTIVITY).read_text(encoding="utf-8"))


def test_a_conflict_resolved_in_the_app_is_completed_and_pushed_by_sync(zhang: Path, wang: Path,
                                                                        capsys):
    edit(zhang, ACTIVITY, participants=600, name="党史讲座（张）")
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, participants=480, name="党史讲座（王）", venue="长春市图书馆二楼")
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 3

    [record] = list_conflicts(wang)
    assert record.kind is ConflictKind.FIELDS
    assert [(f.label, f.base, f.mine, f.theirs) for f in record.fields] == [
        ("活动名称", "“红色百年 薪火相传”党史学习系列讲座", "党史讲座（王）", "党史讲座（张）"),
        ("人数", 520, 480, 600)]
    name, people = (f.path for f in record.fields)
    resolve_fields(wang, ACTIVITY, {name: THEIRS, people: Edited(550)})

    code, out, _ = llweek(capsys, "sync", "-C", str(wang))
    assert code == 0
    assert out.startswith("已完成合并（冲突已解决）\n")
    llweek(capsys, "sync", "-C", str(zhang))
    for clone_root in (zhang, wang):
        record_now = fields(clone_root, ACTIVITY)
        assert (record_now["name"], record_now["participants"], record_now["venue"]) == (
            "党史讲座（张）", 550, "长春市图书馆二楼")
    assert git(wang, "status", "--porcelain") == ""


def test_a_resolution_must_choose_every_field_and_keep_its_type(zhang: Path, wang: Path, capsys):
    edit(zhang, ACTIVITY, participants=600, name="甲")
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, participants=480, name="乙")
    llweek(capsys, "sync", "-C", str(wang))
    name, people = (f.path for f in list_conflicts(wang)[0].fields)

    with pytest.raises(LlweekError, match="还没有为「人数」选择"):
        resolve_fields(wang, ACTIVITY, {name: MINE})
    with pytest.raises(LlweekError, match="「人数」填写的值类型不对，应为整数"):
        resolve_fields(wang, ACTIVITY, {name: MINE, people: Edited("五百")})
    assert unmerged(wang) == {ACTIVITY: {1, 2, 3}}


def test_different_paragraphs_of_a_long_text_edited_in_two_clones_merge(zhang: Path, wang: Path,
                                                                        capsys):
    text = fields(zhang, SUMMARY)["text"]
    lines = text.splitlines(keepends=True)
    assert len(lines) >= 4
    mine = "".join([lines[0].rstrip("\n") + "（张丽补充）\n", *lines[1:]])
    theirs = "".join([*lines[:-1], lines[-1].rstrip("\n") + "（王宇补充）\n"])
    edit(zhang, SUMMARY, text=mine)
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, SUMMARY, text=theirs)

    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    llweek(capsys, "sync", "-C", str(zhang))
    for clone_root in (zhang, wang):
        merged = fields(clone_root, SUMMARY)["text"]
        assert "（张丽补充）" in merged and "（王宇补充）" in merged


def test_a_text_conflict_suggests_both_changes_with_blocks_only_where_lines_clash(
        zhang: Path, wang: Path, capsys):
    original = fields(zhang, SUMMARY)["text"].splitlines(keepends=True)
    by_zhang, by_wang = list(original), list(original)
    by_zhang[0], by_zhang[6] = "张丽改的开头。\n", "张丽改的第七段。\n"
    by_wang[6], by_wang[12] = "王宇改的第七段。\n", "王宇改的第十三段。\n"
    edit(zhang, SUMMARY, text="".join(by_zhang))
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, SUMMARY, text="".join(by_wang))
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 3

    [text] = list_conflicts(wang)[0].fields
    block = ("<<<<<<< 我的修改\n王宇改的第七段。\n||||||| 原来的内容\n" + original[6]
             + "=======\n张丽改的第七段。\n>>>>>>> 对方的修改\n")
    expected = [*by_zhang[:6], block, *by_wang[7:]]
    assert text.suggestion == "".join(expected)
    with pytest.raises(LlweekError, match="「总结内容」里还留着冲突标记"):
        resolve_fields(wang, SUMMARY, {text.path: Edited(text.suggestion)})

    agreed = text.suggestion.replace(block, "两人商定的第七段。\n")
    resolve_fields(wang, SUMMARY, {text.path: Edited(agreed)})
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    merged = fields(wang, SUMMARY)["text"].splitlines(keepends=True)
    assert (merged[0], merged[6], merged[12]) == ("张丽改的开头。\n", "两人商定的第七段。\n",
                                                 "王宇改的第十三段。\n")


def test_records_added_in_two_clones_both_arrive(zhang: Path, wang: Path, capsys):
    first = "units/changchun/activities/zhangadded.toml"
    second = "units/changchun/activities/wangadded1.toml"
    add(zhang, first, name="读书分享会", participants=30)
    llweek(capsys, "sync", "-C", str(zhang))
    add(wang, second, name="书法公益课", participants=25)
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    llweek(capsys, "sync", "-C", str(zhang))
    for clone_root in (zhang, wang):
        assert fields(clone_root, first)["name"] == "读书分享会"
        assert fields(clone_root, second)["name"] == "书法公益课"


def test_an_edit_against_a_delete_is_a_conflict_where_keeping_the_edit_wins(zhang: Path,
                                                                            wang: Path, capsys):
    delete(zhang, ACTIVITY)
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, participants=700)

    code, _, err = llweek(capsys, "sync", "-C", str(wang))
    assert code == 3 and "对方删除了，我修改了" in err
    [record] = list_conflicts(wang)
    assert record.kind is ConflictKind.DELETED_BY_THEM
    assert record.theirs_text is None and "participants = 700" in (record.mine_text or "")
    with pytest.raises(LlweekError, match="请整份选择"):
        resolve_fields(wang, ACTIVITY, {})
    resolve_whole(wang, ACTIVITY, MINE)

    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    llweek(capsys, "sync", "-C", str(zhang))
    assert fields(zhang, ACTIVITY)["participants"] == 700


def test_a_delete_against_an_edit_can_keep_the_delete(zhang: Path, wang: Path, capsys):
    edit(zhang, ACTIVITY, participants=700)
    llweek(capsys, "sync", "-C", str(zhang))
    delete(wang, ACTIVITY)
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 3
    assert list_conflicts(wang)[0].kind is ConflictKind.DELETED_BY_ME
    resolve_whole(wang, ACTIVITY, MINE)
    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    llweek(capsys, "sync", "-C", str(zhang))
    assert not (zhang / ACTIVITY).exists() and not (wang / ACTIVITY).exists()


def test_a_conflict_staged_with_its_markers_is_not_committed(zhang: Path, wang: Path, capsys):
    edit(zhang, ACTIVITY, participants=600)
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, participants=480)
    llweek(capsys, "sync", "-C", str(wang))
    git(wang, "add", ACTIVITY)  # "resolved" by hand without looking

    code, _, err = llweek(capsys, "sync", "-C", str(wang))
    assert code == 2 and "冲突标记" in err and ACTIVITY in err
    assert (wang / ".git/MERGE_HEAD").exists()


@pytest.mark.parametrize("moment", ["post-merge", "pre-push"])
def test_a_rejected_push_is_fetched_merged_and_pushed_again(zhang: Path, wang: Path, capsys,
                                                            moment: str):
    """Someone pushes after wang fetched: before wang's push connects, or while it runs."""
    edit(zhang, SUMMARY, text=fields(zhang, SUMMARY)["text"] + "张丽补充的一段。\n")
    llweek(capsys, "sync", "-C", str(zhang))
    edit(zhang, ACTIVITY, venue="新馆")
    hook = wang / ".git/hooks" / moment
    hook.write_text("#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
                    f"[ -e '{wang}/.git/raced' ] && exit 0\ntouch '{wang}/.git/raced'\n"
                    f"git -C '{zhang}' push --quiet origin main\n", encoding="utf-8")
    hook.chmod(0o755)
    edit(wang, ACTIVITY, participants=610)

    code, out, err = llweek(capsys, "sync", "-C", str(wang))

    assert (code, out) == (0, "拉取 2 个提交，推送 3 个提交\n"), err
    assert (wang / ".git/raced").exists()
    on_server = git(zhang.parent / "central.git", "log", "--format=%s").splitlines()
    assert on_server[0] == "同步：合并服务器上的修改"
    assert {"长春市: 修改 年度工作总结", "长春市: 修改 附表1「“红色百年 薪火相传”党史学习系列讲座」"} <= set(on_server)
    record = fields(wang, ACTIVITY)
    assert (record["venue"], record["participants"]) == ("新馆", 610)


def test_an_unreachable_server_exits_2_with_the_reason_and_keeps_the_local_commit(wang: Path):
    git(wang, "remote", "set-url", "origin", "ssh://llweek@192.0.2.1/srv/central.git")
    edit(wang, ACTIVITY, participants=620)
    committed = git(wang, "rev-parse", "HEAD")

    done = llweek_process("sync", "-C", str(wang), timeout=20)

    assert done.returncode == 2
    assert done.stderr.startswith("服务器无法连接："), done.stderr
    assert "本机的修改都已保存在本机" in done.stderr
    assert git(wang, "rev-parse", "HEAD") == committed
    assert "participants = 620" in git(wang, "show", f"HEAD:{ACTIVITY}")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_server_that_never_answers_is_given_up_after_the_time_limit(wang: Path,
                                                                      silent_server: int):
    git(wang, "remote", "set-url", "origin", f"git://127.0.0.1:{silent_server}/central.git")
    edit(wang, ACTIVITY, participants=630)
    result = sync(wang, timeout=2)
    assert result.unreachable == "超过 2 秒没有响应"
    assert result.summary.startswith("服务器无法连接：超过 2 秒没有响应")
    assert "participants = 630" in git(wang, "show", f"HEAD:{ACTIVITY}")


def test_hand_edits_are_committed_before_syncing_with_the_records_named(zhang: Path, capsys):
    path = zhang / ACTIVITY
    path.write_text(path.read_text(encoding="utf-8").replace("participants = 520",
                                                             "participants = 521"),
                    encoding="utf-8")
    (zhang / "units/changchun/activities/handmade01.toml").write_text(
        'id = "handmade01"\nname = "手工新建的活动"\n', encoding="utf-8")

    code, out, _ = llweek(capsys, "sync", "-C", str(zhang))

    assert code == 0 and out.endswith("拉取 0 个提交，推送 1 个提交\n")
    body = git(zhang, "log", "-1", "--format=%B")
    assert body.startswith("长春市: 提交手工修改 附表1「“红色百年 薪火相传”党史学习系列讲座」、"
                           "附表1「手工新建的活动」\n")
    assert f"Llweek-Record: {ACTIVITY}" in body
    assert "Llweek-Record: units/changchun/activities/handmade01.toml" in body
    assert git(zhang, "status", "--porcelain") == ""


def test_hand_made_files_in_a_new_folder_are_committed_without_temp_files(zhang: Path):
    folder = zhang / "units/meihekou/cases"
    folder.mkdir(parents=True)
    (folder / "handcase01.toml").write_text('id = "handcase01"\ntitle = "手工案例"\n',
                                            encoding="utf-8")
    (folder / ".handcase02.toml.x1.tmp").write_text("半个文件", encoding="utf-8")

    result = sync(zhang)

    assert result.committed == ["units/meihekou/cases/handcase01.toml"]
    assert subjects(zhang, "-1") == ["梅河口市: 提交手工修改 典型活动案例「手工案例」"]
    assert git(zhang, "status", "--porcelain", "--ignored").strip() == \
        "!! units/meihekou/cases/.handcase02.toml.x1.tmp"


def test_hand_edits_a_unit_may_not_make_are_left_uncommitted(zhang: Path):
    (zhang / "campaign.toml").write_text((zhang / "campaign.toml").read_text(encoding="utf-8")
                                         + "\n# 长春市改的\n", encoding="utf-8")
    edit_path = zhang / ACTIVITY
    edit_path.write_text(edit_path.read_text(encoding="utf-8").replace("520", "522"),
                         encoding="utf-8")
    actor = Actor("cc-zhangli", "张丽", "unit", "changchun")

    result = sync(zhang, actor=actor)

    assert result.committed == [ACTIVITY]
    assert result.not_committed == ["campaign.toml（无权修改）"]
    assert git(zhang, "status", "--porcelain").strip() == "M campaign.toml"


def test_sync_never_merges_over_a_hand_edit_it_could_not_commit(zhang: Path, wang: Path):
    """Both sides changed a record and this clone also holds a hand edit of it that may not be
    committed: sync stops, as Git would, and the edit is still there."""
    edit(wang, ACTIVITY, participants=560)  # the other side changes the same record
    sync(wang)
    edit(zhang, ACTIVITY, venue="长春市图书馆二楼")  # and so does this side: a merge of records
    path = zhang / ACTIVITY
    edited = path.read_text(encoding="utf-8").replace("520", "522")
    path.write_text(edited, encoding="utf-8")
    actor = Actor("cc-zhangli", "张丽", "unit", "jilin")  # not this unit's file: left uncommitted

    with pytest.raises(LlweekError) as refused:
        sync(zhang, actor=actor)

    assert "服务器上的修改会覆盖本机尚未提交的文件" in str(refused.value) and ACTIVITY in str(refused.value)
    assert path.read_text(encoding="utf-8") == edited
    assert not (zhang / ".git/MERGE_HEAD").exists()


def test_a_push_the_server_refuses_says_why_and_keeps_the_commit(zhang: Path, capsys):
    hook = zhang.parent / "central.git/hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho '无权修改：units/changchun/unit.toml' >&2\nexit 1\n",
                    encoding="utf-8")
    hook.chmod(0o755)
    edit(zhang, ACTIVITY, participants=640)

    code, _, err = llweek(capsys, "sync", "-C", str(zhang))

    assert code == 2
    assert "服务器拒绝了推送" in err and "无权修改：units/changchun/unit.toml" in err
    assert "participants = 640" in git(zhang, "show", f"HEAD:{ACTIVITY}")


def test_a_fresh_clone_edited_by_hand_gets_the_merge_driver_before_merging(zhang: Path,
                                                                            wang: Path, capsys):
    edit(zhang, ACTIVITY, venue="新馆")
    llweek(capsys, "sync", "-C", str(zhang))
    assert git(wang, "config", "merge.llweek.driver", check=False) == ""  # Git never clones it
    path = wang / ACTIVITY  # the line next to venue: a plain line merge would stop here
    path.write_text(path.read_text(encoding="utf-8").replace(
        'organizer = "长春市图书馆、长春广播电视大学"', 'organizer = "长春市图书馆"'), encoding="utf-8")

    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    assert "merge-driver %O %A %B %P" in git(wang, "config", "merge.llweek.driver")
    record = fields(wang, ACTIVITY)
    assert (record["venue"], record["organizer"]) == ("新馆", "长春市图书馆")


def test_a_line_merge_conflict_on_separate_fields_is_settled_by_sync(zhang: Path, wang: Path,
                                                                    capsys):
    """A merge left conflicted although the fields merge cleanly (the driver failed): sync
    settles it from the index stages."""
    edit(zhang, ACTIVITY, venue="新馆")
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, organizer="长春市图书馆")
    git(wang, "fetch", "--quiet")
    git(wang, "-c", "merge.llweek.driver=false", "merge", "--quiet", "origin/main", check=False)
    assert ACTIVITY in unmerged(wang)

    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0
    record = fields(wang, ACTIVITY)
    assert (record["venue"], record["organizer"]) == ("新馆", "长春市图书馆")


def test_the_first_sync_fills_an_empty_central_repository(sample_repo: Path, tmp_path: Path,
                                                          capsys):
    empty = tmp_path / "new-central.git"
    git(tmp_path, "init", "--quiet", "--bare", str(empty))
    git(sample_repo, "remote", "add", "origin", str(empty))
    commits = int(git(sample_repo, "rev-list", "--count", "HEAD"))

    assert llweek(capsys, "sync", "-C", str(sample_repo))[1] == f"拉取 0 个提交，推送 {commits} 个提交\n"
    assert git(sample_repo, "config", "branch.main.remote").strip() == "origin"
    assert llweek(capsys, "sync", "-C", str(sample_repo))[1] == "拉取 0 个提交，推送 0 个提交\n"
    assert git(empty, "rev-parse", "main") == git(sample_repo, "rev-parse", "HEAD")


def test_sync_without_a_central_repository_says_how_to_add_one(zhang: Path, capsys):
    git(zhang, "remote", "remove", "origin")
    code, _, err = llweek(capsys, "sync", "-C", str(zhang))
    assert code == 2 and "git remote add origin" in err


@pytest.mark.parametrize("theirs", [{"venue": "二楼"}, {"participants": 480, "venue": "二楼"}],
                         ids=["clean", "conflict"])
def test_sync_merges_records_in_process_exactly_as_the_merge_driver_does(
        zhang: Path, wang: Path, remote: Path, tmp_path: Path, capsys, theirs: dict):
    """A clean merge and a conflict leave the same file and the same index stages as Git's
    `git merge` with the llweek driver process (which a manual `git pull` still uses)."""
    edit(zhang, ACTIVITY, participants=600)
    path = zhang / ACTIVITY
    path.write_text("# 张丽的备注\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    git(zhang, "commit", "-qam", "备注")
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, **theirs)
    driven = clone(remote, tmp_path / "driven", "王宇", "wangyu_ccjy@163.com")
    open_repo(driven).close()  # as any llweek command: the driver is configured
    git(driven, "fetch", "-q", str(wang), "main:wang")
    git(driven, "reset", "-q", "--hard", "wang")
    git(driven, "fetch", "-q", "origin")
    git(driven, "merge", "--no-edit", "origin/main", check=False)  # the driver process, per file

    llweek(capsys, "sync", "-C", str(wang))

    assert (wang / ACTIVITY).read_bytes() == (driven / ACTIVITY).read_bytes()
    assert unmerged(wang) == unmerged(driven)
    merged = (wang / ACTIVITY).read_text(encoding="utf-8")
    if "venue" in theirs and "participants" not in theirs:
        assert not unmerged(wang) and "# 张丽的备注" in merged and "participants = 600" in merged
    else:
        assert unmerged(wang) == {ACTIVITY: {1, 2, 3}} and "<<<<<<<" in merged


def test_sync_merges_records_both_sides_changed_without_a_process_for_each(
        zhang: Path, wang: Path, tmp_path: Path, monkeypatch, capsys):
    """Git would start the merge driver (even `false`) once per record; sync lets none run,
    merges them itself, and leaves the person's own `.git/info/attributes` as it was."""
    edit(zhang, ACTIVITY, participants=600)
    llweek(capsys, "sync", "-C", str(zhang))
    edit(wang, ACTIVITY, venue="二楼")
    own = wang / ".git/info/attributes"
    own.parent.mkdir(exist_ok=True)
    own.write_bytes(b"*.docx -diff")  # no newline at the end: kept byte for byte
    trace = tmp_path / "trace.log"
    monkeypatch.setenv("GIT_TRACE", str(trace))

    assert llweek(capsys, "sync", "-C", str(wang))[0] == 0

    started = [line for line in trace.read_text(errors="replace").splitlines()
               if "run_command:" in line]
    assert started and not [line for line in started if "false" in line or "merge-driver" in line]
    record = fields(wang, ACTIVITY)
    assert (record["participants"], record["venue"]) == (600, "二楼")
    assert own.read_bytes() == b"*.docx -diff"
