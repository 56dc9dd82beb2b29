"""What a pushed commit may contain (DESIGN §7): the data format's files, as plain files.

Every clone checks out what the server accepts, so the server refuses whatever no record
needs and a clone could be hurt by: a symbolic link (`unit.toml` → `/dev/zero`, or into
another unit's folder), a gitlink, a `.gitattributes` or `.gitmodules` below the top, a file
outside the format's paths and extensions, a blob over the photo size limit, and a malformed
tree (a name `..`, `.GIT`, an empty name, a duplicate entry). Git's own fsck knows some of
these, in English and without naming the commit; this reads the raw trees itself, so every
refusal is one Chinese line naming the commit and the path.

Only what a commit brings is looked at: a tree entry equal to the same entry in one of its
parents was already judged there (or was on the server before), so a push costs what it
changes, not the size of the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from datastore.gitrepo import GitRepo
from datastore.ids import is_valid_id
from datastore.models import UNIT_COLLECTIONS, UNIT_SINGLETONS
from datastore.photos import PHOTO_SUFFIXES, safe_photo_name

TOP_FILES = ("campaign.toml", "access.toml", ".gitattributes", ".gitignore")
FORMAT_HINT = ("材料库只接受 campaign.toml、access.toml、.gitattributes、.gitignore、reviews/<单位>.toml、"
               "units/<单位>/ 下的 .toml 记录和 photos/ 下的照片")
REGULAR, EXECUTABLE, TREE = b"100644", b"100755", b"40000"
SYMLINK, GITLINK = b"120000", b"160000"
_SINGLE_FILES = {kind.filename for kind in UNIT_SINGLETONS}
_FOLDERS = {kind.folder for kind in UNIT_COLLECTIONS}
#: names Git itself treats as its own folder on some file system (.git, .GIT, `.git.`, git~1)
_GIT_NAMES = re.compile(r"^(\.git[. ]*|git~\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    mode: bytes
    name: bytes
    sha: str


@dataclass(frozen=True)
class Problem:
    """One thing a commit brings that the server does not take."""

    commit: str
    path: str
    reason: str


def folder_allowed(parts: list[str]) -> bool:
    """A folder the format has: reviews, units, units/<id>, units/<id>/<collection or photos>."""
    if parts == ["reviews"] or parts == ["units"]:
        return True
    if len(parts) >= 2 and parts[0] == "units" and is_valid_id(parts[1]):
        return len(parts) == 2 or (len(parts) == 3 and (parts[2] in _FOLDERS or parts[2] == "photos"))
    return False


def file_allowed(path: str) -> bool:
    """A file path the data format has (DESIGN §3)."""
    parts = path.split("/")
    if len(parts) == 1:
        return parts[0] in TOP_FILES
    if parts[0] == "reviews":
        return len(parts) == 2 and parts[1].endswith(".toml") and is_valid_id(parts[1][:-5])
    if parts[0] != "units" or len(parts) < 3 or not is_valid_id(parts[1]):
        return False
    if len(parts) == 3:
        return parts[2] in _SINGLE_FILES
    if len(parts) != 4:
        return False
    if parts[2] == "photos":
        return safe_photo_name(parts[3]) and parts[3].lower().endswith(PHOTO_SUFFIXES)
    return parts[2] in _FOLDERS and parts[3].endswith(".toml") and is_valid_id(parts[3][:-5])


def name_problem(raw: bytes) -> str | None:
    """Why a tree entry's name is malformed (the names git fsck calls hasDot, hasDotgit …)."""
    if not raw:
        return "的名称是空的（目录对象损坏）"
    if raw in (b".", b".."):
        return f"含有「{raw.decode()}」这样的名称，会指到目录之外（目录对象损坏）"
    if b"/" in raw or b"\\" in raw:
        return "的名称中含有斜杠（目录对象损坏）"
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "的名称不是有效的 UTF-8"
    if _GIT_NAMES.match(name):
        return f"用了 Git 自己的保留名称「{name}」，不能用作文件或文件夹名"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "的名称中含有控制字符"
    return None


