"""The one save path: validate → atomic write → commit.

The app, the command line, the importer and the sample's history all write through here, so
every change is checked the same way, lands atomically, and becomes exactly one commit that
reads well in `git log`.

A save is never left half-done. It notes what it is about to write (datastore.journal) before
writing; if its commit fails, the files it wrote get their old content back; if it is killed
between writing and committing, the next writer finds the note and makes the commit it meant
(`writer`). A write never goes through a symlink (datastore.safefs).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from datastore import journal, mergestate
from datastore.access import Actor, require_write
from datastore.comments import keep_comments
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
from datastore.safefs import Folder, Unreadable, read_file, split, writable_path
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
    notes: list[str] = field(default_factory=list)  # leftovers of a killed writer, cleared


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


def current_bytes(root: Path, rel: str) -> bytes | None:
    """The file's content now (None: absent); a link, FIFO, device or huge file is refused."""
    try:
        return read_file(root, rel)
    except Unreadable as err:
        if err.code == "file.missing":
            return None
        raise


def current_digest(root: Path, rel: str) -> str | None:
    data = current_bytes(root, rel)
    return None if data is None else digest(data)


@contextmanager
def writer(root: Path, purpose: str) -> Iterator[tuple[GitRepo, list[str]]]:
    """The repository, opened and locked for one change (`purpose` names it to whoever waits).

    On the way in, whatever a killed llweek or git left is dealt with, each with a line in the
    notes it yields: Git's stale lock files (datastore.lock), a merge cut short
    (datastore.mergestate), a save cut between its write and its commit (committed now).
    """
    with open_repo(root) as repo, repo_lock(repo.git_dir, purpose) as held:
        notes = repo.notes + held.notes + mergestate.recover(repo) + finish_interrupted_save(repo)
        yield repo, notes


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
    data = current_bytes(root, rel)
    now = None if data is None else digest(data)
    if now != expected:
        text = data.decode("utf-8", errors="replace") if data is not None else None
        what = "已被删除" if now is None else ("已被新建" if expected is None else "已被修改")
        raise StaleRecord(f"{rel} 在您打开之后{what}（可能是同步或其他人的修改）。"
                          "为免覆盖，本次未保存：请对比两份内容后再决定", rel, text)


def ready_to_commit(repo: GitRepo, author: Identity | None) -> Identity:
    """The commit's author, or a refusal to be given before anything is written."""
    if repo.merging():
        if mergestate.unmerged_paths(repo):
            raise LlweekError("材料库正在合并（有未解决的冲突）：请先在“冲突”界面解决后再保存")
        raise LlweekError("上次同步的冲突都已解决，但合并还没有提交：请先同步一次（ctrl+r 或 llweek sync）"
                          "完成合并，再保存")
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
        raise LlweekError(f"提交失败：{_commit_failure(err or out)}")
    found = _COMMIT_LINE.search(out)
    return found.group(1) if found else None


def _commit_failure(output: str) -> str:
    """git's words for a failed commit, with a Chinese reason where llweek knows it."""
    output = output.strip()
    if ".lock" in output and ("File exists" in output or "cannot lock" in output):
        return f"另一个 Git 程序正在使用材料库（{output.splitlines()[0]}）。请稍后再试"
    if "unmerged" in output.lower():
        return f"材料库里还有没有解决的合并冲突，暂时不能提交（{output.splitlines()[0]}）"
    return output


