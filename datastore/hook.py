"""Installing the central repository's hooks (DESIGN §7): the push check and the push record.

Both hooks are two-line shell scripts that run installed llweek code only
(`datastore.gitrepo.llweek_command`: absolute interpreter, `python -I`, absolute entry file),
so nothing in the repository or the pusher's environment can put code on their path.
Installing records the mode in the repository's own config (`--gitolite`: GL_USER names the
pusher; `--province LOGIN`: who brings the first campaign) and then runs both hooks as the
account that will run them for real (under gitolite the repository's owner, otherwise an
account other than the owner), so `已安装` is said only when a push would really work. Only
root, or that account itself, can start them as that account; anyone else only checks that
the account can read and run every file the hooks need, and says it did not run them.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from datastore.errors import LlweekError
from datastore.gitrepo import ENTRY, GitRepo, llweek_command
from datastore.pusher import GITOLITE_KEY, PROVINCE_KEY
from datastore.tomlio import atomic_write

HOOKS = ("pre-receive", "post-receive")
HOOK_MARKER = "# llweek pre-receive hook"
SELF_TEST_SECONDS = 60.0
#: what sshd or gitolite may leave a hook with: no LANG, a short PATH
MINIMAL_PATH = "/usr/bin:/bin"
#: a gitolite user name (the name of the key file in keydir)
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
#: git's fsck checks of tree entries: the push check refuses each of these itself, in Chinese
#: and naming the commit, so git only warns instead of refusing the pack before the hook runs
TREE_FSCK_CHECKS = ("hasDot", "hasDotdot", "hasDotgit", "emptyName", "fullPathname",
                    "duplicateEntries", "treeNotSorted", "badFilemode", "zeroPaddedFilemode",
                    "gitmodulesSymlink", "gitattributesSymlink")
_PURPOSE = {"pre-receive": "who may change what (DESIGN §7)",
            "post-receive": "the record of who pushed what (datastore.pushlog)"}


def marker(name: str) -> str:
    return f"# llweek {name} hook"


def hook_script(name: str = "pre-receive") -> str:
    """The hook `name`: installed llweek, with git's usual tools findable."""
    return (
        "#!/bin/sh\n"
        f"{marker(name)}: {_PURPOSE[name]}.\n"
        "# Written by `llweek install-hook`; run that again to update it.\n"
        'PATH="${PATH:+$PATH:}/usr/local/bin:/usr/bin:/bin"\n'
        "export PATH\n"
        f"exec {llweek_command(name)}\n"
    )


@dataclass(frozen=True)
class Account:
    """Who the hooks will run as, for the self-test."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]
    home: str

    @classmethod
    def of(cls, entry: pwd.struct_passwd, extra: tuple[int, ...] = ()) -> "Account":
        groups = tuple(dict.fromkeys([*os.getgrouplist(entry.pw_name, entry.pw_gid), *extra]))
        return cls(entry.pw_name, entry.pw_uid, entry.pw_gid, groups, entry.pw_dir)


@dataclass(frozen=True)
class Installed:
    hooks: list[Path]
    gitolite: bool
    province: str | None
    tested_as: str  # the account the hooks ran as in the self-test
    ran: bool = True  # False: not root nor that account, so only its permissions were checked


def install_hook(bare: Path, *, gitolite: bool = False, province: str | None = None) -> Installed:
    """Install (or update) both hooks in `bare` and prove they run; refuses, naming the problem.

    Also turns on `receive.fsckObjects`, and sets what gitolite's VREF/NAME rules need to see
    every changed path as it is (`core.quotePath=false`, `diff.renames=false`).
    """
    if not bare.is_dir():
        raise LlweekError(f"{bare} 不存在或不是文件夹")
    if province is not None and not LOGIN_PATTERN.fullmatch(province):
        raise LlweekError(f"省级人员账号「{province}」不合规：只能用字母、数字和 . _ @ + -")
    account = _runner(bare, gitolite)
    # root installing into the hosting account's repository: git must not call it dubious
    trusted = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory",
               "GIT_CONFIG_VALUE_0": str(bare)}
    with GitRepo(bare) as repo:
        def git(*args: str) -> str:
            return repo.run(*args, env=trusted)

        if git("rev-parse", "--is-bare-repository").strip() != "true":
            raise LlweekError(f"{bare} 不是中心（bare）仓库：请用 git init --bare 建立中心仓库"
                              "（gitolite 会自动建立）")
        empty = not git("for-each-ref", "--count=1", "--format=%(refname)").strip()
        recorded = repo.call("config", "--get", PROVINCE_KEY, env=trusted)[1].strip() or None
        if empty and province is None and recorded is None:
            raise LlweekError("中心仓库还是空的：请用 --province <账号> 指定由哪位省级人员第一次推送"
                              "（该账号须在所推送的 access.toml 中登记为省级）")
        hooks = (bare / git("rev-parse", "--git-path", "hooks").strip()).resolve()
        paths = [hooks / name for name in HOOKS]
        previous = {path: path.read_bytes() if path.exists() else None for path in paths}
        for path, old in previous.items():
            if old is not None and marker(path.name).encode() not in old:
                raise LlweekError(f"{path} 已有另一个 {path.name} 钩子。为免覆盖，未安装；"
                                  "请先把它移走（或把两者合并）再安装")
        hooks.mkdir(exist_ok=True)
        for path in paths:
            atomic_write(path, hook_script(path.name).encode(), mode=0o755)
            _give_back(path, bare)
        problem = next((p for path in paths if (p := self_test(path, bare, account))), None)
        if problem:
            for path, old in previous.items():
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write(path, old, mode=0o755)
                    _give_back(path, bare)
            raise LlweekError(f"钩子试运行失败，已撤销安装：{problem}")
        settings = [("receive.fsckObjects", "true"), ("core.quotePath", "false"),
                    ("diff.renames", "false"), (GITOLITE_KEY, "true" if gitolite else "false"),
                    *((f"receive.fsck.{check}", "warn") for check in TREE_FSCK_CHECKS)]
        if province is not None:
            settings.append((PROVINCE_KEY, province))
        for key, value in settings:
            git("config", key, value)
        if empty:
            git("symbolic-ref", "HEAD", "refs/heads/main")
        for touched in ("config", "HEAD"):
            _give_back(bare / touched, bare)
    return Installed(paths, gitolite, province or recorded, account.name, can_run_as(account))


def _give_back(path: Path, bare: Path) -> None:
    """A file root wrote into someone else's repository belongs to that repository's owner."""
    info = bare.stat()
    if os.geteuid() == 0 and info.st_uid != 0:
        os.chown(path, info.st_uid, info.st_gid, follow_symlinks=False)


def _runner(bare: Path, gitolite: bool) -> Account:
    """Under gitolite, the hosting account that owns the repository; otherwise a staff account
    is one in the repository's group but not its owner (`nobody` with that group stands in)."""
    info = bare.stat()
    try:
        owner = pwd.getpwuid(info.st_uid)
    except KeyError:
        raise LlweekError(f"{bare} 的所有者（uid {info.st_uid}）不是本机的账号") from None
    if gitolite:
        return Account.of(owner)
    try:
        other = pwd.getpwnam("nobody")
    except KeyError:
        return Account.of(owner)
    return Account.of(other, (info.st_gid,)) if other.pw_uid != info.st_uid else Account.of(owner)


