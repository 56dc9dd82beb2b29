"""Large repositories are validated unit by unit in worker processes, with the same result."""

from __future__ import annotations

from pathlib import Path

from benchmarks.synthetic import build
from datastore.loader import load_repo
from datastore.rules import validate_repo
from datastore.validation import PARALLEL_FROM_UNITS, validate_path


def test_parallel_validation_finds_exactly_what_the_serial_one_finds(tmp_path: Path):
    repo = build(tmp_path / "big", units=PARALLEL_FROM_UNITS + 2, activities=3, git=False)
    exhibition = repo / "units/unit-003/exhibition.toml"
    exhibition.write_text(exhibition.read_text(encoding="utf-8").replace(
        'title = "智慧助老 学习无龄"', 'title = "' + "长" * 25 + '"'), encoding="utf-8")
    (repo / "units/unit-007/work_plan.toml").write_text("title = \n", encoding="utf-8")
    (repo / "units/unit-011/photos/p2.jpg").unlink()

    serial = validate_repo(load_repo(repo))
    data, parallel, _ = validate_path(repo)

    assert parallel == serial
    assert {f.code for f in parallel if f.is_error} >= {"exhibition.title_too_long", "toml.syntax",
                                                        "photo.unreadable"}
    assert data.units["unit-003"].name == "第3市"


def test_parallel_validation_of_one_unit_reports_only_that_unit(tmp_path: Path):
    repo = build(tmp_path / "big", units=PARALLEL_FROM_UNITS, activities=2, git=False)
    (repo / "units/unit-001/photos/p0.jpg").unlink()
    (repo / "units/unit-002/photos/p0.jpg").unlink()
    _, found, _ = validate_path(repo, "unit-002")
    assert found and {f.unit for f in found} == {"unit-002"}
