"""Loading a whole data repository into memory.

Nothing in a repository stops it from loading: a broken file becomes a finding with its file
and line, and everything else loads as usual.
"""

from __future__ import annotations

import os
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
from datastore.paths import ACCESS_FILE, CAMPAIGN_FILE, find_root  # noqa: F401 - named here too
from datastore.records import build_record, unknown_keys
from datastore.tomlio import TomlSyntaxError, digest, key_line, parse


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
    return Finding(severity, code, path, field_name, message, line, unit,
                   kind.deliverable if kind else None)


def read_record(root: Path, rel: str, kind: RecordKind | None, model: type[Record],
                unit: str | None, findings: list[Finding]) -> StoredRecord:
    """Read one file into a record, adding a finding for everything wrong with it."""
    where = dict(unit=unit, kind=kind)
    try:
        with open(os.path.join(root, rel), "rb") as handle:
            raw = handle.read()
    except IsADirectoryError:
        findings.append(_finding(rel, "这里应是一个文件，却是一个文件夹", code="file.is_folder", **where))
        return StoredRecord(kind, rel, None, None, unit)
    except OSError as err:
        findings.append(_finding(rel, f"文件无法读取：{err.strerror}", code="file.unreadable", **where))
        return StoredRecord(kind, rel, None, None, unit)
    stored = StoredRecord(kind, rel, None, digest(raw), unit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        findings.append(_finding(rel, "文件不是 UTF-8 编码，请另存为 UTF-8", code="file.encoding", **where))
        return stored
    try:
        data = parse(text)
    except TomlSyntaxError as err:
        findings.append(_finding(rel, str(err), code="toml.syntax", line=err.line, **where))
        return stored
    record, problems = build_record(model, data)
    for key, expected in problems.items():
        label = model.label_of(key)
        findings.append(_finding(rel, f"「{label}」的值 {data[key]!r} 类型不对，应为{expected}",
                                 code="field.type", field_name=key, line=key_line(text, key),
                                 **where))
    for key in unknown_keys(record):
        top = key.split(".")[0].split("[")[0]
        findings.append(_finding(rel, f"未知字段「{key}」（可能是拼写错误），已原样保留",
                                 code="field.unknown", field_name=key, line=key_line(text, top),
                                 severity=Severity.WARNING, **where))
    stored.record = record
    return stored


def _entries(folder: Path | str) -> list[os.DirEntry]:
    try:
        return sorted((e for e in os.scandir(folder) if not e.name.startswith(".")),
                      key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def load_unit(root: Path, unit_id: str, ref: UnitRef | None, findings: list[Finding]) -> UnitData:
    unit = UnitData(unit_id, ref)
    base = f"units/{unit_id}"
    present = {entry.name for entry in _entries(os.path.join(root, base))}
    for kind in UNIT_SINGLETONS:
        if kind.filename in present:
            rel = kind.path(unit_id)
            unit.singles[kind.key] = read_record(root, rel, kind, kind.model, unit_id, findings)
    for kind in UNIT_COLLECTIONS:
        items = []
        for entry in _entries(os.path.join(root, base, kind.folder)) if kind.folder in present else ():
            rel = f"{base}/{kind.folder}/{entry.name}"
            if not entry.name.endswith(".toml"):
                continue
            stem = entry.name[:-5]
            if not is_valid_id(stem):
                findings.append(_finding(rel, f"文件名「{entry.name}」不合规（只能用小写字母、数字和连字符），已跳过",
                                         code="file.bad_id", unit=unit_id, kind=kind))
                continue
            stored = read_record(root, rel, kind, kind.model, unit_id, findings)
            record = stored.record
            if record is not None and getattr(record, "id", None) != stem:
                findings.append(_finding(rel, f"记录编号 id = {getattr(record, 'id', None)!r} 与文件名「{stem}」不一致",
                                         code="record.id_mismatch", field_name="id",
                                         unit=unit_id, kind=kind))
                record.id = stem  # type: ignore[attr-defined]
            items.append(stored)
        if kind.order_field:
            items.sort(key=lambda s: _order(s, kind.order_field))
        unit.collections[kind.key] = items
    known = {k.filename for k in UNIT_SINGLETONS} | {k.folder for k in UNIT_COLLECTIONS} | {"photos"}
    for name in sorted(present - known):
        if name.endswith(".toml"):
            findings.append(_finding(f"{base}/{name}", f"未知文件「{name}」，本程序不读取它",
                                     code="file.unknown", unit=unit_id,
                                     severity=Severity.WARNING))
    return unit


def _order(stored: StoredRecord, field_name: str) -> tuple[int, str]:
    value = getattr(stored.record, field_name, None) if stored.record else None
    return (value if isinstance(value, int) else 1_000_000, stored.id)


def load_repo(root: Path | str, *, materials: bool = True) -> RepoData:
    """Load every file of the repository; problems become findings, never exceptions.

    With `materials=False` only the province's files are read and each unit is an empty
    UnitData (its id and campaign line), for callers that load units themselves.
    """
    root = Path(root)
    if not (root / CAMPAIGN_FILE).exists():
        raise RepoNotFound(f"{root} 不是活动周材料库：找不到 {CAMPAIGN_FILE}")
    findings: list[Finding] = []
    stored: dict[str, StoredRecord] = {}

    campaign_file = read_record(root, CAMPAIGN_FILE, None, Campaign, None, findings)
    campaign = campaign_file.record or Campaign()
    access_file = read_record(root, ACCESS_FILE, None, Access, None, findings) \
        if (root / ACCESS_FILE).exists() else None
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
    for entry in _entries(root / "units"):
        if not entry.is_dir() or entry.name in refs:
            continue
        if not is_valid_id(entry.name):
            findings.append(_finding(f"units/{entry.name}", "单位文件夹名不合规，已跳过", code="unit.bad_id"))
            continue
        findings.append(_finding(f"units/{entry.name}", "该单位不在 campaign.toml 的报送单位名单中",
                                 code="unit.not_in_campaign", unit=entry.name,
                                 severity=Severity.WARNING))
        unit_ids.append(entry.name)

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
    for entry in _entries(root / "reviews"):
        rel = f"reviews/{entry.name}"
        stem = entry.name.removesuffix(".toml")
        if not entry.name.endswith(".toml") or not is_valid_id(stem):
            findings.append(_finding(rel, "审核文件名应为 <单位编号>.toml", code="file.bad_id",
                                     severity=Severity.WARNING))
            continue
        item = read_record(root, rel, None, Reviews, stem, findings)
        stored[rel] = item
        if item.record is not None:
            reviews[stem] = item.record  # type: ignore[assignment]

    return RepoData(root, campaign, access, units, reviews, stored, findings)  # type: ignore[arg-type]


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


__all__ = ["KINDS", "RepoData", "StoredRecord", "UnitData", "find_root", "kind_of_path",
           "load_repo", "read_record"]
