"""The floor of every app benchmark: a clean bare Textual app (no llweek module, no pydantic)
that shows a table of 100 rows with a footer, as the dashboard does, and answers keys; with
`input`, one focused text field (the floor of a keystroke in a form).

    python benchmarks/bare_app.py [input]
"""

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Input


class BareApp(App):
    BINDINGS = [("ctrl+q", "quit", "退出")]

    def compose(self) -> ComposeResult:
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("单位", "方案", "附表1")
        table.add_rows([(f"第{n}市", "通过", "已报") for n in range(100)])
        table.focus()


class BareInput(App):
    BINDINGS = [("ctrl+q", "quit", "退出")]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="在此输入")
        yield Footer()


if __name__ == "__main__":
    (BareInput() if sys.argv[1:] == ["input"] else BareApp()).run()
