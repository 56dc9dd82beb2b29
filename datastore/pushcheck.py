"""The central repository's check of a push (DESIGN §7), run by its pre-receive hook.

Every commit the push would add to the server is checked: each path it adds, changes or
deletes must be one the pusher may change. The rights come from access.toml as the server's
default branch holds it *before* the push, so no push can grant its own rights. A merge
commit is judged by what the merger decided: a path counts when its result differs from
every parent, or when it silently drops one side's change back to the common ancestor's
version (a revert dressed up as a merge); taking either side's changes is always fine, so a
unit can merge the province's changes from the server.

A unit's staff push only `main` (and, as new branches below `rejected/<their login>/`, the
commits the server refused them, kept for the province to look at: only what any commit may
contain is checked there), never delete a branch or rewrite its history, never push a
merge of more than two parents or one that brings in history unrelated to the server's
(both can roll back what the province decided), and every new commit they push must carry,
as its committer, the e-mail access.toml gives their login: history then names the person
who made each change, and the server's push record (datastore.pushlog) the account that
brought it. What any commit may contain, province or not, is datastore.treecheck's rule.

The very first push into an empty central repository must include its default branch, and
is accepted only from the login `install-hook --province` named, and only if that branch's
own access.toml lists the login with the province role. The pusher is the account the
server authenticated (see `pusher_login`), never a commit's author, which anyone can set.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from datastore.access import Actor, find_actor, forbidden_paths
from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from datastore.loader import ACCESS_FILE, CAMPAIGN_FILE
from datastore.models import Access, Campaign
from datastore.pusher import PUSH_NOTES_PREFIX, HookSettings, RefUpdate
from datastore.records import build_record
from datastore.tomlio import parse
from datastore.treecheck import Problem, check_commits


#: where a unit's staff keep, on the server, commits the server refused (`llweek sync --set-aside`)
SET_ASIDE_PREFIX = "refs/heads/rejected/"


def _branch(ref: str) -> str:
    return ref.removeprefix("refs/heads/")


def _record_at(repo: GitRepo, rev: str, path: str, model: type) -> object | None:
    status, text, _ = repo.call("cat-file", "blob", f"{rev}:{path}")
    if status != 0:
        return None
    try:
        record, problems = build_record(model, parse(text))
    except LlweekError:
        return None
    return None if problems else record


def access_at(repo: GitRepo, rev: str) -> Access | None:
    """access.toml as commit `rev` holds it; None when it is missing or cannot be read."""
    return _record_at(repo, rev, ACCESS_FILE, Access)  # type: ignore[return-value]


def max_file_bytes(repo: GitRepo, rev: str) -> int:
    """The largest file a push may bring: the campaign's photo size limit (default 20 MB)."""
    campaign = _record_at(repo, rev, CAMPAIGN_FILE, Campaign)
    megabytes = campaign.rules.photo_max_mb if isinstance(campaign, Campaign) else 20
    return max(int(megabytes), 1) * 1024 * 1024


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    committer: str = ""
    committer_email: str = ""
    subject: str = ""

    @property
    def short(self) -> str:
        return self.sha[:7]

    def line(self, text: str) -> str:
        return f"  提交 {self.short}「{self.subject}」：{text}"


