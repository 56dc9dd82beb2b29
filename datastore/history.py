"""Who changed what, when: the commits of the repository or of one record, field by field.

For the app's history screen and `llweek log`. A record's history lists each commit that
touched its file with the fields it changed (`人数: 40 → 45`, labels from the models);
restoring an earlier version goes through the save path, so it is a new commit on top and
the history itself is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from datastore.access import Actor
from datastore.errors import LlweekError
from datastore.fieldpath import MISSING, Item, KeyPath, item_key, label, model_of_path, show
from datastore.gitrepo import GitRepo, Identity, open_repo
from datastore.loader import kind_of_path
from datastore.photostage import stage_from_history
from datastore.records import build_record
from datastore.save import SaveResult, load_campaign, save_file, trailers, unit_name
from datastore.tomlio import TomlSyntaxError, parse

_FORMAT = "%x1e%H%x00%P%x00%aI%x00%an%x00%ae%x00%s"
_NO_BLOB = "0" * 40


@dataclass(frozen=True)
class CommitInfo:
    hash: str
    date: dt.datetime
    author: str
    email: str
    subject: str
    parents: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        return self.hash[:8]


@dataclass(frozen=True)
class FieldChange:
    """One field of a record between a commit and its parent; MISSING where it was not set."""

    path: KeyPath
    label: str
    old: Any
    new: Any

    def lines(self) -> list[str]:
        """`人数: 40 → 45`; a long text says which lines changed, one line per stretch."""
        if not (isinstance(self.old, str) and isinstance(self.new, str)
                and "\n" in self.old + self.new):
            return [f"{self.label}: {show(self.old)} → {show(self.new)}"]
        old, new = self.old.splitlines(), self.new.splitlines()
        out = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag != "equal":
                out.append(f"{self.label}（第 {j1 + 1} 行）: {show(old[i1:i2])} → {show(new[j1:j2])}")
        return out


@dataclass(frozen=True)
class RecordVersion:
    """A commit that touched one record: 新增 / 修改 / 删除, and the fields it changed."""

    commit: CommitInfo
    action: str
    changes: list[FieldChange] = field(default_factory=list)


def _parse_commit(header: str) -> CommitInfo:
    hash_, parents, date, author, email, subject = header.split("\0", 5)
    return CommitInfo(hash_, dt.datetime.fromisoformat(date), author, email, subject,
                      tuple(parents.split()))


def commits(root: Path, path: str | None = None, limit: int | None = None) -> list[CommitInfo]:
    """Newest first: the whole repository's commits, or those that touched `path`."""
    args = ["log", f"--format={_FORMAT}"] + ([f"-n{limit}"] if limit else [])
    with open_repo(root) as repo:
        if not repo.call("rev-parse", "--verify", "--quiet", "HEAD")[0] == 0:
            return []
        out = repo.run(*args, "--", *([path] if path else []))
    return [_parse_commit(part.strip("\n")) for part in out.split("\x1e") if part.strip()]


def record_history(root: Path, path: str, limit: int | None = None) -> list[RecordVersion]:
    """Newest first: each commit that changed the record at `path`, with its field changes."""
    args = ["log", f"--format={_FORMAT}", "--raw", "--no-abbrev", "--diff-merges=first-parent"]
    with open_repo(root) as repo:
        if not repo.call("rev-parse", "--verify", "--quiet", "HEAD")[0] == 0:
            return []
        out = repo.run(*args, *([f"-n{limit}"] if limit else []), "--", path)
        versions = []
        for part in out.split("\x1e"):
            if not part.strip():
                continue
            header, _, raw = part.partition("\n")
            blobs = [line.split("\t")[0].split()[2:4] for line in raw.splitlines()
                     if line.startswith(":")]
            if not blobs:
                continue
            old, new = blobs[0]
            versions.append(_version(repo, path, _parse_commit(header), old, new))
    return versions