def parse_tree(data: bytes, hash_bytes: int) -> tuple[list[Entry], str | None]:
    """The entries of a raw tree object, and what is wrong with its layout (None if nothing)."""
    entries: list[Entry] = []
    at = 0
    while at < len(data):
        space = data.find(b" ", at)
        nul = data.find(b"\0", space + 1) if space >= 0 else -1
        if space < 0 or nul < 0 or nul + 1 + hash_bytes > len(data):
            return entries, "的目录对象格式损坏，无法读取"
        entries.append(Entry(data[at:space], data[space + 1:nul],
                             data[nul + 1:nul + 1 + hash_bytes].hex()))
        at = nul + 1 + hash_bytes
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        return entries, "中有重名的条目（目录对象损坏）"
    keys = [entry.name + (b"/" if entry.mode == TREE else b"") for entry in entries]
    if keys != sorted(keys):
        return entries, "中的条目没有按 Git 的规范排序（目录对象损坏）"
    return entries, None


class TreeReader:
    """Raw trees and object sizes from one repository, each read once."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self._trees: dict[str, tuple[list[Entry], str | None]] = {}

    def tree(self, sha: str) -> tuple[list[Entry], str | None]:
        if sha not in self._trees:
            try:
                _, kind, _, data = self.repo.object_data(sha)
            except ValueError:
                self._trees[sha] = [], "的目录对象缺失"
            else:
                self._trees[sha] = parse_tree(data, len(sha) // 2) if kind == "tree" \
                    else ([], "应当是目录，却是别的对象")
        return self._trees[sha]

    def size(self, sha: str) -> int:
        return self.repo.object_size(sha)

    def commit_tree(self, sha: str) -> str:
        _, _, _, data = self.repo.object_data(sha)
        first = data.split(b"\n", 1)[0]
        return first.removeprefix(b"tree ").decode("ascii")


def check_commits(repo: GitRepo, commits: Iterable[tuple[str, tuple[str, ...]]],
                  max_bytes: int) -> list[Problem]:
    """Everything the given commits (sha, parents) bring that the format does not allow."""
    reader = TreeReader(repo)
    problems: list[Problem] = []
    for sha, parents in commits:
        parent_trees = [reader.commit_tree(parent) for parent in parents]
        _walk(reader, sha, [], reader.commit_tree(sha), parent_trees, max_bytes, problems)
    return problems


def _walk(reader: TreeReader, commit: str, parts: list[str], tree: str, parents: list[str],
          max_bytes: int, problems: list[Problem]) -> None:
    if tree in parents:
        return
    entries, layout = reader.tree(tree)
    here = "/".join(parts) or "（根目录）"
    if layout:
        problems.append(Problem(commit, here, layout))
    inherited = [{entry.name: entry for entry in reader.tree(parent)[0]} for parent in parents]
    for entry in entries:
        if any(theirs.get(entry.name) == entry for theirs in inherited):
            continue
        shown = entry.name.decode("utf-8", "backslashreplace")
        path = "/".join([*parts, shown])
        bad_name = name_problem(entry.name)
        if bad_name:
            problems.append(Problem(commit, path, bad_name))
        elif entry.mode == TREE:
            if not folder_allowed([*parts, shown]):
                problems.append(Problem(commit, path + "/", f"不是材料库格式中的文件夹（{FORMAT_HINT}）"))
                continue
            below = [theirs[entry.name].sha for theirs in inherited
                     if entry.name in theirs and theirs[entry.name].mode == TREE]
            _walk(reader, commit, [*parts, shown], entry.sha, below, max_bytes, problems)
        elif entry.mode == SYMLINK:
            problems.append(Problem(commit, path, "是符号链接：材料库只接受普通文件"))
        elif entry.mode == GITLINK:
            problems.append(Problem(commit, path, "是子模块（gitlink）：材料库只接受普通文件"))
        elif entry.mode not in (REGULAR, EXECUTABLE):
            problems.append(Problem(commit, path, f"文件类型（{entry.mode.decode('ascii', 'replace')}）"
                                                  "不合规范：材料库只接受普通文件"))
        elif shown in (".gitattributes", ".gitmodules") and path != ".gitattributes":
            problems.append(Problem(commit, path, f"{shown} 会改变 Git 在每个克隆里的做法，"
                                                  "材料库只在最上层有一个由省级维护的 .gitattributes"))
        elif not file_allowed(path):
            problems.append(Problem(commit, path, f"不是材料库格式中的文件（{FORMAT_HINT}）"))
        elif (size := reader.size(entry.sha)) > max_bytes:
            problems.append(Problem(commit, path, f"有 {size / 1024 / 1024:.1f} MB，超过每个文件 "
                                                  f"{max_bytes / 1024 / 1024:g} MB 的上限"))