def check_push(repo: GitRepo, updates: list[RefUpdate], login: str,
               settings: HookSettings = HookSettings()) -> str | None:
    """None when the push may go ahead, else the Chinese refusal to show the pusher."""
    if not updates:
        return None
    if not login:
        return _refusal("（未知）", ["无法确定推送者的账号（既没有 GL_USER，也没有登录名），不接受推送。"])
    named = _ref_name_problems(updates)
    if named:
        return _refusal(login, named)
    default = _default_ref(repo)
    if not repo.run("for-each-ref", "--count=1", "--format=%(refname)").strip():
        return _first_push(repo, updates, login, default, settings)
    access = access_at(repo, default)
    if access is None:
        return _refusal(login, [
            f"中心仓库的 {_branch(default)} 分支上没有可读的 {ACCESS_FILE}，无法判断谁可以修改什么，"
            "所以不接受任何推送。请服务器管理员修复该文件。"])
    actor = find_actor(access, login)
    if actor is None:
        return _refusal(login, [
            f"账号「{login}」不在中心仓库 {ACCESS_FILE} 的人员名单中，不能推送。"
            "请联系省办公室在 access.toml 中登记。"])
    problems = [line for update in updates for line in _ref_problems(repo, update, actor, default)]
    limit = max_file_bytes(repo, default)
    # a unit's set-aside branches: only what any commit may contain (they never reach main)
    kept = [u for u in updates if not u.deleted and not actor.is_province and is_set_aside(u.ref)]
    aside = [u.new for u in kept]
    rest = [u.new for u in updates if not u.deleted and u not in kept]
    if not problems:
        problems = _commit_problems(repo, rest, actor, default, limit)
    if not problems and aside:
        judged = {c.sha for c in _new_commits(repo, rest)} if rest else set()
        problems = _content_problems(repo, [c for c in _new_commits(repo, aside)
                                            if c.sha not in judged], limit)
    if not problems:
        problems = _oversized_objects(repo, limit)
    return _refusal(actor.label, problems, actor) if problems else None


def _default_ref(repo: GitRepo) -> str:
    status, out, _ = repo.call("symbolic-ref", "-q", "HEAD")
    return out.strip() if status == 0 and out.strip() else "refs/heads/main"


def _ref_name_problems(updates: list[RefUpdate]) -> list[str]:
    """Only branches and tags are pushed; the push record is the server's own."""
    problems = []
    for update in updates:
        if update.ref.startswith(PUSH_NOTES_PREFIX):
            problems.append(f"{update.ref} 是服务器的推送记录，只由服务器自己写入，任何人都不能推送。")
        elif not update.ref.startswith(("refs/heads/", "refs/tags/")):
            problems.append(f"{update.ref} 不是分支或标签，不接受。")
    return problems


def _first_push(repo: GitRepo, updates: list[RefUpdate], login: str, default: str,
                settings: HookSettings) -> str | None:
    """An empty central repository takes its first branch from the named province login."""
    first = next((u for u in updates if u.ref == default and not u.deleted), None)
    if first is None:
        return _refusal(login, [f"中心仓库还是空的：第一次推送必须包含 {_branch(default)} 分支。"])
    if settings.province is None:
        return _refusal(login, [
            "中心仓库还是空的，但安装推送检查时没有指定由谁第一次推送：请服务器管理员运行 "
            "llweek install-hook --province <省级人员账号> 重新安装。"])
    access = access_at(repo, first.new)
    actor = find_actor(access, login) if access is not None else None
    if login != settings.province or actor is None or not actor.is_province:
        return _refusal(actor.label if actor else login, [
            f"中心仓库还是空的：第一次推送只能由安装时指定的省级人员「{settings.province}」来做，"
            "而且所推送的 access.toml 须把该账号登记为省级（role = \"province\"）。"], actor)
    commits = _new_commits(repo, [u.new for u in updates if not u.deleted])
    limit = max_file_bytes(repo, first.new)
    problems = _content_problems(repo, commits, limit) or _oversized_objects(repo, limit)
    return _refusal(actor.label, problems, actor) if problems else None


def is_set_aside(ref: str) -> bool:
    """A branch of set-aside commits: `refs/heads/rejected/<login>/<name>`."""
    login, _, rest = ref.removeprefix(SET_ASIDE_PREFIX).partition("/")
    return ref.startswith(SET_ASIDE_PREFIX) and bool(login) and bool(rest)