def commit_changes(root: Path, commit: str, under: str | None = None) -> list[tuple[str, RecordVersion]]:
    """The record files (under a folder) that `commit` changed against its first parent, each
    with its field changes: what one line of a unit's history did."""
    args = ["show", f"--format={_FORMAT}", "--raw", "--no-abbrev", "--diff-merges=first-parent"]
    with open_repo(root) as repo:
        header, _, raw = repo.run(*args, commit, "--", *([under] if under else [])) \
            .strip("\x1e\n").partition("\n")
        info = _parse_commit(header)
        changed = []
        for line in raw.splitlines():
            if not line.startswith(":"):
                continue
            meta, path = line.split("\t", 1)
            if path.endswith(".toml"):
                old, new = meta.split()[2:4]
                changed.append((path, _version(repo, path, info, old, new)))
    return changed


def _data(repo: GitRepo, blob: str) -> Any:
    if blob == _NO_BLOB:
        return MISSING
    try:
        return parse(repo.run("cat-file", "blob", blob))
    except TomlSyntaxError:
        return None


def _version(repo: GitRepo, path: str, commit: CommitInfo, old: str, new: str) -> RecordVersion:
    before, after = _data(repo, old), _data(repo, new)
    action = "新增" if before is MISSING else "删除" if after is MISSING else "修改"
    if before is None or after is None:
        return RecordVersion(commit, f"{action}（有一版不是有效的 TOML，无法逐项比较）")
    if after is MISSING:
        return RecordVersion(commit, action)
    return RecordVersion(commit, action,
                         field_changes(path, {} if before is MISSING else before, after))


def field_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every field that differs between two versions of the record at `path`."""
    model = model_of_path(path)
    found: list[tuple[KeyPath, Any, Any]] = []
    _diff((), old, new, found)
    return [FieldChange(key, label(model, key), before, after) for key, before, after in found]


def _diff(path: KeyPath, old: Any, new: Any, found: list[tuple[KeyPath, Any, Any]]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            _diff((*path, key), old.get(key, MISSING), new.get(key, MISSING), found)
        return
    key = item_key(old, new) if isinstance(old, list) and isinstance(new, list) else None
    if key is not None:
        names = [item[key] for item in old] + [item[key] for item in new
                                                if item[key] not in {i[key] for i in old}]
        for name in names:
            step = Item(key, name)
            before = next((i for i in old if i[key] == name), MISSING)
            after = next((i for i in new if i[key] == name), MISSING)
            _diff((*path, step), before, after, found)
        return
    found.append((path, old, new))


def version_text(root: Path, path: str, commit: str) -> str:
    """The file as it was at `commit`."""
    with open_repo(root) as repo:
        status, text, _ = repo.call("show", f"{commit}:{path}")
    if status != 0:
        raise LlweekError(f"{path} 在提交 {commit[:8]} 时不存在")
    return text


def restore(root: Path, path: str, commit: str, *, expected: str | None,
            actor: Actor | None = None, author: Identity | None = None) -> SaveResult:
    """Save the record as it was at `commit`, as a new commit (`恢复 … 到 … 的版本`)."""
    model = model_of_path(path)
    if model is None:
        raise LlweekError(f"{path} 不是材料记录，无法恢复")
    try:
        record, _ = build_record(model, parse(version_text(root, path, commit)))
    except TomlSyntaxError as err:
        raise LlweekError(f"{path} 在提交 {commit[:8]} 时的版本无法读取：{err}") from None
    info = commit_info(root, commit)
    unit, kind = kind_of_path(path)
    who = unit_name(load_campaign(root), unit) if unit else "吉林省"
    what = kind.describe(record) if kind else path
    subject = f"{who}: 恢复 {what} 到 {info.date:%Y-%m-%d %H:%M} 的版本（{info.short}）"
    stage_from_history(root, path, record, commit)  # its photos come back with it
    return save_file(root, path, record, trailers(subject, unit, [path]), expected=expected,
                     actor=actor, author=author)


def commit_info(root: Path, commit: str) -> CommitInfo:
    with open_repo(root) as repo:
        status, out, _ = repo.call("show", "--no-patch", f"--format={_FORMAT}", commit)
    if status != 0:
        raise LlweekError(f"找不到提交 {commit}")
    return _parse_commit(out.strip("\x1e\n"))
