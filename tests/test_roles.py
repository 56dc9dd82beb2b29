"""Who the person at the keyboard is, and what the app and the CLI let them change."""

from __future__ import annotations

from pathlib import Path

import pytest

from datastore.errors import PermissionDenied
from datastore.models import WORK_PLAN, WorkPlan
from datastore.roles import require_cli_write, rights_for
from datastore.save import current_digest, save_record
from tests.conftest import git, set_identity


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_a_unit_user_is_found_by_login_and_edits_only_their_unit(sample_repo: Path, monkeypatch):
    monkeypatch.setenv("GL_USER", "cc-zhangli")
    rights = rights_for(sample_repo)
    assert rights.known and rights.staff.name == "张丽" and rights.staff.unit == "changchun"
    assert rights.may_edit_unit("changchun")
    assert not rights.may_edit_unit("jilin")
    assert not rights.may_review
    assert not rights.may_write("campaign.toml") and not rights.may_write("reviews/changchun.toml")


def test_without_a_known_login_the_git_email_finds_the_person(sample_repo: Path):
    set_identity(sample_repo, "吴晓辉", "JLQMX@126.com")
    rights = rights_for(sample_repo)
    assert rights.known and rights.staff.login == "wuxiaohui"
    assert rights.may_review and rights.may_edit_unit("jilin") and rights.may_write("access.toml")


def test_a_cli_write_outside_the_role_is_refused_naming_the_paths(sample_repo: Path, monkeypatch):
    monkeypatch.setenv("GL_USER", "cc-zhangli")
    actor = require_cli_write(sample_repo, ["units/changchun/work_plan.toml"])
    assert actor is not None and actor.unit == "changchun"
    with pytest.raises(PermissionDenied) as refused:
        require_cli_write(sample_repo, ["units/changchun/work_plan.toml", "campaign.toml",
                                        "units/jilin/unit.toml"])
    assert str(refused.value) == ("张丽（cc-zhangli，单位 changchun）只能修改 units/changchun/ "
                                  "下的文件，无权修改：campaign.toml、units/jilin/unit.toml")


def test_saving_another_units_record_is_refused_and_nothing_changes(sample_repo: Path, monkeypatch):
    monkeypatch.setenv("GL_USER", "cc-zhangli")
    rel = WORK_PLAN.path("jilin")
    before, count = (sample_repo / rel).read_bytes(), commits(sample_repo)
    with pytest.raises(PermissionDenied, match="无权修改：units/jilin/work_plan.toml"):
        save_record(sample_repo, WORK_PLAN, "jilin", WorkPlan(title="改"),
                    expected=current_digest(sample_repo, rel), actor=rights_for(sample_repo).actor)
    assert (sample_repo / rel).read_bytes() == before and commits(sample_repo) == count


def test_someone_not_in_access_toml_may_look_but_change_nothing(sample_repo: Path, monkeypatch):
    monkeypatch.setenv("GL_USER", "visitor")
    rights = rights_for(sample_repo)
    assert not rights.known and rights.enforced
    assert not rights.may_edit_unit("changchun") and not rights.may_review
    with pytest.raises(PermissionDenied) as refused:
        require_cli_write(sample_repo, ["units/changchun/work_plan.toml"])
    assert "visitor（未登记单位）在 access.toml 中没有登记可修改的单位" in str(refused.value)
    assert "units/changchun/work_plan.toml" in str(refused.value)


def test_without_a_staff_list_everyone_may_change_everything(sample_repo: Path, monkeypatch):
    monkeypatch.setenv("GL_USER", "visitor")
    (sample_repo / "access.toml").unlink()
    rights = rights_for(sample_repo)
    assert not rights.enforced and rights.actor is None
    assert rights.may_review and rights.may_edit_unit("jilin")
    assert require_cli_write(sample_repo, ["campaign.toml"]) is None


def test_session_actor_follows_unit_option_then_staff_list():
    from datastore.models import Access
    from datastore.roles import session_actor

    staffed = Access.model_validate({"staff": [
        {"login": "cc-zhangli", "name": "张丽", "unit": "changchun", "role": "unit"}]})
    assert session_actor(staffed, "cc-zhangli", None).unit == "changchun"
    assert session_actor(staffed, "stranger", "x@example.cn") is None
    laptop = session_actor(staffed, "stranger", None, "李四", unit="jilin")
    assert (laptop.role, laptop.unit, laptop.name) == ("unit", "jilin", "李四")
    nobody = session_actor(Access(), "anyone", None)
    assert nobody is not None and nobody.is_province
