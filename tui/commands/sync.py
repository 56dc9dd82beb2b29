"""`llweek sync [--set-aside]`: commit what is pending, fetch, merge, push.

Exit 0 when synced, 2 when the server cannot be reached (with the reason; the local commits
stay) or refused the push (with its reasons and the way out: `--set-aside` moves the refused
commits to a local `rejected/<date>` branch, goes back to the server's version, commits the
person's own files again and syncs once more), 3 when the merge stopped on conflicts
(listed file by file and field by field). New photo files that no save used are listed and
left out, unless `--with-photos` asks for them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datastore.conflicts import ConflictedRecord, ConflictKind
from datastore.errors import PushRefused
from datastore.gitrepo import open_repo
from datastore.roles import rights_for
from datastore.setaside import set_aside
from datastore.sync import SyncResult, is_photo_path, sync
from tui.cli import EXIT_CONFLICT, EXIT_OK, EXIT_USAGE
from tui.commands.common import repo_root


def print_conflicts(conflicts: list[ConflictedRecord]) -> None:
    print(f"冲突：{len(conflicts)} 个文件需要选择保留哪一份修改", file=sys.stderr)
    for record in conflicts:
        print(f"  {record.title}（{record.path}）：{record.kind.label}", file=sys.stderr)
        if record.kind is ConflictKind.FIELDS:
            for item in record.fields:
                base, mine, theirs = item.shown()
                print(f"    「{item.label}」 我的：{mine}｜对方的：{theirs}｜原来：{base}",
                      file=sys.stderr)
    print("请在应用的“冲突”界面逐项选择（或改好文件后 git add），再运行 llweek sync 完成同步",
          file=sys.stderr)


def photo_paths(root: Path) -> list[str]:
    """Every new photo file under units/*/photos/ (what --with-photos commits)."""
    with open_repo(root) as repo:
        listed = repo.run("ls-files", "--others", "--exclude-standard", "-z", "--", "units")
    return [p for p in listed.split("\0") if p and is_photo_path(p)]


SET_ASIDE_HINT = ("要继续同步，可运行 llweek sync --set-aside：被拒绝的提交会移到本机分支 rejected/<日期>"
                  "（不删除任何内容），材料库回到服务器的版本，您有权修改的文件重新提交后再推送。")


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    actor = rights_for(root).actor
    asked = photo_paths(root) if args.with_photos else ()
    try:
        result = sync(root, actor=actor, photos=asked)
    except PushRefused as refused:
        if not args.set_aside:
            if "--set-aside" in str(refused):  # llweek's own hook already said how
                raise
            raise PushRefused(f"{refused}\n{SET_ASIDE_HINT}") from None
        print(str(refused), file=sys.stderr)
        for line in set_aside(root, actor=actor).lines():
            print(line)
        try:
            result = sync(root, actor=actor, photos=asked)
        except PushRefused as again:
            raise PushRefused(f"重新提交的修改仍被服务器拒绝（它们都还在本机）：\n{again}") from None
    for note in result.notes:
        print(note, file=sys.stderr)
    return _report(result)


def _report(result: SyncResult) -> int:
    if result.finished_merge:
        print("已完成合并（冲突已解决）")
    if result.committed:
        print(f"已提交手工修改：{'、'.join(result.committed)}")
    if result.not_committed:
        print(f"未提交：{'、'.join(result.not_committed)}", file=sys.stderr)
    if result.untracked_photos:
        print(f"未提交 {len(result.untracked_photos)} 张没有被任何保存用到的照片："
              f"{'、'.join(result.untracked_photos)}。确要提交时：llweek sync --with-photos",
              file=sys.stderr)
    if result.unreachable:
        print(result.summary, file=sys.stderr)
        return EXIT_USAGE
    if result.conflicts:
        print_conflicts(result.conflicts)
        return EXIT_CONFLICT
    print(result.summary)
    return EXIT_OK
