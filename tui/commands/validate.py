"""`llweek validate`: every finding of the notice's rules; exit 1 when any is an error."""

from __future__ import annotations

import argparse
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

from datastore.answercache import answer_key, store_answer, stored_answer
from datastore.errors import LlweekError
from datastore.findings import Finding
from datastore.ids import check_id
from tui.cli import EXIT_FINDINGS, EXIT_OK
from tui.commands import common
from tui.commands.common import print_json, repo_root

#: the code that writes the answer, besides the datastore (part of the answer's key)
ANSWER_MODULES = [Path(__file__).resolve(), Path(common.__file__).resolve()]


def run(args: argparse.Namespace) -> int:
    """The answer given last time when nothing it read has changed, else checked now."""
    root = repo_root(args)
    unit = check_id(args.unit, "单位编号") if args.unit else None
    key = answer_key(root, "validate", [f"unit {unit}", f"json {bool(args.json)}"], ANSWER_MODULES)
    hit = stored_answer(root, key)
    if hit is not None:
        sys.stdout.write(hit[1])
        return hit[0]
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):
            code = _check(root, unit, args.json)
    finally:
        sys.stdout.write(printed.getvalue())
    store_answer(root, key, code, printed.getvalue())
    return code


def _check(root: Path, unit: str | None, as_json: bool) -> int:
    from datastore.validation import validate_path  # the data models: only when checking

    data, findings, filled = validate_path(root, unit)
    if unit and unit not in data.units:
        raise LlweekError(f"材料库中没有单位「{unit}」")
    errors = sum(f.is_error for f in findings)
    if as_json:
        print_json({"errors": errors, "warnings": len(findings) - errors,
                    "findings": [f.to_json() for f in findings]})
    else:
        _print(findings, {u: d.name for u, d in data.units.items()})
        checked = [u for u in data.units if unit is None or u == unit]
        empty = [u for u in checked if u not in filled]
        if not findings and empty:
            print(nothing_yet(len(empty), len(checked)))
        elif not findings:
            print("全部材料符合通知要求")
    return EXIT_FINDINGS if errors else EXIT_OK


def nothing_yet(empty: int, total: int) -> str:
    """What validate says instead of 全部材料符合通知要求 when units have filled nothing."""
    if empty == total:
        who = f"{total} 个报送单位都" if total > 1 else "这个单位"
        return f"还没有任何材料：{who}还没有填写，没有可检查的内容。"
    return (f"已填写的材料符合通知要求；另有 {empty} 个单位还没有填写任何材料"
            "（llweek status 查看各单位的状态）。")


def _print(findings: list[Finding], names: dict[str, str]) -> None:
    current = object()
    for finding in sorted(findings, key=lambda f: (f.unit or "", f.path, f.line or 0)):
        if finding.unit != current:
            current = finding.unit
            print(f"\n{names.get(finding.unit, finding.unit)}（{finding.unit}）" if finding.unit
                  else "\n全省文件")
        field = f"「{finding.field}」" if finding.field else ""
        print(f"  {finding.severity.label}  {finding.location()}{field}  {finding.message}")
    if findings:
        errors = sum(f.is_error for f in findings)
        print(f"\n共 {errors} 处错误、{len(findings) - errors} 处提醒")
