"""The one save path: validate → atomic write → commit.

The app, the command line, the importer and the sample's history all write through here, so
every change is checked the same way, lands atomically, and becomes exactly one commit that
reads well in `git log`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from datastore.access import Actor, require_write
from datastore.errors import LlweekError, StaleRecord
from datastore.findings import Finding
from datastore.gitrepo import GitRepo, Identity, open_repo
from datastore.ids import check_id
from datastore.loader import CAMPAIGN_FILE, read_record
from datastore.lock import repo_lock
from datastore.models import Campaign, Record, RecordKind
from datastore.photostage import commit_with_photos, plan_photos
from datastore.records import build_record, record_to_data, record_to_text
from datastore.rules import RuleContext, check_record
from datastore.tomlio import atomic_write, digest, parse

#: pass as `expected` to skip the check that the file is unchanged since it was opened
UNCHECKED = "unchecked"
_NEW_PATH = "did not match any file(s) known to git"
_NOTHING_TO_COMMIT = ("nothing to commit", "nothing added to commit", "no changes added to commit")
_COMMIT_LINE = re.compile(r"^\[[^\]]*?([0-9a-f]{7,40})\]", re.MULTILINE)


@dataclass(frozen=True)
class SaveResult:
    path: str
    commit: str | None  # None when the content was already committed as is
    digest: str | None  # of the file now on disk (None after a delete)
    findings: list[Finding]


def load_campaign(root: Path) -> Campaign:
    """campaign.toml alone (for rules and unit names), defaults if it cannot be read."""
    stored = read_record(root, CAMPAIGN_FILE, None, Campaign, None, [])
    return stored.record or Campaign()  # type: ignore[return-value]


def unit_name(campaign: Campaign, unit: str) -> str:
    for ref in campaign.units:
        if ref.id == unit and ref.name:
            return ref.name
    return unit


def message_for(campaign: Campaign, unit: str, verb: str, kind: RecordKind,
                record: Record | None, path: str) -> str:
    """`长春市: 修改 附表1「社区智能手机培训」` with the Llweek-Unit / Llweek-Record trailers."""
    subject = f"{unit_name(campaign, unit)}: {verb} {kind.describe(record)}"
    return trailers(subject, unit, [path])


def trailers(subject: str, unit: str | None, records: Iterable[str]) -> str:
    lines = [f"Llweek-Unit: {unit}"] if unit else []
    lines += [f"Llweek-Record: {path}" for path in records]
    return f"{subject}\n\n" + "\n".join(lines) if lines else subject


def current_digest(root: Path, rel: str) -> str | None:
    try:
        return digest((root / rel).read_bytes())
    except FileNotFoundError:
        return None


def open_for_update(root: Path, rel: str, model: type[Record], unit: str | None,
                    kind: RecordKind | None = None) -> tuple[Record, str | None]:
    """A small file about to be changed in one place (marks, reviews): its record (a fresh
    one when missing) and the content hash to pass as `expected`; refused if unreadable."""
    expected = current_digest(root, rel)
    if expected is None:
        return model(), None
    stored = read_record(root, rel, kind, model, unit, [])
    if stored.record is None:
        raise LlweekError(f"{rel} 无法读取，请先修正该文件")
    return stored.record, expected


def _check_unchanged(root: Path, rel: str, expected: str | None) -> None:
    if expected == UNCHECKED:
        return
    now = current_digest(root, rel)
    if now != expected:
        text = (root / rel).read_text(encoding="utf-8", errors="replace") if now else None
        what = "已被删除" if now is None else ("已被新建" if expected is None else "已被修改")
        raise StaleRecord(f"{rel} 在您打开之后{what}（可能是同步或其他人的修改）。"
                          "为免覆盖，本次未保存：请对比两份内容后再决定", rel, text)


def ready_to_commit(repo: GitRepo, author: Identity | None) -> Identity:
    """The commit's author, or a refusal to be given before anything is written."""
    if repo.merging():
        raise LlweekError("材料库正在合并（有未解决的冲突）：请先在“冲突”界面解决后再保存")
    return author or repo.require_identity()


def commit_paths(repo: GitRepo, paths: list[str], message: str, *,
                 author: Identity | None = None, when: dt.datetime | None = None) -> str | None:
    """Stage `paths` (additions, changes, deletions) and commit only them.

    Returns the new commit's short hash, or None when they held no change. The caller holds
    the repository lock.
    """
    env = ready_to_commit(repo, author).env()
    if when is not None:
        stamp = when.isoformat()
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    # one git process: --only commits exactly these paths' working files, whatever else is staged
    command = ("commit", "--no-verify", "--only", "-m", message, "--", *paths)
    status, out, err = repo.call(*command, env=env)
    if status != 0 and _NEW_PATH in err:  # a new file: Git must be told about it first
        repo.run("add", "--all", "--", *paths)
        status, out, err = repo.call(*command, env=env)
    if status != 0:
        if any(words in out + err for words in _NOTHING_TO_COMMIT):
            return None
        raise LlweekError(f"提交失败：{(err or out).strip()}")
    found = _COMMIT_LINE.search(out)
    return found.group(1) if found else None