def _ref_problems(repo: GitRepo, update: RefUpdate, actor: Actor, default: str) -> list[str]:
    """A unit's staff push their default branch forward, and new branches of their set-aside
    commits below `rejected/<their login>/`; anything else is the province's."""
    name = _branch(update.ref)
    if update.deleted:
        return [] if actor.is_province else [f"只有省级人员可以删除 {name}。"]
    status, _, _ = repo.call("rev-parse", "--verify", "-q", f"{update.new}^{{commit}}")
    if status != 0:
        return [f"{name} 指向的不是一个提交，不接受。"]
    if actor.is_province:
        return []
    if update.ref.startswith(SET_ASIDE_PREFIX):
        own = f"{SET_ASIDE_PREFIX}{actor.login}/"
        if not update.ref.startswith(own) or not is_set_aside(update.ref):
            return [f"单位人员只能把移到一边的提交推送到自己的分支 {_branch(own)}<名称>，不能推送 {name}。"]
        if not update.created:
            return [f"{name} 已经在服务器上：移到一边的提交只能推送为新分支，不能改动或覆盖已有的分支。"]
        return []
    if update.ref != default:
        return [f"单位人员只能推送 {_branch(default)} 分支，不能推送 {name}。"]
    status, _, _ = repo.call("merge-base", "--is-ancestor", update.old, update.new)
    if not update.created and status != 0:
        return [f"这次推送会改写 {name} 上已有的历史（强制推送），会丢掉别人的提交，不接受。"
                "请先同步（拉取并合并）再推送。"]
    return []


def _commit_problems(repo: GitRepo, tips: list[str], actor: Actor, default: str,
                     max_bytes: int) -> list[str]:
    """Everything wrong with the commits the push adds, section by section."""
    if not tips:
        return []
    commits = _new_commits(repo, tips)
    problems = _content_problems(repo, commits, max_bytes)
    if not actor.is_province:
        problems += _shape_problems(repo, commits, default)
        problems += _committer_problems(commits, actor)
        problems += _path_problems(repo, commits, actor)
    return problems


def _new_commits(repo: GitRepo, tips: list[str]) -> list[Commit]:
    """The commits the push adds: reachable from the new tips, not from any ref of the server."""
    out = repo.run("rev-list", "--reverse", "--topo-order", "--parents", *tips, "--not", "--all")
    shapes = [line.split() for line in out.splitlines() if line.split()]
    if not shapes:
        return []
    with tempfile.TemporaryFile() as feed:
        feed.write("".join(f"{ids[0]}\n" for ids in shapes).encode())
        feed.seek(0)
        shown = repo.run("log", "--stdin", "--no-walk=unsorted", "--format=%H%x00%cn%x00%ce%x00%s%x00",
                         stdin=feed)
    tokens = [token.lstrip("\n") for token in shown.split("\0")]
    info = {tokens[i]: tokens[i + 1:i + 4] for i in range(0, len(tokens) - 3, 4)}
    return [Commit(ids[0], tuple(ids[1:]), *info.get(ids[0], ["", "", ""])) for ids in shapes]


def _oversized_objects(repo: GitRepo, max_bytes: int) -> list[str]:
    """Objects the push brings that no commit needs to name (they would still fill the disk):
    git keeps a push's objects apart (GIT_QUARANTINE_PATH) until the hooks accept it."""
    quarantine = os.environ.get("GIT_QUARANTINE_PATH")
    if not quarantine:
        return []
    alone = {"GIT_OBJECT_DIRECTORY": quarantine, "GIT_ALTERNATE_OBJECT_DIRECTORIES": ""}
    status, out, _ = repo.call("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objectsize)",
                               env=alone)
    sizes = [line.split() for line in out.splitlines()] if status == 0 else []
    big = [(sha, int(size)) for sha, size in sizes if int(size) > max_bytes]
    return [f"推送中有一个 {size / 1024 / 1024:.1f} MB 的对象（{sha[:7]}），超过每个文件 "
            f"{max_bytes / 1024 / 1024:g} MB 的上限。" for sha, size in big]


