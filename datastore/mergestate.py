"""A merge cut short by a kill, recognised whatever point it stopped at, and put right.

`git merge` writes the working tree, then the index, then either a commit (a clean merge) or
MERGE_HEAD (conflicts); `git commit` of a resolved merge moves the branch, then removes
MERGE_HEAD. Killed between two of these, a clone holds a state no git command explains well:

- MERGE_HEAD naming a commit the branch already contains: the merge commit was made, only its
  notes were left. They are dropped.
- A merge llweek's sync started (noted in `.git/llweek-merge.json`) that neither committed nor
  wrote MERGE_HEAD: files half merged, perhaps conflict markers, perhaps conflicts in the index.
  Every file the merge touched is put back as it was committed; nothing is lost, because a
  merge never starts over uncommitted changes of the files it touches, and the next sync merges
  again.
- Conflicts in the index without MERGE_HEAD (a merge by hand, or an older llweek): no commit is
  possible. The conflicted files go back to this clone's last commit (git's "mine" version);
  the working files are copied aside first, in case someone had begun resolving them.

- A merge llweek's sync started that had merged every file and written MERGE_HEAD, killed just
  before its commit: the commit is made now (if the working tree is what git merged).
- A merge llweek's sync started that wrote MERGE_HEAD and was killed while it merged the
  records in its own process (datastore.mergehere), conflicts still in the index: aborted,
  every file back as committed, and the next sync merges again.

An open merge of a person's (MERGE_HEAD with conflicts, or resolved in the conflict screen and
waiting to be committed) is not touched: the conflict screen and `llweek sync` finish it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile

from datastore import journal, mergeattrs
from datastore.diff3 import has_markers
from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo, Identity
from datastore.safefs import Unreadable, writable_path

RECOVERED = "llweek-recovered"


def merge_head(repo: GitRepo) -> str | None:
    try:
        text = (repo.git_dir / "MERGE_HEAD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text.split()[0] if text.split() else None


def unmerged_paths(repo: GitRepo) -> list[str]:
    listed = repo.run("ls-files", "--unmerged", "-z")
    return sorted({entry.split("\t", 1)[1] for entry in listed.split("\0") if "\t" in entry})


def unmerged_stages(repo: GitRepo) -> dict[str, dict[int, str]]:
    """path → {stage: blob} for every unmerged path of the index."""
    found: dict[str, dict[int, str]] = {}
    for entry in repo.run("ls-files", "-u", "-z").split("\0"):
        if "\t" in entry:
            info, path = entry.split("\t", 1)
            _, blob, stage = info.split()
            found.setdefault(path, {})[int(stage)] = blob
    return found


def head(repo: GitRepo) -> str | None:
    status, out, _ = repo.call("rev-parse", "--verify", "--quiet", "HEAD")
    return out.strip() if status == 0 else None


def begin(repo: GitRepo, at: str | None, theirs: str) -> None:
    """Note that a merge of `theirs` into `at` (HEAD) is about to write the working tree."""
    journal.write(repo.git_dir, journal.MERGE, {"head": at, "theirs": theirs})


def end(repo: GitRepo) -> None:
    """The merge wrote its outcome (a commit, or MERGE_HEAD with conflicts)."""
    journal.clear(repo.git_dir, journal.MERGE)


def finish(repo: GitRepo, author: Identity | None = None) -> str:
    """The merge commit, once every conflict is resolved and no marker is staged; its hash.
    The caller holds the repository and its lock."""
    if not repo.merging():
        raise LlweekError("当前没有正在进行的合并")
    left = unmerged_paths(repo)
    if left:
        raise LlweekError(f"还有 {len(left)} 个文件的冲突没有解决：{'、'.join(left)}")
    marked = [p for p in repo.run("diff", "--cached", "--name-only", "-z", "-G", _MARKER_PATTERN,
                                  "HEAD").split("\0") if p and _staged_has_markers(repo, p)]
    if marked:
        raise LlweekError(f"这些文件里还留着冲突标记（<<<<<<< … >>>>>>>），请先解决：{'、'.join(marked)}")
    env = (author or repo.require_identity()).env()
    # strip: git's "# Conflicts:" lines in MERGE_MSG are notes for an editor, not history
    repo.run("commit", "--no-edit", "--cleanup=strip", "--no-verify", "--quiet", env=env)
    return repo.run("rev-parse", "HEAD").strip()


_MARKER_PATTERN = "^(<<<<<<<|>>>>>>>) "


def _staged_has_markers(repo: GitRepo, path: str) -> bool:
    status, text, _ = repo.call("show", f":{path}")
    return status == 0 and has_markers(text)


def recover(repo: GitRepo) -> list[str]:
    """Put a merge cut short back on track (see the module's text); a line per thing done.
    The caller holds the repository lock."""
    notes: list[str] = []
    mergeattrs.restore(repo)  # before any git command reads attributes
    noted = journal.read(repo.git_dir, journal.MERGE)
    now, merging = head(repo), merge_head(repo)
    if merging is not None:
        if now is not None and _contains(repo, now, merging):
            repo.run("merge", "--quit")
            notes.append("上次同步的合并其实已经提交，已清除它留下的合并记录（MERGE_HEAD）")
        elif noted is not None and noted.get("head") == now and not unmerged_paths(repo):
            notes.append(_finish_cut(repo))
        elif noted is not None and noted.get("head") == now:  # killed while merging records
            repo.run("merge", "--abort")
            notes.append("上次同步在合并途中被中断：已把合并改动过的文件恢复为合并前的样子，下次同步会重新合并")
    elif noted is not None and noted.get("head") == now and isinstance(noted.get("theirs"), str):
        undone = _undo(repo, noted["theirs"])
        if undone:
            notes.append(f"上次同步在合并途中被中断：已把合并改动过的 {len(undone)} 个文件恢复为合并前的样子"
                         f"（{_listed(undone)}），下次同步会重新合并")
    else:
        conflicted = unmerged_paths(repo)
        if conflicted:
            aside = _copy_aside(repo, conflicted)
            _restore(repo, conflicted)
            notes.append(f"材料库里有一次没有完成的合并（冲突还在，合并记录 MERGE_HEAD 却已不在），无法提交："
                         f"已把 {_listed(conflicted)} 恢复为本机最后提交的版本，下次同步会重新合并"
                         + (f"；当时的文件另存在 {aside}" if aside else ""))
    if noted is not None:
        end(repo)
    return notes


def _finish_cut(repo: GitRepo) -> str:
    """A merge of sync's that was killed after merging every file, just before its commit:
    committed now if the working tree is what git merged, else taken back."""
    if repo.call("diff", "--quiet")[0] == 0:
        commit = finish(repo)
        return f"上次同步在合并途中被中断：合并已经做完，现已补上合并提交 {commit[:7]}"
    repo.run("merge", "--abort")
    return "上次同步在合并途中被中断：已把合并改动过的文件恢复为合并前的样子，下次同步会重新合并"


def _contains(repo: GitRepo, descendant: str, commit: str) -> bool:
    status, _, _ = repo.call("merge-base", "--is-ancestor", commit, descendant)
    return status == 0


def _listed(paths: list[str]) -> str:
    return "、".join(paths[:3]) + (f" 等 {len(paths)} 个" if len(paths) > 3 else "")


def _undo(repo: GitRepo, theirs: str) -> list[str]:
    """Put back every file the merge of `theirs` touched that differs from HEAD now."""
    status, base, _ = repo.call("merge-base", "HEAD", theirs)
    since = base.strip() if status == 0 else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # empty tree
    touched = set(_names(repo.run("diff", "--name-only", "--no-renames", "-z", since, theirs)))
    touched |= set(unmerged_paths(repo))
    differing = [path for path in _status_paths(repo) if path in touched]
    if differing:
        _restore(repo, differing)
    return differing


def _names(out: str) -> list[str]:
    return [name for name in out.split("\0") if name]


def _status_paths(repo: GitRepo) -> list[str]:
    """Every path whose index or working file differs from HEAD, untracked ones included."""
    out = repo.run("status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all")
    return sorted({entry[3:] for entry in out.split("\0") if len(entry) > 3})


def _restore(repo: GitRepo, paths: list[str]) -> None:
    """Each path as HEAD has it, in the index and the working tree (gone if HEAD lacks it)."""
    tracked = set(_names(repo.run("ls-tree", "-r", "-z", "--name-only", "HEAD"))) \
        | set(_names(repo.run("ls-files", "-z")))
    known = [path for path in paths if path in tracked]
    if known:
        with tempfile.TemporaryFile() as feed:
            feed.write("\0".join(known).encode("utf-8"))
            feed.seek(0)
            repo.run("--literal-pathspecs", "restore", "--source=HEAD", "--staged", "--worktree",
                     "--pathspec-from-file=-", "--pathspec-file-nul", stdin=feed)
    for path in paths:
        if path not in tracked:
            try:
                writable_path(repo.root, path).unlink(missing_ok=True)
            except (Unreadable, IsADirectoryError):
                pass


def _copy_aside(repo: GitRepo, paths: list[str]) -> str | None:
    """Copies of these working files in .git/llweek-recovered/<time>/, for a person to look at."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = repo.git_dir / RECOVERED / stamp
    copied = False
    for path in paths:
        try:
            source = writable_path(repo.root, path)
        except Unreadable:
            continue
        if source.is_file():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied = True
    return f".git/{RECOVERED}/{stamp}" if copied else None
