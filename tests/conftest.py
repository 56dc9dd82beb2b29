"""Shared fixtures: real Git repositories in temp folders, built from the sample campaign.

Every test runs with its own HOME, so the machine's Git config (identity, hooks) never leaks
in: a clone has exactly the identity a test gives it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from datastore.scaffold import init_sample

_HOME = Path(__import__("tempfile").mkdtemp(prefix="llweek-test-home-"))
os.environ.update(HOME=str(_HOME), XDG_CONFIG_HOME=str(_HOME / ".config"),
                  GIT_CONFIG_NOSYSTEM="1", LANG="C.UTF-8")
for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
             "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GL_USER"):
    os.environ.pop(name, None)

TESTER = ("测试员", "tester@example.cn")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two test processes per core. A Pilot test spends much of its time waiting
    for the app to go idle; a second process per core uses that time (on 2 cores, one of
    them busy elsewhere, the suite takes 3 minutes instead of 4)."""
    return 2 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                else os.cpu_count() or 1)


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Plain git, as a person would type it, for arranging and checking scenarios."""
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}{done.stdout}")
    return done.stdout


def set_identity(repo: Path, name: str = TESTER[0], email: str = TESTER[1]) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", email)


@pytest.fixture(scope="session")
def sample_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample campaign, built once per test run; tests work on copies."""
    target = tmp_path_factory.mktemp("master") / "sample"
    init_sample(target)
    return target


@pytest.fixture
def sample_repo(tmp_path: Path, sample_master: Path) -> Path:
    """A private copy of the sample repository with a tester identity."""
    target = tmp_path / "repo"
    shutil.copytree(sample_master, target, symlinks=True)
    set_identity(target)
    return target
