"""A way out of a refused push: set the refused commits aside and go back to the server's main.

Once the server refuses a push, every later sync offers it the same commits and fails again.
`set_aside` keeps them on a local branch `rejected/<date>` (nothing is deleted: the branch
holds every commit as it was, for the person and the province to look at), lists what they
changed, and moves the clone's branch back to the server's version as last fetched
(`git reset --keep`, which stops rather than touch a file with uncommitted changes).

The province should see them too: the branch is also pushed to the server, as a new branch
`rejected/<login>/<date>` (the login access.toml gives the person; the server takes only new
branches there, only below the pusher's own login, and only commits holding nothing a clone
could be hurt by). When that push fails (no server, or refused), the set-aside still stands
and the person is told the commits are kept in the clone only.

The person's own work should not wait for that look: the files among the changes that they
may change, that the server has not changed meanwhile and that are plain data files, are
committed again on top as one new commit of theirs, which the next sync pushes. That commit
carries the e-mail access.toml gives them (the server checks it), and the clone's Git e-mail
is set to it when it differed, so the next save is not refused for the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from datastore.access import Actor, may_write
from datastore.errors import LlweekError
from datastore.gitrepo import NETWORK_TIMEOUT, GitRepo, Identity, open_repo
from datastore.loader import is_data_path, kind_of_path
from datastore.lock import repo_lock
from datastore.save import commit_paths, load_campaign, trailers, unit_name
from datastore.treecheck import EXECUTABLE, REGULAR

PREFIX = "rejected/"
_ACTIONS = {"A": "新增", "M": "修改", "D": "删除", "T": "修改"}


@dataclass(frozen=True)
class Change:
    path: str
    action: str  # 新增 / 修改 / 删除


@dataclass
class SetAside:
    """What `set_aside` did, for the person to read."""

    branch: str
    commits: list[tuple[str, str, str]]  # (short hash, author, subject), oldest first
    changes: list[Change]
    carried: list[str] = field(default_factory=list)  # committed again on top of the server's
    left: list[str] = field(default_factory=list)  # only on the set-aside branch
    email_set: str | None = None  # the clone's Git e-mail was changed to this
    upstream: str = "origin/main"  # the server's branch the clone went back to
    shared: str | None = None  # the server's branch that now holds the set-aside commits
    not_shared: str | None = None  # why they could not be pushed there

    def lines(self) -> list[str]:
        out = [f"被拒绝的 {len(self.commits)} 个提交已移到本机分支 {self.branch}（没有删除任何内容）：",
               *(f"  {short} {author} {subject}" for short, author, subject in self.commits),
               "它们改动的文件：", *(f"  {c.action} {c.path}" for c in self.changes)]
        if self.carried:
            out.append(f"其中您有权修改的 {len(self.carried)} 个文件已作为一次新的修改重新提交，"
                       f"下次同步时推送：{'、'.join(self.carried)}")
        if self.left:
            out.append(f"以下修改只留在 {self.branch} 中（请与省办公室商量）：{'、'.join(self.left)}")
        if self.email_set:
            out.append(f"本材料库的 Git 邮箱已改为 access.toml 中登记的 {self.email_set}。")
        if self.shared:
            remote = self.upstream.split("/", 1)[0]
            out.append(f"这些提交也已推送到服务器的分支 {self.shared}，省办公室可以查看"
                       f"（git fetch 后 git log -p {remote}/{self.shared}）。")
        elif self.not_shared:
            out.append(f"未能把这些提交推送到服务器（{self.not_shared}）：它们只保存在本机的 {self.branch} 中，"
                       "移到一边已经完成。")
        out.append(f"查看这些提交：git log -p {self.upstream}..{self.branch}")
        return out


def set_aside(root: Path, *, actor: Actor | None, max_bytes: int | None = None,
              today: dt.date | None = None) -> SetAside:
    """Move the commits the server does not have onto `rejected/<date>`, back to the server's
    branch, and commit again what `actor` may change (None: roles not set up, everything)."""
    with open_repo(root) as repo, repo_lock(repo.git_dir, "移开被拒绝的提交"):
        if repo.merging():
            raise LlweekError("合并还没完成：请先在“冲突”界面完成合并（或运行 llweek sync），再移开被拒绝的提交")
        upstream = _upstream(repo)
        listed = repo.run("log", "--reverse", "--format=%h%x00%an%x00%s", f"{upstream}..HEAD")
        commits = [tuple(line.split("\0", 2)) for line in listed.splitlines() if line]
        if not commits:
            raise LlweekError("没有需要移开的提交：本机的提交都已在服务器上")
        branch = _free_name(repo, f"{PREFIX}{(today or dt.date.today()):%Y-%m-%d}")
        repo.run("branch", branch, "HEAD")
        base = repo.run("merge-base", upstream, branch).strip()
        changes = _changes(repo, base, branch)
        status, out, err = repo.call("reset", "--keep", upstream)
        if status != 0:
            raise LlweekError(f"被拒绝的提交已保存在 {branch}，但无法回到服务器的版本：本机有尚未提交的修改"
                              f"与之冲突（{(err or out).strip()}）。请先保存或撤销这些修改，再试一次")
        result = SetAside(branch, commits, changes)  # type: ignore[arg-type]
        result.upstream = upstream.removeprefix("refs/remotes/")
        limit = max_bytes or load_campaign(root).rules.photo_max_mb * 1024 * 1024
        carry = [c for c in changes if _may_carry(repo, c, actor, base, upstream, branch, limit)]
        result.left = [c.path for c in changes if c not in carry]
        if carry:
            result.email_set = _registered_identity(repo, actor)
            _carry(repo, root, carry, branch)
            result.carried = [c.path for c in carry]
    with open_repo(root) as repo:  # the network, without holding the clone's lock
        _share(repo, result, actor)
    return result


def _share(repo: GitRepo, result: SetAside, actor: Actor | None) -> None:
    """Push the set-aside branch to `rejected/<login>/<date>` on the server, as a new branch."""
    if actor is None or not actor.login:
        result.not_shared = "没有在 access.toml 中找到您的账号"
        return
    remote = result.upstream.split("/", 1)[0]
    target = f"{actor.login}/{result.branch.removeprefix(PREFIX)}"
    status, out, err = repo.call("push", "--porcelain", remote,
                                 f"refs/heads/{result.branch}:refs/heads/{PREFIX}{target}",
                                 timeout=NETWORK_TIMEOUT)
    flags = [line.split("\t") for line in out.splitlines() if "\t" in line]
    if status == 0 and flags and all(flag[0] != "!" for flag in flags):
        result.shared = f"{PREFIX}{target}"
        return
    said = [line.removeprefix("remote:").strip() for line in err.splitlines()
            if line.startswith("remote:") and line.removeprefix("remote:").strip()]
    reasons = [line for line in said if not line.startswith(("您本地的提交不会丢失", "llweek：推送被拒绝"))]
    if flags and reasons:
        result.not_shared = "服务器拒绝保存：" + " ".join(reasons[:4]) + ("……" if len(reasons) > 4 else "")
    elif flags:
        result.not_shared = "服务器拒绝保存：" + " ".join(f[-1] for f in flags if f[0] == "!").strip()
    else:
        result.not_shared = "无法连接服务器：" + (err.strip().splitlines() or ["没有回应"])[-1]


def _upstream(repo: GitRepo) -> str:
    status, out, _ = repo.call("rev-parse", "--symbolic-full-name", "@{upstream}")
    upstream = out.strip()
    if status != 0 or not upstream or repo.call("rev-parse", "-q", "--verify", upstream)[0] != 0:
        raise LlweekError("服务器上还没有这个分支（或本分支没有对应的服务器分支），没有可以回到的版本")
    return upstream


def _free_name(repo: GitRepo, wanted: str) -> str:
    name, number = wanted, 1
    while repo.call("rev-parse", "-q", "--verify", f"refs/heads/{name}")[0] == 0:
        number += 1
        name = f"{wanted}-{number}"
    return name


def _changes(repo: GitRepo, base: str, tip: str) -> list[Change]:
    out = repo.run("diff", "--name-status", "--no-renames", "-z", base, tip)
    tokens = [t for t in out.split("\0") if t]
    return [Change(path, _ACTIONS.get(status[0], "修改")) for status, path in zip(tokens[::2], tokens[1::2])]


def _entry(repo: GitRepo, rev: str, path: str) -> tuple[str, str] | None:
    """(mode, object) of `path` at `rev`, None when it is not there."""
    out = repo.run("ls-tree", "-z", rev, "--", path)
    for item in out.split("\0"):
        if item and item.split("\t", 1)[1] == path:
            mode, _, sha = item.split("\t", 1)[0].split()
            return mode, sha
    return None


def _may_carry(repo: GitRepo, change: Change, actor: Actor | None, base: str, upstream: str,
               branch: str, limit: int) -> bool:
    """A plain data file the person may change, left alone by the server since they forked."""
    if (actor is not None and not may_write(actor, change.path)) or not is_data_path(change.path):
        return False
    if _entry(repo, base, change.path) != _entry(repo, upstream, change.path):
        return False
    tip = _entry(repo, branch, change.path)
    return tip is None or (tip[0].encode() in (REGULAR, EXECUTABLE)
                           and repo.object_size(tip[1]) <= limit)


def _registered_identity(repo: GitRepo, actor: Actor | None) -> str | None:
    """Set the clone's e-mail to access.toml's where it differs; returns it when it was set."""
    identity = repo.require_identity()
    email = actor.email if actor is not None else None
    if not email or email.strip().lower() == identity.email.lower():
        return None
    repo.set_identity(Identity(identity.name, email.strip()))
    return email.strip()


def _carry(repo: GitRepo, root: Path, carry: list[Change], branch: str) -> None:
    present = [c.path for c in carry if c.action != "删除"]
    if present:
        repo.run("checkout", branch, "--", *present)
    gone = [c.path for c in carry if c.action == "删除"]
    if gone:
        repo.run("rm", "-q", "--", *gone)
    paths = [c.path for c in carry]
    units = {kind_of_path(path)[0] for path in paths}
    unit = units.pop() if len(units) == 1 else None
    who = f"{unit_name(load_campaign(root), unit)}: " if unit else ""
    subject = f"{who}重新提交推送被拒绝的修改（原提交保存在本机分支 {branch}）"
    commit_paths(repo, paths, trailers(subject, unit, [p for p in paths if p.endswith(".toml")]))
