"""Lost typing: unsaved typing is kept in the clone's drafts (.git/llweek/drafts) every few
seconds; opening the form again after the app died offers it back, showing what differs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from app_harness import commit_count, make_app, screen_text, settle, type_text, via_palette, \
    worktree_changes
from textual.widgets import Input

from tests.gitscenarios import fields
from tui.screens.dialogs import RestoreDraftDialog
from tui.screens.work_plan import WorkPlanScreen

WORK_PLAN = "units/changchun/work_plan.toml"
TITLE = "长春市2021年全民终身学习活动周工作方案"


def draft_of(repo: Path) -> Path:
    return repo / ".git/llweek/drafts/units__changchun__work_plan.toml.json"


async def restore_offered(repo: Path, typed: str) -> None:
    """Open 工作方案 again: the draft is offered with both versions; restoring and saving it
    commits the typing and forgets the draft."""
    app = make_app(repo)
    before = commit_count(repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        assert isinstance(app.screen, RestoreDraftDialog)
        text = screen_text(app)
        assert "「方案标题」" in text and f"已保存的：{TITLE}" in text
        assert f"未保存的：{TITLE}{typed}" in text
        await pilot.press("enter")  # 恢复未保存的修改 has the focus
        await settle(pilot)
        assert isinstance(app.screen, WorkPlanScreen) and app.screen.dirty
        assert app.screen.query_one("#field-title", Input).value == TITLE + typed
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert fields(repo, WORK_PLAN)["title"] == TITLE + typed
    assert commit_count(repo) == before + 1
    assert not draft_of(repo).exists()
    assert worktree_changes(repo) == ""


async def test_typing_is_kept_as_a_draft_and_offered_back(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.press("end")
        await type_text(pilot, "修订中")
        app.screen.autosave()  # what the timer does every few seconds
        await app.workers.wait_for_complete()
        kept = json.loads(draft_of(sample_repo).read_text(encoding="utf-8"))
        assert kept["fields"] == {"title": TITLE + "修订中"}
    await restore_offered(sample_repo, "修订中")


async def test_a_dropped_draft_is_not_offered_again(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.press("end")
        await type_text(pilot, "草稿")
        app.screen.autosave()
        await app.workers.wait_for_complete()
    again = make_app(sample_repo)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.click("#drop")
        await settle(pilot)
        assert isinstance(again.screen, WorkPlanScreen) and not again.screen.dirty
    assert not draft_of(sample_repo).exists()
    assert fields(sample_repo, WORK_PLAN)["title"] == TITLE


class Terminal:
    """The real `llweek` in a tmux terminal of 80×24, as staff use it over SSH."""

    def __init__(self, repo: Path) -> None:
        self.socket = Path(tempfile.mkdtemp(prefix="llw-", dir="/tmp")) / "s"
        command = (f"exec {sys.executable} -m tui -C {repo} --unit changchun "
                   "--today 2021-10-20")
        self.tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24",
                  f"TERM=xterm-256color {command}")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True,
                              text=True, check=True, timeout=30).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", "app", *(["-l"] if literal else []), *keys)

    def wait_for(self, words: str, seconds: float = 90) -> None:
        """Until the screen shows `words` (the app's own state, not a guess at a delay)."""
        until = time.monotonic() + seconds
        while words not in self.screen():
            assert time.monotonic() < until, f"never showed {words!r}:\n{self.screen()}"
            time.sleep(0.2)

    @property
    def pid(self) -> int:
        return int(self.tmux("list-panes", "-t", "app", "-F", "#{pane_pid}").split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True,
                       check=False)
        shutil.rmtree(self.socket.parent, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
async def test_typing_survives_the_app_killed_with_sigkill_mid_typing(sample_repo):
    terminal = Terminal(sample_repo)
    try:
        terminal.wait_for("吉林农大")  # the grid's last row: the repository is read
        terminal.keys("C-p")
        terminal.wait_for("输入要找的功能")
        terminal.keys("工作方案", literal=True)
        terminal.wait_for("打开当前单位的工作方案")
        terminal.keys("Enter")
        terminal.wait_for("方案标题")
        terminal.keys("End")
        terminal.keys("断线前", literal=True)
        terminal.wait_for(f"{TITLE}断线前")
        until = time.monotonic() + 60
        while "断线前" not in (draft_of(sample_repo).read_text(encoding="utf-8")
                              if draft_of(sample_repo).exists() else ""):
            assert time.monotonic() < until, "the typing was never kept"
            time.sleep(0.2)
        pid = terminal.pid
        os.kill(pid, signal.SIGKILL)  # the connection drops: no goodbye, no cleanup
        until = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid):
            assert time.monotonic() < until
            time.sleep(0.1)
    finally:
        terminal.close()
    assert fields(sample_repo, WORK_PLAN)["title"] == TITLE  # nothing was saved
    await restore_offered(sample_repo, "断线前")


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


async def test_a_new_record_never_saved_is_offered_back_when_adding_again(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "断线前新增的活动")
        app.screen.autosave()
        await app.workers.wait_for_complete()
        path = app.screen.path
    assert not (sample_repo / path).exists()  # the app is gone, nothing saved

    again = make_app(sample_repo)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "附表1")
        assert "有 1 条新增后没有保存的记录：按 a 可以恢复" in screen_text(again)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(again.screen, RestoreDraftDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert again.screen.query_one("#field-name", Input).value == "断线前新增的活动"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert fields(sample_repo, path)["name"] == "断线前新增的活动"
    assert worktree_changes(sample_repo) == ""
