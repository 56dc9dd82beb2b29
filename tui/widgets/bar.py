"""The line at the top of every screen: where you are, today's date, who you are."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static


class TopBar(Horizontal):
    def __init__(self, where: str) -> None:
        super().__init__(classes="topbar")
        self.where = where

    def compose(self) -> ComposeResult:
        yield Static(self.where, classes="where", markup=False)
        yield Static("", classes="who", markup=False)

    def on_mount(self) -> None:
        self.refresh_who()

    def set_where(self, where: str) -> None:
        self.where = where
        self.query_one(".where", Static).update(where)

    def refresh_who(self) -> None:
        app = self.app
        self.query_one(".who", Static).update(f"{app.today}  {app.who()}")  # type: ignore[attr-defined]
