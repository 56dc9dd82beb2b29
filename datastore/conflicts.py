"""Conflicts left by a sync, field by field, for the app's conflict screen and `llweek sync`.

After a merge stops, Git keeps every conflicted file's three versions in the index: stage 1
the common original, stage 2 mine, stage 3 theirs (a missing stage: that side deleted the
file). This module reads them, offers per field base / mine / theirs, writes the chosen
values back canonically and stages them, and makes the merge commit once nothing is left.

Typical use by a screen:

    records = list_conflicts(root)
    for record in records:             # record.kind tells how it can be resolved
        ...show record.fields...       # each ConflictField: label, base, mine, theirs
    resolve_fields(root, record.path, {field.path: MINE, other.path: Edited("新的值")})
    resolve_whole(root, deleted.path, THEIRS)   # edit versus delete, photos, broken files
    finish_merge(root)                 # then `sync` pushes
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from datastore import mergestate
from datastore.comments import merge_comments, with_comments
from datastore.diff3 import has_markers, merge3
from datastore.errors import LlweekError
from datastore.fieldpath import KeyPath, label, model_of_path, put, show_apart
from datastore.gitrepo import GitRepo, Identity, open_repo
from datastore.loader import kind_of_path
from datastore.models import Campaign
from datastore.recordmerge import canonical_text, merge_data, text_with_markers
from datastore.records import build_record
from datastore.safefs import RECORD_MAX_BYTES, writable_path
from datastore.save import load_campaign, unit_name, writer
from datastore.tomlio import TomlSyntaxError, atomic_write, parse

MINE: Literal["mine"] = "mine"
THEIRS: Literal["theirs"] = "theirs"
_STAGES = {1: "base", 2: "mine", 3: "theirs"}


@dataclass(frozen=True)
class Edited:
    """A value typed in the conflict screen instead of taking mine or theirs."""

    value: Any


Choice = Literal["mine", "theirs"] | Edited


class ConflictKind(StrEnum):
    FIELDS = "fields"  # both sides changed the record: choose per field
    DELETED_BY_ME = "deleted_by_me"  # I deleted it, they changed it: keep theirs or delete
    DELETED_BY_THEM = "deleted_by_them"  # they deleted it, I changed it: keep mine or delete
    WHOLE = "whole"  # a photo or an unreadable file: take one whole version

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ConflictKind.FIELDS: "双方都修改了",
    ConflictKind.DELETED_BY_ME: "我删除了，对方修改了",
    ConflictKind.DELETED_BY_THEM: "对方删除了，我修改了",
    ConflictKind.WHOLE: "整份文件不同",
}


@dataclass(frozen=True)
class ConflictField:
    """One field changed two ways. A value is MISSING where that version does not have it.

    For a long text, taking mine or theirs takes that whole text, dropping the other side's
    changes to other paragraphs; `suggestion` has both sides' changes merged and conflict
    blocks only where the same lines changed two ways, as the starting text for Edited.
    """

    path: KeyPath
    label: str
    base: Any
    mine: Any
    theirs: Any
    suggestion: str | None = None

    def shown(self, width: int = 40) -> tuple[str, str, str]:
        """(base, mine, theirs) on one short line each; long texts from where they differ."""
        base, mine, theirs = show_apart((self.base, self.mine, self.theirs), width)
        return base, mine, theirs


@dataclass
class ConflictedRecord:
    """A file the merge could not finish alone.

    `title` names it as a person would (`长春市 附表1「社区智能手机培训」`); `fields` are the
    conflicting fields when `kind` is FIELDS; the texts are the three versions (None where
    that side has no such file, or for a photo).
    """

    path: str
    title: str
    kind: ConflictKind
    fields: list[ConflictField] = field(default_factory=list)
    base_text: str | None = None
    mine_text: str | None = None
    theirs_text: str | None = None
    merged: dict[str, Any] | None = None  # the clean part of the merge, for resolve_fields


def is_merging(root: Path) -> bool:
    with open_repo(root) as repo:
        return repo.merging()


def list_conflicts(root: Path) -> list[ConflictedRecord]:
    """Every conflicted file of the merge in progress (empty when there is none)."""
    with open_repo(root) as repo:
        return conflicts_in(repo)


def conflicts_in(repo: GitRepo) -> list[ConflictedRecord]:
    campaign = load_campaign(repo.root)
    return [_conflicted(repo, campaign, path, stages)
            for path, stages in mergestate.unmerged_stages(repo).items()]


def _title(campaign: Campaign, path: str, data: dict[str, Any] | None) -> str:
    unit, kind = kind_of_path(path)
    if kind is None or unit is None:
        return path
    record = build_record(kind.model, data)[0] if data is not None else None
    return f"{unit_name(campaign, unit)} {kind.describe(record)}"


def _conflicted(repo: GitRepo, campaign: Campaign, path: str,
                stages: dict[int, str]) -> ConflictedRecord:
    texts: dict[str, str | None] = {name: None for name in _STAGES.values()}
    readable = path.endswith(".toml") and all(
        int(repo.run("cat-file", "-s", blob)) <= RECORD_MAX_BYTES for blob in stages.values())
    if readable:  # a version larger than any record is chosen whole, never read
        for stage, blob in stages.items():
            texts[_STAGES[stage]] = repo.run("cat-file", "blob", blob)
    record = ConflictedRecord(path, path, ConflictKind.WHOLE, base_text=texts["base"],
                              mine_text=texts["mine"], theirs_text=texts["theirs"])
    if path.endswith(".toml") and not readable:
        return record
    if 2 not in stages or 3 not in stages:
        record.kind = ConflictKind.DELETED_BY_ME if 2 not in stages else ConflictKind.DELETED_BY_THEM
    try:
        data = {side: parse(text) if text is not None else None for side, text in texts.items()}
    except TomlSyntaxError:
        return record
    record.title = _title(campaign, path, data["mine"] or data["theirs"])
    if record.kind is not ConflictKind.WHOLE or not path.endswith(".toml"):
        return record
    outcome = merge_data(data["base"] or {}, data["mine"] or {}, data["theirs"] or {})
    model = model_of_path(path)
    record.kind = ConflictKind.FIELDS
    record.merged = outcome.data
    record.fields = [ConflictField(c.path, label(model, c.path), c.base, c.ours, c.theirs,
                                   text_suggestion(c.base, c.ours, c.theirs))
                     for c in outcome.conflicts]
    return record


def side_text(base: str, mine: str, theirs: str, side: str) -> str:
    """A long text changed two ways, taking `side`'s version (MINE or THEIRS) only where
    both changed the same lines: every paragraph only one side changed is kept."""
    chunks = merge3(base.splitlines(keepends=True), mine.splitlines(keepends=True),
                    theirs.splitlines(keepends=True))
    lines: list[str] = []
    for chunk in chunks:
        if chunk.clean is not None:
            lines.extend(chunk.clean)
        else:
            lines.extend(chunk.ours if side == MINE else chunk.theirs)
    return "".join(lines)


def text_suggestion(base: Any, mine: Any, theirs: Any) -> str | None:
    if not (isinstance(mine, str) and isinstance(theirs, str) and "\n" in mine + theirs):
        return None
    return text_with_markers(base if isinstance(base, str) else "", mine, theirs)


def _find(repo: GitRepo, path: str) -> ConflictedRecord:
    stages = mergestate.unmerged_stages(repo).get(path)
    if stages is None:
        raise LlweekError(f"{path} 没有待解决的冲突")
    return _conflicted(repo, load_campaign(repo.root), path, stages)


def resolve_fields(root: Path, path: str, choices: Mapping[KeyPath, Choice]) -> str:
    """Settle a FIELDS conflict: each conflicting field takes mine, theirs or an edited value.

    The record is written canonically with every clean change of both sides plus the choices,
    and staged. Returns the text written.
    """
    with writer(root, f"解决冲突 {path}") as (repo, _):
        return _write_resolution(repo, _find(repo, path), choices)


def settle_clean(repo: GitRepo) -> list[ConflictedRecord]:
    """Stage the files whose fields merge without a conflict (Git merged them line by line
    because the driver was missing); returns the conflicts that are left. Lock held by caller."""
    left = []
    for record in conflicts_in(repo):
        if record.kind is ConflictKind.FIELDS and not record.fields:
            _write_resolution(repo, record, {})
        else:
            left.append(record)
    return left


def _write_resolution(repo: GitRepo, record: ConflictedRecord,
                      choices: Mapping[KeyPath, Choice]) -> str:
    if record.kind is not ConflictKind.FIELDS or record.merged is None:
        raise LlweekError(f"{record.title}：{record.kind.label}，请整份选择保留哪一个版本")
    data, edited = chosen_data(record, choices)
    _check_types(record.path, data, edited)
    text = with_comments(canonical_text(record.path, data),
                         merge_comments(record.base_text, record.mine_text, record.theirs_text))
    atomic_write(writable_path(repo.root, record.path), text.encode("utf-8"))
    repo.run("add", "--", record.path)
    return text


def chosen_data(record: ConflictedRecord,
                choices: Mapping[KeyPath, Choice]) -> tuple[dict[str, Any], set[str]]:
    """The clean merge with each conflicting field as chosen, and the top-level keys that
    got a value typed anew (a sync's resolution, or a save over a colleague's change)."""
    data = copy.deepcopy(record.merged or {})
    edited: set[str] = set()
    for conflict in record.fields:
        choice = choices.get(conflict.path)
        if choice is None:
            raise LlweekError(f"{record.title}：还没有为「{conflict.label}」选择保留哪一份")
        if isinstance(choice, Edited):
            value = choice.value
            if isinstance(value, str) and has_markers(value):
                raise LlweekError(f"「{conflict.label}」里还留着冲突标记（<<<<<<< … >>>>>>>），"
                                  "请改好后再保存")
            edited.add(str(conflict.path[0]))
        else:
            value = conflict.mine if choice == MINE else conflict.theirs
        put(data, conflict.path, copy.deepcopy(value))
    return data, edited


def _check_types(path: str, data: dict[str, Any], edited: set[str]) -> None:
    model = model_of_path(path)
    if model is None:
        return
    problems = build_record(model, data)[1]
    for key, expected in problems.items():
        if key in edited:
            raise LlweekError(f"「{model.label_of(key)}」填写的值类型不对，应为{expected}，未保存")


def resolve_whole(root: Path, path: str, choice: Literal["mine", "theirs"]) -> None:
    """Keep one whole version of the file (for a version that deleted it: delete it)."""
    side = {MINE: 2, THEIRS: 3}[choice]
    with writer(root, f"解决冲突 {path}") as (repo, _):
        stages = mergestate.unmerged_stages(repo).get(path)
        if stages is None:
            raise LlweekError(f"{path} 没有待解决的冲突")
        if side in stages:
            repo.run("checkout", f"--{'ours' if side == 2 else 'theirs'}", "--", path)
            repo.run("add", "--", path)
        else:
            repo.run("rm", "--quiet", "--force", "--", path)


def finish_merge(root: Path, author: Identity | None = None) -> str:
    """The merge commit, once every conflict is resolved; returns its hash."""
    with writer(root, "完成合并") as (repo, _):
        return mergestate.finish(repo, author)
