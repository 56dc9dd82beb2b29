"""Who changed what, when: the commits of the repository or of one record, field by field.

For the app's history screen and `llweek log`. A record's history lists each commit that
touched its file with the fields it changed (`人数: 40 → 45`, labels from the models);
restoring an earlier version goes through the save path, so it is a new commit on top and
the history itself is never rewritten.

Reading history is one `git log` and one `git cat-file --batch` for every version it names,
and the labels come from the models' field table: `llweek log` loads neither pydantic nor
GitPython, and costs little more than `git log -p`.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datastore.errors import GitFailed, LlweekError
from datastore.fieldtable import label, model_name_of_path
from datastore.gitrepo import LOCAL_TIMEOUT, check_config, git_env
from datastore.keypath import MISSING, Item, KeyPath, item_key, show
from datastore.tomlio import TomlSyntaxError, parse

if TYPE_CHECKING:
    from datastore.access import Actor
    from datastore.gitrepo import Identity
    from datastore.save import SaveResult

#: one commit's fields as `git log` prints them; a field added here (a pusher from git notes,
#: say) is parsed in _parse_commit and shown by `llweek log` as one more column
_FORMAT = "%x1e%H%x00%P%x00%aI%x00%an%x00%ae%x00%s"
_NO_BLOB = "0" * 40


def _call(root: Path, *args: str, stdin: bytes | None = None) -> tuple[int, bytes, bytes]:
    """`git args…` in the repository, never prompting: (status, output, errors)."""
    done = subprocess.run(["git", "-C", str(root), "-c", "core.quotepath=off", *args],
                          input=stdin, capture_output=True, timeout=LOCAL_TIMEOUT,
                          env={**os.environ, **git_env()})
    return done.returncode, done.stdout, done.stderr


def git_output(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """`git args…`'s output, or GitFailed in Chinese."""
    status, out, err = _call(root, *args, stdin=stdin)
    if status != 0:
        raise GitFailed(f"git {args[0]} 失败：{err.decode(errors='replace').strip()}")
    return out


def _log(root: Path, *args: str) -> str:
    """`git log args…` as text; empty for a repository without commits yet."""
    check_config(root)  # as every command that opens a repository: the merge driver is set
    status, out, _ = _call(root, "log", *args)
    if status != 0 and _call(root, "rev-parse", "--verify", "--quiet", "HEAD")[0] == 0:
        git_output(root, "log", *args)  # HEAD exists: the log itself failed, say why
    return out.decode("utf-8", errors="replace")


def read_blobs(root: Path, ids: Iterable[str]) -> dict[str, bytes]:
    """The contents of these blobs, read by one `git cat-file --batch`."""
    wanted = sorted({blob for blob in ids if blob != _NO_BLOB})
    if not wanted:
        return {}
    out = git_output(root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in wanted).encode())
    found, at = {}, 0
    for blob in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        found[blob] = out[at:at + size]
        at += size + 1
    return found


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
        from difflib import SequenceMatcher  # only long texts need it: `llweek log` starts light

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
    out = _log(root, f"--format={_FORMAT}", *([f"-n{limit}"] if limit else []), "--",
               *([path] if path else []))
    return [_parse_commit(part.strip("\n")) for part in out.split("\x1e") if part.strip()]


def record_history(root: Path, path: str, limit: int | None = None) -> list[RecordVersion]:
    """Newest first: each commit that changed the record at `path`, with its field changes."""
    out = _log(root, f"--format={_FORMAT}", "--raw", "--no-abbrev", "--diff-merges=first-parent",
               *([f"-n{limit}"] if limit else []), "--", path)
    found = []
    for part in out.split("\x1e"):
        if not part.strip():
            continue
        header, _, raw = part.partition("\n")
        blobs = [line.split("\t")[0].split()[2:4] for line in raw.splitlines()
                 if line.startswith(":")]
        if blobs:
            found.append((_parse_commit(header), *blobs[0]))
    texts = read_blobs(root, (blob for _, old, new in found for blob in (old, new)))
    return [_version(texts, path, info, old, new) for info, old, new in found]


def commit_changes(root: Path, commit: str, under: str | None = None) -> list[tuple[str, RecordVersion]]:
    """The record files (under a folder) that `commit` changed against its first parent, each
    with its field changes: what one line of a unit's history did."""
    check_config(root)
    shown = git_output(root, "show", f"--format={_FORMAT}", "--raw", "--no-abbrev",
                 "--diff-merges=first-parent", commit, "--", *([under] if under else []))
    header, _, raw = shown.decode("utf-8", errors="replace").strip("\x1e\n").partition("\n")
    info = _parse_commit(header)
    changed = []
    for line in raw.splitlines():
        if not line.startswith(":"):
            continue
        meta, path = line.split("\t", 1)
        if path.endswith(".toml"):
            old, new = meta.split()[2:4]
            changed.append((path, old, new))
    texts = read_blobs(root, (blob for _, old, new in changed for blob in (old, new)))
    return [(path, _version(texts, path, info, old, new)) for path, old, new in changed]


def _data(texts: dict[str, bytes], blob: str) -> Any:
    if blob == _NO_BLOB:
        return MISSING
    try:
        return parse(texts.get(blob, b"").decode("utf-8", errors="replace"))
    except TomlSyntaxError:
        return None


def _version(texts: dict[str, bytes], path: str, commit: CommitInfo, old: str,
             new: str) -> RecordVersion:
    before, after = _data(texts, old), _data(texts, new)
    action = "新增" if before is MISSING else "删除" if after is MISSING else "修改"
    if before is None or after is None:
        return RecordVersion(commit, f"{action}（有一版不是有效的 TOML，无法逐项比较）")
    if after is MISSING:
        return RecordVersion(commit, action)
    return RecordVersion(commit, action,
                         field_changes(path, {} if before is MISSING else before, after))


def field_changes(path: str, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every field that differs between two versions of the record at `path`."""
    model = model_name_of_path(path)
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
    check_config(root)
    status, out, _ = _call(root, "show", f"{commit}:{path}")
    if status != 0:
        raise LlweekError(f"{path} 在提交 {commit[:8]} 时不存在")
    return out.decode("utf-8", errors="replace")


def restore(root: Path, path: str, commit: str, *, expected: str | None,
            actor: Actor | None = None, author: Identity | None = None) -> SaveResult:
    """Save the record as it was at `commit`, as a new commit (`恢复 … 到 … 的版本`)."""
    from datastore.fieldpath import model_of_path  # the save path: models, rules, Git
    from datastore.loader import kind_of_path
    from datastore.photostage import stage_from_history
    from datastore.records import build_record
    from datastore.save import load_campaign, save_file, trailers, unit_name

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
    check_config(root)
    status, out, _ = _call(root, "show", "--no-patch", f"--format={_FORMAT}", commit)
    if status != 0:
        raise LlweekError(f"找不到提交 {commit}")
    return _parse_commit(out.decode("utf-8", errors="replace").strip("\x1e\n"))