def canonical_bytes(rel: str, record: Record) -> bytes:
    """The file content of `record`, refused unless it reads back as the same record."""
    text = record_to_text(record)
    reread, problems = build_record(type(record), parse(text))
    if problems or record_to_data(reread) != record_to_data(record):
        raise LlweekError(f"{rel}：内容无法按原样保存（{'、'.join(problems) or '格式'}），未写入")
    return text.encode("utf-8")


def save_file(root: Path, rel: str, record: Record, message: str, *, expected: str | None,
              actor: Actor | None = None, author: Identity | None = None,
              when: dt.datetime | None = None, extra_paths: Iterable[str] = ()) -> SaveResult:
    """Write one record file canonically and commit it (plus `extra_paths`).

    A record with photos brings the photos it uses into the same commit (those picked in a
    form come in from the staging folder) and removes the ones nothing uses any more
    (datastore.photostage)."""
    paths = [rel, *extra_paths]
    require_write(actor, paths)
    data = canonical_bytes(rel, record)
    with open_repo(root) as repo, repo_lock(repo.git_dir, f"保存 {rel}"):
        author = ready_to_commit(repo, author)  # before writing: no half-done save
        _check_unchanged(root, rel, expected)
        photos = plan_photos(repo, rel, record)
        atomic_write(root / rel, data)
        commit = commit_with_photos(photos, lambda more: commit_paths(
            repo, paths + more, message, author=author, when=when))
    return SaveResult(rel, commit, digest(data), [])


def save_record(root: Path, kind: RecordKind, unit: str, record: Record, *,
                expected: str | None, actor: Actor | None = None,
                author: Identity | None = None, when: dt.datetime | None = None,
                verb: str | None = None) -> SaveResult:
    """Save a unit's record: the path and the commit message come from its kind and content.

    `expected` is the content hash the record had when it was opened (None: a new record);
    if the file changed since, StaleRecord is raised and nothing is written.
    """
    check_id(unit, "单位编号")
    record_id = check_id(getattr(record, "id", None), "记录编号") if kind.is_collection else None
    rel = kind.path(unit, record_id)
    campaign = load_campaign(root)
    verb = verb or ("新增" if current_digest(root, rel) is None else "修改")
    message = message_for(campaign, unit, verb, kind, record, rel)
    result = save_file(root, rel, record, message, expected=expected, actor=actor, author=author,
                       when=when)
    findings = check_record(kind, record, rel, RuleContext(root, campaign, unit,
                                                           _unit_kind(campaign, unit)))
    return SaveResult(result.path, result.commit, result.digest, findings)


def save_many(root: Path, unit: str, records: Sequence[tuple[RecordKind, Record, str | None]],
              subject: str, *, actor: Actor | None = None, author: Identity | None = None,
              when: dt.datetime | None = None) -> list[SaveResult]:
    """Save several records of one unit as ONE commit (`长春市: 导入 附表1 …`).

    Each item is (kind, record, expected digest or None for a new file). Every record is
    checked, and every file compared with what was opened, before the first one is written;
    then each is written atomically and all are committed together under the lock.
    """
    check_id(unit, "单位编号")
    paths, blobs = [], []
    for kind, record, _ in records:
        record_id = check_id(getattr(record, "id", None), "记录编号") if kind.is_collection else None
        rel = kind.path(unit, record_id)
        paths.append(rel)
        blobs.append(canonical_bytes(rel, record))
    if len(set(paths)) != len(paths):
        raise LlweekError("同一个文件在一次保存中出现了两次，未写入")
    require_write(actor, paths)
    campaign = load_campaign(root)
    message = trailers(f"{unit_name(campaign, unit)}: {subject}", unit, paths)
    with open_repo(root) as repo, repo_lock(repo.git_dir, f"保存 {len(paths)} 个文件"):
        author = ready_to_commit(repo, author)
        for rel, (_, _, expected) in zip(paths, records):
            _check_unchanged(root, rel, expected)
        for rel, data in zip(paths, blobs):
            atomic_write(root / rel, data)
        commit = commit_paths(repo, paths, message, author=author, when=when)
    ctx = RuleContext(root, campaign, unit, _unit_kind(campaign, unit))
    return [SaveResult(rel, commit, digest(data), check_record(kind, record, rel, ctx))
            for rel, data, (kind, record, _) in zip(paths, blobs, records)]


def _unit_kind(campaign: Campaign, unit: str) -> str | None:
    return next((ref.kind for ref in campaign.units if ref.id == unit), None)


def delete_record(root: Path, kind: RecordKind, unit: str, record_id: str, *,
                  expected: str | None, actor: Actor | None = None,
                  author: Identity | None = None) -> SaveResult:
    """Delete one record of a collection as its own commit (`长春市: 删除 附表1「…」`)."""
    check_id(unit, "单位编号")
    check_id(record_id, "记录编号")
    rel = kind.path(unit, record_id)
    require_write(actor, [rel])
    stored = read_record(root, rel, kind, kind.model, unit, [])
    message = message_for(load_campaign(root), unit, "删除", kind, stored.record, rel)
    with open_repo(root) as repo, repo_lock(repo.git_dir, f"删除 {rel}"):
        author = ready_to_commit(repo, author)
        _check_unchanged(root, rel, expected)
        (root / rel).unlink(missing_ok=True)
        commit = commit_paths(repo, [rel], message, author=author)
    return SaveResult(rel, commit, None, [])
