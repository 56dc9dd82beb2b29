"""`llweek demo [DIR]`: the sample campaign in a new folder, opened in the app."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from datastore.access import Actor, current_login
from datastore.scaffold import init_sample, sample_demo_day
from tui.commands.app import open_app


def run(args: argparse.Namespace) -> int:
    target = Path(args.target) if args.target else Path(tempfile.mkdtemp(prefix="llweek-demo-"))
    print(f"正在建立示例材料库：{target} ……", flush=True)
    init_sample(target)
    if getattr(args, "today", None) is None:
        args.today = sample_demo_day()  # the sample's own "now": the last deadline is near
        print(f"按 {args.today} 显示（可用 --today 指定其他日期）", flush=True)
    # without --unit the demo is seen as the provincial office, which may look at everything
    actor = None if args.unit else Actor(current_login(), "演示用户", "province", None)
    return open_app(target, args, actor)
