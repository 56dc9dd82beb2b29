"""Editing one record: the generic form, live findings, save as one commit, no silent loss.

A save is never refused because the record is unfinished (it is stored as a draft with its
findings); only a value its field cannot hold is refused, at that field, with one message.
Leaving with unsaved changes asks first. Unsaved typing is kept every few seconds in the
clone's drafts (datastore.autosave), and offered back when the form opens after a dropped
connection. A file changed behind the user's back is merged field by field with what was
typed (datastore.saveover); only a field both changed asks which to keep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from datastore.autosave import Draft, drop_draft, read_draft, write_draft
from datastore.conflicts import Choice
from datastore.errors import LlweekError, StaleRecord
from datastore.examples import example_date
from datastore.fieldpath import KeyPath, show
from datastore.findings import Finding
from datastore.loader import StoredRecord
from datastore.models import DELIVERABLES, Photo, Record, RecordKind
from datastore.photostage import find_photo, stage_photo, staged_path, unstage
from datastore.records import record_to_data, with_changes
from datastore.rules import check_record
from datastore.save import SaveResult, save_record
from datastore.saveover import SaveOver, merge_over, resolved
from datastore.tomlio import digest
from tui.jobs import Job
from tui.widgets.bar import KeysFooter, TopBar
from tui.widgets.findings import FindingsView
from tui.widgets.photo_slots import PhotoSlots
from tui.widgets.record_form import RecordForm
from tui.widgets.record_text import record_text

#: how often unsaved typing is kept as a draft
AUTOSAVE_SECONDS = 3.0
#: who fills in a field that belongs to the province, as a unit's form says
PROVINCE_FILLS = "由省教育厅填写"

if TYPE_CHECKING:
    from tui.app import LlweekApp


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
        self.staged: set[str] = set()  # photos picked here, waiting for a save
        self.drafted: tuple[Any, ...] | None = None  # what the last draft written holds
        self.told_changed: str | None = None  # a change on disk already told about

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

    def where(self) -> str:
        return f"{self.app.workspace.unit_name(self.unit_id)} › {self.record_title()}"

    def examples(self) -> dict[str, Any]:
        """A valid date for each date field, from the campaign's own dates."""
        campaign, model = self.app.workspace.campaign, self.KIND.model
        return {spec.name: example_date(campaign, model, spec.name)
                for spec in model.specs() if spec.kind == "date"}

    def locked(self) -> dict[str, str]:
        """Fields a unit's staff may not fill in (the province's opinions)."""
        actor = self.app.actor
        if actor is not None and actor.is_province:
            return {}
        unit = self.app.workspace.unit(self.unit_id)
        kind = unit.kind if unit else None
        return {spec.name: PROVINCE_FILLS for spec in self.KIND.model.specs()
                if spec.owned_by_province(kind)}

    def compose(self) -> ComposeResult:
        workspace = self.app.workspace
        yield TopBar(self.where())
        with VerticalScroll(id="body"):
            if self.read_only:
                yield Static("只读：您只能修改本单位的材料。", classes="notice")
            yield Static("", id="changed-note", classes="notice", markup=False)
            yield FindingsView(id="general")
            if self.original is None:
                yield Static("这个文件无法读取（见上面的问题），请先用文本编辑器修正或联系省办公室。",
                             classes="notice")
            else:
                yield RecordForm(self.original, workspace.campaign.rules, self.read_only,
                                 examples=self.examples(), locked=self.locked())
            if self.PHOTOS and self.original is not None:
                count_rule, label = self.PHOTOS
                yield PhotoSlots(getattr(self.original, "photos"),
                                 getattr(workspace.campaign.rules, count_rule), label,
                                 workspace.root, self.unit_id, workspace.campaign.rules,
                                 self.read_only)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#changed-note").display = False
        self._collect_others()
        self.recheck()
        if self.original is not None:
            self.query_one(RecordForm).focus_field()
            if not self.read_only:
                self.set_interval(AUTOSAVE_SECONDS, self.autosave)
                self.offer_draft()

    def _collect_others(self) -> None:
        """Findings about this file that its own rules do not give: load problems, ranks."""
        own = set(self._check(self.original)) if self.original is not None else set()
        self.others = [f for f in self.app.workspace.findings_of(self.unit_id, path=self.path)
                       if f not in own]

    def _check(self, record: Record) -> list[Finding]:
        context = replace(self.app.workspace.context(self.unit_id), find_photo=find_photo)
        return check_record(self.KIND, record, self.path, context)

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
        """Findings next to their fields; a field whose text is refused shows only why (the
        record behind it still holds the old value, whose findings would contradict it)."""
        record, changes, refused = self.candidate()
        findings = self._check(record) if record is not None else []
        findings += [f for f in self.others if not (f.code == "field.type" and f.field in changes)]
        findings = [f for f in findings if f.field not in refused]
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
        """Pick a file on the server; a worker stages it for the save that uses it."""
        from tui.screens.file_picker import FilePicker

        app, unit_id, index = self.app, self.unit_id, event.index
        max_mb = app.workspace.campaign.rules.photo_max_mb

        def chosen(source: Path | None) -> None:
            if source is None:
                return
            app.picker_start = source.parent
            app.submit(Job(lambda: stage_photo(source, app.root, unit_id, max_mb),
                           lambda name: self._photo_staged(index, name)))

        app.push_screen(FilePicker(app.picker_start, max_mb), chosen)

    def _photo_staged(self, index: int, name: str) -> None:
        if staged_path(self.app.root, self.unit_id, name) is not None:
            self.staged.add(name)
        if self.is_attached:
            self.query_one(PhotoSlots).slot(index).set_file(name)

    def _forget_staged(self) -> None:
        """Photos picked here that no save took: out of the staging folder."""
        unstage(self.app.root, self.unit_id, self.staged)
        self.staged.clear()

    # ------------------------------------------------------------------ autosave

    def draft(self) -> Draft | None:
        """What is typed and not saved, as a draft (None: nothing to keep)."""
        if self.original is None or self.read_only:
            return None
        photos = None
        if self.PHOTOS and self.query_one(PhotoSlots).touched:
            photos = [{"file": p.file, "caption": p.caption}
                      for p in self.query_one(PhotoSlots).photos()]
        draft = Draft(self.path, self.query_one(RecordForm).typed(), photos, self.expected)
        return None if draft.empty else draft

    def autosave(self) -> None:
        """Keep the typing (in a worker) when it changed since the last draft."""
        draft = self.draft()
        held = (draft.fields, draft.photos) if draft else None
        if held == self.drafted:
            return
        self.drafted = held
        root, path, app = self.app.root, self.path, self.app

        def keep() -> None:
            try:
                if draft is None:
                    drop_draft(root, path)
                else:
                    write_draft(root, draft)
            except OSError as err:  # a full disk must not stop the typing: say it once
                app.call_from_thread(app.notify, f"未能暂存未保存的修改：{err.strerror}",
                                     severity="warning")

        self.run_worker(keep, thread=True, group="autosave", exit_on_error=False)

    def offer_draft(self) -> None:
        """A draft kept from a form left unsaved: offer it back, showing what differs."""
        draft = read_draft(self.app.root, self.path)
        if draft is None:
            return
        rows = self.query_one(RecordForm).rows
        differences = [(rows[name].spec.label, show(rows[name].initial, 80), show(text, 80))
                       for name, text in draft.fields.items()
                       if name in rows and rows[name].initial != text]
        if draft.photos is not None and self.PHOTOS:
            now = [{"file": p.file, "caption": p.caption} for p in self.query_one(PhotoSlots).photos()]
            if now != draft.photos:
                differences.append((self.PHOTOS[1], photos_text(now), photos_text(draft.photos)))
        if not differences:
            drop_draft(self.app.root, self.path)
            return
        if draft.base != self.expected:
            differences.append(("注意", "这份材料在您上次修改之后已被别人更新",
                                "恢复后只改回上面这些栏目，其他栏目保持最新的内容"))
        from tui.screens.dialogs import RestoreDraftDialog

        def answer(restore: bool | None) -> None:
            if restore:
                self.restore_draft(draft)
            elif restore is False:
                drop_draft(self.app.root, self.path)

        self.app.push_screen(RestoreDraftDialog(self.heading(), draft.saved_at, differences), answer)

    def restore_draft(self, draft: Draft) -> None:
        self.query_one(RecordForm).put_texts(draft.fields)
        if draft.photos is not None and self.PHOTOS:
            slots = self.query_one(PhotoSlots)
            for position, slot in enumerate(slots.slots):
                photo = draft.photos[position] if position < len(draft.photos) else {}
                slot.query_one(Input).value = photo.get("caption") or ""
                slot.set_file(photo.get("file"))
                if photo.get("file") and staged_path(self.app.root, self.unit_id, photo["file"]):
                    self.staged.add(photo["file"])
        self.recheck()
        self.notify("已恢复上次未保存的修改：请检查后按 ctrl+s 保存。", title="已恢复")

    def discard_draft(self) -> None:
        """The typing is given up on purpose: no draft, no staged photos."""
        drop_draft(self.app.root, self.path)
        self._forget_staged()

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
        self._save(record, self.expected, then)

    def _save(self, record: Record, expected: str | None, then: Callable[[], None] | None,
              kept: list[str] | None = None) -> None:
        app, unit_id, kind = self.app, self.unit_id, self.KIND

        def run() -> SaveResult:
            return save_record(app.root, kind, unit_id, record, expected=expected, actor=app.actor)

        app.submit(Job(run, lambda result: self._saved(record, result, then, kept or []),
                       unit=unit_id, failed=lambda err: self._save_failed(err, record, then)))

    def _saved(self, record: Record, result: SaveResult, then: Callable[[], None] | None,
               kept: list[str]) -> None:
        drop_draft(self.app.root, self.path)
        self._forget_staged()
        if not self.is_attached:  # closed while its save ran: the commit is made, nothing to show
            return
        self.original, self.expected, self.drafted = record, result.digest, None
        self.query_one(RecordForm).load(record)
        if self.PHOTOS:
            slots = self.query_one(PhotoSlots)
            if slots.photos() != getattr(record, "photos"):  # merged with others' photos
                self.reopen()
                return
            slots.mark_saved()
        self.query_one(TopBar).set_where(self.where())
        self.query_one("#changed-note").display = False
        self._collect_others()
        self.recheck()
        errors = sum(f.is_error for f in result.findings)
        also = f"同时保留了别人刚保存的修改：{'、'.join(f'「{k}」' for k in kept)}。" if kept else ""
        if result.commit is None:
            self.notify("内容与已保存的相同，无需提交。" + also)
        elif errors:
            self.notify(f"已保存为草稿：还有 {errors} 个问题需要补充或修改。{also}", title="已保存")
        else:
            self.notify(f"已保存。{also}", title="已保存")
        if then:
            then()

    def _save_failed(self, error: LlweekError, record: Record,
                     then: Callable[[], None] | None) -> bool:
        if not isinstance(error, StaleRecord):
            return False
        if not self.is_attached:
            return False
        if error.current_text is None:
            self._ask_over(f"{self.heading()} 在您打开之后已被删除（可能是同步或其他人的修改）。", record,
                           None, None, then)
            return True
        try:
            over = merge_over(self.KIND, self.path, self.original if self.expected else None,
                              record, error.current_text)
        except LlweekError as err:
            self._ask_over(str(err), record, error.current_text,
                           digest(error.current_text.encode("utf-8")), then)
            return True
        if not over.conflicts:
            self._save(resolved(self.KIND, over, {}), over.digest, then, over.kept)
            return True
        self._choose_over(over, then)
        return True

    def _choose_over(self, over: SaveOver, then: Callable[[], None] | None) -> None:
        """Both changed a field: the sync conflict's field-by-field choice, then the save."""
        from tui.screens.conflict_fields import ConflictFieldsScreen

        def chosen(choices: Mapping[KeyPath, Choice]) -> None:
            try:
                record = resolved(self.KIND, over, choices)
            except LlweekError as err:
                self.notify(str(err), severity="error")
                return
            self._save(record, over.digest, then, over.kept)

        kept = f"别人改的{'、'.join(f'「{k}」' for k in over.kept)}会保留；" if over.kept else ""
        intro = (f"您打开之后，别人也保存了这份材料。{kept}下面 {len(over.conflicts)} 项两人都改了，"
                 "请逐项选择保留哪一份。")
        self.app.push_screen(ConflictFieldsScreen(over.as_conflict(), save=chosen, intro=intro))

    def _ask_over(self, message: str, record: Record, theirs: str | None,
                  expected: str | None, then: Callable[[], None] | None) -> None:
        """Nothing to merge with (deleted, unreadable): show mine, let the person choose."""
        from tui.screens.dialogs import StaleDialog

        def choose(answer: str | None) -> None:
            if answer == "overwrite":
                self._save(record, expected, then)
            elif answer == "reload":
                self.discard_draft()
                self.reopen()

        mine = record_text(self.path, record_to_data(record), full=True)
        self.app.push_screen(StaleDialog(message, mine, theirs), choose)

    def reopen(self) -> None:
        """Show the file as it is on disk now, dropping what was typed here."""
        app = self.app

        def fresh(_: Any) -> None:
            stored = app.workspace.stored(self.path)
            if stored is None and self.KIND.is_collection:
                self.notify("这条记录已被删除。", severity="warning")
                self.dismiss()
            elif app.screen is self:
                app.switch_screen(type(self)(self.unit_id, stored=stored))

        app.submit(Job(lambda: None, fresh, unit=self.unit_id))

    # ------------------------------------------------------------------ changed elsewhere

    def history_target(self) -> tuple[str, str | None]:
        return self.unit_id, self.path if self.expected is not None else None

    def data_changed(self, unit_id: str | None) -> None:
        """After a sync read everything in: show what others changed here (if shown now)."""
        if unit_id is None:
            self.follow_disk()

    def on_screen_resume(self) -> None:
        self.follow_disk()

    def follow_disk(self) -> None:
        """Show the record as it is now on disk (synced, restored); with something typed
        here, say at once that the file changed (the save will merge). Only while this form
        is the screen in front: a dialog above it is never replaced."""
        if not self.is_mounted or self.app.screen is not self:
            return
        stored = self.app.workspace.stored(self.path)
        now = stored.digest if stored else None
        if now == self.expected or (stored is None and self.expected is None):
            return
        if self.dirty:
            if now != self.told_changed:
                self.told_changed = now
                self.tell_changed(stored is None)
            return
        if stored is None and self.KIND.is_collection:
            self.notify("这条记录已被删除。", severity="warning")
            self.dismiss()
            return
        self.app.switch_screen(type(self)(self.unit_id, stored=stored))
        self.notify("这份材料有了新的内容（同步或恢复），已显示最新的。")

    def tell_changed(self, deleted: bool) -> None:
        what = "已被别人删除" if deleted else "刚被别人修改（同步带来了新的版本）"
        note = self.query_one("#changed-note", Static)
        note.update(f"这份材料{what}。您的修改还没保存：保存时会与新版本逐项合并，"
                    "只有两人都改了的栏目需要您选择。")
        note.display = True
        self.notify(f"「{self.heading()}」{what}：您的修改还没保存，保存时会逐项合并。",
                    title="文件已变化", severity="warning", timeout=12)

    # ------------------------------------------------------------------ leaving

    def action_back(self) -> None:
        if not self.dirty:
            self.discard_draft()
            self.dismiss()
            return
        from tui.screens.dialogs import UnsavedDialog

        def answer(choice: str | None) -> None:
            if choice == "save":
                self.action_save(then=self.dismiss)
            elif choice == "discard":
                self.discard_draft()
                self.dismiss()

        self.app.push_screen(UnsavedDialog(self.heading()), answer)


def photos_text(photos: list[dict[str, str | None]] | list[Photo]) -> str:
    """`3 张：开幕式、讲座现场 …` for the draft dialog."""
    names = [(p.caption if isinstance(p, Photo) else p.get("caption")) or "（未命名）"
             for p in photos]
    return f"{len(names)} 张：{'、'.join(names)}" if names else "（无）"