def write_and_commit(repo: GitRepo, writes: dict[str, bytes | None], paths: list[str],
                     message: str, *, author: Identity,
                     when: dt.datetime | None = None) -> tuple[str | None, dict[str, str | None]]:
    """Write each file of `writes` (None: delete it) atomically, then commit `paths`; returns
    the commit and the content hash of each file as written.

    A record keeps the hand-written comments of the file it replaces (datastore.comments).
    All or nothing: the whole change is noted in .git first; if the commit fails, every file
    written gets its old content back and the error goes on; if the process dies on the way,
    the next writer finds the note and finishes the save (finish_interrupted_save). The
    caller holds the lock.
    """
    root = repo.root
    targets = {rel: writable_path(root, rel) for rel in writes}
    before = {rel: current_bytes(root, rel) for rel in writes}
    writes = {rel: _commented(before[rel], data) for rel, data in writes.items()}
    journal.write(repo.git_dir, journal.SAVE, {
        "paths": paths, "message": message, "author": [author.name, author.email],
        "when": when.isoformat() if when else None,
        "files": {rel: {"old": None if before[rel] is None else digest(before[rel]),
                        "new": None if data is None else digest(data),
                        "text": None if data is None else data.decode("utf-8")}
                  for rel, data in writes.items()}})
    try:
        _apply(targets, writes)
        commit = commit_paths(repo, paths, message, author=author, when=when)
    except BaseException:
        _apply(targets, before)  # if even this fails, the note stays: the next writer finishes
        # a new file was added to the index for the commit: unstaged again (history untouched)
        repo.call("--literal-pathspecs", "reset", "--quiet", "HEAD", "--", *writes)
        journal.clear(repo.git_dir, journal.SAVE)
        raise
    journal.clear(repo.git_dir, journal.SAVE)
    return commit, {rel: None if data is None else digest(data) for rel, data in writes.items()}


def _commented(old: bytes | None, new: bytes | None) -> bytes | None:
    if old is None or new is None or b"#" not in old:
        return new
    return keep_comments(old.decode("utf-8", errors="replace"), new.decode("utf-8")).encode("utf-8")


def _apply(targets: dict[str, Path], contents: dict[str, bytes | None]) -> None:
    for rel, data in contents.items():
        if data is None:
            targets[rel].unlink(missing_ok=True)
        else:
            atomic_write(targets[rel], data)


