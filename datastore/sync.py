"""Sync with the central repository: commit what is pending, fetch, merge, push.

Never rebase, reset or force: local commits are never lost, whatever the network does. Every
network step has a time limit and Git never prompts (datastore.gitrepo.git_env), so a dead
server costs seconds and a clear sentence, not a hung terminal. A push rejected because
someone pushed meanwhile is fetched, merged and pushed again, a bounded number of times.
The whole sync holds the repository lock, so a save in another window waits for it.

Only paths of the data format are ever committed (never a temp file of git's merge driver,
an export written into the clone, a symlink, anything a program left behind), and a merge
cut short by a kill is recognised and put right before anything else (datastore.mergestate).
"""

from __future__ import annotations

import stat
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from datastore import mergestate
from datastore.access import Actor, may_write
from datastore.conflicts import ConflictedRecord, settle_clean
from datastore.diff3 import has_markers
from datastore.errors import LlweekError, PushRefused
from datastore.gitrepo import NETWORK_TIMEOUT, GitRepo
from datastore.loader import is_data_path, kind_of_path, read_record
from datastore.mergeattrs import records_merge_as_binary
from datastore.mergehere import WITHOUT_DRIVER, merge_here
from datastore.models import Campaign
from datastore.pushlog import ensure_fetches_record, fetch_record
from datastore.safefs import Unreadable, file_mode, kind_words, read_file
from datastore.save import commit_paths, load_campaign, trailers, unit_name, writer

PUSH_ATTEMPTS = 3
MERGE_MESSAGE = "同步：合并服务器上的修改"

#: git's words for an unreachable server → what a person needs to hear
_REASONS = (
    ("Could not resolve hostname", "找不到服务器（域名无法解析）"),
    ("Name or service not known", "找不到服务器（域名无法解析）"),
    ("Connection timed out", "连接超时"),
    ("Connection refused", "服务器拒绝连接"),
    ("No route to host", "网络不通"),
    ("Network is unreachable", "网络不通"),
    ("Permission denied", "登录被拒绝（请检查 SSH 密钥或账号）"),
    ("Host key verification failed", "服务器身份无法确认（SSH 主机密钥未登记）"),
    ("does not appear to be a git repository", "服务器上没有这个仓库"),
    ("Repository not found", "服务器上没有这个仓库"),
    ("not found", "服务器上没有这个仓库"),
)


#: a push refused because the server's branch moved on: before we connected, or meanwhile
_MOVED_ON = ("fetch first", "non-fast-forward", "failed to update ref", "cannot lock ref")


@dataclass
class SyncResult:
    """What one sync did. `unreachable` (a reason) or `conflicts` mean it stopped early."""

    pulled: int = 0
    pushed: int = 0
    committed: list[str] = field(default_factory=list)  # hand edits committed before syncing
    not_committed: list[str] = field(default_factory=list)  # changed files left as they are
    finished_merge: bool = False  # a merge resolved in the app was committed
    #: new photo files no save used: not committed unless asked for (sync(photos=…))
    untracked_photos: list[str] = field(default_factory=list)
    conflicts: list[ConflictedRecord] = field(default_factory=list)
    unreachable: str | None = None
    notes: list[str] = field(default_factory=list)  # leftovers of a killed writer, cleared

    @property
    def summary(self) -> str:
        if self.unreachable:
            return f"服务器无法连接：{self.unreachable}。本机的修改都已保存在本机，稍后再同步即可"
        if self.conflicts:
            return f"冲突：{len(self.conflicts)} 个文件需要选择保留哪一份修改"
        return f"拉取 {self.pulled} 个提交，推送 {self.pushed} 个提交"


@dataclass(frozen=True)
class _Branch:
    name: str
    remote: str
    remote_branch: str
    has_upstream: bool

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.remote}/{self.remote_branch}"


#: status remembers which folders hold no new files (kept in the index, no config change)
_UNTRACKED_CACHE = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.untrackedCache",
                    "GIT_CONFIG_VALUE_0": "true"}


class _Rejected(Exception):
    """The server has commits we do not: fetch, merge and push again."""


