"""`llweek install-hook BARE_REPO`: the server-side check of who may change what (DESIGN §7)."""

from __future__ import annotations

import argparse
from pathlib import Path

from datastore.hook import install_hook
from tui.cli import EXIT_OK


def run(args: argparse.Namespace) -> int:
    path = install_hook(Path(args.bare_repo).resolve())
    print(f"已安装推送权限检查：{path}")
    print("此后每次推送都按中心仓库 access.toml 检查：单位人员只能修改本单位 units/<单位>/ 下的文件，"
          "campaign.toml、access.toml 和 reviews/ 只能由省级人员修改。")
    return EXIT_OK
