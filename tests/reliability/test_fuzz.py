"""No content a repository can hold reaches an internal error, and every command stays within
bounds on it (10 s of CPU, 300 MB; still running after a minute is a hang): hypothesis builds
the repositories (tests.reliability.strategies), and validate, status, export and a Pilot
start of the app run on each.

The quick tests here fuzz the reading of single files and a few trees in-process; the slow
ones (`pytest -m slow`) run every command as its own process on many fuzzed repositories.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from datastore.deadlines import repo_status
from datastore.findings import Severity
from datastore.loader import load_repo, record_from_bytes
from datastore.models import KINDS, Access, Campaign, Reviews
from datastore.rules import validate_repo
from datastore.tomlio import TomlSyntaxError, parse
from tests.reliability.hostile import (
    ACTIVITY,
    APP_START,
    HOSTILE_FILES,
    MEMORY_LIMIT_MB,
    TIME_LIMIT,
    Run,
    copy_tree,
    plant,
    run_llweek,
)
from tests.reliability.strategies import Change, describe, file_contents, trees

MODELS = [Campaign, Access, Reviews, *(kind.model for kind in KINDS.values())]
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
#: every example costs seconds of processes: a failure is reported as found, not shrunk
SLOW = dict(deadline=None, suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate])


@QUICK
@given(st.text(max_size=400) | file_contents.map(lambda b: b.decode("utf-8", "replace")))
def test_parsing_any_text_gives_data_or_a_finding_with_a_line(text: str):
    try:
        assert isinstance(parse(text), dict)
    except TomlSyntaxError as err:
        assert err.line is None or err.line >= 1
        assert str(err).startswith("TOML 格式错误")


@QUICK
@given(file_contents, st.sampled_from(MODELS))
def test_any_bytes_read_as_a_record_are_a_record_or_findings(raw: bytes, model):  # noqa: ANN001
    findings: list = []
    stored = record_from_bytes(raw, "units/changchun/x.toml", None, model, "changchun", findings)
    assert all(f.path == "units/changchun/x.toml" for f in findings)
    if stored.record is None:
        assert any(f.severity is Severity.ERROR and f.line for f in findings), findings
    else:  # every field holds its declared type (or nothing)
        type(stored.record).model_validate(stored.record.model_dump(exclude_none=True,
                                                                     by_alias=True))


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(trees)
def test_fuzzed_trees_load_validate_and_report_in_process(sample_master: Path, tree: list[Change]):
    with fuzzed(sample_master, tree) as (_, root):
        if root is not None:
            data = load_repo(root)
            repo_status(data, validate_repo(data), dt.date(2021, 10, 20))


@contextmanager
def fuzzed(sample_master: Path, tree: list[Change]) -> Iterator[tuple[Path, Path | None]]:
    """A temp folder and in it the sample's files with `tree` applied; None instead of the
    repository when the changes left no campaign.toml (no longer a data repository: every
    command says so, exit 2)."""
    with tempfile.TemporaryDirectory() as folder:
        root = copy_tree(sample_master, Path(folder) / "repo")
        for change in tree:
            change.apply(root)
        yield Path(folder), root if os.path.lexists(root / "campaign.toml") else None


# ------------------------------------------------------------------ every command, bounded


def _bounded(run: Run, allowed: set[int], what: str) -> None:
    assert not run.internal_error, f"{what}\n{run.describe()}"
    assert run.code in allowed, f"{what}\n{run.describe()}"
    assert run.cpu_seconds < TIME_LIMIT, f"{what}\n{run.describe()}"
    assert run.max_rss_mb < MEMORY_LIMIT_MB, f"{what}\n{run.describe()}"


def _commands(root: Path, out: Path) -> list[tuple[list[str], set[int]]]:
    return [
        (["validate", "-C", str(root)], {0, 1}),
        (["validate", "-C", str(root), "--json"], {0, 1}),
        (["status", "-C", str(root), "--today", "2021-10-20"], {0}),
        # --force: the rest exported, unreadable files listed; without, they stop it (exit 1)
        (["export", "-C", str(root), "--unit", "changchun", "--package", "--force",
          "-o", str(out / "p")], {0, 2}),
        (["export", "-C", str(root), "--all-units", "-o", str(out / "all")], {0, 1, 2}),
    ]


@pytest.mark.slow
@settings(max_examples=25, **SLOW)
@given(trees)
def test_every_command_stays_within_bounds_on_fuzzed_repositories(sample_master: Path,
                                                                   tree: list[Change]):
    with fuzzed(sample_master, tree) as (base, root):
        for argv, allowed in _commands(root, base / "out") if root else ():
            _bounded(run_llweek(argv, base), allowed, describe(tree))


@pytest.mark.slow
@settings(max_examples=12, **SLOW)
@given(trees)
def test_the_app_starts_on_fuzzed_repositories(sample_master: Path, tree: list[Change]):
    with fuzzed(sample_master, tree) as (base, root):
        if root is not None:
            run = run_llweek([str(root)], base, python_code=APP_START)
            _bounded(run, {0}, describe(tree))
            assert "截止" in run.out and "没有读取成功" not in run.out, run.out


WORST = {
    "a record that is a link to /dev/zero": lambda root: plant(root, ACTIVITY, "link_dev_zero"),
    "a record that is a FIFO": lambda root: plant(root, ACTIVITY, "fifo"),
    "a photo that is a FIFO": lambda root: plant(root, "units/changchun/photos/exh-01.jpg", "fifo"),
    "a photos folder linked round in a loop": lambda root: plant(root, "units/changchun/photos", "link_parent"),
    "a 3.6 MB record of 300,000 keys": lambda root: (root / ACTIVITY).write_bytes(
        b"".join(b"k%d = 1\n" % n for n in range(300_000))),
    "a 0.9 MB record of 100,000 unknown keys": lambda root: (root / ACTIVITY).write_bytes(
        b"".join(b"k%d = 1\n" % n for n in range(100_000))),
    "16,000 unknown keys": lambda root: (root / ACTIVITY).write_bytes(HOSTILE_FILES["many_unknown_keys"]),
    "nesting 450 deep": lambda root: (root / ACTIVITY).write_bytes(HOSTILE_FILES["deep_arrays"]),
    "a dotted key of 1,000 parts": lambda root: (root / ACTIVITY).write_bytes(HOSTILE_FILES["dotted_key_1000"]),
    "a 50 MB photo": lambda root: plant(root, "units/changchun/photos/exh-01.jpg", "huge_sparse"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(WORST))
def test_the_worst_cases_stay_within_bounds_in_every_command_and_the_app(
        sample_master: Path, tmp_path: Path, name: str):
    root = copy_tree(sample_master, tmp_path / "repo")
    WORST[name](root)
    for argv, allowed in _commands(root, tmp_path / "out"):
        _bounded(run_llweek(argv, tmp_path), allowed, name)
    run = run_llweek([str(root)], tmp_path, python_code=APP_START)
    _bounded(run, {0}, name)
    assert "没有读取成功" not in run.out
