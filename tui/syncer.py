"""同步 in the app: the sync runs in a worker; its result is a notification; what others pushed
is read in so every open screen shows it; the banner under the top bar says what still waits.

The banner is cheap to keep current: after every save or sync the clone's local state (commits
not yet pushed, an open merge) is read again in a worker, without asking the server.

A push the server refuses would be refused again on every sync: the app offers, in a dialog,
to set the refused commits aside (datastore.setaside) and sync again.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datastore.access import Actor
from datastore.errors import PushRefused
from datastore.gitrepo import NETWORK_TIMEOUT, GitRepo
from datastore.lock import repo_lock
from datastore.roles import rights_for
from datastore.syncstate import LocalState, local_state
from tui.workspace import Workspace

if TYPE_CHECKING:
    from datastore.setaside import SetAside
    from datastore.sync import SyncResult
    from tui.app import LlweekApp

SYNC_KEY = "ctrl+r"
#: how much of the server's refusal the set-aside question quotes (the rest is in the notice)
REFUSAL_LINES = 8


def acting(root: Path, chosen: Actor | None) -> Actor | None:
    """Who a sync acts as: the app's person, else whoever access.toml says runs llweek here."""
    return chosen if chosen is not None else rights_for(root).actor


def banner_text(state: LocalState, running: bool, unreachable: str | None) -> str:
    """The banner's sentence, or "" when there is nothing to say."""
    if running:
        return f"正在同步：提交、拉取、合并、推送……（服务器无响应时最多等 {NETWORK_TIMEOUT:g} 秒）"
    if state.merging and state.unresolved:
        return f"合并未完成：还有 {state.unresolved} 个文件有冲突，请在“冲突”界面选择（ctrl+p 冲突）"
    if state.merging:
        return "冲突都已解决，合并还没完成：在“冲突”界面按 f 完成合并（ctrl+p 冲突）"
    if unreachable:
        waiting = f"{state.ahead} 个提交在本机等待推送（都已保存）" if state.ahead else "本机的修改都已保存"
        return f"服务器无法连接：{waiting}，稍后按 {SYNC_KEY} 再同步。原因：{unreachable}"
    if state.ahead:
        return f"有 {state.ahead} 个提交尚未推送到服务器：按 {SYNC_KEY} 同步"
    return ""


