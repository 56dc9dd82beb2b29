"""Loading a whole data repository into memory.

Nothing in a repository stops it from loading: a broken file becomes a finding with its file
and line, and everything else loads as usual.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datastore.errors import RepoNotFound
from datastore.findings import Finding, Severity
from datastore.ids import is_valid_id
from datastore.models import (
    KINDS,
    UNIT_COLLECTIONS,
    UNIT_SINGLETONS,
    Access,
    Campaign,
    Record,
    RecordKind,
    Reviews,
    Submissions,
    UnitProfile,
    UnitRef,
)
from datastore.diff3 import has_markers
from datastore.paths import ACCESS_FILE, CAMPAIGN_FILE, find_root  # noqa: F401 - named here too
from datastore.photos import PHOTO_SUFFIXES, safe_photo_name
from datastore.records import build_record, is_plain, unknown_keys
from datastore.safefs import RECORD_MAX_BYTES, Entry, Folder, Unreadable, read_file, refusal
from datastore.tomlio import TomlSyntaxError, digest, key_lines, parse

#: a file with thousands of unknown keys is reported in a few lines, not thousands
MAX_UNKNOWN_FINDINGS = 20


@dataclass
class StoredRecord:
    """A record as found on disk: `record` is None when the file could not be read at all."""

    kind: RecordKind | None
    path: str
    record: Record | None
    digest: str | None
    unit: str | None = None

    @property
    def id(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".toml")


@dataclass
class UnitData:
    """Everything under units/<id>/, plus the unit's line in campaign.toml."""

    id: str
    ref: UnitRef | None = None
    singles: dict[str, StoredRecord] = field(default_factory=dict)
    collections: dict[str, list[StoredRecord]] = field(default_factory=dict)
    #: set only on a light stand-in made from the load cache (datastore.unitfacts): which
    #: deliverables the unit has, its records not read
    present: frozenset[str] | None = None

    def single(self, key: str) -> StoredRecord | None:
        return self.singles.get(key)

    def record(self, key: str) -> Any:
        stored = self.singles.get(key)
        return stored.record if stored else None

    def items(self, key: str) -> list[StoredRecord]:
        return self.collections.get(key, [])

    @property
    def profile(self) -> UnitProfile | None:
        return self.record("unit")

    @property
    def submissions(self) -> Submissions:
        return self.record("submissions") or Submissions()

    @property
    def name(self) -> str:
        """The short name people say: 长春市, 吉林大学."""
        profile = self.profile
        if profile and profile.short_name:
            return profile.short_name
        if self.ref and self.ref.name:
            return self.ref.name
        return profile.name if profile and profile.name else self.id

    @property
    def kind(self) -> str | None:
        profile = self.profile
        return (profile.kind if profile and profile.kind else None) or (
            self.ref.kind if self.ref else None
        )


@dataclass
class RepoData:
    root: Path
    campaign: Campaign
    access: Access
    units: dict[str, UnitData]
    reviews: dict[str, Reviews]
    stored: dict[str, StoredRecord]
    findings: list[Finding]

    def unit(self, unit_id: str) -> UnitData | None:
        return self.units.get(unit_id)


def _finding(path: str, message: str, *, code: str, field_name: str | None = None,
             line: int | None = None, unit: str | None = None, kind: RecordKind | None = None,
             severity: Severity = Severity.ERROR) -> Finding:
    if _UNPRINTABLE.search(path):
        path = shown_key(path, 200)
    if field_name is not None and _UNPRINTABLE.search(field_name):
        field_name = shown_key(field_name)
    return Finding(severity, code, path, field_name, message, line, unit,
                   kind.deliverable if kind else None)


def read_record(root: Path, rel: str, kind: RecordKind | None, model: type[Record],
                unit: str | None, findings: list[Finding]) -> StoredRecord:
    """Read one file into a record, adding a finding for everything wrong with it."""
    try:
        raw = read_file(root, rel, RECORD_MAX_BYTES)
    except Unreadable as err:
        findings.append(_unreadable(rel, err, unit, kind))
        return StoredRecord(kind, rel, None, None, unit)
    return record_from_bytes(raw, rel, kind, model, unit, findings)


