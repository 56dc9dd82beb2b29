"""Sync with the central repository: commit what is pending, fetch, merge, push.

Never rebase, reset or force: local commits are never lost, whatever the network does. Every
network step has a time limit and Git never prompts (datastore.gitrepo.git_env), so a dead
server costs seconds and a clear sentence, not a hung terminal. A push rejected because
someone pushed meanwhile is fetched, merged and pushed again, a bounded number of times.
The whole sync holds the repository lock, so a save in another window waits for it.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from datastore.access import Actor, may_write
from datastore.conflicts import ConflictedRecord, finish_in, settle_clean
from datastore.diff3 import has_markers
from datastore.errors import LlweekError
from datastore.gitrepo import NETWORK_TIMEOUT, GitRepo, open_repo
from datastore.loader import kind_of_path, read_record
from datastore.lock import repo_lock
from datastore.models import Campaign
from datastore.save import commit_paths, load_campaign, trailers, unit_name

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
    with open_repo(root) as repo, repo_lock(repo.git_dir, "同步"):
        if repo.merging():
            result.conflicts = settle_clean(repo)
            if result.conflicts:
                return result
            finish_in(repo)
            result.finished_merge = True
        branch, changed, new = _status(repo)
        _commit_pending(repo, changed + _photos_asked(new, photos, result), actor, result)
        for _ in range(attempts):
            result.unreachable = _fetch(repo, branch, timeout)
            if result.unreachable:
                return result
            if not _merge(repo, branch, result):
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


def _photos_asked(new: list[str], asked: Collection[str], result: SyncResult) -> list[str]:
    """New files to commit: all but photos, which only when asked for (the rest are listed)."""
    taken = []
    for path in new:
        if not is_photo_path(path) or path in asked:
            taken.append(path)
        else:
            result.untracked_photos.append(path)
    return taken


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


def _commit_pending(repo: GitRepo, changed: list[str], actor: Actor | None,
                    result: SyncResult) -> None:
    """Hand edits (in an editor, or copied in) become one commit before anything is fetched."""
    if not changed:
        return
    allowed = []
    for path in changed:
        if actor is not None and not may_write(actor, path):
            result.not_committed.append(f"{path}（无权修改）")
        elif path.endswith(".toml") and _marked(repo.root / path):
            result.not_committed.append(f"{path}（含有冲突标记）")
        else:
            allowed.append(path)
    if allowed:
        commit_paths(repo, allowed, _pending_message(repo.root, allowed))
        result.committed = allowed


def _marked(path: Path) -> bool:
    try:
        return has_markers(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
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
    """Fetch the remote; the reason it could not be reached, or None."""
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


def _merge(repo: GitRepo, branch: _Branch, result: SyncResult) -> bool:
    """Merge what was fetched; False when it stopped on conflicts (listed in `result`)."""
    _, behind = _ahead_behind(repo, branch)
    if behind == 0:
        return True
    env = repo.require_identity().env()
    status, out, err = repo.call("merge", "--no-edit", "-m", MERGE_MESSAGE, branch.tracking,
                                 env=env)
    if status == 0:
        result.pulled += behind
        return True
    if not repo.merging():
        raise LlweekError(_merge_refused(out + err))
    result.pulled += behind
    result.conflicts = settle_clean(repo)
    if result.conflicts:
        return False
    finish_in(repo)
    return True


def _merge_refused(output: str) -> str:
    files = [line.strip() for line in output.splitlines() if line.startswith(("\t", "  "))]
    if "would be overwritten" in output:
        return ("服务器上的修改会覆盖本机尚未提交的文件，已停止同步（什么都没有改动）："
                f"{'、'.join(files)}。这些文件您无权提交，请先撤销对它们的修改")
    return f"合并服务器上的修改失败：{output.strip()}"


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
        return
    summary = " ".join(flag[-1] for flag in flags if flag[0] == "!")
    if any(words in summary + err for words in _MOVED_ON):
        raise _Rejected
    if flags:  # the server answered and said no (e.g. the access check of its hook)
        said = [line.removeprefix("remote:").strip() for line in err.splitlines()
                if line.startswith("remote:") and line.removeprefix("remote:").strip()]
        raise LlweekError(f"服务器拒绝了推送（{summary.strip('[] ')}）：{' '.join(said) or err.strip()}"
                          "。本机的修改都已保存")
    result.unreachable = _network_reason(err, time.monotonic() - started, timeout)
