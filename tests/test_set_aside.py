"""After the server refuses a push: set the refused commits aside, sync again, lose nothing.

Against a real central repository with llweek's hooks (tests.hookscenarios), from the command
line (`llweek sync --set-aside`) and from the app (the dialog offered after a refused sync).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from app_harness import TODAY, notices, settle

from datastore.access import Actor
from datastore.errors import LlweekError
from datastore.setaside import set_aside
from datastore.sync import sync
from datastore.syncstate import local_state
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, central as bare_copy, clone, edit, fields, llweek
from tests.hookscenarios import (CHANGCHUN, PROVINCE, central, central_master,  # noqa: F401
                                 clone_as, commit_entry, commit_file, hash_text, push,
                                 server_head)
from tui.app import LlweekApp
from tui.screens.dialogs import ConfirmDialog
from tui.cli import main

BRANCH = f"rejected/{dt.date.today():%Y-%m-%d}"


@pytest.fixture(autouse=True)
def pushing_as_changchun(monkeypatch: pytest.MonkeyPatch) -> None:
    """What gitolite tells the hook about every push of these tests."""
    monkeypatch.setenv("GL_USER", CHANGCHUN)


def test_after_a_refused_push_set_aside_lets_sync_go_on_and_loses_nothing(central: Path, clone_as,
                                                                          capsys):
    clone = clone_as(CHANGCHUN)
    own = commit_file(clone, "units/changchun/work_plan.toml", 'title = "长春市方案"\n',
                      "长春市: 新增 工作方案")
    campaign = (clone / "campaign.toml").read_text(encoding="utf-8")
    foreign = commit_file(clone, "campaign.toml", campaign + "# 改一下\n", "顺手改通知")

    code, _, err = llweek(capsys, "sync", "-C", str(clone))
    assert code == 2
    assert "「顺手改通知」：campaign.toml" in err and "llweek sync --set-aside" in err
    code, _, err = llweek(capsys, "sync", "-C", str(clone))
    assert code == 2  # without a way out, every sync is refused the same way

    code, out, err = llweek(capsys, "sync", "-C", str(clone), "--set-aside")
    assert code == 0, err
    assert f"被拒绝的 2 个提交已移到本机分支 {BRANCH}（没有删除任何内容）" in out
    assert "新增 units/changchun/work_plan.toml" in out and "修改 campaign.toml" in out
    assert "其中您有权修改的 1 个文件已作为一次新的修改重新提交" in out
    assert f"以下修改只留在 {BRANCH} 中（请与省办公室商量）：campaign.toml" in out
    assert out.rstrip().endswith("拉取 0 个提交，推送 1 个提交")

    assert git(central, "show", "main:units/changchun/work_plan.toml") == 'title = "长春市方案"\n'
    assert git(central, "show", "main:campaign.toml") == campaign
    assert git(clone, "rev-parse", BRANCH).strip() == foreign  # every refused commit is kept
    shared = f"rejected/{CHANGCHUN}/{BRANCH.removeprefix('rejected/')}"
    assert f"这些提交也已推送到服务器的分支 {shared}，省办公室可以查看" in out
    assert git(central, "rev-parse", shared).strip() == foreign  # the province can look too
    assert git(central, "rev-parse", "main").strip() != foreign
    assert git(clone, "merge-base", "--is-ancestor", own, BRANCH, check=False) == ""
    assert (clone / "campaign.toml").read_text(encoding="utf-8") == campaign
    assert llweek(capsys, "sync", "-C", str(clone))[:2] == (0, "拉取 0 个提交，推送 0 个提交\n")
    assert local_state(clone).ahead == 0


def test_commits_made_with_the_wrong_email_go_on_under_the_registered_one(central: Path,
                                                                          clone_as, capsys):
    clone = clone_as(CHANGCHUN)
    git(clone, "config", "user.email", "zhangli@qq.com")
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "长春市方案"\n', "长春市: 新增 工作方案")
    code, _, err = llweek(capsys, "sync", "-C", str(clone))
    assert code == 2 and "提交者是 张丽 <zhangli@qq.com>" in err

    code, out, err = llweek(capsys, "sync", "-C", str(clone), "--set-aside")
    assert code == 0, err
    assert "本材料库的 Git 邮箱已改为 access.toml 中登记的 cc_zhangli@126.com" in out
    assert git(central, "log", "-1", "--format=%cn <%ce>", "main").strip() == "张丽 <cc_zhangli@126.com>"
    assert git(clone, "config", "user.email").strip() == "cc_zhangli@126.com"


def test_a_file_the_server_changed_meanwhile_stays_set_aside(central: Path, clone_as):
    mine, colleague = clone_as(CHANGCHUN), clone_as(CHANGCHUN + "-2")
    git(colleague, "config", "user.email", "cc_zhangli@126.com")
    commit_file(colleague, "units/changchun/unit.toml", 'id = "changchun"\nname = "同事改的"\n')
    assert push(colleague, CHANGCHUN).returncode == 0
    git(mine, "fetch", "-q")
    commit_file(mine, "units/changchun/unit.toml", 'id = "changchun"\nname = "我改的"\n')
    commit_file(mine, "access.toml", "# 改\n", "越权")

    result = set_aside(mine, actor=Actor(CHANGCHUN, "张丽", "unit", "changchun", "cc_zhangli@126.com"))
    assert result.carried == []
    assert sorted(result.left) == ["access.toml", "units/changchun/unit.toml"]
    assert 'name = "我改的"' in git(mine, "show", f"{result.branch}:units/changchun/unit.toml")


def test_nothing_to_set_aside_is_said_plainly(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    with pytest.raises(LlweekError, match="没有需要移开的提交"):
        set_aside(clone, actor=None)
    assert server_head(central) == git(clone, "rev-parse", "HEAD").strip()


async def test_the_app_offers_to_set_refused_commits_aside_and_then_syncs(tmp_path: Path,
                                                                        sample_master: Path):
    remote = bare_copy(tmp_path, sample_master)
    assert main(["install-hook", "--gitolite", str(remote)]) == 0
    mine = clone(remote, tmp_path / "mine", "张丽", "cc_zhangli@126.com")
    edit(mine, ACTIVITY, participants=621)
    campaign = (mine / "campaign.toml").read_text(encoding="utf-8")
    (mine / "campaign.toml").write_text(campaign + "# 改一下\n", encoding="utf-8")
    git(mine, "commit", "-qam", "顺手改通知")
    actor = Actor(CHANGCHUN, "张丽", "unit", "changchun", "cc_zhangli@126.com")
    app = LlweekApp(mine, today=TODAY, actor=actor, picker_start=mine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "「顺手改通知」：campaign.toml" in app.screen.question
        await pilot.click("#yes")
        await settle(pilot)
        shown = notices(app)
        assert f"被拒绝的 2 个提交已移到本机分支 {BRANCH}" in shown
        assert "拉取 0 个提交，推送 1 个提交" in shown
        assert not isinstance(app.screen, ConfirmDialog)
    assert fields(mine, ACTIVITY)["participants"] == 621
    assert "participants = 621" in git(remote, "show", f"main:{ACTIVITY}")
    assert git(remote, "show", "main:campaign.toml") == campaign
    assert "# 改一下" in git(mine, "show", f"{BRANCH}:campaign.toml")


def test_sync_leaves_files_the_server_would_refuse_uncommitted(central: Path, clone_as,
                                                               monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GL_USER", PROVINCE)
    clone = clone_as(PROVINCE)
    (clone / "reviews/jilin.toml").write_text('[work_plan]\nstate = "received"\n', encoding="utf-8")
    (clone / "campaign.toml~").write_text("编辑器的备份\n", encoding="utf-8")
    (clone / "units/changchun/photos").mkdir(parents=True)
    (clone / "units/changchun/photos/run.sh").write_text("echo hi\n", encoding="utf-8")
    (clone / "units/changchun/photos/zero.jpg").symlink_to("/dev/zero")

    result = sync(clone, actor=None)

    assert result.committed == ["reviews/jilin.toml"] and result.pushed == 1
    assert sorted(result.not_committed) == ["campaign.toml~（不属于材料库的文件）",
                                            "units/changchun/photos/run.sh（不属于材料库的文件）",
                                            "units/changchun/photos/zero.jpg（是符号链接，不是普通文件）"]
    assert server_head(central) == git(clone, "rev-parse", "HEAD").strip()


def test_the_province_sees_the_set_aside_commits_in_its_own_clone(central: Path, clone_as,
                                                                  monkeypatch: pytest.MonkeyPatch):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "reviews/changchun.toml", '[work_plan]\nstate = "accepted"\n', "自己审核")
    assert push(clone, CHANGCHUN).returncode != 0
    result = set_aside(clone, actor=Actor(CHANGCHUN, "张丽", "unit", "changchun", "cc_zhangli@126.com"))
    assert result.shared == f"rejected/{CHANGCHUN}/{BRANCH.removeprefix('rejected/')}"

    province = clone_as(PROVINCE)
    git(province, "fetch", "-q")
    shown = git(province, "log", "-p", f"origin/{result.shared}", "--not", "origin/main")
    assert "自己审核" in shown and '+state = "accepted"' in shown


def test_commits_the_server_will_not_store_stay_in_the_clone_only(central: Path, clone_as, capsys):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "长春市方案"\n', "长春市: 新增 工作方案")
    link = commit_entry(clone, "120000", hash_text(clone, "/dev/zero"), "units/changchun/unit.toml",
                        "链接")
    code, out, err = llweek(capsys, "sync", "-C", str(clone), "--set-aside")
    assert code == 0, err
    assert f"个提交已移到本机分支 {BRANCH}" in out
    assert "未能把这些提交推送到服务器（服务器拒绝保存：" in out and "符号链接" in out
    assert f"它们只保存在本机的 {BRANCH} 中，移到一边已经完成" in out
    assert git(central, "branch", "--list", "rejected/*") == ""
    assert git(clone, "merge-base", "--is-ancestor", link, BRANCH, check=False) == ""
    assert "work_plan.toml" in git(central, "ls-tree", "-r", "--name-only", "main")


def test_set_aside_without_the_server_still_goes_back_and_says_where_the_commits_are(
        central: Path, clone_as, tmp_path: Path):
    clone = clone_as(CHANGCHUN)
    refused = commit_file(clone, "campaign.toml", "# 改\n", "越权")
    git(clone, "config", "remote.origin.pushurl", str(tmp_path / "gone.git"))
    result = set_aside(clone, actor=Actor(CHANGCHUN, "张丽", "unit", "changchun", "cc_zhangli@126.com"))
    said = "\n".join(result.lines())
    assert result.shared is None and "未能把这些提交推送到服务器（无法连接服务器：" in said
    assert f"它们只保存在本机的 {BRANCH} 中，移到一边已经完成" in said
    assert git(clone, "rev-parse", BRANCH).strip() == refused
    assert git(clone, "rev-parse", "HEAD").strip() == server_head(central)
