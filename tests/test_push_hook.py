"""The central repository's hooks: real bare repositories, real pushes, real refusals.

The set-up is tests.hookscenarios (hooks in gitolite mode, GL_USER set per push); the same
attacks over real SSH and gitolite are in test_gitolite_server.py.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from datastore.gitrepo import ENTRY
from datastore.hook import hook_script, marker
from datastore.pusher import HookSettings, pusher_login
from tests.builders import jpeg_bytes
from tests.conftest import git
from tests.hookscenarios import (CHANGCHUN, JILIN as JILIN_LOGIN, PROVINCE, central, central_master, clone_as,  # noqa: F401
                                 commit_entry, commit_file, commit_raw_tree, commit_tree_with,
                                 hash_raw, hash_text, install, octopus, push, raw_tree,
                                 replace_entry, seed_campaign, server_head, symlink_target)
from tests.sshserver import closed_folder, light_venv, shared_base_python
from tui.cli import main

# ------------------------------------------------------------------ who may change what


def test_unit_pushing_its_own_materials_is_accepted(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "长春市方案"\n')
    commit_file(clone, "units/changchun/photos/a.jpg", "jpeg")
    done = push(clone, CHANGCHUN)
    assert done.returncode == 0, done.stderr
    assert server_head(central) == git(clone, "rev-parse", "HEAD").strip()


OUTSIDE = ["units/jilin/unit.toml", "campaign.toml", "access.toml", "reviews/changchun.toml",
           "reviews/jilin.toml", "README.txt"]


def test_unit_pushing_outside_its_folder_is_refused_naming_path_and_pusher(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    before = server_head(central)
    made = {rel: commit_file(clone, rel, "# 改动\n", f"长春市: 修改 {rel}") for rel in OUTSIDE}
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert "remote: llweek：推送被拒绝。推送者：张丽（cc-zhangli，单位 changchun）" in done.stderr
    assert "该账号只能修改 units/changchun/ 下的文件，以下提交改动了其他文件" in done.stderr
    for rel, sha in made.items():
        assert f"提交 {sha[:7]}「长春市: 修改 {rel}」：{rel}" in done.stderr
    assert server_head(central) == before


def test_province_may_change_the_campaign_staff_list_and_reviews(central: Path, clone_as):
    clone = clone_as(PROVINCE)
    for rel in ("campaign.toml", "access.toml", "reviews/jilin.toml", "units/jilin/unit.toml"):
        commit_file(clone, rel, (clone / rel).read_text(encoding="utf-8") + "\n"
                    if (clone / rel).exists() else "[work_plan]\n")
    done = push(clone, PROVINCE)
    assert done.returncode == 0, done.stderr


def test_a_foreign_change_hidden_inside_a_multi_commit_push_is_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    original = (clone / "units/jilin/unit.toml").read_text(encoding="utf-8")
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "长春市: 新增 工作方案")
    sneaky = commit_file(clone, "units/jilin/unit.toml", 'id = "jilin"\nname = "改"\n', "顺手改一下")
    commit_file(clone, "units/jilin/unit.toml", original, "改回来")
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案二"\n', "长春市: 修改 工作方案")
    assert git(clone, "diff", "--name-only", "origin/main", "HEAD").split() == \
        ["units/changchun/work_plan.toml"]  # the net change looks innocent
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert f"提交 {sneaky[:7]}「顺手改一下」：units/jilin/unit.toml" in done.stderr
    assert "「改回来」：units/jilin/unit.toml" in done.stderr
    assert "工作方案" not in done.stderr  # the unit's own commits are not blamed


@pytest.mark.parametrize("how", [["rm", "-q", "units/jilin/unit.toml"],
                                 ["mv", "units/jilin/unit.toml", "units/changchun/jilin.toml"]],
                         ids=["delete", "move-into-own-folder"])
def test_deleting_or_moving_away_another_units_file_is_refused(central: Path, clone_as, how):
    clone = clone_as(CHANGCHUN)
    git(clone, *how)
    git(clone, "commit", "-q", "-m", "拿走")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0 and "「拿走」：units/jilin/unit.toml" in done.stderr


def test_an_unknown_pusher_is_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n')
    done = push(clone, "stranger")
    assert done.returncode != 0
    assert "账号「stranger」不在中心仓库 access.toml 的人员名单中" in done.stderr


def test_a_push_cannot_grant_its_own_rights(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    access = clone / "access.toml"
    access.write_text(access.read_text(encoding="utf-8").replace(
        'unit = "changchun"\nrole = "unit"', 'unit = "*"\nrole = "province"', 1), encoding="utf-8")
    git(clone, "commit", "-q", "-am", "我也是省级")
    commit_file(clone, "campaign.toml", "# 改动\n", "改通知")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert "「我也是省级」：access.toml" in done.stderr and "「改通知」：campaign.toml" in done.stderr


def test_a_unit_may_push_only_main(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    git(clone, "checkout", "-q", "-b", "draft")
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "自己的")
    done = push(clone, CHANGCHUN, "draft")
    assert done.returncode != 0 and "单位人员只能推送 main 分支，不能推送 draft" in done.stderr
    assert git(central, "branch", "--list", "draft") == ""


def test_a_new_branch_of_the_province_is_checked_against_what_the_server_has(central: Path,
                                                                            clone_as):
    clone = clone_as(PROVINCE)
    git(clone, "checkout", "-q", "-b", "draft")
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "可以的")
    assert push(clone, PROVINCE, "draft").returncode == 0
    commit_file(clone, "notes.txt", "随手记\n", "不是材料")
    done = push(clone, PROVINCE, "draft:draft2")
    assert done.returncode != 0
    assert "「不是材料」：notes.txt 不是材料库格式中的文件" in done.stderr
    assert "可以的" not in done.stderr


# ------------------------------------------------------------------ merges


def test_a_unit_merging_the_provinces_changes_from_the_server_is_accepted(central: Path, clone_as):
    province, unit = clone_as(PROVINCE), clone_as(CHANGCHUN)
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n', "长春市: 新增 工作方案")
    commit_file(province, "campaign.toml", (province / "campaign.toml").read_text(encoding="utf-8")
                + "# 通知修订\n", "吉林省: 修改 通知")
    commit_file(province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n')
    assert push(province, PROVINCE).returncode == 0
    git(unit, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert len(git(unit, "log", "-1", "--format=%P").split()) == 2  # a real merge commit
    done = push(unit, CHANGCHUN)
    assert done.returncode == 0, done.stderr


def test_a_merge_resolving_a_conflict_in_a_foreign_file_is_refused(central: Path, clone_as):
    province, unit = clone_as(PROVINCE), clone_as(CHANGCHUN)
    commit_file(province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n')
    assert push(province, PROVINCE).returncode == 0
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n')
    git(unit, "fetch", "-q")
    git(unit, "merge", "-q", "--no-commit", "origin/main")
    (unit / "reviews/changchun.toml").write_text('[work_plan]\nstate = "accepted"\n', encoding="utf-8")
    git(unit, "commit", "-q", "-am", "合并")
    done = push(unit, CHANGCHUN)
    assert done.returncode != 0 and "「合并」：reviews/changchun.toml" in done.stderr


def test_a_merge_that_quietly_undoes_the_provinces_change_is_refused(central: Path, clone_as):
    province, unit = clone_as(PROVINCE), clone_as(CHANGCHUN)
    old = git(unit, "rev-parse", "HEAD").strip()
    commit_file(province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n', "退回")
    assert push(province, PROVINCE).returncode == 0
    git(unit, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    # a merge of the server's main with an older commit, keeping the older review file
    git(unit, "checkout", "-q", old, "--", "reviews/changchun.toml")
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n')
    tree = git(unit, "write-tree").strip()
    merge = git(unit, "commit-tree", tree, "-p", "origin/main", "-p", old, "-m", "合并").strip()
    git(unit, "reset", "-q", "--hard", merge)
    assert git(unit, "diff", "--name-only", merge, old).split() == ["units/changchun/work_plan.toml"]
    done = push(unit, CHANGCHUN)
    assert done.returncode != 0 and "「合并」：reviews/changchun.toml" in done.stderr


def test_an_octopus_merge_that_rolls_back_a_review_is_refused(central: Path, clone_as):
    province, unit = clone_as(PROVINCE), clone_as(CHANGCHUN)
    commit_file(province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n', "退回")
    assert push(province, PROVINCE).returncode == 0
    git(unit, "fetch", "-q")
    merge = octopus(unit, "合并三方")
    assert "received" in git(unit, "show", "HEAD:reviews/changchun.toml")  # the rollback
    before = server_head(central)
    done = push(unit, CHANGCHUN)
    assert done.returncode != 0
    assert "以下合并只有省级人员可以推送" in done.stderr
    assert f"提交 {merge[:7]}「合并三方」：是 3 个分支的合并（章鱼式合并）" in done.stderr
    assert "「新的起点」：是一个新的起始提交（没有父提交）" in done.stderr
    assert server_head(central) == before
    assert "returned" in git(central, "show", "main:reviews/changchun.toml")


def test_a_merge_with_unrelated_history_is_refused_for_a_unit(central: Path, clone_as):
    unit = clone_as(CHANGCHUN)
    git(unit, "checkout", "-q", "--orphan", "other")
    git(unit, "rm", "-rq", "--cached", ".")
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n', "另起炉灶")
    stranger = git(unit, "rev-parse", "HEAD").strip()
    git(unit, "checkout", "-qf", "main")
    git(unit, "merge", "-q", "--allow-unrelated-histories", "-m", "合并", stranger)
    done = push(unit, CHANGCHUN)
    assert done.returncode != 0
    assert f"「合并」：合并进来的提交 {stranger[:7]} 与服务器上的 main 没有共同的历史" in done.stderr


def test_the_province_may_push_an_octopus_merge(central: Path, clone_as):
    province = clone_as(PROVINCE)
    octopus(province)
    done = push(province, PROVINCE)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ who made each commit


def test_a_commit_made_as_someone_else_is_refused_naming_both_identities(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    (clone / "units/changchun/work_plan.toml").write_text('title = "方案"\n', encoding="utf-8")
    git(clone, "add", ".")
    git(clone, "-c", "user.name=吴晓辉", "-c", "user.email=jlqmx@126.com", "commit", "-q",
        "-m", "冒名")
    forged = git(clone, "rev-parse", "HEAD").strip()
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert "推送者 cc-zhangli 在 access.toml 中登记的邮箱是 cc_zhangli@126.com" in done.stderr
    assert f"提交 {forged[:7]}「冒名」：提交者是 吴晓辉 <jlqmx@126.com>" in done.stderr
    assert "git config user.email cc_zhangli@126.com" in done.stderr


def test_a_commit_authored_by_a_colleague_but_committed_by_the_pusher_is_accepted(
        central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    (clone / "units/changchun/work_plan.toml").write_text('title = "方案"\n', encoding="utf-8")
    git(clone, "add", ".")
    git(clone, "commit", "-q", "--author=王宇 <wangyu_ccjy@163.com>", "-m", "王宇写的方案")
    done = push(clone, CHANGCHUN)
    assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ what a commit may contain


def test_symbolic_links_in_a_units_folder_are_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    git(clone, "rm", "-q", "--cached", "units/changchun/unit.toml")
    to_zero = commit_entry(clone, "120000", symlink_target(clone, "/dev/zero"),
                           "units/changchun/unit.toml", "链接一")
    to_jilin = commit_entry(clone, "120000", symlink_target(clone, "../jilin/unit.toml"),
                            "units/changchun/summary.toml", "链接二")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert f"提交 {to_zero[:7]}「链接一」：units/changchun/unit.toml 是符号链接" in done.stderr
    assert f"提交 {to_jilin[:7]}「链接二」：units/changchun/summary.toml 是符号链接" in done.stderr


def test_a_symbolic_link_is_refused_from_the_province_too(central: Path, clone_as):
    clone = clone_as(PROVINCE)
    commit_entry(clone, "120000", symlink_target(clone, "/etc/passwd"),
                 "units/jilin/summary.toml", "链接")
    done = push(clone, PROVINCE)
    assert done.returncode != 0 and "units/jilin/summary.toml 是符号链接" in done.stderr


def test_a_gitlink_is_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    head = git(clone, "rev-parse", "HEAD").strip()
    commit_entry(clone, "160000", head, "units/changchun/cases", "子模块")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert "「子模块」：units/changchun/cases 是子模块（gitlink）" in done.stderr


def test_git_settings_files_below_units_are_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    listed = ["units/changchun/.gitattributes", "units/changchun/photos/.gitattributes",
              "units/changchun/.gitmodules"]
    for rel in listed:
        commit_file(clone, rel, "*.toml merge=ours\n", "属性")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    for rel in listed:
        assert f"「属性」：{rel} {Path(rel).name} 会改变 Git 在每个克隆里的做法" in done.stderr


def test_files_outside_the_data_format_are_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    listed = ["units/changchun/tui/__main__.py", "units/changchun/notes.txt",
              "units/changchun/photos/run.sh", "units/changchun/activities/x/a.toml"]
    for rel in listed:
        commit_file(clone, rel, "print('hi')\n", "多余的文件")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    for shown in ["units/changchun/tui/ 不是材料库格式中的文件夹", "units/changchun/notes.txt 不是材料库格式中的文件",
                  "units/changchun/photos/run.sh 不是材料库格式中的文件",
                  "units/changchun/activities/x/ 不是材料库格式中的文件夹"]:
        assert f"「多余的文件」：{shown}" in done.stderr


def test_a_blob_over_the_photo_size_limit_is_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    big = jpeg_bytes(64, 64) + bytes(21 * 1024 * 1024)
    sha = commit_file(clone, "units/changchun/photos/big.jpg", big, "大照片")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert f"提交 {sha[:7]}「大照片」：units/changchun/photos/big.jpg 有 21.0 MB，超过每个文件 20 MB 的上限" \
        in done.stderr


def test_a_photo_with_a_chinese_name_under_the_limit_is_accepted(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/photos/开幕式.jpg", jpeg_bytes(64, 64), "照片")
    done = push(clone, CHANGCHUN)
    assert done.returncode == 0, done.stderr


def test_malformed_trees_are_refused_in_chinese_naming_commit_and_path(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    dots = commit_raw_tree(clone, b"..", "坏目录一")
    dot_git = commit_raw_tree(clone, b".GIT", "坏目录二")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert f"提交 {dots[:7]}「坏目录一」：units/changchun/.. 含有「..」这样的名称" in done.stderr
    assert f"提交 {dot_git[:7]}「坏目录二」：units/changchun/.GIT 用了 Git 自己的保留名称「.GIT」" \
        in done.stderr
    assert "units/jilin" not in done.stderr  # only what the commits bring is blamed


def test_a_tree_with_two_entries_of_one_name_is_refused(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    blob = hash_text(clone, 'id = "changchun"\n')
    twice = hash_raw(clone, raw_tree([(b"100644", b"unit.toml", blob)] * 2))
    sha = commit_tree_with(clone, "units", replace_entry(clone, "HEAD:units", "changchun", twice), "重名")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert f"提交 {sha[:7]}「重名」：units/changchun 中有重名的条目（目录对象损坏）" in done.stderr


# ------------------------------------------------------------------ branches and history


def test_a_unit_may_not_force_push_over_the_servers_history(central: Path, clone_as):
    province, unit = clone_as(PROVINCE), clone_as(CHANGCHUN)
    commit_file(province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n')
    assert push(province, PROVINCE).returncode == 0
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n')
    done = push(unit, CHANGCHUN, "--force", "HEAD:main")
    assert done.returncode != 0 and "会改写 main 上已有的历史" in done.stderr
    assert git(central, "log", "-1", "--format=%an", "main").strip() == "吴晓辉"


def test_only_the_province_may_delete_a_branch(central: Path, clone_as):
    unit, province = clone_as(CHANGCHUN), clone_as(PROVINCE)
    assert push(province, PROVINCE, "HEAD:draft").returncode == 0
    git(unit, "fetch", "-q")
    done = push(unit, CHANGCHUN, ":draft")
    assert done.returncode != 0 and "只有省级人员可以删除 draft" in done.stderr
    assert push(province, PROVINCE, ":draft").returncode == 0
    assert git(central, "branch", "--list", "draft") == ""


# ------------------------------------------------------------------ the first push


def empty_central(tmp_path: Path, capsys: pytest.CaptureFixture) -> tuple[Path, Path]:
    """An empty central repository with the hooks, and the province's seed campaign for it."""
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    install(bare, capsys)
    seed = seed_campaign(tmp_path / "seed")
    git(seed, "remote", "add", "origin", str(bare))
    return bare, seed


