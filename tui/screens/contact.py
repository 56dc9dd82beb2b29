"""联系方式: the provincial office's contact and the postal address for the paper copies."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from datastore.models import Contact


class ContactScreen(ModalScreen):
    BINDINGS = [Binding("escape,c,enter", "close", "关闭")]

    def compose(self) -> ComposeResult:
        campaign = self.app.workspace.campaign  # type: ignore[attr-defined]
        contact: Contact = campaign.contact
        table = Table(box=None, show_header=False, padding=(0, 1))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        rows = [
            (Contact.label_of("name"), contact.name),
            (Contact.label_of("phones"), "、".join(contact.phones)),
            (Contact.label_of("email"), contact.email),
            (Contact.label_of("address"), contact.address),
            (Contact.label_of("postcode"), contact.postcode),
        ]
        for label, value in rows:
            table.add_row(label, value or "（未填写）")
        with Vertical(classes="dialog"):
            yield Static(f"{campaign.issuer or '省教育厅'} 活动周领导小组办公室", classes="question")
            yield Static(table)
            yield Static("纸质评选材料（先进单位、先进个人）一式两份，请寄到上面的地址。按 Esc 关闭。",
                         classes="hint")

    def action_close(self) -> None:
        self.dismiss()
