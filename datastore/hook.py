"""Installing the pre-receive hook that enforces DESIGN §7 in the central bare repository.

The hook is a two-line shell script that runs `python -m tui pre-receive` with the Python
that installed it, so it finds llweek whatever environment git gives hooks (over SSH that is
nearly none). Installing checks that the script really runs there before returning.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from datastore.tomlio import atomic_write

HOOK_MARKER = "# llweek pre-receive hook"
SELF_TEST_SECONDS = 60.0
#: what sshd or gitolite may leave a hook with: no HOME, no LANG, a short PATH
MINIMAL_ENV = {"PATH": "/usr/bin:/bin"}


def hook_script(python: str = sys.executable) -> str:
    """The hook: llweek's check, with git's usual tools findable and UTF-8 messages."""
    return (
        "#!/bin/sh\n"
        f"{HOOK_MARKER}: who may change what (DESIGN §7).\n"
        "# Written by `llweek install-hook`; run that again to update it.\n"
        'PATH="${PATH:+$PATH:}/usr/local/bin:/usr/bin:/bin"\n'
        "export PATH\n"
        f'PYTHONUTF8=1 PYTHONIOENCODING=utf-8 exec {shlex.quote(python)} -m tui pre-receive "$PWD"\n'
    )


def install_hook(bare: Path) -> Path:
    """Install (or update) the hook in `bare`; returns the hook's path.

    Also turns on `receive.fsckObjects` (git then refuses malformed trees, such as a path
    with `..`), and points an empty repository's HEAD at `main`, the branch llweek uses.
    """
    if not bare.is_dir():
        raise LlweekError(f"{bare} 不存在或不是文件夹")
    with GitRepo(bare) as repo:
        if repo.run("rev-parse", "--is-bare-repository").strip() != "true":
            raise LlweekError(f"{bare} 不是中心（bare）仓库：请用 git init --bare 建立中心仓库")
        hooks = (bare / repo.run("rev-parse", "--git-path", "hooks").strip()).resolve()
        path = hooks / "pre-receive"
        previous = path.read_bytes() if path.exists() else None
        if previous is not None and HOOK_MARKER.encode() not in previous:
            raise LlweekError(f"{path} 已有另一个 pre-receive 钩子。为免覆盖，未安装；"
                              "请先把它移走（或把两者合并）再安装")
        repo.run("config", "receive.fsckObjects", "true")
        if not repo.run("for-each-ref", "--count=1", "--format=%(refname)").strip():
            repo.run("symbolic-ref", "HEAD", "refs/heads/main")
    atomic_write(path, hook_script().encode(), mode=0o755)
    problem = _self_test(path, bare)
    if problem:
        if previous is None:
            path.unlink()
        else:
            atomic_write(path, previous, mode=0o755)
        raise LlweekError(f"钩子试运行失败，已撤销安装：{problem}")
    return path


def _self_test(path: Path, bare: Path) -> str | None:
    """Run the hook as git would for an empty push, with a minimal environment."""
    try:
        done = subprocess.run([str(path)], cwd=bare, env=MINIMAL_ENV, input=b"",
                              capture_output=True, timeout=SELF_TEST_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    if done.returncode != 0:
        return (done.stderr or done.stdout).decode("utf-8", "replace").strip() or \
            f"退出码 {done.returncode}"
    return None
