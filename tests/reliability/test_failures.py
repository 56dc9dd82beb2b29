"""One place decides what an internal error is (tui.failures): the command line and the app
both ask it, and only it writes the sentence and the log."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from datastore.errors import LlweekError, RepoBusy
from tests.app_harness import make_app, notices, settle
from tui import failures
from tui.jobs import Job
from tui.cli import main

SOURCES = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return failures.crash_log()


def test_an_expected_refusal_is_its_own_sentence_and_logs_nothing(log_here: Path):
    failure = failures.explain(RepoBusy("材料库正被占用：张丽（同步）。请稍后再试"))
    assert failure == failures.Failure("材料库正被占用：张丽（同步）。请稍后再试", False)
    assert not log_here.exists()


def test_anything_else_is_an_internal_error_logged_with_its_traceback(log_here: Path):
    try:
        {}["missing"]
    except KeyError as err:
        failure = failures.explain(err)
    assert failure.internal
    assert failure.message.startswith("llweek 内部错误：'missing'，详细信息已记入 ")
    assert "Traceback" in log_here.read_text(encoding="utf-8")


def test_the_command_line_asks_the_one_place(log_here: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys):
    from tui.commands import validate

    def broken(args):  # noqa: ANN001, ANN202
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(validate, "run", broken)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("llweek 内部错误：division by zero") and "请把这条信息告诉维护人员" in err
    assert "Traceback" not in err and log_here.exists()
    monkeypatch.setattr(validate, "run", lambda args: (_ for _ in ()).throw(LlweekError("没有这个单位")))
    assert main(["validate"]) == 2 and capsys.readouterr().err == "没有这个单位\n"


async def test_the_app_asks_the_one_place_for_a_failed_job(sample_repo: Path, log_here: Path):
    app = make_app(sample_repo)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.submit(Job(lambda: 1 / 0))
        app.submit(Job(lambda: (_ for _ in ()).throw(LlweekError("保存没有进行：材料库正被占用"))))
        await settle(pilot)
        shown = notices(app)
    assert "llweek 内部错误：division by zero" in shown and "已保存的内容不受影响" in shown
    assert "保存没有进行：材料库正被占用" in shown
    assert log_here.exists()


def test_no_other_module_words_an_internal_error():
    sources = [p for folder in ("datastore", "exports", "tui") for p in (SOURCES / folder).rglob("*.py")]
    wording = [p.relative_to(SOURCES).as_posix() for p in sources
               if "内部错误" in p.read_text(encoding="utf-8")]
    assert wording == ["tui/failures.py"]
