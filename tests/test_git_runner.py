"""Running git for a data repository: which folders are repositories, time limits, objects."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from tests.conftest import git


def _gone(pid: int) -> bool:
    """Not running any more (exited, or a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_folder_inside_a_repository_is_not_taken_for_one(sample_repo: Path):
    inside = sample_repo / "units"
    with pytest.raises(LlweekError, match="不是 Git 仓库"):
        GitRepo(inside)


def test_a_bare_repository_opens_as_its_own_git_folder(sample_repo: Path, tmp_path: Path):
    bare = tmp_path / "central.git"
    git(tmp_path, "clone", "-q", "--bare", str(sample_repo), str(bare))
    with GitRepo(bare) as repo:
        assert repo.git_dir == bare
        assert repo.run("rev-parse", "--is-bare-repository").strip() == "true"


def test_a_git_command_over_its_time_limit_is_stopped_with_what_it_started(sample_repo: Path,
                                                                           tmp_path: Path):
    pid_file = tmp_path / "child.pid"
    git(sample_repo, "config", "alias.slow", f"!sleep 30 & echo $! > '{pid_file}'; wait")
    started = time.monotonic()
    with GitRepo(sample_repo) as repo:
        status, _, err = repo.call("slow", timeout=1)
    assert time.monotonic() - started < 10
    assert status != 0 and err.startswith("Timeout:")
    assert _gone(int(pid_file.read_text()))


def test_objects_are_read_by_id_and_a_missing_one_is_a_value_error(sample_repo: Path):
    head_tree = git(sample_repo, "rev-parse", "HEAD^{tree}").strip()
    blob = git(sample_repo, "rev-parse", "HEAD:campaign.toml").strip()
    with GitRepo(sample_repo) as repo:
        name, kind, size, data = repo.object_data(blob)
        assert (name, kind) == (blob, "blob")
        assert data == (sample_repo / "campaign.toml").read_bytes() and size == len(data)
        assert repo.object_data(head_tree)[1] == "tree"
        assert repo.object_size(blob) == size
        with pytest.raises(ValueError):
            repo.object_data("0" * 40)
        assert repo.object_size(blob) == size  # still answering after a missing one
