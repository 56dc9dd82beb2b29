"""What every screen about one unit shares: the unit, the read-only refusal, going back."""

from __future__ import annotations

from textual.screen import Screen

from tui.app import LlweekApp


class UnitScreen(Screen):
    app: LlweekApp

    def __init__(self, unit_id: str) -> None:
        super().__init__()
        self.unit_id = unit_id

    def may_edit(self, what: str = "修改本单位的材料") -> bool:
        """True when the user may change this unit; otherwise says why and returns False."""
        if self.app.may_edit(self.unit_id):
            return True
        self.notify(f"只读：您只能{what}。", severity="warning")
        return False

    def action_back(self) -> None:
        self.dismiss()