def finish_interrupted_save(repo: GitRepo) -> list[str]:
    """Finish a save that was killed on its way (files partly written, or not committed): its
    note in .git holds the whole change, so every file is written and committed now. If a
    file has been changed by other hands since, the save is given up instead, and nothing is
    overwritten. A line says what happened. The caller holds the lock."""
    entry = journal.read(repo.git_dir, journal.SAVE)
    if entry is None:
        return []
    journal_paths = []
    try:
        files: dict[str, dict] = entry["files"]
        journal_paths = list(files)
        paths: list[str] = entry["paths"]
        author = Identity(*entry["author"])
        when = dt.datetime.fromisoformat(entry["when"]) if entry.get("when") else None
        message: str = entry["message"]
        writes = {rel: None if f["text"] is None else f["text"].encode("utf-8")
                  for rel, f in files.items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        journal.clear(repo.git_dir, journal.SAVE)
        return []
    subject = message.splitlines()[0] if message else "保存"
    _remove_temp_files(repo.root, journal_paths)
    now = {rel: _current_or_none(repo.root, rel) for rel in files}
    if any(now[rel] not in (f["old"], f["new"]) for rel, f in files.items()):
        journal.clear(repo.git_dir, journal.SAVE)
        return [f"上次的保存（{subject}）在完成前被中断，其中的文件之后又被改过：已保留现在的内容，没有补提交"]
    targets = {rel: writable_path(repo.root, rel) for rel in files}
    _apply(targets, {rel: writes[rel] for rel in files if now[rel] != files[rel]["new"]})
    commit = commit_paths(repo, paths, message, author=author, when=when)
    journal.clear(repo.git_dir, journal.SAVE)
    return [f"上次的保存（{subject}）在完成前被中断，现已补上提交 {commit}"] if commit else []


def _current_or_none(root: Path, rel: str) -> str | None:
    try:
        return current_digest(root, rel)
    except Unreadable:
        return "unreadable"


def _remove_temp_files(root: Path, paths: list[str]) -> None:
    """The temp files of atomic writes a kill cut short (`.name.XXXX.tmp` beside each file)."""
    for rel in paths:
        folder_rel, name = split(rel)
        try:
            with Folder.open(root, folder_rel) as folder:
                for entry in folder.entries():
                    if entry.is_file and entry.name.startswith(f".{name}.") \
                            and entry.name.endswith(".tmp"):
                        os.unlink(entry.name, dir_fd=folder.fd)
        except (Unreadable, FileNotFoundError):
            continue


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
    with writer(root, f"保存 {rel}") as (repo, notes):
        author = ready_to_commit(repo, author)  # before writing: no half-done save
        _check_unchanged(root, rel, expected)
        photos = plan_photos(repo, rel, record)
        commit, written = commit_with_photos(photos, lambda more: write_and_commit(
            repo, {rel: data}, paths + more, message, author=author, when=when))
    return SaveResult(rel, commit, written[rel], [], notes)


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
    return SaveResult(result.path, result.commit, result.digest, findings, result.notes)


def save_many(root: Path, unit: str, records: Sequence[tuple[RecordKind, Record, str | None]],
              subject: str, *, actor: Actor | None = None, author: Identity | None = None,
              when: dt.datetime | None = None,
              deletions: Sequence[tuple[RecordKind, str, str | None]] = ()) -> list[SaveResult]:
    """Save several records of one unit as ONE commit (`长春市: 导入 附表1 …`).

    Each item is (kind, record, expected digest or None for a new file); each deletion is
    (kind, record id, expected digest). Every record is checked, and every file compared with
    what was opened, before the first one is written or deleted; then each is written
    atomically (or removed) and all are committed together under the lock.
    """
    check_id(unit, "单位编号")
    paths, blobs = [], []
    for kind, record, _ in records:
        record_id = check_id(getattr(record, "id", None), "记录编号") if kind.is_collection else None
        rel = kind.path(unit, record_id)
        paths.append(rel)
        blobs.append(canonical_bytes(rel, record))
    gone = [kind.path(unit, check_id(record_id, "记录编号")) for kind, record_id, _ in deletions]
    if len(set(paths + gone)) != len(paths + gone):
        raise LlweekError("同一个文件在一次保存中出现了两次，未写入")
    require_write(actor, paths + gone)
    campaign = load_campaign(root)
    message = trailers(f"{unit_name(campaign, unit)}: {subject}", unit, paths + gone)
    with writer(root, f"保存 {len(paths + gone)} 个文件") as (repo, notes):
        author = ready_to_commit(repo, author)
        for rel, expected in zip(paths + gone, [e for *_, e in records] + [e for *_, e in deletions]):
            _check_unchanged(root, rel, expected)
        writes: dict[str, bytes | None] = {**dict(zip(paths, blobs)), **{rel: None for rel in gone}}
        commit, written = write_and_commit(repo, writes, paths + gone, message,
                                           author=author, when=when)
    ctx = RuleContext(root, campaign, unit, _unit_kind(campaign, unit))
    return [SaveResult(rel, commit, written[rel], check_record(kind, record, rel, ctx), notes)
            for rel, (kind, record, _) in zip(paths, records)] + [
        SaveResult(rel, commit, None, [], notes) for rel in gone]


def _unit_kind(campaign: Campaign, unit: str) -> str | None:
    return next((ref.kind for ref in campaign.units if ref.id == unit), None)


def delete_record(root: Path, kind: RecordKind, unit: str, record_id: str, *,
                  expected: str | None, actor: Actor | None = None,
                  author: Identity | None = None) -> SaveResult:
    """Delete one record of a collection as its own commit (`长春市: 删除 附表1「…」`); its
    photos that no other record of the unit uses go in the same commit."""
    check_id(unit, "单位编号")
    check_id(record_id, "记录编号")
    rel = kind.path(unit, record_id)
    require_write(actor, [rel])
    stored = read_record(root, rel, kind, kind.model, unit, [])
    message = message_for(load_campaign(root), unit, "删除", kind, stored.record, rel)
    with writer(root, f"删除 {rel}") as (repo, notes):
        author = ready_to_commit(repo, author)
        _check_unchanged(root, rel, expected)
        photos = plan_photos(repo, rel, None)
        commit, _ = commit_with_photos(photos, lambda more: write_and_commit(
            repo, {rel: None}, [rel] + more, message, author=author))
    return SaveResult(rel, commit, None, [], notes)