class Syncer:
    """The app's one sync at a time, and the banner that follows the clone's state."""

    def __init__(self, app: LlweekApp) -> None:
        self.app = app
        self.running = False
        self.unreachable: str | None = None  # why the last sync could not reach the server
        self.refusal = ""  # the server's words on the last refused push
        self.state = LocalState()

    def start(self, photos: Collection[str] = ()) -> None:
        """Sync now (in a worker); a second request while one runs is only told to wait.
        `photos`: new photo files the person agreed to commit though no save used them."""
        app = self.app
        if app.workspace is None:
            app.notify("材料库还在读取中，请稍候。")
            return
        if self.running:
            app.notify("正在同步，请稍候。")
            return
        from tui.jobs import Job

        root, chosen, read = app.root, app.actor, app.units_read()

        def run() -> tuple[SyncResult | PushRefused, Workspace | None]:
            try:
                from datastore.sync import sync  # merging and saving: loaded when first used

                result = sync(root, actor=acting(root, chosen), photos=photos)
            except PushRefused as refused:  # expected: the way out is offered, not an error
                return refused, None
            if not (result.pulled or result.finished_merge or result.committed):
                return result, None
            # read under the writer lock: a save made meanwhile is either read here or
            # reported after this result, never overwritten by an older picture
            with GitRepo(root) as repo, repo_lock(repo.git_dir, "读取同步后的材料"):
                return result, Workspace.load(root, read)

        self.running = True
        self.show()
        app.submit(Job(run, self._synced, after=self._ended))

    def _refused(self, error: PushRefused) -> None:
        """The server refused the push: offer the way out instead of only saying so."""
        from tui.screens.dialogs import ConfirmDialog

        said = [line for line in str(error).splitlines() if "--set-aside" not in line]
        shown = said[:REFUSAL_LINES] + (["……"] if len(said) > REFUSAL_LINES else [])
        question = "\n".join([*shown, "", "要把被拒绝的提交移到本机分支 rejected/<日期>（不删除任何内容），"
                              "回到服务器的版本，把您有权修改的文件重新提交，再同步吗？"])
        self.refusal = str(error)
        self.app.push_screen(ConfirmDialog(question, yes="移到一边并同步", no="暂不"), self._answered)

    def _answered(self, yes: bool | None) -> None:
        if not yes:
            self.app.notify(f"{self.refusal}\n被拒绝的提交都还在本机；再按 {SYNC_KEY} 同步时可以选择“移到一边并同步”。",
                            title="服务器拒绝了推送", severity="error", timeout=20)
            return
        from tui.jobs import Job

        app = self.app
        root, chosen = app.root, app.actor
        read = app.units_read()

        def run() -> tuple[SetAside, Workspace]:
            from datastore.setaside import set_aside

            done = set_aside(root, actor=acting(root, chosen))
            with GitRepo(root) as repo, repo_lock(repo.git_dir, "读取移开后的材料"):
                return done, Workspace.load(root, read)

        self.app.submit(Job(run, self._set_aside))

    def _set_aside(self, outcome: tuple[SetAside, Workspace]) -> None:
        done, workspace = outcome
        self.app.workspace = workspace
        self.app.refresh_views(None)
        self.app.notify("\n".join(done.lines()), title="已移到一边", timeout=30)
        self.start()

    def _ended(self) -> None:
        self.running = False
        self.show()

    def _synced(self, outcome: tuple[SyncResult | PushRefused, Workspace | None]) -> None:
        result, workspace = outcome
        if isinstance(result, PushRefused):
            self._refused(result)
            return
        app = self.app
        self.unreachable = result.unreachable
        if workspace is not None:
            app.workspace = workspace
            app.refresh_views(None)
        lines = [*result.notes, result.summary]
        if result.finished_merge:
            lines.insert(0, "已完成合并。")
        if result.committed:
            lines.append(f"已提交手工修改：{'、'.join(result.committed)}")
        if result.not_committed:
            lines.append(f"未提交：{'、'.join(result.not_committed)}")
        text = "\n".join(lines)
        if result.unreachable:
            app.notify(text, title="未能同步", severity="error", timeout=15)
        elif result.conflicts:
            app.notify(text, title="同步停在冲突上", severity="warning", timeout=12)
            app.open_conflicts()
        else:
            app.notify(text, title="同步完成", timeout=8)
        self.show()
        if result.untracked_photos and not result.conflicts and not result.unreachable:
            self.ask_photos(result.untracked_photos)

    def ask_photos(self, paths: list[str]) -> None:
        """New photo files no save used were left out: list them and ask."""
        from tui.screens.dialogs import ConfirmDialog

        listed = "\n".join(f"  {path}" for path in paths)
        question = (f"有 {len(paths)} 张照片不在任何已保存的材料里，这次没有提交：\n{listed}\n"
                    "它们可能是选了又换掉、或手工放进 photos 文件夹的。要提交并推送它们吗？")

        def answer(commit: bool | None) -> None:
            if commit:
                self.start(photos=paths)

        self.app.push_screen(ConfirmDialog(question, yes="提交并推送", no="先不提交"), answer)

    # ------------------------------------------------------------------ the banner

    def refresh(self) -> None:
        """Read the clone's state again in a worker (a newer request replaces an older one)."""
        app = self.app
        app.run_worker(lambda: local_state(app.root), thread=True, exclusive=True,
                       group="sync-state", name="sync-state", exit_on_error=False)

    def state_read(self, state: Any) -> None:
        self.state = state
        self.show()

    def show(self) -> None:
        self.app.sync_note = banner_text(self.state, self.running, self.unreachable)
