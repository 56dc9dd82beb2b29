"""`llweek sync`: commit what is pending, fetch, merge, push.

Exit 0 when synced, 2 when the server cannot be reached (with the reason; the local commits
stay), 3 when the merge stopped on conflicts (listed file by file and field by field). New
photo files that no save used are listed and left out, unless `--with-photos` asks for them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datastore.conflicts import ConflictedRecord, ConflictKind
from datastore.fieldpath import show
from datastore.roles import rights_for
from datastore.gitrepo import open_repo
from datastore.sync import is_photo_path, sync
from tui.cli import EXIT_CONFLICT, EXIT_OK, EXIT_USAGE
from tui.commands.common import repo_root


def print_conflicts(conflicts: list[ConflictedRecord]) -> None:
    print(f"冲突：{len(conflicts)} 个文件需要选择保留哪一份修改", file=sys.stderr)
    for record in conflicts:
        print(f"  {record.title}（{record.path}）：{record.kind.label}", file=sys.stderr)
        if record.kind is ConflictKind.FIELDS:
            for item in record.fields:
                print(f"    「{item.label}」 我的：{show(item.mine)}｜对方的：{show(item.theirs)}"
                      f"｜原来：{show(item.base)}", file=sys.stderr)
    print("请在应用的“冲突”界面逐项选择（或改好文件后 git add），再运行 llweek sync 完成同步",
          file=sys.stderr)


def photo_paths(root: Path) -> list[str]:
    """Every new photo file under units/*/photos/ (what --with-photos commits)."""
    with open_repo(root) as repo:
        listed = repo.run("ls-files", "--others", "--exclude-standard", "-z", "--", "units")
    return [p for p in listed.split("\0") if p and is_photo_path(p)]


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    asked = photo_paths(root) if args.with_photos else ()
    result = sync(root, actor=rights_for(root).actor, photos=asked)
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