def sync(root: Path, *, actor: Actor | None = None, timeout: float = NETWORK_TIMEOUT,
         attempts: int = PUSH_ATTEMPTS, photos: Collection[str] = ()) -> SyncResult:
    """Commit pending hand edits (those `actor` may make), fetch, merge, push.

    A new photo file that no save brought in is not committed: it is listed in
    `untracked_photos`, and committed only when named in `photos` (the person was asked)."""
    result = SyncResult()
    with writer(root, "同步") as (repo, notes):
        result.notes = notes
        if repo.merging():
            result.conflicts = settle_clean(repo)
            if result.conflicts:
                return result
            mergestate.finish(repo)
            result.finished_merge = True
        branch, changed, new = _status(repo)
        _commit_pending(repo, changed, new, photos, actor, result)
        dirty = set(changed) - set(result.committed)  # what a merge may not write over
        for _ in range(attempts):
            result.unreachable = _fetch(repo, branch, timeout)
            if result.unreachable:
                return result
            repo.index_history()  # what was fetched, for the histories of records
            if not _merge(repo, branch, result, dirty):
                return result
            try:
                _push(repo, branch, timeout, result)
                return result
            except _Rejected:
                continue
    raise LlweekError(f"服务器上的修改太频繁：推送 {attempts} 次都被拒绝，本机修改已保存，请稍后再同步")


def is_photo_path(path: str) -> bool:
    """`units/<unit>/photos/<file>`."""
    parts = path.split("/")
    return len(parts) == 4 and parts[0] == "units" and parts[2] == "photos"


def _status(repo: GitRepo) -> tuple[_Branch, list[str], list[str]]:
    """The current branch with its remote, every changed file, and every new (untracked) one."""
    out = repo.run("status", "--porcelain=v2", "--branch", "-z", env=_UNTRACKED_CACHE)
    head, upstream, changed, new, new_folders = None, None, [], [], []
    entries = iter(out.split("\0"))
    for entry in entries:
        if entry.startswith("# branch.head "):
            head = entry.removeprefix("# branch.head ")
        elif entry.startswith("# branch.upstream "):
            upstream = entry.removeprefix("# branch.upstream ")
        elif entry[:2] in ("1 ", "u "):
            changed.append(entry.split(" ", 8 if entry[0] == "1" else 10)[-1])
        elif entry.startswith("2 "):
            changed += [entry.split(" ", 9)[-1], next(entries)]  # renamed: new, then old
        elif entry.startswith("? "):
            (new_folders if entry.endswith("/") else new).append(entry[2:])
    if new_folders:  # a folder Git has never seen: its files, minus the ignored ones
        listed = repo.run("ls-files", "--others", "--exclude-standard", "-z", "--", *new_folders)
        new += [path for path in listed.split("\0") if path]
    if head is None or head == "(detached)":
        raise LlweekError("材料库当前不在任何分支上（detached HEAD），无法同步：请先 git switch main")
    return _branch(repo, head, upstream), changed, new


def _branch(repo: GitRepo, head: str, upstream: str | None) -> _Branch:
    config = repo.config()
    remote = config.get(f"branch.{head}.remote")
    if remote is None:
        remotes = sorted({key.split(".")[1] for key in config if key.startswith("remote.")
                          and key.endswith(".url")})
        if not remotes:
            raise LlweekError("没有设置中心仓库，无法同步：请先运行 git remote add origin <地址>")
        remote = "origin" if "origin" in remotes else remotes[0]
    merge = config.get(f"branch.{head}.merge", f"refs/heads/{head}")
    return _Branch(head, remote, merge.removeprefix("refs/heads/"), upstream is not None)


def _commit_pending(repo: GitRepo, changed: list[str], new: list[str], photos: Collection[str],
                    actor: Actor | None, result: SyncResult) -> None:
    """Hand edits (in an editor, or copied in) become one commit before anything is fetched.

    Only the data format's paths, as regular files, that `actor` may change and that hold no
    conflict markers; every other changed path is left as it is and named with the reason.
    A new photo that no save brought in is committed only when named in `photos`; the others
    are listed in `untracked_photos`.
    """
    allowed, fresh = [], set(new)
    for path in changed + new:
        reason = _not_committable(repo, path, actor)
        if reason is None and is_photo_path(path) and path in fresh and path not in photos:
            result.untracked_photos.append(path)
        elif reason is None:
            allowed.append(path)
        elif not path.startswith(MERGE_TEMP_PREFIX):  # git's own temp file: not worth a word
            result.not_committed.append(f"{path}（{reason}）")
    if allowed:
        commit_paths(repo, allowed, _pending_message(repo.root, allowed))
        result.committed = allowed


