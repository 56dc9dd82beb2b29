"""The gitolite.conf part for a campaign: gitolite as the first wall, from access.toml.

gitolite decides who reaches the repository at all (each staff member's SSH key is their
login), who may push which branch, and, with `VREF/NAME` rules, which paths each unit's
staff may change on `main`: every path that differs between its old and new tip must start
with `units/<their unit>/`. llweek's pre-receive hook is the second, finer wall (each commit
on its own, merges, reviews, committers, what files may contain). Both say the same about
branches: the province may push, force-push and delete any branch; a unit's staff push `main`
forward and create branches below `rejected/<their login>/` (set-aside commits).

The path rule holds for `main` only, because gitolite compares a new branch with the empty
tree, so a set-aside branch "changes" every file of the campaign. gitolite's `refex-expr`
feature says "main and a path outside the unit's folder". Its terms are the exact refexes of
earlier rules and an option value may not hold `$`, so `main` is a prefix rule with
`- main.` before it (main itself, never main2). The rule is written out (an
`option` and a `VREF/refex-expr/` line, not the sugar form) so that a server where the
feature was not enabled in `.gitolite.rc` refuses every unit push with gitolite's own
message instead of letting any path through.
"""

from __future__ import annotations

import re

from datastore.errors import LlweekError
from datastore.hook import LOGIN_PATTERN
from datastore.ids import is_valid_id
from datastore.models import Access

REPO_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
OUTSIDE_ON_MAIN = "llweek_main_outside_unit"


def gitolite_conf(access: Access, repo: str = "llweek") -> str:
    """The groups and the `repo` block to paste into gitolite-admin's conf/gitolite.conf."""
    if not REPO_PATTERN.fullmatch(repo) or ".." in repo:
        raise LlweekError(f"仓库名「{repo}」不合规：只能用字母、数字和 . _ / -")
    prefix = "@" + re.sub(r"[^A-Za-z0-9_.-]", "-", repo)
    province: list[str] = []
    units: dict[str, list[str]] = {}
    skipped: list[str] = []
    for staff in access.staff:
        login, who = staff.login or "", staff.name or staff.login or "（无名）"
        if not LOGIN_PATTERN.fullmatch(login):
            skipped.append(f"{who}：登录名「{login}」不能用作 gitolite 用户名")
        elif staff.role == "province":
            province.append(login)
        elif staff.unit and is_valid_id(staff.unit):
            units.setdefault(staff.unit, []).append(login)
        else:
            skipped.append(f"{who}（{login}）：没有登记有效的单位")
    if not province and not units:
        raise LlweekError("access.toml 中没有可以生成 gitolite 配置的人员：请先登记省级和各单位人员")
    groups = [(f"{prefix}-province", province)] if province else []
    groups += [(f"{prefix}-unit-{unit}", logins) for unit, logins in sorted(units.items())]
    all_units = f"{prefix}-units"
    if units:
        groups.append((all_units, [name for name, _ in groups if name != f"{prefix}-province"]))
    width = max(len(name) for name, _ in groups) + 1
    lines = [f"# ---- llweek：材料库 {repo} 的人员与权限，由 llweek gitolite-conf 根据 access.toml 生成 ----",
             "# 人员有变动时重新生成，整段替换；推送时 llweek 的检查仍以中心仓库 main 上的 access.toml 为准。",
             *(f"# 未生成：{line}" for line in skipped),
             *(f"{name:<{width}}= {' '.join(dict.fromkeys(members))}" for name, members in groups),
             "", f"repo {repo}"]
    rule = "    {:<8}{:<" + str(max(width, 48)) + "}= {}"
    if province:
        lines += ["    # 省办公室：可以推送、强制推送和删除任何分支",
                  rule.format("RW+", "", f"{prefix}-province")]
    if units:
        lines += ["    # 各单位：可以读取全部，只能把 main 向前推送（不能强制推送，不能删除分支），",
                  "    # 可以新建本人账号下的 rejected/<账号>/ 分支（移到一边的提交，由 llweek 的检查把关）",
                  rule.format("-", "main.", all_units),  # main itself, not main2 or main/x
                  rule.format("RW", "main", all_units),
                  rule.format("RW", "rejected/USER/", all_units),
                  rule.format("R", "", all_units),
                  "    # 各单位在 main 上只能改动 units/<本单位>/ 下的文件（按推送前后的差别逐个路径检查；",
                  "    # 需要在 .gitolite.rc 的 ENABLE 中启用 'refex-expr'，否则单位的推送一律被拒绝）",
                  *(rule.format("RW", f"VREF/NAME/units/{unit}/", f"{prefix}-unit-{unit}")
                    for unit in sorted(units)),
                  rule.format("RW", "VREF/NAME/", all_units),
                  f"    option refex-expr.{OUTSIDE_ON_MAIN} = main and VREF/NAME/",
                  rule.format("-", f"VREF/refex-expr/{OUTSIDE_ON_MAIN}", all_units)]
    lines.append(f"# ---- llweek：{repo} 的生成内容到此为止 ----")
    return "\n".join(lines) + "\n"
