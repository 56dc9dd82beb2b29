"""`llweek import`: read a filled 附表 back into the unit's records, as one commit."""

from __future__ import annotations

import argparse
from pathlib import Path

from datastore.access import current_login, find_actor
from datastore.ids import check_id
from datastore.loader import load_repo
from tui.cli import EXIT_OK
from tui.commands.common import repo_root


def run(args: argparse.Namespace) -> int:
    from exports.importer import ImportRefused, apply_plan, read_plan  # openpyxl only here

    root = repo_root(args)
    unit = check_id(args.unit, "单位编号")
    plan = read_plan(root, unit, Path(args.file))
    for note in plan.notes:
        print(note)
    if plan.problems:
        raise ImportRefused("以下内容无法导入，未写入任何记录：\n  " + "\n  ".join(plan.problems)
                            + "\n请在表格中改正后重新导入")
    if not plan.changes:
        for line in plan.kept:
            print(line)
        if plan.unchanged:
            print(f"{plan.unchanged} 条与材料库中相同，不变")
        print("没有需要导入的改动")
        return EXIT_OK
    lines = "\n".join(f"  {line}" for line in plan.lines())
    if args.dry_run:
        print(f"试运行：将{plan.subject()}，未写入：\n{lines}")
        return EXIT_OK
    actor = find_actor(load_repo(root, materials=False).access, current_login())
    results = apply_plan(root, plan, actor)
    print(f"已{plan.subject()}，提交 {results[0].commit}：\n{lines}")
    return EXIT_OK
