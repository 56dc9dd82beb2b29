"""Small dialogs answer from their buttons as well as from the keyboard."""

from __future__ import annotations

from textual.app import App

from datastore.gitrepo import Identity
from tui.screens.dialogs import IdentityDialog


class Host(App):
    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog, self.answer = dialog, "no answer"

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answered)

    def answered(self, answer) -> None:
        self.answer = answer


async def test_identity_dialog_saves_from_its_button():
    app = Host(IdentityDialog(Identity("张丽", "cc_zhangli@126.com")))
    async with app.run_test() as pilot:
        await pilot.click("#ok")
        await pilot.pause()
    assert app.answer == Identity("张丽", "cc_zhangli@126.com")


async def test_identity_dialog_cancels_from_its_button():
    app = Host(IdentityDialog(None))
    async with app.run_test() as pilot:
        await pilot.click("#cancel")
        await pilot.pause()
    assert app.answer is None
