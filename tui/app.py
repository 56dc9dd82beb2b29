"""The full-screen app: loads the repository in a worker, knows who is at the keyboard and which
day it is, and runs every slow step (save, copy, Git) as a job whose failure becomes a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from datastore.access import Actor, current_login, find_actor, may_write
from datastore.roles import session_actor
from datastore.errors import IdentityMissing, LlweekError
from datastore.gitrepo import GitRepo, Identity, is_git_repo
from datastore.syncstate import LocalState, local_state
from tui.failures import explain
from tui.jobs import Job
from tui.palette import LlweekCommands
from tui.syncer import Syncer
from tui.widgets.bar import TopBar
from tui.workspace import Workspace


@dataclass
class Loaded:
    workspace: Workspace
    actor: Actor | None
    identity: Identity | None
    state: LocalState


def _notes(result: Any) -> list[str]:
    """The notes of a save's result (one SaveResult, or a list of them from one commit)."""
    results = result if isinstance(result, list) else [result]
    notes: list[str] = []
    for item in results:
        for note in getattr(item, "notes", None) or ():
            if note not in notes:
                notes.append(note)
    return notes


class LlweekApp(App[int]):
    """llweek: the deadline dashboard, each unit's materials and their editors."""

    CSS_PATH = "app.tcss"
    TITLE = "活动周材料报送"
    COMMANDS = {LlweekCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "退出", priority=True),
        Binding("ctrl+p", "command_palette", "命令", priority=True, show=False),
        Binding("question_mark", "help", "帮助"),
        Binding("f1", "help", "帮助", show=False),
        Binding("ctrl+r", "sync", "同步"),
    ]

    #: the line under the top bar: syncing now, commits not yet pushed, no server, open merge
    sync_note: reactive[str] = reactive("")

    def __init__(self, root: Path, *, today: dt.date, unit: str | None = None,
                 actor: Actor | None = None, picker_start: Path | None = None) -> None:
        """`unit` acts as that unit's staff (the --unit option); `actor` fixes the person
        outright (the demo, tests); otherwise access.toml decides by login or Git e-mail."""
        super().__init__()
        self.root = root
        self.today = today
        self.unit_option = unit
        self.actor_option = actor
        self.picker_start = picker_start or Path.home()
        self.workspace: Workspace | None = None
        self.actor: Actor | None = None
        self.identity: Identity | None = None
        self.syncer = Syncer(self)
        self._jobs: dict[Worker, Job] = {}
        self._reading: set[str] = set()  # units being read before one of their screens opens

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        from tui.screens.dashboard import DashboardScreen

        self.push_screen(DashboardScreen())
        self._load()

    @work(thread=True, exit_on_error=False, group="load", name="load")
    def _load(self, read: Collection[str] = ()) -> Loaded:
        workspace = Workspace.load(self.root, read)
        identity = None
        if is_git_repo(self.root):
            with GitRepo(self.root) as repo:
                identity = repo.identity()
        return Loaded(workspace, self._find_actor(workspace, identity), identity,
                      local_state(self.root))

    def _find_actor(self, workspace: Workspace, identity: Identity | None) -> Actor | None:
        if self.actor_option is not None:
            return self.actor_option
        return session_actor(workspace.data.access, current_login(),
                             identity.email if identity else None,
                             identity.name if identity else None, self.unit_option)

    def _loaded(self, loaded: Loaded) -> None:
        self.workspace, self.actor, self.identity = loaded.workspace, loaded.actor, loaded.identity
        self.refresh_views(None)
        self.screen.refresh_bindings()  # keys that depend on who is at the keyboard (催报)
        self.syncer.state_read(loaded.state)
        if self.actor is None:
            self.notify("您的账号不在 access.toml 中：只能查看，不能修改。可用 --unit 指定所在单位。",
                        title="只读", timeout=10)
        if loaded.state.merging:  # a merge left open last time: its conflicts come first
            self.open_conflicts()

    def reload(self) -> None:
        """Read the whole repository again (after a change made outside the app)."""
        if self.unsaved_screen() is not None:
            self.notify("有未保存的修改：请先保存或放弃，再重新读取。", severity="warning")
            return
        self.go_home()
        self._load(self.units_read())

    def units_read(self) -> list[str]:
        """The units whose records are in memory now: a fresh load reads them again, so the
        screens open on them keep showing their records."""
        return self.workspace.read_units() if self.workspace else []

    # ------------------------------------------------------------------ who may do what

    def may_edit(self, unit_id: str) -> bool:
        return self.actor is not None and may_write(self.actor, f"units/{unit_id}/")

    def who(self) -> str:
        actor = self.actor
        if actor is None:
            return "只读"
        if actor.is_province:
            return f"{actor.name}（省级）"
        unit = self.workspace.unit_name(actor.unit) if self.workspace else actor.unit
        return f"{actor.name}（{unit}）"

    # ------------------------------------------------------------------ jobs

    def submit(self, job: Job) -> None:
        """Run `job` in a worker; its result or failure comes back on the UI thread."""
        self._jobs[self._run_job(job)] = job

    @work(thread=True, exit_on_error=False, group="jobs")
    def _run_job(self, job: Job) -> tuple[Any, Any]:
        result = job.run()
        snapshot = self.workspace.read_unit(job.unit) if job.unit and self.workspace else None
        return result, snapshot

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "sync-state":
            if event.state is WorkerState.SUCCESS:
                self.syncer.state_read(worker.result)
            elif event.state is WorkerState.ERROR:
                self.report(worker.error)
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            job = self._jobs.get(worker)
            if job is not None:
                if job.after:
                    job.after()
                self.syncer.refresh()  # a save or a merge changes what waits to be pushed
        if event.state is WorkerState.SUCCESS:
            if worker.name == "load":
                self._loaded(worker.result)
                return
            job = self._jobs.pop(worker, None)
            if job is None:
                return
            result, snapshot = worker.result
            for note in _notes(result):  # leftovers of a killed writer that the save cleared
                self.notify(note, title="已自动处理", timeout=12)
            if snapshot is not None and self.workspace is not None:
                self.workspace.install(snapshot)
                self.refresh_views(job.unit)
            if job.done:
                job.done(result)
        elif event.state is WorkerState.ERROR:
            job = self._jobs.pop(worker, None)
            self.report(worker.error, job)
            if worker.name == "load":
                self.refresh_views(None)
        elif event.state is WorkerState.CANCELLED:
            self._jobs.pop(worker, None)

    def report(self, error: BaseException | None, job: Job | None = None) -> None:
        """The one place a failure becomes a message (never a traceback)."""
        if isinstance(error, IdentityMissing) and job is not None:
            self.ask_identity(then=lambda: self.submit(job))
            return
        if error is None:
            return
        if isinstance(error, LlweekError) and job is not None and job.failed is not None \
                and job.failed(error):
            return
        failure = explain(error, after="已保存的内容不受影响；")
        self.notify(failure.message, title="出错了" if failure.internal else "未完成",
                    severity="error", timeout=20 if failure.internal else 12)

    def ask_identity(self, then: Callable[[], None]) -> None:
        """Ask once for the name and e-mail that Git records on each save, then go on."""
        from tui.screens.dialogs import IdentityDialog

        suggestion = None
        if self.workspace is not None:
            known = find_actor(self.workspace.data.access, login=current_login())
            if known is not None:
                suggestion = Identity(known.name, known.email or "")

        def store(identity: Identity | None) -> None:
            if identity is None:
                self.notify("未设置提交者身份，本次没有保存。", severity="warning")
                return

            def run() -> None:
                with GitRepo(self.root) as repo:
                    repo.set_identity(identity)

            def stored(_: Any) -> None:
                self.identity = identity
                self._named(identity)
                then()

            self.submit(Job(run, stored))

        self.push_screen(IdentityDialog(suggestion), store)

    def _named(self, identity: Identity) -> None:
        """The person just gave their name: the top bar shows it (not the login) from now."""
        actor = self.actor
        if actor is not None and self.workspace is not None and actor.name in (
                actor.login, "") and find_actor(self.workspace.data.access, login=actor.login) is None:
            self.actor = replace(actor, name=identity.name, email=identity.email)
        for screen in self.screen_stack:
            for bar in screen.query(TopBar).results(TopBar):
                bar.refresh_who()

    # ------------------------------------------------------------------ views

    def refresh_views(self, unit_id: str | None) -> None:
        """Tell every open screen that the data changed (of one unit, or all when None)."""
        for screen in self.screen_stack:
            refresh = getattr(screen, "data_changed", None)
            if refresh is not None:
                refresh(unit_id)

    def unsaved_screen(self) -> Any:
        """The topmost open editor with unsaved changes, if any."""
        for screen in reversed(self.screen_stack):
            if getattr(screen, "dirty", False):
                return screen
        return None

    # ------------------------------------------------------------------ navigation

    @property
    def current_unit(self) -> str | None:
        """The unit the palette and the export work on: the unit a screen shows, else the
        person's own; the dashboard's highlighted row only for someone without a unit of
        their own (the province), so a unit's staff who looked at another unit are back at
        their own."""
        own = self.actor.unit if self.actor else None
        for screen in reversed(self.screen_stack):
            pointed = getattr(screen, "unit_under_cursor", None)
            if pointed is not None:
                return own or pointed()
            unit = getattr(screen, "unit_id", None)
            if unit is not None:
                return unit
        return own

    def require_unit(self) -> str | None:
        """The unit the user works on now (current_unit), told why when there is none."""
        if self.workspace is None:
            self.notify("材料库还在读取中，请稍候。")
            return None
        unit = self.current_unit
        if unit is None:
            self.notify("请先在截止日期看板上选择一个单位。", severity="warning")
        return unit

    def with_unit(self, unit_id: str, then: Callable[[], None]) -> None:
        """Run `then` once the unit's records are in memory: read in a worker first when the
        load kept only the unit's stand-in (tui.workspace)."""
        if self.workspace is None:
            self.notify("材料库还在读取中，请稍候。")
        elif self.workspace.is_read(unit_id) or unit_id not in self.workspace.data.units:
            then()
        elif unit_id not in self._reading:  # a second key press meanwhile opens nothing twice
            self._reading.add(unit_id)
            self.submit(Job(lambda: None, lambda _: then(), unit=unit_id,
                            after=lambda: self._reading.discard(unit_id)))

    def open_unit(self, unit_id: str | None = None) -> None:
        from tui.screens.unit_overview import UnitOverviewScreen

        unit_id = unit_id or self.require_unit()
        if unit_id is not None:
            self.with_unit(unit_id, lambda: self.push_screen(UnitOverviewScreen(unit_id)))

    def open_deliverable(self, key: str, unit_id: str | None = None) -> None:
        from tui.screens import deliverable_screen

        unit_id = unit_id or self.require_unit()
        if unit_id is not None:
            self.with_unit(unit_id, lambda: self.push_screen(deliverable_screen(key, unit_id)))

    def open_profile(self, unit_id: str | None = None) -> None:
        from tui.screens.profile import ProfileScreen

        unit_id = unit_id or self.require_unit()
        if unit_id is not None:
            self.with_unit(unit_id, lambda: self.push_screen(ProfileScreen(unit_id)))

    def go_home(self) -> None:
        """Back to the dashboard, unless an editor on the way holds unsaved changes."""
        dirty = self.unsaved_screen()
        if dirty is not None:
            self.notify(f"「{dirty.heading()}」有未保存的修改：请先保存（ctrl+s）或按 Esc 返回处理。",
                        severity="warning")
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def open_conflicts(self) -> None:
        """The list of conflicted records of an open merge (once on the stack)."""
        from tui.screens.conflicts import ConflictListScreen

        if not any(isinstance(screen, ConflictListScreen) for screen in self.screen_stack):
            self.push_screen(ConflictListScreen())

    def open_history(self) -> None:
        """The history of what the screen shows: its record, else its unit."""
        from tui.screens.history import HistoryScreen

        target = getattr(self.screen, "history_target", None)
        if target is not None:
            unit_id, path = target()
        else:
            unit_id, path = self.require_unit(), None
        if unit_id is not None:
            self.with_unit(unit_id, lambda: self.push_screen(HistoryScreen(unit_id, path)))

    def open_export(self) -> None:
        from tui.screens.export import ExportScreen

        if self.workspace is None:
            self.notify("材料库还在读取中，请稍候。")
        elif not isinstance(self.screen, ExportScreen):
            self.push_screen(ExportScreen())

    def open_review(self) -> None:
        """The province reviews on a unit's overview: there, the highlighted deliverable."""
        from tui.screens.unit_overview import UnitOverviewScreen

        if self.actor is None or not self.actor.is_province:
            self.notify("只有省级人员可以审核。", severity="warning")
        elif isinstance(self.screen, UnitOverviewScreen):
            self.screen.action_review()
        else:
            self.open_unit()
            self.notify("选中一项材料，按 r 审核。")

    def action_sync(self) -> None:
        self.syncer.start()

    def action_history(self) -> None:
        self.open_history()

    def action_export(self) -> None:
        self.open_export()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_contact(self) -> None:
        from tui.screens.contact import ContactScreen

        if self.workspace is not None and not isinstance(self.screen, ContactScreen):
            self.push_screen(ContactScreen())

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder="输入要找的功能，如 附表1、展板、帮助……",
                                            id="--command-palette"))

    async def action_quit(self) -> None:
        dirty = self.unsaved_screen()
        if dirty is None:
            self.exit(0)
            return
        from tui.screens.dialogs import ConfirmDialog

        def answer(leave: bool | None) -> None:
            if leave:
                for screen in self.screen_stack:  # left on purpose: no draft to offer back
                    discard = getattr(screen, "discard_draft", None)
                    if discard is not None:
                        discard()
                self.exit(0)

        self.push_screen(ConfirmDialog(f"「{dirty.heading()}」有未保存的修改。不保存就退出吗？",
                                       yes="不保存，退出", no="取消"), answer)

    # ------------------------------------------------------------------ last line of defence

    def _fatal_error(self) -> None:
        """An unexpected error in the UI: a sentence and a log file instead of a traceback."""
        if self._exception is not None:
            self._exit_renderables.append(explain(self._exception).message)
        self._close_messages_no_wait()
