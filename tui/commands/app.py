"""`llweek [-C DIR] [--unit ID] [--today DATE]`: the full-screen app."""

from __future__ import annotations

import argparse
from pathlib import Path

from datastore.access import Actor
from datastore.errors import LlweekError
from datastore.save import load_campaign
from tui.commands.common import repo_root, today


def open_app(root: Path, args: argparse.Namespace, actor: Actor | None = None) -> int:
    """Run the app on `root` until the user quits; its exit code (1 after an internal error)."""
    from tui import graphics
    from tui.app import LlweekApp

    unit = getattr(args, "unit", None)
    if unit and unit not in {ref.id for ref in load_campaign(root).units}:
        raise LlweekError(f"没有编号为「{unit}」的单位（见 campaign.toml 的报送单位名单）")
    graphics.detect(half_blocks=getattr(args, "half_blocks", False))  # before Textual reads input
    app = LlweekApp(root, today=today(args), unit=unit, actor=actor)
    app.run()
    return app.return_code or 0


def run(args: argparse.Namespace) -> int:
    return open_app(repo_root(args), args)