def can_run_as(account: Account) -> bool:
    """Whether this process can start the hooks as `account` (root can, and that account)."""
    return os.geteuid() in (0, account.uid)


def self_test(path: Path, bare: Path, account: Account) -> str | None:
    """Run hook `path` as `account` would for an empty push; the problem in Chinese, or None.

    Only root can start a process as someone else; anyone else checks, instead, that the
    account can reach and read every file the hook needs.
    """
    me = os.geteuid()
    if not can_run_as(account):
        return _unreachable(path, account)
    env = {"PATH": MINIMAL_PATH, "HOME": account.home, "GIT_DIR": "."}
    switch = {} if me == account.uid else {
        "user": account.uid, "group": account.gid, "extra_groups": list(account.groups)}
    try:
        done = subprocess.run([str(path)], cwd=bare, env=env, input=b"", capture_output=True,
                              timeout=SELF_TEST_SECONDS, check=False, **switch)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"以 {account.name} 账号运行 {path.name} 失败：{err}"
    if done.returncode == 0:
        return None
    said = (done.stderr or done.stdout).decode("utf-8", "replace").strip() or f"退出码 {done.returncode}"
    why = _unreachable(path, account)
    return f"以 {account.name} 账号运行 {path.name} 失败：{why or said}"


def _unreachable(hook: Path, account: Account) -> str | None:
    """The first file the hook needs that `account` cannot reach, read or run, said plainly."""
    needs = [(hook, os.R_OK | os.X_OK), (bare_python(), os.R_OK | os.X_OK), (ENTRY, os.R_OK)]
    for target, mode in needs:
        for step in _steps(target):
            wanted = mode if step == target or step == Path(os.path.realpath(target)) else os.X_OK
            if not _allowed(step, account, wanted):
                return (f"{account.name} 账号无法{'进入' if wanted == os.X_OK else '读取或运行'} "
                        f"{step}（{_describe(step)}）。请把 llweek 装在所有人都能读取和执行的位置"
                        "（如 /usr/bin/python3 -m venv /opt/llweek），再用那里的 llweek 安装")
    return None


def bare_python() -> Path:
    """The interpreter the hooks name (as written, before symbolic links)."""
    return Path(sys.executable)


def _steps(target: Path) -> list[Path]:
    """Every folder on the way to `target` and to what its symbolic links point at, then the file."""
    seen: list[Path] = []
    for path in dict.fromkeys([Path(os.path.abspath(target)), Path(os.path.realpath(target))]):
        seen += [p for p in reversed(path.parents) if p not in seen]
        seen.append(path)
    return seen


def _allowed(path: Path, account: Account, mode: int) -> bool:
    if account.uid == 0:
        return True
    try:
        info = path.stat()
    except OSError:
        return False
    if info.st_uid == account.uid:
        bits = (stat.S_IRUSR if mode & os.R_OK else 0) | (stat.S_IXUSR if mode & os.X_OK else 0)
    elif info.st_gid in account.groups:
        bits = (stat.S_IRGRP if mode & os.R_OK else 0) | (stat.S_IXGRP if mode & os.X_OK else 0)
    else:
        bits = (stat.S_IROTH if mode & os.R_OK else 0) | (stat.S_IXOTH if mode & os.X_OK else 0)
    return info.st_mode & bits == bits


def _describe(path: Path) -> str:
    try:
        info = path.stat()
    except OSError as err:
        return err.strerror or "无法访问"
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    try:
        group = grp.getgrgid(info.st_gid).gr_name
    except KeyError:
        group = str(info.st_gid)
    return f"{stat.filemode(info.st_mode)} {owner} {group}"
