"""Sync commits the data format's paths and nothing else: no temp file of git's, no export
written into the clone, no symlink, nothing a program left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datastore.sync import sync
from tests.conftest import git
from tests.gitscenarios import central, clone


@pytest.fixture
def mine(tmp_path: Path, sample_master: Path) -> Path:
    return clone(central(tmp_path, sample_master), tmp_path / "mine")


def _pushed_paths(repo: Path) -> str:
    return git(repo, "log", "origin/main", "--name-only", "--format=")


def test_only_data_paths_are_committed_and_the_rest_is_named(mine: Path):
    exports = mine / "units/changchun/导出"
    exports.mkdir()
    (exports / "2021-附表1-长春市.xlsx").write_bytes(b"PK\x03\x04 not a record")
    (mine / "notes.txt").write_text("个人笔记", encoding="utf-8")
    (mine / "units/changchun/photos/new-photo.jpg").write_bytes(b"\xff\xd8\xff photo bytes")
    (mine / "units/changchun/photos/link.jpg").symlink_to("/etc/passwd")
    os.mkfifo(mine / "units/changchun/photos/pipe.jpg")
    (mine / "units/changchun/photos/.hidden.jpg").write_bytes(b"x")
    (mine / "units/changchun/activities/Bad Name.toml").write_text('name = "x"\n', encoding="utf-8")
    result = sync(mine)
    assert result.committed == []
    assert result.untracked_photos == ["units/changchun/photos/new-photo.jpg"]  # asked first
    assert sorted(result.not_committed) == sorted([
        "notes.txt（不属于材料库的文件）",
        "units/changchun/activities/Bad Name.toml（不属于材料库的文件）",
        "units/changchun/photos/.hidden.jpg（不属于材料库的文件）",
        "units/changchun/photos/link.jpg（是符号链接，不是普通文件）",
        "units/changchun/导出/2021-附表1-长春市.xlsx（不属于材料库的文件）"])
    assert "new-photo.jpg" not in _pushed_paths(mine)
    result = sync(mine, photos=["units/changchun/photos/new-photo.jpg"])
    assert result.committed == ["units/changchun/photos/new-photo.jpg"]
    pushed = _pushed_paths(mine)
    assert "new-photo.jpg" in pushed
    assert not any(name in pushed for name in ("notes.txt", "导出", "link.jpg", "pipe.jpg", "hidden"))


def test_a_record_replaced_by_a_symlink_is_not_committed(mine: Path):
    record = mine / "units/changchun/unit.toml"
    record.unlink()
    record.symlink_to("/etc/passwd")
    result = sync(mine)
    assert result.not_committed == ["units/changchun/unit.toml（是符号链接，不是普通文件）"]
    assert git(mine, "show", "origin/main:units/changchun/unit.toml").startswith('id = "changchun"')


def test_a_deleted_record_is_committed_as_a_deletion(mine: Path):
    (mine / "units/changchun/cases/a56hz6uwqr.toml").unlink()
    result = sync(mine)
    assert result.committed == ["units/changchun/cases/a56hz6uwqr.toml"] and result.pushed == 1
