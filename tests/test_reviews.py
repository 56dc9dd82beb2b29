"""The province's review: one commit per decision, refused for unit staff, seen by the unit."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest

from datastore.access import find_actor
from datastore.deadlines import State, unit_status
from datastore.errors import LlweekError, PermissionDenied
from datastore.gitrepo import Identity
from datastore.loader import load_repo
from datastore.marks import set_mark
from datastore.reviews import set_review
from datastore.roles import read_access
from datastore.rules import validate_repo
from tests.conftest import git, set_identity
from tui.cli import main

PROVINCE = Identity("吴晓辉", "jlqmx@126.com")
DAY = dt.datetime(2021, 12, 14, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def staff(root: Path, login: str):
    actor = find_actor(read_access(root), login)
    assert actor is not None
    return actor


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_a_review_is_one_commit_that_reads_well_in_git_log(sample_repo: Path):
    count = commits(sample_repo)
    result = set_review(sample_repo, "changchun", "work_plan", "returned", "  请补充开幕式安排。 ",
                        actor=staff(sample_repo, "wuxiaohui"), author=PROVINCE, when=DAY)
    assert result.commit and commits(sample_repo) == count + 1
    assert git(sample_repo, "log", "-1", "--format=%B").strip() == (
        "吉林省: 审核 长春市 工作方案：已退回\n\n意见：请补充开幕式安排。\n\n"
        "Llweek-Unit: changchun\nLlweek-Record: reviews/changchun.toml")
    assert git(sample_repo, "log", "-1", "--format=%an %ad", "--date=short").strip() == \
        "吴晓辉 2021-12-14"
    assert git(sample_repo, "show", "--name-only", "--format=", "HEAD").split() == \
        ["reviews/changchun.toml"]
    assert git(sample_repo, "status", "--porcelain") == ""
    reviews = load_repo(sample_repo).reviews["changchun"]
    assert (reviews.work_plan.state, reviews.work_plan.at, reviews.work_plan.by,
            reviews.work_plan.comment) == ("returned", DAY.date(), "wuxiaohui", "请补充开幕式安排。")
    assert reviews.summary.state == "accepted"  # the other decisions stay as they were


def test_the_first_review_of_a_unit_creates_its_file(sample_repo: Path):
    assert not (sample_repo / "reviews/changbaishan.toml").exists()
    set_review(sample_repo, "changbaishan", "activities", "received", None,
               actor=staff(sample_repo, "zhaomin"), author=PROVINCE, when=DAY)
    entry = load_repo(sample_repo).reviews["changbaishan"].activities
    assert (entry.state, entry.by, entry.comment) == ("received", "zhaomin", None)
    assert git(sample_repo, "log", "-1", "--format=%s").strip() == \
        "吉林省: 审核 长白山管委会 附表1 示范活动：已收到"


def test_unit_staff_cannot_review_and_nothing_is_written(sample_repo: Path):
    before, count = (sample_repo / "reviews/changchun.toml").read_bytes(), commits(sample_repo)
    with pytest.raises(PermissionDenied, match="张丽（cc-zhangli，单位 changchun）不能审核"):
        set_review(sample_repo, "changchun", "summary", "accepted", None,
                   actor=staff(sample_repo, "cc-zhangli"), when=DAY)
    assert (sample_repo / "reviews/changchun.toml").read_bytes() == before
    assert commits(sample_repo) == count


@pytest.mark.parametrize(("unit", "deliverable", "state", "comment", "message"), [
    ("changchun", "summary", "returned", "  ", "退回时请写明意见"),
    ("changchun", "summary", "maybe", None, "审核状态「maybe」无效"),
    ("changchun", "photos", "accepted", None, "未知的材料「photos」"),
    ("nowhere", "summary", "accepted", None, "单位「nowhere」不在 campaign.toml"),
    ("../x", "summary", "accepted", None, "单位编号「../x」不合规"),
])
def test_a_review_that_makes_no_sense_is_refused(sample_repo: Path, unit, deliverable, state,
                                                 comment, message):
    count = commits(sample_repo)
    with pytest.raises(LlweekError, match=message):
        set_review(sample_repo, unit, deliverable, state, comment,
                   actor=staff(sample_repo, "wuxiaohui"), when=DAY)
    assert commits(sample_repo) == count and git(sample_repo, "status", "--porcelain") == ""


def test_a_review_made_by_the_province_is_visible_to_the_unit_after_sync(
        tmp_path: Path, sample_master: Path, capsys):
    central = tmp_path / "central.git"
    git(tmp_path, "clone", "-q", "--bare", str(sample_master), str(central))
    assert main(["install-hook", "--gitolite", str(central)]) == 0  # GL_USER names the pusher
    capsys.readouterr()
    province, unit = tmp_path / "province", tmp_path / "changchun"
    for clone, (name, email) in ((province, (PROVINCE.name, PROVINCE.email)),
                                 (unit, ("张丽", "cc_zhangli@126.com"))):
        git(tmp_path, "clone", "-q", str(central), str(clone))
        set_identity(clone, name, email)

    set_review(province, "changchun", "summary", "returned", "请补充典型做法和具体数据。",
               actor=staff(province, "wuxiaohui"), when=DAY)
    push(province, "wuxiaohui")
    git(unit, "pull", "-q", "--no-rebase", "--no-edit")

    data = load_repo(unit)
    cell = unit_status(data, data.units["changchun"], validate_repo(data), DAY.date())["summary"]
    assert cell.state is State.RETURNED and cell.state.needs_work
    assert cell.review.comment == "请补充典型做法和具体数据。"
    assert main(["status", "-C", str(unit), "--today", "2021-12-15", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    shown = next(u for u in report["units"] if u["id"] == "changchun")["deliverables"]["summary"]
    assert shown["state"] == "returned" and shown["review"]["comment"] == "请补充典型做法和具体数据。"

    # the unit submits again: the return no longer counts, and the server takes the mark
    set_mark(unit, "changchun", "summary", submitted=dt.date(2021, 12, 16),
             actor=staff(unit, "cc-zhangli"), when=DAY + dt.timedelta(days=2))
    push(unit, "cc-zhangli")
    data = load_repo(unit)
    cell = unit_status(data, data.units["changchun"], [], dt.date(2021, 12, 16))["summary"]
    assert cell.state in (State.SUBMITTED, State.LATE) and not cell.state.needs_work


def push(clone: Path, login: str) -> None:
    done = subprocess.run(["git", "-C", str(clone), "push", "-q", "origin", "HEAD:main"],
                          capture_output=True, text=True, env={**os.environ, "GL_USER": login},
                          check=False)
    assert done.returncode == 0, done.stderr
