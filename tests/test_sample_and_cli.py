"""The sample campaign's history, and the command line people use: validate, status, init."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from datastore.gitrepo import merge_driver_command
from tests.conftest import git
from tui.cli import main


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ the sample history


def test_sample_history_is_a_believable_autumn_of_work(sample_master: Path):
    log = git(sample_master, "log", "--format=%an%x09%ad%x09%s", "--date=short").splitlines()
    rows = [line.split("\t") for line in log]
    assert len(rows) >= 20
    assert len({author for author, _, _ in rows}) >= 3
    dates = [dt.date.fromisoformat(day) for _, day, _ in rows]
    assert min(dates) >= dt.date(2021, 9, 1) and max(dates) <= dt.date(2021, 12, 31)
    assert {d.month for d in dates} == {9, 10, 11, 12}
    pattern = re.compile(r"^\S+: (新增|修改|删除|报送|撤销报送|审核|建立) ")
    assert all(pattern.match(subject) for _, _, subject in rows), [s for *_, s in rows if not pattern.match(s)]


def test_sample_commits_carry_unit_and_record_trailers(sample_master: Path):
    body = git(sample_master, "log", "-1", "--format=%B", "--", "units/changchun/activities")
    assert re.search(r"^长春市: (新增|修改) 附表1「.+」$", body, re.MULTILINE)
    assert "Llweek-Unit: changchun" in body
    assert re.search(r"^Llweek-Record: units/changchun/activities/[a-z2-7]{10}\.toml$", body, re.MULTILINE)


def test_sample_repository_is_clean_and_configured_for_field_merges(sample_master: Path):
    assert git(sample_master, "status", "--porcelain") == ""
    attributes = git(sample_master, "show", "HEAD:.gitattributes")
    assert "*.toml merge=llweek" in attributes and "*.jpg binary" in attributes
    assert git(sample_master, "config", "merge.llweek.driver").strip() == merge_driver_command()
    assert git(sample_master, "config", "core.fsync").strip() == "all"


def test_sample_photos_are_real_print_size_jpegs(sample_master: Path):
    from PIL import Image

    photos = list((sample_master / "units/changchun/photos").glob("*.jpg"))
    assert len(photos) == 14
    with Image.open(photos[0]) as image:
        assert image.format == "JPEG" and max(image.size) >= 1920 and min(image.size) >= 1080


def test_sample_shows_the_deliberate_mistakes(sample_master: Path, capsys):
    code, out, _ = run(capsys, "validate", "-C", str(sample_master), "--json")
    assert code == 1
    found = {(f["unit"], f["code"]) for f in json.loads(out)["findings"]}
    assert {("siping", "exhibition.title_too_long"), ("liaoyuan", "summary.too_short"),
            ("tonghua", "photo.unreadable"), ("baishan", "photo.resolution"),
            ("songyuan", "rank.duplicate")} <= found
    assert not any(unit == "changchun" for unit, _ in found)


# ------------------------------------------------------------------ validate


def test_validate_one_complete_unit_exits_zero(sample_master: Path, capsys):
    code, out, _ = run(capsys, "validate", "-C", str(sample_master), "--unit", "changchun")
    assert code == 0 and "全部材料符合通知要求" in out


def test_validate_text_names_file_field_and_reason(sample_master: Path, capsys):
    code, out, _ = run(capsys, "validate", "-C", str(sample_master), "--unit", "siping")
    assert code == 1
    assert "四平市（siping）" in out
    assert "错误  units/siping/exhibition.toml「title」  文稿题目 22 字，超过 20 字的上限" in out


def test_validate_json_findings_have_the_documented_fields(sample_master: Path, capsys):
    _, out, _ = run(capsys, "validate", "-C", str(sample_master), "--json")
    report = json.loads(out)
    assert report["errors"] == sum(f["severity"] == "error" for f in report["findings"])
    for finding in report["findings"]:
        assert set(finding) == {"severity", "code", "path", "field", "message", "line", "unit",
                                "deliverable"}
        assert finding["severity"] in ("error", "warning")


def test_validate_unknown_unit_or_folder_is_a_usage_error_in_chinese(tmp_path: Path, sample_master: Path, capsys):
    code, _, err = run(capsys, "validate", "-C", str(sample_master), "--unit", "nowhere")
    assert code == 2 and "没有单位「nowhere」" in err
    code, _, err = run(capsys, "validate", "-C", str(tmp_path))
    assert code == 2 and "不是活动周材料库" in err and "Traceback" not in err


# ------------------------------------------------------------------ status


def status(capsys, repo: Path, day: str) -> dict:  # noqa: ANN001
    code, out, _ = run(capsys, "status", "-C", str(repo), "--today", day, "--json")
    assert code == 0
    return json.loads(out)


def cell(report: dict, unit: str, key: str) -> dict:
    return next(u for u in report["units"] if u["id"] == unit)["deliverables"][key]


def test_status_before_the_first_deadline_shows_nothing_overdue(sample_master: Path, capsys):
    report = status(capsys, sample_master, "2021-09-20")
    assert [d["days_left"] for d in report["deadlines"]] == [8, 25, 81]
    states = {c["state"] for u in report["units"] for c in u["deliverables"].values()}
    assert "overdue" not in states and "submitted" not in states
    assert cell(report, "changbaishan", "work_plan")["state"] == "missing"
    assert cell(report, "changchun", "work_plan")["state"] == "complete"


def test_status_between_deadlines_marks_only_past_ones_overdue(sample_master: Path, capsys):
    report = status(capsys, sample_master, "2021-10-01")
    assert cell(report, "changchun", "work_plan")["state"] == "accepted"
    assert cell(report, "changbaishan", "work_plan")["state"] == "overdue"
    assert cell(report, "changbaishan", "activities")["state"] == "missing"
    assert cell(report, "siping", "exhibition")["state"] == "draft"
    assert report["deadlines"][0]["overdue"] and not report["deadlines"][1]["overdue"]


def test_status_after_all_deadlines(sample_master: Path, capsys):
    report = status(capsys, sample_master, "2021-12-20")
    assert cell(report, "baicheng", "activities")["state"] == "late"
    assert cell(report, "liaoyuan", "summary")["state"] == "returned"
    assert "1500" in cell(report, "liaoyuan", "summary")["review"]["comment"]
    assert cell(report, "changchun", "summary")["state"] == "accepted"
    assert cell(report, "jilin", "summary")["state"] == "submitted"
    assert cell(report, "siping", "summary")["state"] == "overdue"
    assert cell(report, "changchun", "advanced_units")["paper_sent"] == "2021-10-13"
    assert all(d["days_left"] < 0 for d in report["deadlines"])


def test_status_json_schema(sample_master: Path, capsys):
    report = status(capsys, sample_master, "2021-10-20")
    assert set(report) == {"today", "campaign", "deadlines", "units"}
    assert set(report["deadlines"][0]) == {"key", "title", "due", "days_left", "overdue",
                                           "deliverables", "units_done", "units_total"}
    assert len(report["units"]) == 15
    unit = report["units"][0]
    assert set(unit) == {"id", "name", "kind", "deliverables"}
    assert list(unit["deliverables"]) == ["work_plan", "activities", "exhibition",
                                          "advanced_units", "advanced_people", "summary", "cases"]
    assert set(unit["deliverables"]["work_plan"]) == {"state", "label", "due", "days_left", "errors",
                                                      "warnings", "submitted", "first_submitted",
                                                      "paper_sent", "review"}


def test_status_text_fits_80_columns_and_explains_the_symbols(sample_master: Path, capsys):
    from tui.commands.common import width

    code, out, _ = run(capsys, "status", "-C", str(sample_master), "--today", "2021-10-20")
    assert code == 0
    lines = out.splitlines()
    assert all(width(line) <= 80 for line in lines if not line.startswith("图例"))
    assert any(line.startswith("长春市") for line in lines) and "图例：" in out
    assert "还剩 51 天" in out and "已过 22 天" in out


def test_a_malformed_today_is_a_usage_error(sample_master: Path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["status", "-C", str(sample_master), "--today", "10/20/2021"])
    assert stop.value.code == 2
    assert "应写作 YYYY-MM-DD" in capsys.readouterr().err


# ------------------------------------------------------------------ init


def test_init_year_moves_the_notices_deadlines_to_that_year(tmp_path: Path, capsys):
    subprocess.run(["git", "config", "--global", "user.name", "吴晓辉"], check=True)
    subprocess.run(["git", "config", "--global", "user.email", "jlqmx@126.com"], check=True)
    try:
        code, out, _ = run(capsys, "init", str(tmp_path / "y2022"), "--year", "2022")
    finally:
        subprocess.run(["git", "config", "--global", "--unset", "user.name"], check=True)
        subprocess.run(["git", "config", "--global", "--unset", "user.email"], check=True)
    assert code == 0 and "2022 年活动周材料库已建立" in out
    repo = tmp_path / "y2022"
    code, out, _ = run(capsys, "status", "-C", str(repo), "--today", "2022-09-01", "--json")
    report = json.loads(out)
    assert [d["due"] for d in report["deadlines"]] == ["2022-09-28", "2022-10-15", "2022-12-10"]
    assert git(repo, "log", "--format=%an %s").strip() == "吴晓辉 吉林省: 建立 2022 年活动周材料库"
    assert git(repo, "status", "--porcelain") == ""


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys):
    (tmp_path / "keep.txt").write_text("别人的文件", encoding="utf-8")
    code, _, err = run(capsys, "init", str(tmp_path), "--sample")
    assert code == 2 and "不是空文件夹" in err
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "别人的文件"


def test_init_year_without_a_git_identity_says_how_to_set_one(tmp_path: Path, capsys):
    code, _, err = run(capsys, "init", str(tmp_path / "new"), "--year", "2023")
    assert code == 2 and "git config" in err
    assert not (tmp_path / "new").exists()


def test_usage_errors_are_chinese_with_exit_code_two():
    done = subprocess.run([sys.executable, "-m", "tui", "status", "--bogus"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 2
    assert "命令行参数有误" in done.stderr and "Traceback" not in done.stderr


def test_demo_builds_the_sample_and_shows_it_as_of_its_own_day(tmp_path: Path, capsys):
    # an unknown unit stops before the full-screen app opens, after the repository is built
    code, out, err = run(capsys, "demo", str(tmp_path / "demo"), "--unit", "nowhere")
    assert code == 2 and "nowhere" in err
    assert "按 2021-12-08 显示" in out
    assert git(tmp_path / "demo", "status", "--porcelain") == ""