def test_the_first_push_into_an_empty_central_repository_comes_from_the_named_province(
        tmp_path: Path, capsys):
    bare, seed = empty_central(tmp_path, capsys)
    done = push(seed, CHANGCHUN)
    assert done.returncode != 0 and "第一次推送只能由安装时指定的省级人员「wuxiaohui」来做" in done.stderr
    done = push(seed, "zhaomin")  # province in access.toml, but not the one named at install
    assert done.returncode != 0 and "第一次推送只能由安装时指定的省级人员" in done.stderr
    assert push(seed, PROVINCE, "HEAD:other").returncode != 0  # must bring main
    assert git(bare, "for-each-ref") == ""
    done = push(seed, PROVINCE)
    assert done.returncode == 0, done.stderr
    assert git(bare, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_the_first_push_needs_the_named_login_listed_as_province_in_what_it_brings(
        tmp_path: Path, capsys):
    _, seed = empty_central(tmp_path, capsys)
    access = seed / "access.toml"
    access.write_text(access.read_text(encoding="utf-8").replace(
        'login = "wuxiaohui"', 'login = "wuxiaohui-old"'), encoding="utf-8")
    git(seed, "commit", "-q", "-am", "换账号")
    done = push(seed, PROVINCE)
    assert done.returncode != 0 and "所推送的 access.toml 须把该账号登记为省级" in done.stderr


def test_installing_into_an_empty_repository_asks_who_pushes_first(tmp_path: Path, capsys):
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    assert main(["install-hook", "--gitolite", str(bare)]) == 2
    assert "请用 --province <账号> 指定由哪位省级人员第一次推送" in capsys.readouterr().err
    assert not (bare / "hooks" / "pre-receive").exists()


# ------------------------------------------------------------------ the hook itself


def test_the_hook_works_with_the_bare_environment_git_gives_it(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "campaign.toml", "# 改动\n", "改通知")
    minimal = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    done = push(clone, CHANGCHUN, env=minimal)
    assert done.returncode != 0 and "「改通知」：campaign.toml" in done.stderr


def test_install_hook_writes_hooks_that_run_installed_code_only(central: Path):
    for name in ("pre-receive", "post-receive"):
        hook = central / "hooks" / name
        assert os.access(hook, os.X_OK)
        text = hook.read_text(encoding="utf-8")
        assert text == hook_script(name)
        assert text.splitlines()[-1].split()[:6] == \
            ["exec", sys.executable, "-I", "-X", "utf8", str(ENTRY)]
        assert ENTRY.is_absolute() and ENTRY.is_file()
    config = git(central, "config", "--list")
    for line in ("receive.fsckobjects=true", "llweek.gitolite=true", "llweek.province=wuxiaohui",
                 "core.quotepath=false", "diff.renames=false", "receive.fsck.hasdotgit=warn"):
        assert line in config.splitlines()


def test_install_hook_again_updates_it(central: Path, capsys):
    hook = central / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\n{marker('pre-receive')}: old version\nexit 1\n", encoding="utf-8")
    out = install(central, capsys)
    assert "已安装推送权限检查和推送记录" in out and hook.read_text(encoding="utf-8") == hook_script()
    assert f"已以 {pwd.getpwuid(os.getuid()).pw_name} 账号试运行这两个钩子" in out


@pytest.mark.parametrize("name", ["pre-receive", "post-receive"])
def test_install_hook_leaves_someone_elses_hook_alone(central: Path, capsys, name: str):
    hook = central / "hooks" / name
    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    assert main(["install-hook", "--gitolite", str(central)]) == 2
    assert f"已有另一个 {name} 钩子" in capsys.readouterr().err
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"


def test_install_hook_refuses_a_working_clone(clone_as, capsys):
    clone = clone_as(PROVINCE)
    assert main(["install-hook", "--gitolite", str(clone)]) == 2
    assert "不是中心（bare）仓库" in capsys.readouterr().err
    assert not (clone / ".git" / "hooks" / "pre-receive").exists()


def test_gl_user_counts_only_in_gitolite_mode_and_when_the_hook_runs_as_the_owner(central: Path):
    me = os.getuid()
    mine = pwd.getpwuid(me).pw_name
    gitolite = HookSettings(gitolite=True)
    assert pusher_login(central, gitolite, {"GL_USER": PROVINCE}) == PROVINCE
    assert pusher_login(central, HookSettings(), {"GL_USER": PROVINCE}) == mine
    assert pusher_login(central, gitolite, {}) == mine
    other = me + 1 if me == 0 else 0
    assert pusher_login(central, gitolite, {"GL_USER": PROVINCE, "USER": PROVINCE},
                        uid=other) != PROVINCE


# ------------------------------------------------------------------ the record of who pushed


def notes_of(repo: Path, commit: str) -> str:
    return git(repo, "notes", "--ref=refs/notes/llweek/pushes", "show", commit, check=False)


def test_every_accepted_push_is_recorded_with_the_account_that_pushed_it(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    old = server_head(central)
    first = commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "一")
    second = commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案二"\n', "二")
    assert push(clone, CHANGCHUN).returncode == 0
    for commit in (first, second):
        note = notes_of(central, commit)
        assert "Pushed-by: cc-zhangli\n" in note and "Ref: refs/heads/main\n" in note
        assert f"Old: {old}\nNew: {second}\n" in note
    assert "Pushed-by: wuxiaohui" in notes_of(central, old)  # the first push, by the province
    record = git(central, "log", "--format=%s%n%b", "refs/notes/llweek/pushes")
    assert record.count("推送记录") == 2
    assert f"cc-zhangli refs/heads/main {old[:7]} → {second[:7]}" in record


def test_a_refused_push_leaves_no_record(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    before = git(central, "rev-parse", "refs/notes/llweek/pushes")
    refused = commit_file(clone, "campaign.toml", "# 改动\n")
    assert push(clone, CHANGCHUN).returncode != 0
    assert git(central, "rev-parse", "refs/notes/llweek/pushes") == before
    assert notes_of(central, refused) == ""


def test_deleting_a_branch_is_recorded_too(central: Path, clone_as):
    province = clone_as(PROVINCE)
    assert push(province, PROVINCE, "HEAD:draft").returncode == 0
    assert push(province, PROVINCE, ":draft").returncode == 0
    record = git(central, "log", "-1", "--format=%b", "refs/notes/llweek/pushes")
    assert f"wuxiaohui refs/heads/draft {server_head(central)[:7]} → 0000000" in record


def test_not_even_the_province_may_push_the_push_record(central: Path, clone_as):
    who = PROVINCE
    clone = clone_as(who)
    git(clone, "fetch", "-q", "origin", "refs/notes/llweek/pushes:refs/notes/llweek/pushes")
    git(clone, "notes", "--ref=refs/notes/llweek/pushes", "add", "-f", "-m", "Pushed-by: someone",
        "HEAD")
    done = push(clone, who, "refs/notes/llweek/pushes")
    assert done.returncode != 0
    assert "refs/notes/llweek/pushes 是服务器的推送记录，只由服务器自己写入" in done.stderr


def test_sync_brings_the_record_and_log_shows_who_pushed(central: Path, clone_as, capsys,
                                                        monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GL_USER", PROVINCE)  # what gitolite tells the hook about this sync's push
    unit, province = clone_as(CHANGCHUN), clone_as(PROVINCE)
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n', "长春市: 新增 工作方案")
    assert push(unit, CHANGCHUN).returncode == 0
    commit_file(province, "reviews/jilin.toml", '[work_plan]\nstate = "received"\n', "本地的")
    assert main(["sync", "-C", str(province)]) == 0
    capsys.readouterr()
    assert main(["log", "-C", str(province)]) == 0
    lines = capsys.readouterr().out.splitlines()
    line = next(line for line in lines if "长春市: 新增 工作方案" in line)
    assert "张丽" in line and "推送人 cc-zhangli" in line
    assert any("推送人 wuxiaohui" in line and "建立 2021 年活动周材料库" in line for line in lines)
    assert "Pushed-by: cc-zhangli" in git(province, "log", "-3")  # plain git log shows it too


# ------------------------------------------------------------------ code in the repository


def plant(folder: Path, marker_file: Path) -> None:
    """A `tui` and a `datastore` package that leave a mark when anything imports them."""
    for package in ("tui", "datastore"):
        (folder / package).mkdir(parents=True, exist_ok=True)
        for name in ("__init__.py", "__main__.py"):
            (folder / package / name).write_text(
                f"open({str(marker_file)!r}, 'a').write('ran')\n", encoding="utf-8")


def test_code_planted_in_the_central_repository_never_runs(central: Path, clone_as, tmp_path: Path):
    ran = tmp_path / "ran"
    plant(central, ran)
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n')
    env = {**os.environ, "PYTHONPATH": str(central), "PYTHONSTARTUP": str(central / "tui/__init__.py")}
    done = push(clone, CHANGCHUN, env=env)
    assert done.returncode == 0, done.stderr
    assert not ran.exists()
    assert "Pushed-by: cc-zhangli" in notes_of(central, server_head(central))


def pkt(line: bytes) -> bytes:
    return f"{len(line) + 4:04x}".encode() + line


def test_an_oversized_object_no_commit_names_is_refused_too(central: Path, clone_as):
    """A client may send objects the pushed commits do not need (here: receive-pack spoken to
    by hand, as a crafted client would); git would keep them on the server's disk."""
    clone = clone_as(CHANGCHUN)
    new = commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "小改动")
    extra = subprocess.run(["git", "-C", str(clone), "hash-object", "-w", "--stdin"],
                           input=bytes(21 * 1024 * 1024), capture_output=True, check=True
                           ).stdout.decode().strip()
    needed = [line.split()[0] for line in
              git(clone, "rev-list", "--objects", new, "--not", "origin/main").splitlines()]
    pack = subprocess.run(["git", "-C", str(clone), "pack-objects", "--stdout"],
                          input="\n".join([*needed, extra, ""]).encode(), capture_output=True,
                          check=True).stdout
    old = server_head(central)
    command = pkt(f"{old} {new} refs/heads/main\0 report-status\n".encode()) + b"0000"
    done = subprocess.run(["git", "receive-pack", str(central)], input=command + pack,
                          capture_output=True, env={**os.environ, "GL_USER": CHANGCHUN}, check=False)
    said = (done.stderr + done.stdout).decode("utf-8", "replace")
    assert f"推送中有一个 21.0 MB 的对象（{extra[:7]}），超过每个文件 20 MB 的上限" in said
    assert server_head(central) == old


# ------------------------------------------------------------------ install-hook runs the hooks for real


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every account may enter (the test's own tmp folders are the tester's only)."""
    folder = Path(tempfile.mkdtemp(prefix="llweek-hook-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def shared_bare(folder: Path) -> Path:
    """A bare repository its group may write (the layout without gitolite)."""
    bare = folder / "central.git"
    git(folder, "init", "-q", "--bare", "--shared=group", str(bare))
    return bare


def test_install_hook_refuses_an_interpreter_other_accounts_cannot_run(open_folder: Path):
    private = open_folder / "private"
    private.mkdir(mode=0o700)
    python = light_venv(private / "llweek", Path(getattr(sys, "_base_executable", sys.executable)))
    bare = shared_bare(open_folder)
    done = subprocess.run([str(python), "-I", "-m", "tui", "install-hook", "--province", PROVINCE,
                           str(bare)], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "钩子试运行失败，已撤销安装" in done.stderr and "已安装" not in done.stdout
    assert f"账号无法进入 {private}（drwx------" in done.stderr
    assert not (bare / "hooks" / "pre-receive").exists() and not (bare / "hooks" / "post-receive").exists()
    assert git(bare, "config", "--get", "llweek.province", check=False) == ""


@pytest.mark.skipif(os.geteuid() != 0 or shared_base_python() is None
                    or closed_folder() is not None,
                    reason="needs root, and a Python interpreter and an llweek every account may run")
def test_install_hook_without_gitolite_runs_the_hooks_as_another_account(open_folder: Path):
    python = light_venv(open_folder / "llweek", shared_base_python())
    bare = shared_bare(open_folder)
    done = subprocess.run([str(python), "-I", "-m", "tui", "install-hook", "--province", PROVINCE,
                           str(bare)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "已以 nobody 账号试运行这两个钩子，运行正常" in done.stdout
    assert "推送时服务器上的登录账号" in done.stdout
    assert git(bare, "config", "llweek.gitolite").strip() == "false"


def test_install_hook_run_by_another_account_says_it_did_not_run_the_hooks(
        tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """An account neither root nor the owner cannot start the hooks as the owner: it says so."""
    bare = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    owner = bare.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: owner + 4242)
    code = main(["install-hook", "--gitolite", "--province", PROVINCE, str(bare)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "试运行这两个钩子，运行正常" not in out
    assert "没有真正试运行这两个钩子" in out
    assert "这次只检查了" in out and "能读取和执行钩子" in out and "请以 root 重新运行" in out
    assert (bare / "hooks" / "pre-receive").exists()


def test_install_hook_as_the_owner_says_it_ran_the_hooks(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture):
    bare = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    assert main(["install-hook", "--gitolite", "--province", PROVINCE, str(bare)]) == 0
    out = capsys.readouterr().out
    assert f"已以 {pwd.getpwuid(bare.stat().st_uid).pw_name} 账号试运行这两个钩子，运行正常" in out
    assert "没有真正试运行" not in out


# ------------------------------------------------------------------ set-aside branches on the server


def test_a_unit_may_keep_refused_commits_on_a_new_branch_of_its_own_login(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    git(clone, "config", "user.email", "zhangli@qq.com")
    refused = commit_file(clone, "campaign.toml", "# 改\n", "顺手改通知")
    before = server_head(central)
    done = push(clone, CHANGCHUN, f"HEAD:refs/heads/rejected/{CHANGCHUN}/2021-05-20")
    assert done.returncode == 0, done.stderr
    assert git(central, "rev-parse", f"rejected/{CHANGCHUN}/2021-05-20").strip() == refused
    assert server_head(central) == before


@pytest.mark.parametrize("ref", [f"rejected/{JILIN_LOGIN}/2021-05-20", "rejected/2021-05-20",
                                 f"rejected/{CHANGCHUN}"])
def test_a_unit_may_not_push_into_another_logins_set_aside_branches(central: Path, clone_as, ref):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "自己的")
    done = push(clone, CHANGCHUN, f"HEAD:refs/heads/{ref}")
    assert done.returncode != 0
    assert f"单位人员只能把移到一边的提交推送到自己的分支 rejected/{CHANGCHUN}/<名称>" in done.stderr
    assert git(central, "branch", "--list", "rejected/*") == ""


def test_a_set_aside_branch_on_the_server_is_never_moved_or_deleted_by_a_unit(central: Path,
                                                                             clone_as):
    clone = clone_as(CHANGCHUN)
    ref = f"refs/heads/rejected/{CHANGCHUN}/2021-05-20"
    first = commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "一")
    assert push(clone, CHANGCHUN, f"HEAD:{ref}").returncode == 0
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案二"\n', "二")
    done = push(clone, CHANGCHUN, f"HEAD:{ref}")
    assert done.returncode != 0 and "只能推送为新分支，不能改动或覆盖已有的分支" in done.stderr
    done = push(clone, CHANGCHUN, f":{ref}")
    assert done.returncode != 0 and "只有省级人员可以删除" in done.stderr
    assert git(central, "rev-parse", ref).strip() == first


def test_a_set_aside_branch_still_may_not_hold_a_symbolic_link(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    link = commit_entry(clone, "120000", hash_text(clone, "/dev/zero"), "units/changchun/unit.toml",
                        "链接")
    done = push(clone, CHANGCHUN, f"HEAD:refs/heads/rejected/{CHANGCHUN}/2021-05-20")
    assert done.returncode != 0
    assert f"提交 {link[:7]}「链接」：units/changchun/unit.toml" in done.stderr
    assert git(central, "branch", "--list", "rejected/*") == ""


def test_a_set_aside_branch_pushed_with_main_leaves_main_fully_checked(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "campaign.toml", "# 改\n", "顺手改通知")
    done = push(clone, CHANGCHUN, "HEAD:main", f"HEAD:refs/heads/rejected/{CHANGCHUN}/x")
    assert done.returncode != 0 and "「顺手改通知」：campaign.toml" in done.stderr