def _content_problems(repo: GitRepo, commits: list[Commit], max_bytes: int) -> list[str]:
    found = check_commits(repo, [(c.sha, c.parents) for c in commits], max_bytes)
    if not found:
        return []
    by_sha = {c.sha: c for c in commits}
    return ["以下提交含有材料库不接受的内容：", *(_problem_line(by_sha[p.commit], p) for p in found)]


def _problem_line(commit: Commit, problem: Problem) -> str:
    return commit.line(f"{problem.path} {problem.reason}")


def _shape_problems(repo: GitRepo, commits: list[Commit], default: str) -> list[str]:
    """Merges a unit never needs: more than two parents, or history unrelated to the server's."""
    lines = []
    for commit in commits:
        if not commit.parents:
            lines.append(commit.line("是一个新的起始提交（没有父提交），与服务器上的 "
                                     f"{_branch(default)} 没有共同的历史"))
        elif len(commit.parents) > 2:
            lines.append(commit.line(f"是 {len(commit.parents)} 个分支的合并（章鱼式合并），"
                                     "单位人员只能推送两个分支的普通合并"))
        elif len(commit.parents) == 2:
            for parent in commit.parents:
                status, out, _ = repo.call("merge-base", parent, default)
                if status != 0 or not out.strip():
                    lines.append(commit.line(f"合并进来的提交 {parent[:7]} 与服务器上的 "
                                             f"{_branch(default)} 没有共同的历史"))
    if not lines:
        return []
    return ["以下合并只有省级人员可以推送（会把服务器上已有的修改改回去）：", *lines]


def _committer_problems(commits: list[Commit], actor: Actor) -> list[str]:
    """Each new commit names its pusher as committer (the forge-committer rule)."""
    if not actor.email:
        return [f"access.toml 中没有登记账号「{actor.login}」的邮箱，无法核对提交者，不接受推送。"
                "请联系省办公室在 access.toml 中补上。"]
    wrong = [c for c in commits if c.committer_email.strip().lower() != actor.email.strip().lower()]
    if not wrong:
        return []
    return [f"推送者 {actor.login} 在 access.toml 中登记的邮箱是 {actor.email}，"
            "单位人员推送的每个新提交都须以这个邮箱作为提交者。以下提交不符：",
            *(c.line(f"提交者是 {c.committer} <{c.committer_email}>") for c in wrong),
            f"  请在本机运行 git config user.email {actor.email}，"
            "再运行 llweek sync --set-aside（把这些提交移到一边并重新提交本单位的修改）。"]


def _path_problems(repo: GitRepo, commits: list[Commit], actor: Actor) -> list[str]:
    """One line per new commit that touches a path outside the pusher's role."""
    touched = _plain_paths(repo, [c for c in commits if len(c.parents) <= 1])
    for commit in commits:
        if len(commit.parents) > 1:
            touched[commit.sha] = _merge_paths(repo, commit)
    offending = [(c, denied) for c in commits
                 if (denied := forbidden_paths(actor, touched.get(c.sha, [])))]
    if not offending:
        return []
    lead = (f"该账号只能修改 units/{actor.unit}/ 下的文件，以下提交改动了其他文件："
            if actor.unit else "该账号在 access.toml 中没有登记可修改的单位，以下提交改动了文件：")
    return [lead, *(c.line("、".join(paths)) for c, paths in offending)]


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


def _refusal(who: str, problems: list[str], actor: Actor | None = None) -> str:
    lines = [f"llweek：推送被拒绝。推送者：{who}", *(f"  {problem}" for problem in problems)]
    if actor is not None:
        lines.append("您本地的提交不会丢失：运行 llweek sync --set-aside（或在应用里同步后选择“移到一边”）"
                     "可把它们移到本机的 rejected/ 分支（同时推送到服务器上您自己的 rejected/<账号>/ 分支，供省办公室查看），"
                     "再继续同步；有疑问请联系省办公室。")
    return "\n".join(lines)
