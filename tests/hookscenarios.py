"""The central repository as the hook tests see it: a bare repository with llweek's hooks in
gitolite mode, holding the campaign the province pushed first, and staff clones of it.

Each push runs `git push` with GL_USER in its environment; for a path remote, git's
receive-pack (and so the hook) inherits it, as under gitolite. The bare repository belongs to
the account running the tests, as gitolite's repositories belong to its hosting account.
Test modules import the fixtures they use (`central`, `clone_as`) from here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.builders import tiny_repo
from tests.conftest import git, set_identity
from tui.cli import main

PROVINCE, CHANGCHUN, JILIN = "wuxiaohui", "cc-zhangli", "jl-liuhong"
PEOPLE = {PROVINCE: ("吴晓辉", "jlqmx@126.com"), CHANGCHUN: ("张丽", "cc_zhangli@126.com"),
          JILIN: ("刘红", "jlsjyj_liuhong@163.com"), "zhaomin": ("赵敏", "zhaomin_jlqmx@126.com")}


def push(clone: Path, login: str | None, *refspec: str, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess:
    """`git push` as `login` would run it; returns the finished process (never raises)."""
    full = dict(os.environ if env is None else env)
    full.pop("GL_USER", None)
    if login is not None:
        full["GL_USER"] = login
    return subprocess.run(["git", "-C", str(clone), "push", "origin", *(refspec or ["HEAD:main"])],
                          capture_output=True, text=True, env=full, check=False)


def commit_file(clone: Path, rel: str, text: str | bytes, message: str = "修改") -> str:
    path = clone / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    git(clone, "add", "--", rel)
    git(clone, "commit", "-q", "-m", message)
    return git(clone, "rev-parse", "HEAD").strip()


def commit_entry(clone: Path, mode: str, sha: str, rel: str, message: str) -> str:
    """Commit an index entry as git stores it (a symbolic link, a gitlink…), whatever the disk."""
    git(clone, "update-index", "--add", "--cacheinfo", f"{mode},{sha},{rel}")
    git(clone, "commit", "-q", "-m", message)
    return git(clone, "rev-parse", "HEAD").strip()


def install(bare: Path, capsys: pytest.CaptureFixture, *extra: str) -> str:
    code = main(["install-hook", "--gitolite", "--province", PROVINCE, *extra, str(bare)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def seed_campaign(root: Path) -> Path:
    """The province's first commit: the sample's campaign and staff, two units, one review."""
    seed = tiny_repo(root)
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
    return seed


@pytest.fixture(scope="module")
def central_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: the hooks installed, the campaign the province pushed first."""
    top = tmp_path_factory.mktemp("central")
    bare = top / "central.git"
    git(top, "init", "-q", "--bare", str(bare))
    assert main(["install-hook", "--gitolite", "--province", PROVINCE, str(bare)]) == 0
    seed = seed_campaign(top / "seed")
    git(seed, "remote", "add", "origin", str(bare))
    done = push(seed, PROVINCE)
    assert done.returncode == 0, done.stderr
    return bare


@pytest.fixture
def central(central_master: Path, tmp_path: Path) -> Path:
    """A private copy of the central repository for one test."""
    bare = tmp_path / "central.git"
    shutil.copytree(central_master, bare, symlinks=True)
    return bare


@pytest.fixture
def clone_as(central: Path, tmp_path: Path):
    def make(login: str) -> Path:
        target = tmp_path / f"clone-{login}"
        git(tmp_path, "clone", "-q", str(central), str(target))
        set_identity(target, *PEOPLE.get(login, (login, f"{login}@example.cn")))
        return target
    return make


def hash_text(repo: Path, text: str) -> str:
    """`git hash-object -w` of a text: a blob written straight into the object store."""
    done = subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=text,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def server_head(central: Path) -> str:
    return git(central, "rev-parse", "main").strip()
