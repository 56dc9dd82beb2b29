"""Fixtures of the reliability tests: a plain copy of the sample's files, and the command line
run in-process with its output captured and any internal error caught where it is logged."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.hostile import INTERNAL, copy_tree
from tui.cli import main
from tui.failures import crash_log


@pytest.fixture
def plain_repo(tmp_path: Path, sample_master: Path) -> Path:
    """The sample campaign's files without Git: every read-only command works on it."""
    return copy_tree(sample_master, tmp_path / "repo")


@pytest.fixture
def crash_free(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Internal errors are logged under tmp_path; the test fails if one was."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield
    assert not crash_log().exists(), crash_log().read_text(encoding="utf-8")[-3000:]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, crash_free: None) -> Callable[..., tuple[int, str, str]]:
    """`llweek argv…` in this process: (exit code, stdout, stderr), never an internal error."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert INTERNAL not in out + err, err
        return code, out, err

    return run
