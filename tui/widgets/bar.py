"""The lines at the top of every screen: where you are, today's date, who you are; below them,
only when there is something to say, the sync banner (unpushed commits, no server, open merge).
At the bottom, the keys, compact so that ^r 同步 and ^p 命令 fit at 80 columns."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static


class SyncBanner(Static):
    """Follows the app's `sync_note`; hidden while it is empty."""

    def on_mount(self) -> None:
        self.watch(self.app, "sync_note", self._show)

    def _show(self, note: str) -> None:
        self.update(note)
        self.display = bool(note)


class TopBar(Vertical):
    def __init__(self, where: str) -> None:
        super().__init__(classes="topbar-box")
        self.where = where

    def compose(self) -> ComposeResult:
        with Horizontal(classes="topbar"):
            yield Static(self.where, classes="where", markup=False)
            yield Static("", classes="who", markup=False)
        yield SyncBanner("", classes="sync-banner", markup=False)

    def on_mount(self) -> None:
        self.refresh_who()

    def set_where(self, where: str) -> None:
        self.where = where
        self.query_one(".where", Static).update(where)

    def refresh_who(self) -> None:
        app = self.app
        self.query_one(".who", Static).update(f"{app.today}  {app.who()}")  # type: ignore[attr-defined]


class KeysFooter(Footer):
    """The footer of every screen: keys without padding, so a screen's keys and the app's
    (^q 退出, ? 帮助, ^r 同步, ^p 命令) fit in 80 columns."""

    def __init__(self) -> None:
        super().__init__(compact=True)
