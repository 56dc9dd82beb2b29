"""The README's server, for real: gitolite3 behind sshd on a free local port, four staff shell
accounts with SSH keys pushing to git@localhost:llweek, and every attack of issue 10 tried
against it. Slow (accounts, sshd, a gitolite-admin push): `pytest -m slow`.

Repositories: `llweek` (the campaign, llweek's hooks installed as root into the hosting
account's repository, first pushed by the province with `llweek sync`), `llweek-first` (empty,
for the first push), `llweek-gitolite-only` (gitolite's rules without llweek's hooks: the
first wall alone), `llweek-lax` (hooks installed, then its files opened to every account, as
an administrator's mistake would: llweek's hook must still not be fooled).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from datastore.roles import read_access
from tests.builders import jpeg_bytes
from tests.conftest import git
from tests.hookscenarios import (CHANGCHUN, JILIN, PEOPLE, PROVINCE, commit_raw_tree, octopus,
                                 seed_campaign, symlink_target)
from tests.sshserver import HOST, ROOT_GIT_ENV, Account, Server, light_venv, missing, new_server, \
    shared_base_python

WANGYU = "cc-wangyu"
PEOPLE = {**PEOPLE, WANGYU: ("王宇", "wangyu_ccjy@163.com")}
LOGINS = [PROVINCE, CHANGCHUN, WANGYU, JILIN]
REPOS = ["llweek", "llweek-first", "llweek-gitolite-only", "llweek-lax"]
WHY = missing()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(WHY is not None, reason=WHY or "")]


@pytest.fixture(scope="module", autouse=True)
def one_server_at_a_time() -> Iterator[None]:
    """Test workers take turns: accounts, sshd and gitolite set-ups share the system's files
    (/etc/passwd, ssh's known hosts), so two at once trip over each other."""
    with open(Path(tempfile.gettempdir()) / "llweek-test-server.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="module", autouse=True)
def root_git_may_work_in_staff_folders() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in ROOT_GIT_ENV.items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """The README's set-up, step by step (each step as the account the README names)."""
    srv = new_server()
    try:
        srv.python = light_venv(srv.root / "opt" / "llweek", shared_base_python())
        srv.git = srv.add_account("g")
        for number, login in enumerate(LOGINS):
            srv.staff[login] = srv.add_account(str(number))
        srv.start_sshd()
        for account in srv.staff.values():
            srv.ssh_config(account, account.home / ".ssh" / "id_ed25519")
        province = srv.staff[PROVINCE]
        seed = seed_campaign(province.home / "llweek")
        subprocess.run(["chown", "-R", f"{province.uid}:{province.gid}", str(seed)], check=True)
        srv.setup_gitolite(srv.staff, REPOS, read_access(seed))
        for repo in ("llweek", "llweek-first", "llweek-lax"):
            installed = subprocess.run([str(srv.python), "-I", "-m", "tui", "install-hook", "--gitolite",
                                        "--province", PROVINCE, str(srv.repository(repo))],
                                       capture_output=True, text=True, check=False)
            assert installed.returncode == 0, installed.stderr
            assert f"已以 {srv.git.name} 账号试运行这两个钩子" in installed.stdout
        province.run("git", "-C", str(seed), "remote", "add", "origin", f"{HOST}:llweek", check=True)
        first = srv.llweek(province, "sync", "-C", str(seed))
        assert first.returncode == 0 and "推送 1 个提交" in first.stdout, first.stderr
        for repo in ("llweek-gitolite-only", "llweek-lax"):
            province.run("git", "-C", str(seed), "push", "-q", f"{HOST}:{repo}", "main", check=True)
        alone = str(srv.repository("llweek-gitolite-only"))  # as install-hook would set it up
        for key in ("diff.renames", "core.quotePath"):  # VREF/NAME sees each path as it is
            srv.git.run("git", "-C", alone, "config", key, "false", check=True)
        srv.git.run("git", "-C", alone, "symbolic-ref", "HEAD", "refs/heads/main", check=True)
        yield srv
    finally:
        srv.close()


def clone(server: Server, login: str, repo: str = "llweek") -> Path:
    """A fresh clone of `repo` in the staff member's home, with their name and e-mail."""
    account = server.staff[login]
    target = account.home / f"{repo}-{secrets.token_hex(3)}"
    account.run("git", "clone", "-q", f"{HOST}:{repo}", str(target), check=True)
    name, email = PEOPLE[login]
    account.run("git", "-C", str(target), "config", "user.name", name, check=True)
    account.run("git", "-C", str(target), "config", "user.email", email, check=True)
    return target


def write(server: Server, login: str, repo: Path, rel: str, text: str | bytes,
          message: str | None = None) -> str:
    """The staff member changes a file (and commits it, with `message`); returns HEAD."""
    account = server.staff[login]
    path = repo / rel
    account.run("mkdir", "-p", str(path.parent), check=True)
    account.run("sh", "-c", 'cat > "$0"', str(path), input=text, check=True)
    if message is None:
        return ""
    account.run("git", "-C", str(repo), "add", "--", rel, check=True)
    account.run("git", "-C", str(repo), "commit", "-q", "-m", message, check=True)
    return account.run("git", "-C", str(repo), "rev-parse", "HEAD", check=True).stdout.strip()


def give_back(repo: Path, account: Account) -> None:
    """After root crafted objects in a staff member's clone: theirs again."""
    subprocess.run(["chown", "-R", f"{account.uid}:{account.gid}", str(repo)], check=True)


def push(server: Server, login: str, repo: Path, *refspec: str, **options: str
         ) -> subprocess.CompletedProcess:
    return server.staff[login].run("git", "-C", str(repo), "push", "origin",
                                   *(refspec or ["HEAD:main"]), **options)


def sync(server: Server, login: str, repo: Path, *extra: str) -> subprocess.CompletedProcess:
    return server.llweek(server.staff[login], "sync", "-C", str(repo), *extra)


# ------------------------------------------------------------------ what is accepted


def test_a_units_push_the_provinces_push_and_a_merge_of_the_provinces_work_are_accepted(
        server: Server):
    unit, province = clone(server, CHANGCHUN), clone(server, PROVINCE)
    write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "长春市方案"\n')
    done = sync(server, CHANGCHUN, unit)
    assert done.returncode == 0 and "推送 1 个提交" in done.stdout, done.stderr
    write(server, PROVINCE, province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n')
    done = sync(server, PROVINCE, province)
    assert done.returncode == 0 and "拉取 1 个提交，推送 2 个提交" in done.stdout, done.stderr
    write(server, CHANGCHUN, unit, "units/changchun/photos/开幕式.jpg", jpeg_bytes(64, 64))
    # a photo copied in by hand joins only when asked for; the sync merges the province's
    # review, then pushes the merge
    done = sync(server, CHANGCHUN, unit, "--with-photos")
    assert done.returncode == 0 and "推送 2 个提交" in done.stdout, done.stderr
    assert server.head("llweek") == git(unit, "rev-parse", "HEAD").strip()
    reader = clone(server, JILIN)
    assert sync(server, JILIN, reader).returncode == 0  # a fresh clone gets the record by syncing
    log = server.llweek(server.staff[JILIN], "log", "-C", str(reader)).stdout
    assert any("张丽" in line and "推送人 cc-zhangli" in line and "开幕式" in line
               for line in log.splitlines()), log
    assert any("吴晓辉" in line and "推送人 wuxiaohui" in line for line in log.splitlines())


# ------------------------------------------------------------------ skipping the hook


def test_another_receive_pack_that_skips_the_hooks_is_refused_by_gitolite(server: Server):
    unit = clone(server, CHANGCHUN)
    before = server.head("llweek")
    write(server, CHANGCHUN, unit, "reviews/changchun.toml", '[work_plan]\nstate = "accepted"\n', "自己通过")
    done = server.staff[CHANGCHUN].run(
        "git", "-C", str(unit), "push", "--receive-pack=git -c core.hooksPath=/dev/null receive-pack",
        "origin", "HEAD:main")
    assert done.returncode != 0 and "FATAL: unknown git/gitolite command" in done.stderr
    assert server.head("llweek") == before


def test_no_staff_account_can_reach_the_repository_files(server: Server):
    unit = clone(server, CHANGCHUN)
    before = server.head("llweek")
    write(server, CHANGCHUN, unit, "reviews/changchun.toml", '[work_plan]\nstate = "accepted"\n', "自己通过")
    central = server.repository("llweek")
    done = server.staff[CHANGCHUN].run("git", f"--git-dir={central}", "fetch", str(unit), "main:main")
    assert done.returncode != 0 and "llweek.git" in done.stderr
    assert server.head("llweek") == before


def fake_common_dir(server: Server, login: str, central: Path) -> Path:
    """A folder the pusher owns that git takes for the central repository (`commondir`)."""
    account = server.staff[login]
    fake = account.home / f"fake-{secrets.token_hex(3)}.git"
    account.run("mkdir", str(fake), check=True)
    write(server, login, fake, "commondir", f"{central}\n")
    write(server, login, fake, "HEAD", "ref: refs/heads/main\n")
    return fake


def test_a_commondir_folder_does_not_make_gl_user_believable(server: Server):
    unit = clone(server, CHANGCHUN, "llweek-lax")
    write(server, CHANGCHUN, unit, "reviews/changchun.toml", '[work_plan]\nstate = "accepted"\n', "冒充省级")
    central = server.repository("llweek-lax")
    fake = fake_common_dir(server, CHANGCHUN, central)
    as_province = "--receive-pack=env GL_USER=wuxiaohui git-receive-pack"
    before = server.head("llweek-lax")
    done = server.staff[CHANGCHUN].run("git", "-C", str(unit), "push", as_province, str(fake), "HEAD:main")
    assert done.returncode != 0 and "Permission denied" in done.stderr  # gitolite's 0700
    opened = [central.parent, *central.rglob("*"), central]
    try:  # an administrator's mistake: every account may write the repository's files
        for path in opened:
            path.chmod(path.stat().st_mode | 0o007)
        done = server.staff[CHANGCHUN].run("git", "-C", str(unit), "push", as_province, str(fake),
                                           "HEAD:main")
    finally:
        for path in opened:
            if path.exists():
                path.chmod(path.stat().st_mode & ~0o077)
    assert done.returncode != 0
    staff_account = server.staff[CHANGCHUN].name
    assert f"账号「{staff_account}」不在中心仓库 access.toml 的人员名单中" in done.stderr
    assert server.head("llweek-lax") == before


def test_code_planted_in_the_bare_repository_never_runs(server: Server):
    central, ran = server.repository("llweek"), server.root / f"ran-{secrets.token_hex(3)}"
    planted = []
    for package in ("tui", "datastore"):
        for name in ("__init__.py", "__main__.py"):
            path = central / package / name
            server.git.run("mkdir", "-p", str(path.parent), check=True)
            server.git.run("sh", "-c", 'cat > "$0"', str(path),
                           input=f"open({str(ran)!r}, 'a').write('ran')\n", check=True)
            planted.append(path.parent)
    try:
        unit = clone(server, CHANGCHUN)
        write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "方案（再改）"\n', "再改")
        done = push(server, CHANGCHUN, unit)
        assert done.returncode == 0, done.stderr
    finally:
        for folder in set(planted):
            server.git.run("rm", "-rf", str(folder))
    assert not ran.exists()


def test_code_planted_in_a_clone_never_runs_while_merging(server: Server):
    mine, other = clone(server, CHANGCHUN), clone(server, WANGYU)
    profile = 'id = "changchun"\nname = "长春市教育局"\nshort_name = "长春市"\n'
    write(server, WANGYU, other, "units/changchun/unit.toml", profile, "王宇: 单位信息")
    assert sync(server, WANGYU, other).returncode == 0
    assert sync(server, CHANGCHUN, mine).returncode == 0
    write(server, WANGYU, other, "units/changchun/unit.toml", profile.replace("教育局", "教育局（王）"), "改全称")
    assert sync(server, WANGYU, other).returncode == 0
    write(server, CHANGCHUN, mine, "units/changchun/unit.toml", profile.replace('"长春市"\n', '"长春"\n'),
          "改简称")
    ran = server.root / f"ran-{secrets.token_hex(3)}"
    for package in ("tui", "datastore"):
        for name in ("__init__.py", "__main__.py"):
            write(server, CHANGCHUN, mine, f"{package}/{name}", f"open({str(ran)!r}, 'a').write('ran')\n")
    done = server.llweek(server.staff[CHANGCHUN], "sync", "-C", str(mine), env={"PYTHONPATH": str(mine)})
    assert done.returncode == 0, done.stderr
    merged = (mine / "units/changchun/unit.toml").read_text(encoding="utf-8")
    assert 'name = "长春市教育局（王）"' in merged and 'short_name = "长春"' in merged  # field by field
    assert not ran.exists()


# ------------------------------------------------------------------ who pushed, who committed


def test_a_commit_made_as_someone_else_is_refused(server: Server):
    unit = clone(server, CHANGCHUN)
    before = server.head("llweek")
    write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "方案"\n')
    # added first: an earlier test on this server may have left the work plan deleted
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "add", "units/changchun/work_plan.toml",
                                check=True)
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "-c", "user.name=吴晓辉", "-c",
                                "user.email=jlqmx@126.com", "commit", "-qm", "以省级名义", check=True)
    done = push(server, CHANGCHUN, unit)
    assert done.returncode != 0
    assert "「以省级名义」：提交者是 吴晓辉 <jlqmx@126.com>" in done.stderr
    assert "推送者 cc-zhangli 在 access.toml 中登记的邮箱是 cc_zhangli@126.com" in done.stderr
    assert server.head("llweek") == before


def test_the_first_push_comes_only_from_the_named_province(server: Server):
    for login in (CHANGCHUN, PROVINCE):
        account = server.staff[login]
        seed = seed_campaign(account.home / f"first-{secrets.token_hex(3)}")
        give_back(seed, account)
        done = account.run("git", "-C", str(seed), "push", f"{HOST}:llweek-first", "main")
        if login == CHANGCHUN:
            assert done.returncode != 0
            assert "第一次推送只能由安装时指定的省级人员「wuxiaohui」来做" in done.stderr
            assert server.head("llweek-first") == ""
    assert done.returncode == 0, done.stderr
    assert server.head("llweek-first") == git(seed, "rev-parse", "HEAD").strip()


def test_install_hook_refuses_an_interpreter_the_hosting_account_cannot_run(server: Server):
    private = server.root / "private"
    private.mkdir(mode=0o700)
    python = light_venv(private / "llweek", shared_base_python())
    central = server.repository("llweek-gitolite-only")
    done = subprocess.run([str(python), "-I", "-m", "tui", "install-hook", "--gitolite", str(central)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "钩子试运行失败，已撤销安装" in done.stderr and "已安装" not in done.stdout
    assert f"{server.git.name} 账号无法进入 {private}（drwx------ root root）" in done.stderr
    assert not (central / "hooks" / "pre-receive").exists()
    assert not (central / "hooks" / "post-receive").exists()


# ------------------------------------------------------------------ crafted pushes


def test_an_octopus_merge_rolling_back_the_provinces_review_is_refused(server: Server):
    province = clone(server, PROVINCE)
    write(server, PROVINCE, province, "reviews/changchun.toml", '[work_plan]\nstate = "returned"\n')
    assert sync(server, PROVINCE, province).returncode == 0
    unit = clone(server, CHANGCHUN)
    merge = octopus(unit, "合并三方")
    give_back(unit, server.staff[CHANGCHUN])
    before = server.head("llweek")
    done = push(server, CHANGCHUN, unit)
    assert done.returncode != 0
    assert f"提交 {merge[:7]}「合并三方」：是 3 个分支的合并（章鱼式合并）" in done.stderr
    assert server.head("llweek") == before
    assert "returned" in server.git.run("git", "-C", str(server.repository("llweek")), "show",
                                        "main:reviews/changchun.toml").stdout


def test_symbolic_links_gitlinks_big_files_and_malformed_trees_are_refused(server: Server):
    unit = clone(server, CHANGCHUN)
    account = server.staff[CHANGCHUN]
    git(unit, "rm", "-q", "--cached", "units/changchun/unit.toml")
    git(unit, "update-index", "--add", "--cacheinfo",
        f"120000,{symlink_target(unit, '/dev/zero')},units/changchun/unit.toml")
    git(unit, "update-index", "--add", "--cacheinfo",
        f"120000,{symlink_target(unit, '../jilin/unit.toml')},units/changchun/summary.toml")
    git(unit, "update-index", "--add", "--cacheinfo",
        f"160000,{git(unit, 'rev-parse', 'HEAD').strip()},units/changchun/cases")
    git(unit, "commit", "-q", "-m", "链接")
    links = git(unit, "rev-parse", "HEAD").strip()
    dots = commit_raw_tree(unit, b"..", "坏目录")
    give_back(unit, account)
    big = write(server, CHANGCHUN, unit, "units/changchun/photos/big.jpg",
                jpeg_bytes(64, 64) + bytes(21 * 1024 * 1024), "大照片")
    before = server.head("llweek")
    done = push(server, CHANGCHUN, unit)
    assert done.returncode != 0
    for line in (f"提交 {links[:7]}「链接」：units/changchun/unit.toml 是符号链接",
                 f"提交 {links[:7]}「链接」：units/changchun/summary.toml 是符号链接",
                 f"提交 {links[:7]}「链接」：units/changchun/cases 是子模块（gitlink）",
                 f"提交 {dots[:7]}「坏目录」：units/changchun/.. 含有「..」这样的名称",
                 f"提交 {big[:7]}「大照片」：units/changchun/photos/big.jpg 有 21.0 MB"):
        assert line in done.stderr
    assert server.head("llweek") == before


def test_gitolite_alone_keeps_each_unit_to_its_folder_and_to_main(server: Server):
    """The first wall: gitolite's VREF/NAME rules from `llweek gitolite-conf`, no llweek hook."""
    central = "llweek-gitolite-only"
    assert not (server.repository(central) / "hooks" / "pre-receive").exists()
    unit = clone(server, CHANGCHUN, central)
    before = server.head(central)
    write(server, CHANGCHUN, unit, "campaign.toml", "# 改\n", "改通知")
    done = push(server, CHANGCHUN, unit)
    outside = "DENIED by VREF/refex-expr/llweek_main_outside_unit"  # a path outside units/changchun/
    assert done.returncode != 0 and outside in done.stderr and server.head(central) == before
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "reset", "-q", "--hard", "origin/main", check=True)
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "mv", "units/jilin/unit.toml",
                                "units/changchun/jilin.toml", check=True)
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "commit", "-qm", "搬走", check=True)
    done = push(server, CHANGCHUN, unit)
    assert done.returncode != 0 and outside in done.stderr and server.head(central) == before
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "reset", "-q", "--hard", "origin/main", check=True)
    write(server, CHANGCHUN, unit, "units/changchun/photos/开幕式现场.jpg", jpeg_bytes(64, 64), "照片")
    for other in ("HEAD:draft", "HEAD:main2", "HEAD:main/x"):  # main only
        assert push(server, CHANGCHUN, unit, other).returncode != 0, other
    for login in (WANGYU, JILIN):  # another's set-aside namespace, even a colleague's
        done = push(server, CHANGCHUN, unit, f"HEAD:rejected/{login}/2021-12-08")
        assert done.returncode != 0 and "DENIED" in done.stderr
    done = push(server, CHANGCHUN, unit)
    assert done.returncode == 0, done.stderr
    assert server.head(central) != before
    server.staff[CHANGCHUN].run("git", "-C", str(unit), "reset", "-q", "--hard", "HEAD~1", check=True)
    write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "x"\n', "改写历史")
    done = push(server, CHANGCHUN, unit, "--force", "HEAD:main")
    assert done.returncode != 0 and "DENIED" in done.stderr


