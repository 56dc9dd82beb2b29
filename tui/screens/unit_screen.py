"""What the table screens of one unit share (单位概况, the record lists): the unit, a table whose
row shows its findings below and opens on enter, the read-only refusal, going back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.widgets import DataTable

if TYPE_CHECKING:
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

    def history_target(self) -> tuple[str, str | None]:
        """What 历史 shows from here: the unit's materials (a list: its highlighted record)."""
        return self.unit_id, None

    def fill(self) -> None:
        """(Re)build the table from the workspace."""
        raise NotImplementedError

    def show_findings(self) -> None:
        """Show the findings of the highlighted row."""
        raise NotImplementedError

    def action_open(self) -> None:
        raise NotImplementedError

    def on_data_table_row_highlighted(self) -> None:
        self.show_findings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def data_changed(self, unit_id: str | None) -> None:
        if unit_id in (None, self.unit_id) and self.is_mounted:
            self.fill()

    def action_back(self) -> None:
        self.dismiss()
