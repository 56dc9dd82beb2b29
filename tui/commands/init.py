"""`llweek init DIR --sample | --year YYYY`."""

from __future__ import annotations

import argparse
from pathlib import Path

from datastore.scaffold import init_sample, init_year
from tui.cli import EXIT_OK


def run(args: argparse.Namespace) -> int:
    target = Path(args.target)
    if args.sample:
        init_sample(target)
        print(f"示例材料库已建立：{target}（运行 llweek -C {target} 打开）")
    else:
        init_year(target, args.year)
        print(f"{args.year} 年活动周材料库已建立：{target}。请在 campaign.toml 中填写文号和开幕日期，"
              f"在 access.toml 中登记各单位人员")
    return EXIT_OK
