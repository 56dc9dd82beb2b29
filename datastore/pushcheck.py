"""The central repository's check of a push (DESIGN §7), run by its pre-receive hook.

Every commit the push would add to the server is checked: each path it adds, changes or
deletes must be one the pusher may change. The rights come from access.toml as the server's
default branch holds it *before* the push, so no push can grant its own rights. A merge
commit is judged by what the merger decided: a path counts when its result differs from
every parent, or when it silently drops one side's change back to the common ancestor's
version (a revert dressed up as a merge); taking either side's changes is always fine, so a
unit can merge the province's changes from the server.

Unit staff may not delete branches or rewrite a branch's history (a forced push would throw
away everyone's commits, unchecked); the province may. The very first push into an empty
central repository must include its default branch, and is accepted only from someone that
branch's own access.toml lists with the province role: somebody has to bring the campaign.
The pusher is the account the server authenticated (see `pusher_login`), never a commit's
author, which anyone can set.
"""

from __future__ import annotations

import os
import pwd
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from dataclasses import dataclass

from datastore.access import Actor, find_actor, forbidden_paths
from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from datastore.loader import ACCESS_FILE
from datastore.models import Access
from datastore.records import build_record
from datastore.tomlio import parse


@dataclass(frozen=True)
class RefUpdate:
    """One `old new ref` line that git gives the pre-receive hook."""

    old: str
    new: str
    ref: str

    @property
    def created(self) -> bool:
        return set(self.old) == {"0"}

    @property
    def deleted(self) -> bool:
        return set(self.new) == {"0"}


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]


def read_updates(lines: Iterable[str]) -> list[RefUpdate]:
    """Parse the hook's standard input; anything malformed is refused rather than skipped."""
    updates = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise LlweekError(f"pre-receive 收到无法识别的一行：{line.strip()}")
        updates.append(RefUpdate(*parts))
    return updates


def pusher_login(repo_dir: Path, environ: Mapping[str, str] = os.environ,
                 uid: int | None = None) -> str:
    """The authenticated account that is pushing ("" when it cannot be told).

    Under gitolite the hook runs as the hosting account that owns the repositories, and
    gitolite sets GL_USER from the pusher's SSH key. Anywhere else GL_USER, USER and LOGNAME
    are just variables a pusher can set (e.g. pushing to a path on the server), so the account
    is the one the operating system runs receive-pack as.
    """
    uid = os.getuid() if uid is None else uid
    gl_user = environ.get("GL_USER", "").strip()
    if gl_user and repo_dir.stat().st_uid == uid:
        return gl_user
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return ""


