"""`llweek install-hook [--gitolite] [--province LOGIN] BARE_REPO`: the server side of DESIGN §7."""

from __future__ import annotations

import argparse
from pathlib import Path

from datastore.hook import install_hook
from tui.cli import EXIT_OK


def run(args: argparse.Namespace) -> int:
    done = install_hook(Path(args.bare_repo).resolve(), gitolite=args.gitolite,
                        province=args.province)
    print(f"已安装推送权限检查和推送记录：{'、'.join(str(path) for path in done.hooks)}")
    if done.ran:
        print(f"已以 {done.tested_as} 账号试运行这两个钩子，运行正常。")
    else:
        print(f"没有真正试运行这两个钩子：只有 root 或 {done.tested_as} 账号本身才能以 {done.tested_as} "
              f"账号运行它们，这次只检查了 {done.tested_as} 账号能读取和执行钩子、Python 解释器和 llweek "
              "所需的文件。请以 root 重新运行 llweek install-hook，让它真正试运行一遍。")
    print("推送者：" + ("gitolite 按 SSH 公钥认定的用户名（GL_USER）" if done.gitolite
                    else "推送时服务器上的登录账号（没有 gitolite 时，请确认各账号无法直接写入仓库文件）"))
    if done.province:
        print(f"中心仓库为空时，只接受 {done.province} 第一次推送 main（所推送的 access.toml 须把它登记为省级）。")
    print("此后每次推送都按中心仓库 main 上的 access.toml 检查：单位人员只能把 main 向前推送、只能修改本单位 "
          "units/<单位>/ 下的文件、提交者邮箱须与 access.toml 一致；campaign.toml、access.toml 和 reviews/ "
          "只能由省级人员修改，强制推送和删除分支也只有省级人员可以做。")
    return EXIT_OK
