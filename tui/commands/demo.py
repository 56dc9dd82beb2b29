"""`llweek demo [DIR]`: the sample campaign in a new folder, opened in the app."""

from __future__ import annotations

import argparse
import importlib
import shlex
import tempfile
from pathlib import Path

from datastore.access import Actor, current_login
from datastore.errors import LlweekError
from datastore.loader import CAMPAIGN_FILE
from datastore.scaffold import init_sample, sample_demo_day
from tui.commands.app import open_app


def run(args: argparse.Namespace) -> int:
    target = Path(args.target) if args.target else Path(tempfile.mkdtemp(prefix="llweek-demo-"))
    if target.is_dir() and any(target.iterdir()):
        hint = f"如要打开其中已有的材料库：llweek -C {shlex.quote(str(target))}" \
            if (target / CAMPAIGN_FILE).is_file() else "请换一个不存在的或空的文件夹"
        raise LlweekError(f"{target} 不是空文件夹：为免覆盖已有文件，没有建立示例材料库。{hint}")
    print(f"正在建立示例材料库：{target} ……", flush=True)
    # the app's modules load while worker processes draw the sample's photos
    init_sample(target, meanwhile=lambda: importlib.import_module("tui.app"))
    if getattr(args, "today", None) is None:
        args.today = sample_demo_day()  # the sample's own "now": the last deadline is near
        print(f"按 {args.today} 显示（可用 --today 指定其他日期）", flush=True)
    # without --unit the demo is seen as the provincial office, which may look at everything
    actor = None if args.unit else Actor(current_login(), "演示用户", "province", None)
    return open_app(target, args, actor)
