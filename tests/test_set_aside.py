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
from datastore.syncstate import local_state
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, central as bare_copy, clone, edit, fields, llweek
from tests.hookscenarios import (CHANGCHUN, central, central_master, clone_as,  # noqa: F401
                                 commit_file, push, server_head)
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