def test_gitolite_alone_lets_a_unit_set_aside_commits_that_touch_any_file(server: Server):
    """On a new `rejected/<own login>/` branch gitolite sees every file of the campaign as
    changed; the path rule is for main only (refex-expr), llweek's hook checks the rest."""
    central = "llweek-gitolite-only"
    unit = clone(server, CHANGCHUN, central)
    write(server, CHANGCHUN, unit, "reviews/changchun.toml", '[summary]\nstate = "accepted"\n', "自己通过")
    assert push(server, CHANGCHUN, unit).returncode != 0
    done = push(server, CHANGCHUN, unit, f"HEAD:rejected/{CHANGCHUN}/2021-12-08")
    assert done.returncode == 0, done.stderr
    assert server.head(central, f"rejected/{CHANGCHUN}/2021-12-08") == git(unit, "rev-parse", "HEAD").strip()
    write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "再改"\n', "再改")
    done = push(server, CHANGCHUN, unit, f"HEAD:rejected/{CHANGCHUN}/2021-12-08")
    assert done.returncode == 0, done.stderr  # gitolite lets it go forward; llweek's hook does not


def test_without_refex_expr_in_the_rc_file_every_unit_push_is_refused(server: Server):
    """An administrator who skipped the README's `.gitolite.rc` line gets refusals, never a
    first wall that lets every path through."""
    central = "llweek-gitolite-only"
    rc = server.git.home / ".gitolite.rc"
    kept = rc.read_text(encoding="utf-8")
    unit = clone(server, CHANGCHUN, central)
    write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "本单位"\n', "本单位")
    before = server.head(central)
    try:
        rc.write_text(kept.replace("'refex-expr',", ""), encoding="utf-8")
        done = push(server, CHANGCHUN, unit)
        assert done.returncode != 0 and "GL_REFEX_EXPR_ doesn't exist" in done.stderr
        assert server.head(central) == before
    finally:
        rc.write_text(kept, encoding="utf-8")
    done = push(server, CHANGCHUN, unit)
    assert done.returncode == 0, done.stderr


