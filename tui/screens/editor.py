"""Editing one record: the generic form, live findings, save as one commit, no silent loss.

A save is never refused because the record is unfinished (it is stored as a draft with its
findings); only a value its field cannot hold is refused, at that field. Leaving with unsaved
changes asks first; a file changed behind the user's back is shown before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from datastore.errors import LlweekError, StaleRecord
from datastore.findings import Finding
from datastore.loader import StoredRecord
from datastore.models import DELIVERABLES, Record, RecordKind
from datastore.photos import copy_photo_in
from datastore.records import record_to_text, with_changes
from datastore.rules import check_record
from datastore.save import SaveResult, save_record
from datastore.tomlio import digest
from tui.app import Job, LlweekApp
from tui.widgets.bar import TopBar
from tui.widgets.findings import FindingsView
from tui.widgets.photo_slots import PhotoSlots
from tui.widgets.record_form import RecordForm


class RecordEditor(Screen):
    """Editor of one record of `KIND`; subclasses name the kind and any photo slots."""

    KIND: ClassVar[RecordKind]
    #: (rule giving the number of slots, their label) for records with numbered photos
    PHOTOS: ClassVar[tuple[str, str] | None] = None

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("ctrl+l", "app.history", "历史"),
        Binding("escape", "back", "返回"),
    ]

    app: LlweekApp

    def __init__(self, unit_id: str, stored: StoredRecord | None = None,
                 record: Record | None = None) -> None:
        """Open `stored` (a file on disk) or start `record` (not yet on disk); a unit's single
        record (工作方案, 展板素材 …) is found by itself."""
        super().__init__()
        self.unit_id = unit_id
        if stored is None and record is None and not self.KIND.is_collection:
            unit = self.app.workspace.unit(unit_id)
            stored = unit.single(self.KIND.key) if unit else None
            record = None if stored else self.new_record()
        self.original: Record | None = stored.record if stored else (record or self.KIND.model())
        self.expected = stored.digest if stored else None
        record_id = getattr(self.original, "id", None) if self.KIND.is_collection else None
        self.path = stored.path if stored else self.KIND.path(unit_id, record_id)
        self.others: list[Finding] = []

    def new_record(self) -> Record:
        """The record a unit starts from when it has none yet."""
        return self.KIND.model()

    # ------------------------------------------------------------------ layout

    @property
    def read_only(self) -> bool:
        return not self.app.may_edit(self.unit_id)

    def heading(self) -> str:
        return f"{self.app.workspace.unit_name(self.unit_id)} {self.KIND.describe(self.original)}"

    def record_title(self) -> str:
        """附表1「社区智能手机培训」 for a record of a list, 展板素材 for a unit's single record."""
        if not self.KIND.is_collection:
            return DELIVERABLES.get(self.KIND.deliverable or "", self.KIND.noun)
        if self.expected is None:
            return f"{self.KIND.noun}（新增）"
        return self.KIND.describe(self.original)

    def compose(self) -> ComposeResult:
        workspace = self.app.workspace
        yield TopBar(f"{workspace.unit_name(self.unit_id)} › {self.record_title()}")
        with VerticalScroll(id="body"):
            if self.read_only:
                yield Static("只读：您只能修改本单位的材料。", classes="notice")
            yield FindingsView(id="general")
            if self.original is None:
                yield Static("这个文件无法读取（见上面的问题），请先用文本编辑器修正或联系省办公室。",
                             classes="notice")
            else:
                yield RecordForm(self.original, workspace.campaign.rules, self.read_only)
            if self.PHOTOS and self.original is not None:
                count_rule, label = self.PHOTOS
                yield PhotoSlots(getattr(self.original, "photos"),
                                 getattr(workspace.campaign.rules, count_rule), label,
                                 workspace.root, self.unit_id, workspace.campaign.rules,
                                 self.read_only)
        yield Footer()

    def on_mount(self) -> None:
        self._collect_others()
        self.recheck()
        if self.original is not None:
            self.query_one(RecordForm).focus_field()

    def _collect_others(self) -> None:
        """Findings about this file that its own rules do not give: load problems, ranks."""
        own = set(self._check(self.original)) if self.original is not None else set()
        self.others = [f for f in self.app.workspace.findings_of(self.unit_id, path=self.path)
                       if f not in own]

    def _check(self, record: Record) -> list[Finding]:
        return check_record(self.KIND, record, self.path, self.app.workspace.context(self.unit_id))

    # ------------------------------------------------------------------ live checking

    def candidate(self) -> tuple[Record | None, dict[str, Any], dict[str, str]]:
        """(the record as on screen, the changed fields, reasons a field cannot be stored)."""
        if self.original is None:
            return None, {}, {}
        changes, refused = self.query_one(RecordForm).changes()
        if self.PHOTOS and self.query_one(PhotoSlots).touched:
            changes["photos"] = self.query_one(PhotoSlots).photos()
        try:
            return with_changes(self.original, changes), changes, refused
        except ValidationError as err:
            for error in err.errors():
                name = str(error["loc"][0]) if error["loc"] else ""
                refused.setdefault(name, f"「{type(self.original).label_of(name)}」的值无法保存：{error['msg']}")
            kept = {k: v for k, v in changes.items() if k not in refused}
            return with_changes(self.original, kept), kept, refused

    @property
    def dirty(self) -> bool:
        _, changes, refused = self.candidate()
        return bool(changes or refused)

    def on_record_form_changed(self) -> None:
        self.recheck()

    def on_photo_slots_changed(self) -> None:
        self.recheck()

    def recheck(self) -> None:
        record, changes, refused = self.candidate()
        findings = self._check(record) if record is not None else []
        findings += [f for f in self.others if not (f.code == "field.type" and f.field in changes)]
        form_fields = {spec.name for spec in type(self.original).specs()} if record else set()
        by_field: dict[str, list[Finding]] = {}
        photos: list[Finding] = []
        general: list[Finding] = []
        for finding in findings:
            if finding.field in form_fields:
                by_field.setdefault(finding.field, []).append(finding)
            elif self.PHOTOS and (finding.field or "").startswith("photos"):
                photos.append(finding)
            else:
                general.append(finding)
        self.query_one("#general", FindingsView).show(general)
        if record is not None:
            self.query_one(RecordForm).show_findings(by_field, refused)
        if self.PHOTOS and record is not None:
            self.query_one(PhotoSlots).show_findings(photos)

    # ------------------------------------------------------------------ photos

    def on_photo_slots_choose(self, event: PhotoSlots.Choose) -> None:
        """Pick a file on the server; a worker copies it into the unit's photos/ folder."""
        from tui.screens.file_picker import FilePicker

        app, unit_id, index = self.app, self.unit_id, event.index
        max_mb = app.workspace.campaign.rules.photo_max_mb

        def chosen(source: Path | None) -> None:
            if source is None:
                return
            app.picker_start = source.parent
            app.submit(Job(lambda: copy_photo_in(source, app.root, unit_id, max_mb),
                           lambda name: self._photo_copied(index, name)))

        app.push_screen(FilePicker(app.picker_start), chosen)

    def _photo_copied(self, index: int, name: str) -> None:
        if self.is_attached:
            self.query_one(PhotoSlots).slot(index).set_file(name)

    # ------------------------------------------------------------------ saving

    def action_save(self, then: Callable[[], None] | None = None) -> None:
        if self.read_only:
            self.notify("只读：您只能修改本单位的材料。", severity="warning")
            return
        record, changes, refused = self.candidate()
        if record is None:
            return
        if refused:
            name = next(iter(refused))
            self.query_one(RecordForm).focus_field(name)
            self.notify(f"没有保存：{refused[name]}", severity="error")
            return
        if not changes and self.expected is not None:
            self.notify("没有需要保存的修改。")
            if then:
                then()
            return
        app, unit_id, expected = self.app, self.unit_id, self.expected

        def run() -> SaveResult:
            return save_record(app.root, self.KIND, unit_id, record, expected=expected,
                               actor=app.actor)

        app.submit(Job(run, lambda result: self._saved(record, result, then), unit=unit_id,
                       failed=lambda err: self._save_failed(err, record)))

    def _saved(self, record: Record, result: SaveResult, then: Callable[[], None] | None) -> None:
        if not self.is_attached:  # closed while its save ran: the commit is made, nothing to show
            return
        self.original, self.expected = record, result.digest
        self.query_one(RecordForm).mark_saved()
        if self.PHOTOS:
            self.query_one(PhotoSlots).mark_saved()
        self._collect_others()
        self.recheck()
        errors = sum(f.is_error for f in result.findings)
        if result.commit is None:
            self.notify("内容与已保存的相同，无需提交。")
        elif errors:
            self.notify(f"已保存为草稿：还有 {errors} 个问题需要补充或修改。", title="已保存")
        else:
            self.notify("已保存。", title="已保存")
        if then:
            then()

    def _save_failed(self, error: LlweekError, record: Record) -> bool:
        if not isinstance(error, StaleRecord):
            return False
        from tui.screens.dialogs import StaleDialog

        def choose(answer: str | None) -> None:
            if answer == "overwrite":
                self.expected = digest(error.current_text.encode()) if error.current_text else None
                self.action_save()
            elif answer == "reload":
                self.reopen()

        self.app.push_screen(StaleDialog(str(error), record_to_text(record), error.current_text),
                             choose)
        return True

    def reopen(self) -> None:
        """Show the file as it is on disk now, dropping what was typed here."""
        app = self.app

        def fresh(_: Any) -> None:
            stored = app.workspace.stored(self.path)
            if stored is None and self.KIND.is_collection:
                self.notify("这条记录已被删除。", severity="warning")
                self.dismiss()
            else:
                app.switch_screen(type(self)(self.unit_id, stored=stored))

        app.submit(Job(lambda: None, fresh, unit=self.unit_id))

    # ------------------------------------------------------------------ changed elsewhere

    def history_target(self) -> tuple[str, str | None]:
        return self.unit_id, self.path if self.expected is not None else None

    def data_changed(self, unit_id: str | None) -> None:
        """After a sync read everything in: show what others changed here (if shown now)."""
        if unit_id is None and self.app.screen is self:
            self.follow_disk()

    def on_screen_resume(self) -> None:
        self.follow_disk()

    def follow_disk(self) -> None:
        """Show the record as it is now on disk (synced, restored), unless something is typed
        here: then the save compares and asks, as for any change made meanwhile."""
        if not self.is_mounted or self.dirty:
            return
        stored = self.app.workspace.stored(self.path)
        if (stored.digest if stored else None) == self.expected:
            return
        if stored is None and self.expected is None:  # never saved: nothing to follow
            return
        if stored is None and self.KIND.is_collection:
            self.notify("这条记录已被删除。", severity="warning")
            self.dismiss()
            return
        self.app.switch_screen(type(self)(self.unit_id, stored=stored))
        self.notify("这份材料有了新的内容（同步或恢复），已显示最新的。")

    # ------------------------------------------------------------------ leaving

    def action_back(self) -> None:
        if not self.dirty:
            self.dismiss()
            return
        from tui.screens.dialogs import UnsavedDialog

        def answer(choice: str | None) -> None:
            if choice == "save":
                self.action_save(then=self.dismiss)
            elif choice == "discard":
                self.dismiss()

        self.app.push_screen(UnsavedDialog(self.heading()), answer)