MERGE_TEMP_PREFIX = ".merge_file_"


def _not_committable(repo: GitRepo, path: str, actor: Actor | None) -> str | None:
    """Why a changed path is not committed by sync, or None when it is."""
    if not is_data_path(path):
        return "不属于材料库的文件"
    if actor is not None and not may_write(actor, path):
        return "无权修改"
    try:
        mode = file_mode(repo.root, path)
    except Unreadable as err:
        return err.reason
    if mode is not None and not stat.S_ISREG(mode):
        return f"是{kind_words(mode)}，不是普通文件"
    if mode is not None and path.endswith(".toml") and _marked(repo.root, path):
        return MARKED
    return None


MARKED = "含有冲突标记"


def _marked(root: Path, rel: str) -> bool:
    try:
        return has_markers(read_file(root, rel).decode("utf-8", errors="replace"))
    except Unreadable:
        return False


def _pending_message(root: Path, paths: list[str]) -> str:
    """`长春市: 提交手工修改 附表1「…」、展板素材` with a trailer per record."""
    campaign = load_campaign(root)
    units = {kind_of_path(p)[0] for p in paths}
    unit = units.pop() if len(units) == 1 else None
    names = [_describe(root, campaign, path, named_unit=unit is None) for path in paths]
    shown = "、".join(names[:3]) + (f" 等 {len(names)} 项" if len(names) > 3 else "")
    who = f"{unit_name(campaign, unit)}: " if unit else ""
    records = [p for p in paths if p.endswith(".toml")]
    return trailers(f"{who}提交手工修改 {shown}", unit, records)


def _describe(root: Path, campaign: Campaign, path: str, named_unit: bool) -> str:
    unit, kind = kind_of_path(path)
    if kind is None or unit is None:
        return path
    record = read_record(root, path, kind, kind.model, unit, []).record \
        if (root / path).exists() else None
    prefix = f"{unit_name(campaign, unit)} " if named_unit else ""
    return prefix + kind.describe(record) + ("（删除）" if not (root / path).exists() else "")


def _network_reason(err: str, seconds: float, timeout: float) -> str:
    if seconds >= timeout or err.startswith("Timeout:"):
        return f"超过 {timeout:g} 秒没有响应"
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    detail = next((line for line in lines if line.lower().startswith(("ssh:", "fatal:"))),
                  lines[-1] if lines else "")
    for words, reason in _REASONS:
        if words.lower() in err.lower():
            return f"{reason}（{detail}）"
    return detail or "原因不明"


def _fetch(repo: GitRepo, branch: _Branch, timeout: float) -> str | None:
    """Fetch the remote (with the server's push record); the reason it could not be reached, or None."""
    ensure_fetches_record(repo, branch.remote)
    started = time.monotonic()
    status, _, err = repo.call("fetch", "--quiet", branch.remote, timeout=timeout)
    if status == 0:
        return None
    return _network_reason(err, time.monotonic() - started, timeout)


def _ahead_behind(repo: GitRepo, branch: _Branch) -> tuple[int, int]:
    """(commits only here, commits only on the server)."""
    status, out, _ = repo.call("rev-list", "--left-right", "--count", f"HEAD...{branch.tracking}")
    if status != 0:  # the server does not have the branch yet
        return int(repo.run("rev-list", "--count", "HEAD").strip() or 0), 0
    ahead, behind = out.split()
    return int(ahead), int(behind)


