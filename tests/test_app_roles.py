"""Who may edit in the app follows access.toml: listed staff by role, nobody listed = no roles."""

from __future__ import annotations

from pathlib import Path

from tests.app_harness import TODAY, settle
from tui.app import LlweekApp


async def test_without_staff_in_access_toml_everyone_may_edit(sample_repo: Path):
    (sample_repo / "access.toml").write_text("", encoding="utf-8")
    app = LlweekApp(sample_repo, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.may_edit("changchun") and app.may_edit("jlu")


async def test_a_login_missing_from_a_staffed_access_toml_may_only_look(sample_repo: Path):
    app = LlweekApp(sample_repo, today=TODAY)  # the test's login is in no access.toml line
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.may_edit("changchun")
        assert app.who() == "只读"
