"""The app on a repository full of hostile files: it starts, shows the dashboard and every unit,
and a save in it clears what a killed git left, saying so."""

from __future__ import annotations

from pathlib import Path

from tests.app_harness import commit_count, make_app, notices, screen_text, settle, via_palette
from tests.reliability.hostile import ACTIVITY, HOSTILE_FILES, plant


async def test_the_app_starts_on_a_repository_full_of_hostile_files(sample_repo: Path, crash_free):
    (sample_repo / ACTIVITY).write_bytes(HOSTILE_FILES["deep_arrays"])
    (sample_repo / "units/jilin/exhibition.toml").write_bytes(HOSTILE_FILES["wrong_types"])
    (sample_repo / "units/siping/unit.toml").write_bytes(HOSTILE_FILES["nul_escape"])
    plant(sample_repo, "units/changchun/photos/exh-01.jpg", "fifo")
    plant(sample_repo, "units/changchun/photos/exh-02.jpg", "link_loop")
    plant(sample_repo, "units/changchun/summary.toml", "link_dev_zero")
    plant(sample_repo, "units/jlu/cases", "link_parent")
    app = make_app(sample_repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "没有读取成功" not in shown and "长春市" in shown and "吉林大学" in shown
        assert app.workspace is not None
        found = {f.path for f in app.workspace.findings}
        assert {ACTIVITY, "units/changchun/summary.toml", "units/jlu/cases"} <= found
        await via_palette(pilot, "展板素材")
        await settle(pilot)
        assert "出错了" not in notices(app)


async def test_a_save_in_the_app_clears_a_stale_lock_and_says_so(sample_repo: Path, crash_free):
    (sample_repo / ".git/index.lock").write_text("")
    (sample_repo / ".git/HEAD.lock").write_text("")
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "工作方案")
        await pilot.press("end", "x", "ctrl+s")
        await settle(pilot)
        said = notices(app)
    assert commit_count(sample_repo) == before + 1
    assert "已清除上次中断留下的锁文件 .git/index.lock" in said
    assert "已清除上次中断留下的锁文件 .git/HEAD.lock" in said
