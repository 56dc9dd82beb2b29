"""`llweek merge-driver %O %A %B %P`: Git's merge driver for `*.toml merge=llweek`.

Git hands over three temp files (the common original, mine, theirs) and the record's path.
The merged file replaces mine; exit 0 means merged cleanly, 1 means conflicts: Git then keeps
the three versions in the index (stages 1/2/3) for the conflict screen, and the working file
holds conflict blocks that are never valid TOML (see datastore.recordmerge).

Git starts this once per file of a merge, so it imports only the light modules (no pydantic,
no GitPython): a test checks which modules a driver process loads.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datastore.fieldtable import label as field_label
from datastore.fieldtable import model_name_of_path
from datastore.recordmerge import merge_files
from tui.cli import EXIT_OK

EXIT_MERGE_CONFLICT = 1


def _read(path: str) -> str:
    return Path(path).read_bytes().decode("utf-8", errors="surrogateescape")


def run(args: argparse.Namespace) -> int:
    result = merge_files(args.path, _read(args.base), _read(args.ours), _read(args.theirs))
    Path(args.ours).write_bytes(result.text.encode("utf-8", errors="surrogateescape"))
    if result.clean:
        return EXIT_OK
    model = model_name_of_path(args.path)
    if not result.readable:
        print(f"冲突：{args.path}（不是有效的 TOML，已按行合并）", file=sys.stderr)
    for conflict in result.conflicts:
        print(f"冲突：{args.path}「{field_label(model, conflict.path)}」", file=sys.stderr)
    return EXIT_MERGE_CONFLICT
