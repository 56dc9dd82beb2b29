"""The real app on a copy of the sample campaign, as every Pilot and snapshot test sees it.

Fixed day (2021-10-20, after the second deadline), fixed person (a 长春市 staff member, or the
province), and a file picker that starts in the test's own folder, so screens are the same on
every run. `clones` gives two staff clones of a real bare central repository, for syncing.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.worker import WorkerFailed

from datastore.access import Actor
from conftest import git
from datastore.sync import sync
from tests.gitscenarios import ACTIVITY, central, clone, edit
from tui.app import LlweekApp

TODAY = dt.date(2021, 10, 20)
UNIT = "changchun"


class HarnessApp(LlweekApp):
    """The real app, except that a notification stays until the test ends: on a busy
    machine a toast can time out before the test has looked at it."""

    CSS_PATH = Path(sys.modules[LlweekApp.__module__].__file__ or "").parent / LlweekApp.CSS_PATH

    def notify(self, message: str, *, title: str = "", severity: str = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        super().notify(message, title=title, severity=severity,  # type: ignore[arg-type]
                       timeout=3600, markup=markup)


def make_app(repo: Path, unit: str | None = UNIT, *, picker_start: Path | None = None) -> LlweekApp:
    """The app as 测试员 of `unit`, or of the provincial office when `unit` is None."""
    actor = Actor("tester", "测试员", "unit" if unit else "province", unit)
    return HarnessApp(repo, today=TODAY, actor=actor, picker_start=picker_start or repo)


#: the app's own workers (the file tree's endless one is not waited for), and the command
#: palette's search
GROUPS = ("load", "jobs", "sync-state", "photo-preview",
          "--textual-command-palette-gather-commands")


def _busy(app: LlweekApp) -> bool:
    """Is anything still queued on the app or the current screen: a message, a callback that
    waits for the next refresh, a layout, a repaint or a recompose not yet done?"""
    screen = app.screen
    if screen._callbacks or screen._dirty_widgets or screen._layout_required \
            or screen._repaint_required:
        return True
    return any(not node._message_queue.empty() or node._next_callbacks
               or getattr(node, "_recompose_required", False)
               for node in (app, *screen.walk_children(with_self=True)))


async def settle(pilot: Pilot) -> None:
    """Wait until loading, every save, copy, sync, photo or palette search, and whatever they
    set off, has finished and the screen is redrawn.

    Waits on the app's own state (its workers, its message queues, the screen's pending
    refreshes), never on time or on how busy the processor looks, so a loaded machine only
    makes it slower, never different. Cursors stop blinking, so a screenshot is the same
    whenever it is taken.
    """
    app = pilot.app
    for _ in range(500):
        await pilot._wait_for_screen()
        # pending ones too: a worker just submitted has not started running yet
        ours = [w for w in app.workers if w.group in GROUPS and not w.is_finished]
        if ours:
            try:
                await app.workers.wait_for_complete(ours)
            except WorkerFailed:  # the app handles it (a stale save merges, others are shown)
                pass
            continue
        for widget in app.screen.query("Input, TextArea"):
            widget.cursor_blink = False
        app.screen._on_timer_update()  # draw now: runs what waits for the next refresh
        await pilot._wait_for_screen()
        if not _busy(app):
            return
    raise AssertionError("the app never became idle")


def clones(tmp_path: Path, sample_master: Path) -> tuple[Path, Path]:
    """Two clones of one central bare repository holding the sample campaign: the tester's
    (opened in the app) and a colleague's (王宇, changed by hand or with the command line)."""
    remote = central(tmp_path, sample_master)
    return (clone(remote, tmp_path / "mine"),
            clone(remote, tmp_path / "other", "王宇", "wangyu_ccjy@163.com"))


def conflicted(tmp_path: Path, sample_master: Path) -> Path:
    """The tester's clone, whose next sync stops on a conflict: both clones changed 活动名称 and
    人数 of one activity (the tester also its 活动地点), and the colleague pushed first."""
    mine, other = clones(tmp_path, sample_master)
    edit(other, ACTIVITY, participants=600, name="党史讲座（王）")
    sync(other)
    edit(mine, ACTIVITY, participants=480, name="党史讲座（测）", venue="长春市图书馆二楼")
    return mine


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").strip())


def last_commit(repo: Path) -> tuple[str, str, list[str]]:
    """(author name, subject, changed paths) of HEAD."""
    author, subject = git(repo, "log", "-1", "--format=%an%n%s").splitlines()[:2]
    paths = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    return author, subject, paths


def worktree_changes(repo: Path) -> str:
    """`git status --porcelain`: empty when everything saved is committed."""
    return git(repo, "status", "--porcelain")


def screen_text(app: LlweekApp) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def type_text(pilot: Pilot, text: str) -> None:
    """Type `text` key by key into the focused field, as a person would."""
    for char in text:
        await pilot.press("space" if char == " " else char)


async def paste_text(pilot: Pilot, text: str) -> None:
    """Paste `text` into the focused field, as a terminal's bracketed paste delivers it
    (a long path is pasted, not typed, by staff and tests alike)."""
    focused = pilot.app.focused
    assert focused is not None, "nothing has the focus to paste into"
    focused.post_message(events.Paste(text))
    await settle(pilot)


async def via_palette(pilot: Pilot, name: str) -> None:
    """Open the command palette, type `name`, take the best match."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await type_text(pilot, name)
    await settle(pilot)  # the palette's search for `name` has finished
    await pilot.press("enter")
    await settle(pilot)


async def open_first_record(pilot: Pilot, list_name: str) -> None:
    """Open the list named `list_name` from the palette, then its first record."""
    await via_palette(pilot, list_name)
    await pilot.press("enter")
    await settle(pilot)


def notices(app: LlweekApp) -> str:
    """The notifications shown so far, one per line."""
    return "\n".join(n.message for n in app._notifications)
