"""A list of findings, one line each, readable without colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from datastore.findings import Finding
from tui.widgets.state import finding_text


class FindingsView(Static):
    """Shows findings (errors first); hides itself when there is nothing to say."""

    def show(self, findings: list[Finding], extra: list[Text] | None = None) -> None:
        lines = [finding_text(f) for f in sorted(findings, key=lambda f: not f.is_error)]
        lines += extra or []
        self.update(Text("\n").join(lines))
        self.display = bool(lines)