def test_force_pushes_and_branch_deletions_are_for_the_province_only(server: Server):
    province, unit = clone(server, PROVINCE), clone(server, CHANGCHUN)
    write(server, PROVINCE, province, "reviews/jilin.toml", '[work_plan]\nstate = "received"\n', "审核")
    assert push(server, PROVINCE, province).returncode == 0
    assert push(server, PROVINCE, province, "HEAD:draft").returncode == 0
    write(server, CHANGCHUN, unit, "units/changchun/work_plan.toml", 'title = "强推"\n', "强推")
    done = push(server, CHANGCHUN, unit, "--force", "HEAD:main")
    assert done.returncode != 0 and "会改写 main 上已有的历史" in done.stderr
    done = push(server, CHANGCHUN, unit, ":draft")
    assert done.returncode != 0 and "只有省级人员可以删除 draft" in done.stderr
    assert push(server, PROVINCE, province, ":draft").returncode == 0
    assert server.head("llweek", "draft") == ""


# ------------------------------------------------------------------ the way out


def test_after_a_refused_push_set_aside_and_sync_go_on_and_nothing_is_lost(server: Server):
    unit = clone(server, CHANGCHUN)
    own = write(server, CHANGCHUN, unit, "units/changchun/summary.toml", 'text = "年度总结"\n', "长春市: 总结")
    foreign = write(server, CHANGCHUN, unit, "reviews/changchun.toml", '[summary]\nstate = "accepted"\n',
                    "自己通过")
    done = sync(server, CHANGCHUN, unit)
    assert done.returncode == 2 and "「自己通过」：reviews/changchun.toml" in done.stderr
    assert "llweek sync --set-aside" in done.stderr
    done = sync(server, CHANGCHUN, unit, "--set-aside")
    assert done.returncode == 0, done.stderr
    branch = next(line.split("本机分支 ")[1].split("（")[0] for line in done.stdout.splitlines()
                  if "已移到本机分支" in line)
    assert "推送 1 个提交" in done.stdout
    central = server.repository("llweek")
    shown = server.git.run("git", "-C", str(central), "show", "main:units/changchun/summary.toml").stdout
    assert shown == 'text = "年度总结"\n'
    assert "accepted" not in server.git.run("git", "-C", str(central), "show",
                                            "main:reviews/changchun.toml").stdout
    assert git(unit, "rev-parse", branch).strip() == foreign
    assert git(unit, "merge-base", "--is-ancestor", own, branch, check=False) == ""
    shared = f"rejected/{CHANGCHUN}/{branch.removeprefix('rejected/')}"
    assert f"也已推送到服务器的分支 {shared}" in done.stdout
    assert server.head("llweek", shared) == foreign  # through gitolite, to the province
    province = clone(server, PROVINCE)
    seen = server.staff[PROVINCE].run("git", "-C", str(province), "log", "-p", f"origin/{shared}",
                                      "--not", "origin/main", check=True).stdout
    assert "自己通过" in seen and 'state = "accepted"' in seen
    again = sync(server, CHANGCHUN, unit)
    assert again.returncode == 0 and "拉取 0 个提交，推送 0 个提交" in again.stdout
    assert os.path.exists(unit / "units/changchun/summary.toml")
