"""The `llweek` command line: one console script, Chinese messages, fixed exit codes.

Exit codes: 0 success, 1 validation errors found, 2 usage or environment error, 3 sync
stopped on conflicts. Each command lives in `tui.commands.<name>` and is imported only when
used, so `llweek validate` never pays for Textual or openpyxl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os

# pydantic looks for plugins in every installed package's metadata at import; llweek uses none
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
import sys

from tui.failures import explain

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_CONFLICT = 0, 1, 2, 3

_ARGPARSE_WORDS = [
    ("unrecognized arguments", "无法识别的参数"),
    ("the following arguments are required", "缺少必需的参数"),
    ("invalid choice", "无效的选择"),
    ("expected one argument", "需要一个值"),
    ("argument ", "参数 "),
    ("not allowed with argument", "不能与此参数同用"),
    ("choose from", "可选"),
    ("invalid int value", "不是整数"),
]


class ChineseParser(argparse.ArgumentParser):
    """argparse, but a usage error is a Chinese sentence and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, chinese in _ARGPARSE_WORDS:
            message = message.replace(english, chinese)
        self.exit(EXIT_USAGE, f"命令行参数有误：{message}\n用 llweek --help 查看用法\n")


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期「{text}」应写作 YYYY-MM-DD，如 2021-10-15") from None


def _parser() -> ChineseParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", dest="dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="数据仓库所在文件夹（默认：当前文件夹）")
    today = argparse.ArgumentParser(add_help=False)
    today.add_argument("--today", type=parse_date, default=argparse.SUPPRESS, metavar="DATE",
                       help="按这一天计算截止日期（YYYY-MM-DD）")

    parser = ChineseParser(prog="llweek", description="全民终身学习活动周材料报送工具",
                           epilog="不带子命令时打开全屏应用。")
    parser.add_argument("-C", dest="dir", metavar="DIR", default=".",
                        help="数据仓库所在文件夹（默认：当前文件夹）")
    parser.add_argument("--unit", metavar="ID", help="以该单位身份打开应用")
    parser.add_argument("--today", type=parse_date, metavar="DATE",
                        help="按这一天计算截止日期（YYYY-MM-DD）")
    parser.add_argument("--half-blocks", action="store_true",
                        help="照片一律用字符色块显示（不用 Sixel/Kitty 图形；也可设 LLWEEK_PHOTOS=halfblocks）")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)

    demo = sub.add_parser("demo", parents=[today], help="建立示例材料库并打开应用")
    demo.add_argument("target", nargs="?", metavar="DIR", help="示例库放在哪里（默认：新建临时文件夹）")
    demo.add_argument("--unit", metavar="ID", help="以该单位身份打开应用")
    demo.add_argument("--half-blocks", action="store_true", default=argparse.SUPPRESS,
                      help="照片一律用字符色块显示")

    init = sub.add_parser("init", help="建立新的材料库")
    init.add_argument("target", metavar="DIR")
    which = init.add_mutually_exclusive_group(required=True)
    which.add_argument("--sample", action="store_true", help="示例活动周（含提交历史）")
    which.add_argument("--year", type=int, metavar="YYYY", help="新年度的空白活动周")

    validate = sub.add_parser("validate", parents=[common], help="按通知要求检查全部材料")
    validate.add_argument("--unit", metavar="ID", help="只检查这个单位")
    validate.add_argument("--json", action="store_true", help="输出 JSON")

    status = sub.add_parser("status", parents=[common, today], help="截止日期看板")
    status.add_argument("--json", action="store_true", help="输出 JSON")
    status.add_argument("--remind", action="store_true",
                        help="催报：列出有材料未报、逾期或被退回的单位、事项和填表联系人，可直接复制发送")

    export = sub.add_parser("export", parents=[common], help="导出正式 Excel 表格")
    export.add_argument("--annex", type=int, nargs="+", choices=range(1, 6), metavar="N",
                        help="附表编号 1–5（默认全部）")
    scope = export.add_mutually_exclusive_group()
    scope.add_argument("--unit", metavar="ID", help="导出这个单位")
    scope.add_argument("--all-units", action="store_true", help="全省汇总（每单位一页）")
    export.add_argument("--package", action="store_true", help="同时生成单位的完整电子材料包")
    export.add_argument("--force", action="store_true",
                        help="有材料文件无法读取时仍导出其余材料（表格中附「未导出的材料」表）")
    export.add_argument("--pdf", action="store_true",
                        help="另生成一个可直接打印的 PDF（按通知顺序，带书签；需要 LibreOffice）")
    export.add_argument("-o", dest="out", metavar="OUT", required=True, help="输出文件夹")

    imp = sub.add_parser("import", parents=[common], help="把填好的附表读回材料库")
    imp.add_argument("--unit", metavar="ID", required=True)
    imp.add_argument("file", metavar="FILE.xlsx")
    imp.add_argument("--dry-run", action="store_true", help="只显示将导入的内容，不写入")

    sync = sub.add_parser("sync", parents=[common], help="同步：提交、拉取、合并、推送")
    sync.add_argument("--with-photos", action="store_true",
                      help="同时提交没有被任何保存用到的新照片（默认只列出，不提交）")
    sync.add_argument("--set-aside", action="store_true",
                      help="服务器拒绝推送时，把被拒绝的提交移到本机分支 rejected/<日期>（不删除任何内容），"
                           "回到服务器的版本，重新提交本人有权修改的文件，再同步")

    log = sub.add_parser("log", parents=[common], help="修改历史")
    log.add_argument("path", nargs="?", metavar="PATH", help="某个文件（显示字段级改动）")

    driver = sub.add_parser("merge-driver", help="Git 合并驱动（自动配置，无需手动运行）")
    for name in ("base", "ours", "theirs", "path"):
        driver.add_argument(name)

    hook = sub.add_parser("install-hook", help="在中心仓库安装推送权限检查和推送记录")
    hook.add_argument("bare_repo", metavar="BARE_REPO")
    hook.add_argument("--gitolite", action="store_true",
                      help="仓库由 gitolite 管理：推送者取自 gitolite 的 GL_USER")
    hook.add_argument("--province", metavar="LOGIN",
                      help="第一次推送（建立材料库）的省级人员账号；中心仓库为空时必须给出")

    conf = sub.add_parser("gitolite-conf", parents=[common],
                          help="根据 access.toml 生成 gitolite.conf 中本材料库的一段")
    conf.add_argument("--repo", default="llweek", metavar="NAME",
                      help="gitolite 中的仓库名（默认：llweek）")

    # run by the hooks `install-hook` writes; no help: argparse lists a subcommand only when
    # it has some (help=SUPPRESS would print "==SUPPRESS==" in `llweek --help`)
    for name in ("pre-receive", "post-receive"):
        check = sub.add_parser(name)
        check.add_argument("bare_repo", nargs="?", help=argparse.SUPPRESS)  # older hooks pass $PWD
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = _parser().parse_args(argv)
    command = (args.command or "app").replace("-", "_")
    module = importlib.import_module(f"tui.commands.{command}")
    try:
        return module.run(args)
    except BrokenPipeError:  # output piped into `head` and cut off: not an error
        sys.stderr.close()
        return EXIT_OK
    except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 - never a traceback
        print(explain(err).message, file=sys.stderr)
        return getattr(err, "exit_code", EXIT_USAGE)


if __name__ == "__main__":
    sys.exit(main())
