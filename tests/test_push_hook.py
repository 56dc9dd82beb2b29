"""The central repository's pre-receive hook: real bare repositories, real pushes.

Each push runs `git push` with GL_USER in its environment; for a path remote, git's
receive-pack (and so the hook) inherits it, as under gitolite. The bare repository belongs to
the account running the tests, as gitolite's repositories belong to its hosting account.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from datastore.hook import HOOK_MARKER, hook_script
from datastore.pushcheck import pusher_login
from tests.builders import tiny_repo
from tests.conftest import git, set_identity
from tui.cli import main

PROVINCE, CHANGCHUN, JILIN = "wuxiaohui", "cc-zhangli", "jl-liuhong"
PEOPLE = {PROVINCE: ("吴晓辉", "jlqmx@126.com"), CHANGCHUN: ("张丽", "cc_zhangli@126.com"),
          JILIN: ("刘红", "jlsjyj_liuhong@163.com")}


def push(clone: Path, login: str | None, *refspec: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    """`git push` as `login` would run it; returns the finished process (never raises)."""
    full = dict(os.environ if env is None else env)
    full.pop("GL_USER", None)
    if login is not None:
        full["GL_USER"] = login
    return subprocess.run(["git", "-C", str(clone), "push", "origin", *(refspec or ["HEAD:main"])],
                          capture_output=True, text=True, env=full, check=False)


def commit_file(clone: Path, rel: str, text: str, message: str = "修改") -> str:
    path = clone / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(clone, "add", "--", rel)
    git(clone, "commit", "-q", "-m", message)
    return git(clone, "rev-parse", "HEAD").strip()


def install(bare: Path, capsys: pytest.CaptureFixture) -> str:
    code = main(["install-hook", str(bare)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.fixture
def central(tmp_path: Path, capsys: pytest.CaptureFixture) -> Path:
    """A bare central repository with the hook, holding the campaign the province pushed first."""
    bare = tmp_path / "central.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    install(bare, capsys)
    seed = tiny_repo(tmp_path / "seed")
    git(seed, "init", "-q", "-b", "main")
    set_identity(seed, *PEOPLE[PROVINCE])
    for unit in ("changchun", "jilin"):
        (seed / "units" / unit).mkdir(parents=True)
        (seed / "units" / unit / "unit.toml").write_text(f'id = "{unit}"\n', encoding="utf-8")
    (seed / "reviews").mkdir()
    (seed / "reviews" / "changchun.toml").write_text('[work_plan]\nstate = "received"\n',
                                                     encoding="utf-8")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "吉林省: 建立 2021 年活动周材料库")
    git(seed, "remote", "add", "origin", str(bare))
    done = push(seed, PROVINCE)
    assert done.returncode == 0, done.stderr
    return bare


@pytest.fixture
def clone_as(central: Path, tmp_path: Path):
    def make(login: str) -> Path:
        target = tmp_path / f"clone-{login}"
        git(tmp_path, "clone", "-q", str(central), str(target))
        set_identity(target, *PEOPLE.get(login, (login, f"{login}@example.cn")))
        return target
    return make


def server_head(central: Path) -> str:
    return git(central, "rev-parse", "main").strip()


# ------------------------------------------------------------------ who may change what


def test_unit_pushing_its_own_materials_is_accepted(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "长春市方案"\n')
    commit_file(clone, "units/changchun/photos/a.jpg", "jpeg")
    done = push(clone, CHANGCHUN)
    assert done.returncode == 0, done.stderr
    assert server_head(central) == git(clone, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize("rel", ["units/jilin/unit.toml", "campaign.toml", "access.toml",
                                 "reviews/changchun.toml", "reviews/jilin.toml", "README.txt"])
def test_unit_pushing_outside_its_folder_is_refused_naming_path_and_pusher(
        central: Path, clone_as, rel: str):
    clone = clone_as(CHANGCHUN)
    before = server_head(central)
    commit_file(clone, rel, "# 改动\n", "长春市: 修改")
    done = push(clone, CHANGCHUN)
    assert done.returncode != 0
    assert "remote: llweek：推送被拒绝。推送者：张丽（cc-zhangli，单位 changchun）" in done.stderr
    assert "该账号只能修改 units/changchun/ 下的文件，以下提交改动了其他文件" in done.stderr
    assert f"「长春市: 修改」：{rel}" in done.stderr
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


def test_a_new_branch_is_checked_against_what_the_server_has(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    git(clone, "checkout", "-q", "-b", "draft")
    commit_file(clone, "units/changchun/work_plan.toml", 'title = "方案"\n', "自己的")
    assert push(clone, CHANGCHUN, "draft").returncode == 0
    commit_file(clone, "campaign.toml", "# 改动\n", "别人的")
    done = push(clone, CHANGCHUN, "draft:draft2")
    assert done.returncode != 0
    assert "「别人的」：campaign.toml" in done.stderr and "自己的" not in done.stderr


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
    commit_file(unit, "units/changchun/work_plan.toml", 'title = "方案"\n')
    assert push(unit, CHANGCHUN, "HEAD:draft").returncode == 0
    done = push(unit, CHANGCHUN, ":draft")
    assert done.returncode != 0 and "只有省级人员可以删除 draft" in done.stderr
    assert push(province, PROVINCE, ":draft").returncode == 0


# ------------------------------------------------------------------ the first push


def test_the_first_push_into_an_empty_central_repository_comes_from_the_province(
        tmp_path: Path, capsys):
    bare = tmp_path / "empty.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    install(bare, capsys)
    seed = tiny_repo(tmp_path / "seed")
    git(seed, "init", "-q", "-b", "main")
    set_identity(seed)
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "建立")
    git(seed, "remote", "add", "origin", str(bare))
    done = push(seed, CHANGCHUN)
    assert done.returncode != 0 and "第一次推送只能由" in done.stderr
    assert push(seed, PROVINCE, "HEAD:other").returncode != 0  # must bring main
    done = push(seed, PROVINCE)
    assert done.returncode == 0, done.stderr
    assert git(bare, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


# ------------------------------------------------------------------ the hook itself


def test_the_hook_works_with_the_bare_environment_git_gives_it(central: Path, clone_as):
    clone = clone_as(CHANGCHUN)
    commit_file(clone, "campaign.toml", "# 改动\n", "改通知")
    minimal = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    done = push(clone, CHANGCHUN, env=minimal)
    assert done.returncode != 0 and "「改通知」：campaign.toml" in done.stderr


def test_install_hook_writes_an_executable_script_calling_this_python(central: Path):
    hook = central / "hooks" / "pre-receive"
    assert os.access(hook, os.X_OK)
    assert hook.read_text(encoding="utf-8") == hook_script()
    assert git(central, "config", "receive.fsckObjects").strip() == "true"


def test_install_hook_again_updates_it(central: Path, capsys):
    hook = central / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\n{HOOK_MARKER}: old version\nexit 1\n", encoding="utf-8")
    out = install(central, capsys)
    assert "已安装推送权限检查" in out and hook.read_text(encoding="utf-8") == hook_script()


def test_install_hook_leaves_someone_elses_hook_alone(central: Path, capsys):
    hook = central / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho mine\n", encoding="utf-8")
    assert main(["install-hook", str(central)]) == 2
    assert "已有另一个 pre-receive 钩子" in capsys.readouterr().err
    assert hook.read_text(encoding="utf-8") == "#!/bin/sh\necho mine\n"


def test_install_hook_refuses_a_working_clone(clone_as, capsys):
    clone = clone_as(PROVINCE)
    assert main(["install-hook", str(clone)]) == 2
    assert "不是中心（bare）仓库" in capsys.readouterr().err
    assert not (clone / ".git" / "hooks" / "pre-receive").exists()


def test_gl_user_counts_only_when_the_hook_runs_as_the_repositorys_owner(central: Path):
    me = os.getuid()
    import pwd

    mine = pwd.getpwuid(me).pw_name
    assert pusher_login(central, {"GL_USER": PROVINCE}) == PROVINCE
    assert pusher_login(central, {}) == mine
    assert pusher_login(central, {"GL_USER": PROVINCE, "USER": PROVINCE},
                        uid=me + 1 if me == 0 else 0) != PROVINCE
