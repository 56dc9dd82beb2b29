"""`llweek export`: the official Excel tables of one unit, the province roll-up, or a unit's
whole electronic package; with --pdf also the print-ready PDF.

Exit 2 when the PDF asked for could not be made (LibreOffice missing or failing): everything
else is written and the message says what to install."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datastore.access import current_login, find_actor
from datastore.errors import LlweekError
from datastore.loader import load_repo
from tui.cli import EXIT_OK, EXIT_USAGE
from tui.commands.common import repo_root
from tui.outfolder import out_folder


def run(args: argparse.Namespace) -> int:
    from exports.export import WARNED, WROTE, export  # openpyxl only for the commands that write Excel

    root = repo_root(args)
    if args.package and args.annex:
        raise LlweekError("电子材料包总是包含全部附表1–5，请不要同时使用 --annex")
    unit = args.unit
    if not unit and not args.all_units:
        actor = find_actor(load_repo(root, materials=False).access, current_login())
        if actor is None or actor.unit is None:
            raise LlweekError("请指定要导出的单位（--unit 单位编号），或导出全省汇总（--all-units）")
        unit = actor.unit

    warnings: list[str] = []

    def progress(done: int, total: int, message: str) -> None:
        if message.startswith(WROTE):
            print(message, flush=True)
        elif message.startswith(WARNED):
            warnings.append(message)

    out = out_folder(root, args.out, base=Path.cwd())
    written = export(root, args.annex, unit=unit, all_units=args.all_units,
                     package=args.package, pdf=args.pdf, out_dir=out, progress=progress,
                     force=args.force)
    print(f"共导出 {len(written)} 项，位于 {out}")
    for warning in dict.fromkeys(warnings):  # the same reason once, not once per unit
        print(warning, file=sys.stderr)
    return EXIT_USAGE if warnings else EXIT_OK