def _merge(repo: GitRepo, branch: _Branch, result: SyncResult, dirty: set[str]) -> bool:
    """Merge what was fetched; False when it stopped on conflicts (listed in `result`).
    `dirty`: the tracked files with changes not committed."""
    _, behind = _ahead_behind(repo, branch)
    if behind == 0:
        return True
    env = repo.require_identity().env()
    theirs = repo.run("rev-parse", branch.tracking).strip()
    clash = _in_the_way(repo, theirs, dirty)
    if clash:
        raise LlweekError(_overwritten(clash, result.not_committed))
    mergestate.begin(repo, mergestate.head(repo), theirs)  # a kill from here on is undone
    with records_merge_as_binary(repo, theirs):
        status, out, err = repo.call(*WITHOUT_DRIVER, "merge", "--no-edit", "-m", MERGE_MESSAGE,
                                     theirs, env=env)
    if status == 0 or not repo.merging():
        mergestate.end(repo)
        if status != 0:
            raise LlweekError(_merge_refused(out + err, result.not_committed))
        result.pulled += behind
        return True
    # still sync's own merge (noted) until it is committed or left to a person with conflicts
    merge_here(repo)  # the records both sides changed, as the driver would, in this process
    result.pulled += behind
    result.conflicts = settle_clean(repo)
    if not result.conflicts:
        mergestate.finish(repo)
    mergestate.end(repo)
    return not result.conflicts


def _merge_refused(output: str, not_committed: list[str]) -> str:
    """Why git would not merge, for a person (see `_overwritten`)."""
    files = [line.strip() for line in output.splitlines() if line.startswith(("\t", "  "))]
    if "would be overwritten" not in output:
        return f"合并服务器上的修改失败：{output.strip()}"
    return _overwritten(files, not_committed)


def _in_the_way(repo: GitRepo, theirs: str, dirty: set[str]) -> list[str]:
    """Tracked files with changes not committed that the server's side changed too. Git
    refuses to merge over them when the merged file differs from the committed one; with the
    records merged in this process (datastore.mergehere) Git cannot see that, so sync
    refuses first, as Git would, and never writes over a change of the person's."""
    if not dirty:
        return []
    changed = set(repo.run("diff", "--name-only", "-z", f"HEAD...{theirs}").split("\0"))
    return sorted(dirty & changed)


def _overwritten(files: list[str], not_committed: list[str]) -> str:
    """Which local files stand in the way of a merge, and why each of them was not committed
    (a leftover conflict marker, no right to change it, …)."""
    reasons = {entry.rsplit("（", 1)[0]: entry for entry in not_committed}
    listed = "、".join(reasons.get(name, f"{name}（尚未提交的修改）") for name in files)
    advice = []
    if any(MARKED in reasons.get(name, "") for name in files):
        advice.append("含有冲突标记的，是以前一次没有完成的合并留下的：请删去冲突标记（<<<<<<< … >>>>>>>）"
                      "改好内容，或用 git checkout -- 文件 恢复为已提交的版本")
    if any("无权修改" in reasons.get(name, "") for name in files):
        advice.append("无权修改的，请先撤销对它们的修改")
    if not advice:
        advice.append("请先提交、移走或撤销这些文件的修改")
    return (f"服务器上的修改会覆盖本机尚未提交的文件，已停止同步（什么都没有改动）：{listed}。"
            + "；".join(advice))


def _push(repo: GitRepo, branch: _Branch, timeout: float, result: SyncResult) -> None:
    ahead, _ = _ahead_behind(repo, branch)
    if ahead == 0:
        return
    args = ["push", "--porcelain"] + ([] if branch.has_upstream else ["--set-upstream"])
    started = time.monotonic()
    status, out, err = repo.call(*args, branch.remote, f"HEAD:refs/heads/{branch.remote_branch}",
                                 timeout=timeout)
    flags = [line.split("\t") for line in out.splitlines() if "\t" in line]
    if status == 0 and flags and all(flag[0] != "!" for flag in flags):
        result.pushed = ahead
        fetch_record(repo, branch.remote, timeout)
        return
    summary = " ".join(flag[-1] for flag in flags if flag[0] == "!")
    if any(words in summary + err for words in _MOVED_ON):
        raise _Rejected
    if flags:  # the server answered and said no (e.g. the access check of its hook)
        said = [line.removeprefix("remote:").removeprefix(" ").rstrip() for line in err.splitlines()
                if line.startswith("remote:") and line.removeprefix("remote:").strip()]
        reason = "\n".join(said) if said else f"{summary.strip()} {err.strip()}"
        raise PushRefused(f"服务器拒绝了推送：\n{reason}\n本机的修改都已保存。")
    result.unreachable = _network_reason(err, time.monotonic() - started, timeout)
