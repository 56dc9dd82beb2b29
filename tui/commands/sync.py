"""`llweek sync` (not built yet)."""

import argparse

from datastore.errors import LlweekError


def run(args: argparse.Namespace) -> int:
    raise LlweekError("此功能尚未完成")