def _unreadable(rel: str, err: Unreadable, unit: str | None, kind: RecordKind | None) -> Finding:
    """The finding for a file that was not read (the reason names a folder on the way, if it
    was that folder that stopped the read)."""
    message = err.reason if err.rel == rel else f"「{err.rel}」{err.reason}"
    return _finding(rel, message, code=err.code, unit=unit, kind=kind)


def _read_in(folder: Folder, name: str, kind: RecordKind | None, model: type[Record],
             unit: str | None, findings: list[Finding]) -> StoredRecord:
    """read_record for a file of a folder already open (one system call less per step)."""
    rel = folder.path_of(name)
    try:
        raw, _ = folder.read(name, RECORD_MAX_BYTES)
    except Unreadable as err:
        findings.append(_unreadable(rel, err, unit, kind))
        return StoredRecord(kind, rel, None, None, unit)
    return record_from_bytes(raw, rel, kind, model, unit, findings)


def record_from_bytes(raw: bytes, rel: str, kind: RecordKind | None, model: type[Record],
                      unit: str | None, findings: list[Finding]) -> StoredRecord:
    """The record a file's bytes hold, adding a finding for everything wrong with them."""
    where = dict(unit=unit, kind=kind)
    stored = StoredRecord(kind, rel, None, digest(raw), unit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        findings.append(_finding(rel, f"文件不是 UTF-8 编码（第 {line} 行），请另存为 UTF-8",
                                 code="file.encoding", line=line, **where))
        return stored
    try:
        data = parse(text)
    except TomlSyntaxError as err:
        if has_markers(text):
            findings.append(_finding(rel, "文件里留着合并冲突标记（<<<<<<< … >>>>>>>）："
                                          "请在“冲突”界面或编辑器中选定保留的内容",
                                     code="file.conflict_markers", line=err.line, **where))
        else:
            findings.append(_finding(rel, str(err), code="toml.syntax", line=err.line, **where))
        return stored
    record, problems = build_record(model, data, plain=is_plain(text))
    lines = _Lines(text)
    for key, expected in problems.items():
        label = model.label_of(key)
        findings.append(_finding(rel, f"「{label}」的值 {shown(data[key])} 类型不对，应为{expected}",
                                 code="field.type", field_name=key, line=lines[key], **where))
    unknown = unknown_keys(record)
    for key in unknown[:MAX_UNKNOWN_FINDINGS]:
        top = key.split(".")[0].split("[")[0]
        findings.append(_finding(rel, f"未知字段「{shown_key(key)}」（可能是拼写错误），已原样保留",
                                 code="field.unknown", field_name=key, line=lines[top],
                                 severity=Severity.WARNING, **where))
    if len(unknown) > MAX_UNKNOWN_FINDINGS:
        findings.append(_finding(rel, f"另有 {len(unknown) - MAX_UNKNOWN_FINDINGS} 个未知字段，"
                                      f"已原样保留（只列出前 {MAX_UNKNOWN_FINDINGS} 个）",
                                 code="field.unknown", severity=Severity.WARNING, **where))
    stored.record = record
    return stored


class _Lines:
    """Key → line of one file, worked out once and only if a finding asks."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[str, int] | None = None

    def __getitem__(self, key: str) -> int | None:
        if self.lines is None:
            self.lines = key_lines(self.text)
        return self.lines.get(key)


def shown(value: Any, limit: int = 60) -> str:
    """A value as a finding quotes it: its TOML-ish repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown_key(key: str, limit: int = 60) -> str:
    """A key or file name as a message shows it: control characters spelled out, cut short."""
    key = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", key)
    return key if len(key) <= limit else key[:limit - 1] + "…"


def _entries(folder: Folder, findings: list[Finding], *, unit: str | None = None,
             kind: RecordKind | None = None) -> list[Entry]:
    """The visible entries of a folder; links and special files among them become findings
    (and are left out), so nothing after this can follow or open them."""
    kept = []
    for entry in folder.entries():
        if entry.is_hidden:
            continue
        if entry.is_file or entry.is_folder:
            kept.append(entry)
            continue
        findings.append(_refused(refusal(folder.path_of(entry.name), entry.mode), unit, kind))
    return kept


def _refused(err: Unreadable, unit: str | None = None, kind: RecordKind | None = None) -> Finding:
    """The finding for a file or folder that is not read, at its own path."""
    return _finding(err.rel, err.reason, code=err.code, unit=unit, kind=kind)


def _subfolder(parent: Folder, name: str, findings: list[Finding], *, unit: str | None = None,
               kind: RecordKind | None = None) -> Folder | None:
    """An entry known to be a folder, opened; None (with a finding) if it changed meanwhile."""
    try:
        return parent.folder(name)
    except Unreadable as err:
        findings.append(_refused(err, unit, kind))
        return None


def load_unit(root: Path, unit_id: str, ref: UnitRef | None, findings: list[Finding]) -> UnitData:
    """Everything under units/<unit_id>/; a folder that cannot be opened is a finding."""
    unit = UnitData(unit_id, ref)
    try:
        folder = Folder.open(root, f"units/{unit_id}")
    except Unreadable as err:
        if err.code != "file.missing":
            findings.append(_refused(err, unit_id))
        return unit
    with folder:
        _load_unit_in(folder, unit, findings)
    return unit


def _load_unit_in(folder: Folder, unit: UnitData, findings: list[Finding]) -> None:
    unit_id = unit.id
    present = {entry.name: entry for entry in _entries(folder, findings, unit=unit_id)}
    for kind in UNIT_SINGLETONS:
        entry = present.get(kind.filename or "")
        if entry is None:
            continue
        if entry.is_folder:
            findings.append(_refused(refusal(folder.path_of(entry.name), entry.mode), unit_id, kind))
            continue
        unit.singles[kind.key] = _read_in(folder, entry.name, kind, kind.model, unit_id, findings)
    for kind in UNIT_COLLECTIONS:
        entry = present.get(kind.folder or "")
        items: list[StoredRecord] = []
        if entry is not None and not entry.is_folder:
            findings.append(_refused(refusal(folder.path_of(entry.name), entry.mode, folder=True),
                                     unit_id, kind))
        elif entry is not None:
            inner = _subfolder(folder, entry.name, findings, unit=unit_id, kind=kind)
            if inner is not None:
                with inner:
                    items = _load_collection(inner, unit_id, kind, findings)
        if kind.order_field:
            items.sort(key=lambda s: _order(s, kind.order_field))
        unit.collections[kind.key] = items
    _check_photo_folder(folder, present.get(PHOTO_FOLDER), unit, findings)
    known = {k.filename for k in UNIT_SINGLETONS} | {k.folder for k in UNIT_COLLECTIONS} \
        | {PHOTO_FOLDER}
    for name in sorted(set(present) - known):
        if name.endswith(".toml"):
            findings.append(_finding(folder.path_of(name), f"未知文件「{shown_key(name)}」，本程序不读取它",
                                     code="file.unknown", unit=unit_id,
                                     severity=Severity.WARNING))


PHOTO_FOLDER = "photos"


def _check_photo_folder(folder: Folder, entry: Entry | None, unit: UnitData,
                        findings: list[Finding]) -> None:
    """A link, FIFO, device or folder in photos/ that no record names is a warning of its own
    (one a record names is that record's finding); nothing in there is followed or opened."""
    if entry is None:
        return
    rel = folder.path_of(entry.name)
    if not entry.is_folder:
        findings.append(_finding(rel, refusal(rel, entry.mode, folder=True).reason,
                                 code="file.not_folder", unit=unit.id, severity=Severity.WARNING))
        return
    named = {photo.file for stored in [*unit.singles.values(),
                                       *(s for items in unit.collections.values() for s in items)]
             for photo in getattr(stored.record, "photos", None) or ()
             if isinstance(getattr(photo, "file", None), str)}
    try:
        with folder.folder(entry.name) as photos:
            odd = [e for e in photos.entries() if not e.is_file and not e.is_hidden
                   and e.name not in named]
    except Unreadable as err:
        findings.append(_refused(err, unit.id))
        return
    for item in odd:
        err = refusal(f"{rel}/{item.name}", item.mode)
        findings.append(_finding(err.rel, err.reason, code=err.code, unit=unit.id,
                                 severity=Severity.WARNING))


def _load_collection(folder: Folder, unit_id: str, kind: RecordKind,
                     findings: list[Finding]) -> list[StoredRecord]:
    items = []
    for entry in _entries(folder, findings, unit=unit_id, kind=kind):
        rel = folder.path_of(entry.name)
        if not entry.name.endswith(".toml"):
            continue
        stem = entry.name[:-5]
        if not is_valid_id(stem):
            findings.append(_finding(rel, f"文件名「{shown_key(entry.name)}」不合规（只能用小写字母、数字和连字符），已跳过",
                                     code="file.bad_id", unit=unit_id, kind=kind))
            continue
        if entry.is_folder:
            findings.append(_refused(refusal(rel, entry.mode), unit_id, kind))
            continue
        stored = _read_in(folder, entry.name, kind, kind.model, unit_id, findings)
        record = stored.record
        if record is not None and getattr(record, "id", None) != stem:
            findings.append(_finding(rel, f"记录编号 id = {shown(getattr(record, 'id', None))} 与文件名「{stem}」不一致",
                                     code="record.id_mismatch", field_name="id",
                                     unit=unit_id, kind=kind))
            record.id = stem  # type: ignore[attr-defined]
        items.append(stored)
    return items


def _order(stored: StoredRecord, field_name: str) -> tuple[int, str]:
    value = getattr(stored.record, field_name, None) if stored.record else None
    return (value if isinstance(value, int) else 1_000_000, stored.id)


def load_repo(root: Path | str, *, materials: bool = True) -> RepoData:
    """Load every file of the repository; problems become findings, never exceptions.

    With `materials=False` only the province's files are read and each unit is an empty
    UnitData (its id and campaign line), for callers that load units themselves.
    """
    root = Path(root)
    if not os.path.lexists(root / CAMPAIGN_FILE):
        raise RepoNotFound(f"{root} 不是活动周材料库：找不到 {CAMPAIGN_FILE}")
    findings: list[Finding] = []
    stored: dict[str, StoredRecord] = {}

    campaign_file = read_record(root, CAMPAIGN_FILE, None, Campaign, None, findings)
    campaign = campaign_file.record or Campaign()
    access_file = read_record(root, ACCESS_FILE, None, Access, None, findings) \
        if os.path.lexists(root / ACCESS_FILE) else None
    access = access_file.record if access_file and access_file.record else Access()
    stored[CAMPAIGN_FILE] = campaign_file
    if access_file:
        stored[ACCESS_FILE] = access_file

    refs: dict[str, UnitRef] = {}
    for ref in campaign.units:  # type: ignore[union-attr]
        if is_valid_id(ref.id):
            refs[ref.id] = ref
        else:
            findings.append(_finding(CAMPAIGN_FILE, f"单位编号「{ref.id}」不合规，已跳过",
                                     code="unit.bad_id", field_name="units"))
    unit_ids = list(refs)
    for name in _unit_folders(root, findings):
        if name in refs:
            continue
        if not is_valid_id(name):
            findings.append(_finding(f"units/{shown_key(name)}", "单位文件夹名不合规，已跳过", code="unit.bad_id"))
            continue
        findings.append(_finding(f"units/{name}", "该单位不在 campaign.toml 的报送单位名单中",
                                 code="unit.not_in_campaign", unit=name,
                                 severity=Severity.WARNING))
        unit_ids.append(name)

    units: dict[str, UnitData] = {}
    for unit_id in unit_ids:
        if not materials:
            units[unit_id] = UnitData(unit_id, refs.get(unit_id))
            continue
        unit = load_unit(root, unit_id, refs.get(unit_id), findings)
        units[unit_id] = unit
        for single in unit.singles.values():
            stored[single.path] = single
        for items in unit.collections.values():
            for item in items:
                stored[item.path] = item

    reviews: dict[str, Reviews] = {}
    for entry in _folder_entries(root, "reviews", findings):
        rel = f"reviews/{entry.name}"
        stem = entry.name.removesuffix(".toml")
        if not entry.name.endswith(".toml") or not is_valid_id(stem) or not entry.is_file:
            findings.append(_finding(f"reviews/{shown_key(entry.name)}", "审核文件名应为 <单位编号>.toml",
                                     code="file.bad_id", severity=Severity.WARNING))
            continue
        item = read_record(root, rel, None, Reviews, stem, findings)
        stored[rel] = item
        if item.record is not None:
            reviews[stem] = item.record  # type: ignore[assignment]

    return RepoData(root, campaign, access, units, reviews, stored, findings)  # type: ignore[arg-type]


def _folder_entries(root: Path, rel: str, findings: list[Finding]) -> list[Entry]:
    """The visible entries of a top folder (units/, reviews/); none if it is absent, and a
    finding if it is a link, a file or anything but a folder."""
    try:
        with Folder.open(root, rel) as folder:
            return _entries(folder, findings)
    except Unreadable as err:
        if err.code != "file.missing":
            findings.append(_refused(err))
        return []


def _unit_folders(root: Path, findings: list[Finding]) -> list[str]:
    """The names of the real folders in units/ (a file there is a finding)."""
    names = []
    for entry in _folder_entries(root, "units", findings):
        if entry.is_folder:
            names.append(entry.name)
        else:
            findings.append(_finding(f"units/{entry.name}", "units/ 里应只有单位文件夹，这却是一个文件",
                                     code="file.not_folder", severity=Severity.WARNING))
    return names


#: files at the top of the repository that belong to the data format (DESIGN §3)
TOP_FILES = (CAMPAIGN_FILE, ACCESS_FILE, ".gitattributes", ".gitignore")


def is_data_path(rel: str) -> bool:
    """Is `rel` a path of the data format (a record, a review, a unit's photo, a top file)?
    Sync commits nothing else: no temp file, no export, nothing a program left behind."""
    if rel in TOP_FILES:
        return True
    parts = rel.split("/")
    if len(parts) == 2 and parts[0] == "reviews":
        return parts[1].endswith(".toml") and is_valid_id(parts[1][:-5])
    if len(parts) < 3 or parts[0] != "units" or not is_valid_id(parts[1]):
        return False
    if len(parts) == 4 and parts[2] == "photos":
        return safe_photo_name(parts[3]) and parts[3].lower().endswith(PHOTO_SUFFIXES)
    _, kind = kind_of_path(rel)
    return kind is not None and (not kind.is_collection or is_valid_id(parts[3][:-5]))


def kind_of_path(rel: str) -> tuple[str | None, RecordKind | None]:
    """(unit id, record kind) of a repository-relative path, or (None, None)."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != "units":
        return None, None
    unit = parts[1]
    for kind in UNIT_SINGLETONS:
        if len(parts) == 3 and parts[2] == kind.filename:
            return unit, kind
    for kind in UNIT_COLLECTIONS:
        if len(parts) == 4 and parts[2] == kind.folder and parts[3].endswith(".toml"):
            return unit, kind
    return unit, None


__all__ = ["KINDS", "RepoData", "StoredRecord", "UnitData", "find_root", "is_data_path",
           "kind_of_path", "load_repo", "read_record", "record_from_bytes"]