def _branch(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def access_at(repo: GitRepo, rev: str) -> Access | None:
    """access.toml as commit `rev` holds it; None when it is missing or cannot be read."""
    status, text, _ = repo.call("cat-file", "blob", f"{rev}:{ACCESS_FILE}")
    if status != 0:
        return None
    try:
        record, problems = build_record(Access, parse(text))
    except LlweekError:
        return None
    return None if problems else record  # type: ignore[return-value]


def check_push(repo: GitRepo, updates: list[RefUpdate], login: str) -> str | None:
    """None when the push may go ahead, else the Chinese refusal to show the pusher."""
    if not updates:
        return None
    if not login:
        return _refusal("（未知）", ["无法确定推送者的账号（既没有 GL_USER，也没有登录名），不接受推送。"])
    default = _default_ref(repo)
    if not repo.run("for-each-ref", "--count=1", "--format=%(refname)").strip():
        return _first_push(repo, updates, login, default)
    access = access_at(repo, "HEAD")
    if access is None:
        return _refusal(login, [
            f"中心仓库的 {_branch(default)} 分支上没有可读的 {ACCESS_FILE}，无法判断谁可以修改什么，"
            "所以不接受任何推送。请服务器管理员修复该文件。"])
    actor = find_actor(access, login)
    if actor is None:
        return _refusal(login, [
            f"账号「{login}」不在中心仓库 {ACCESS_FILE} 的人员名单中，不能推送。"
            "请联系省办公室在 access.toml 中登记。"])
    problems = [line for update in updates for line in _ref_problems(repo, update, actor)]
    if not problems and not actor.is_province:
        problems = _path_problems(repo, [u.new for u in updates if not u.deleted], actor)
    return _refusal(actor.label, problems, actor) if problems else None


def _default_ref(repo: GitRepo) -> str:
    status, out, _ = repo.call("symbolic-ref", "-q", "HEAD")
    return out.strip() if status == 0 and out.strip() else "refs/heads/main"


def _first_push(repo: GitRepo, updates: list[RefUpdate], login: str, default: str) -> str | None:
    """An empty central repository takes its first branch from a province member only."""
    first = next((u for u in updates if u.ref == default and not u.deleted), None)
    if first is None:
        return _refusal(login, [
            f"中心仓库还是空的：第一次推送必须包含 {_branch(default)} 分支。"])
    access = access_at(repo, first.new)
    actor = find_actor(access, login) if access is not None else None
    if actor is None or not actor.is_province:
        return _refusal(actor.label if actor else login, [
            "中心仓库还是空的：第一次推送只能由所推送的 access.toml 中登记为省级（role = \"province\"）"
            "的人员来做。"], actor)
    return None


def _ref_problems(repo: GitRepo, update: RefUpdate, actor: Actor) -> list[str]:
    """Deleting a branch or rewriting its history: the province only."""
    name = _branch(update.ref)
    if update.deleted:
        return [] if actor.is_province else [f"只有省级人员可以删除 {name}。"]
    status, _, _ = repo.call("rev-parse", "--verify", "-q", f"{update.new}^{{commit}}")
    if status != 0:
        return [f"{name} 指向的不是一个提交，不接受。"]
    if update.created or actor.is_province:
        return []
    status, _, _ = repo.call("merge-base", "--is-ancestor", update.old, update.new)
    if status != 0:
        return [f"这次推送会改写 {name} 上已有的历史（强制推送），会丢掉别人的提交，不接受。"
                "请先同步（拉取并合并）再推送。"]
    return []


def _path_problems(repo: GitRepo, tips: list[str], actor: Actor) -> list[str]:
    """One line per new commit that touches a path outside the pusher's role."""
    if not tips:
        return []
    commits = _new_commits(repo, tips)
    touched = _plain_paths(repo, [c for c in commits if len(c.parents) <= 1])
    for commit in commits:
        if len(commit.parents) > 1:
            touched[commit.sha] = _merge_paths(repo, commit)
    offending = {c.sha: denied for c in commits
                 if (denied := forbidden_paths(actor, touched.get(c.sha, [])))}
    if not offending:
        return []
    subjects = _subjects(repo, list(offending))
    lead = (f"该账号只能修改 units/{actor.unit}/ 下的文件，以下提交改动了其他文件："
            if actor.unit else "该账号在 access.toml 中没有登记可修改的单位，以下提交改动了文件：")
    return [lead, *(
        f"  提交 {sha[:7]}「{subjects.get(sha, '')}」：{'、'.join(paths)}"
        for sha, paths in offending.items())]


def _new_commits(repo: GitRepo, tips: list[str]) -> list[Commit]:
    """The commits the push adds: reachable from the new tips, not from any ref of the server."""
    out = repo.run("rev-list", "--reverse", "--topo-order", "--parents", *tips, "--not", "--all")
    commits = []
    for line in out.splitlines():
        ids = line.split()
        if ids:
            commits.append(Commit(ids[0], tuple(ids[1:])))
    return commits


def _plain_paths(repo: GitRepo, commits: list[Commit]) -> dict[str, list[str]]:
    """Paths each non-merge commit changes against its parent (a root commit: all its paths).

    One `git diff-tree --stdin` for all of them; `--always` prints every commit's id, so the
    output splits unambiguously at the ids we fed in, in that order.
    """
    if not commits:
        return {}
    with tempfile.TemporaryFile() as feed:
        feed.write("".join(f"{c.sha}\n" for c in commits).encode())
        feed.seek(0)
        out = repo.run("diff-tree", "--stdin", "--always", "-r", "--root", "--no-renames",
                       "--name-only", "-z", stdin=feed)
    paths: dict[str, list[str]] = {c.sha: [] for c in commits}
    expected = iter(c.sha for c in commits)
    upcoming = next(expected, None)
    current: list[str] | None = None
    for token in out.split("\0"):
        token = token.lstrip("\n")
        if token == upcoming:
            current = paths[token]
            upcoming = next(expected, None)
        elif token and current is not None:
            current.append(token)
    if upcoming is not None:
        raise LlweekError("无法读取推送中各提交修改的文件，不接受这次推送")
    return paths


def _changed(repo: GitRepo, before: str, after: str) -> set[str]:
    out = repo.run("diff-tree", "-r", "--no-renames", "--name-only", "-z", before, after)
    return {p for p in out.split("\0") if p}


def _merge_paths(repo: GitRepo, merge: Commit) -> list[str]:
    """The paths a merge commit decided itself (see the module's docstring)."""
    per_parent = [_changed(repo, parent, merge.sha) for parent in merge.parents]
    differs_from_all = set.intersection(*per_parent)
    status, out, _ = repo.call("merge-base", "--all", "--octopus", *merge.parents)
    bases = out.split() if status == 0 else []
    if bases:
        from_bases = set.union(*(_changed(repo, base, merge.sha) for base in bases))
    else:  # unrelated histories: the common ancestor is the empty tree
        listed = repo.run("ls-tree", "-r", "--name-only", "-z", merge.sha)
        from_bases = {p for p in listed.split("\0") if p}
    dropped = set.union(*per_parent) - from_bases
    return sorted(differs_from_all | dropped)


def _subjects(repo: GitRepo, shas: list[str]) -> dict[str, str]:
    out = repo.run("log", "--no-walk=unsorted", "--format=%H%x00%s%x00", *shas)
    tokens = [t.lstrip("\n") for t in out.split("\0")]
    return dict(zip(tokens[0::2], tokens[1::2]))


def _refusal(who: str, problems: list[str], actor: Actor | None = None) -> str:
    lines = [f"llweek：推送被拒绝。推送者：{who}", *(f"  {problem}" for problem in problems)]
    if actor is not None:
        lines.append("这些改动须由有权限的人员来做。您本地的提交不会丢失；请联系省办公室处理。")
    return "\n".join(lines)
