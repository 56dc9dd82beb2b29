"""Order that matters: cases are numbered in the order they were added and moved, with the
reorder keys; the package's file names follow (典型活动案例1, 典型活动案例2)."""

from __future__ import annotations

import tomllib

from app_harness import (commit_count, last_commit, make_app, settle, type_text, via_palette,
                         worktree_changes)
from docx import Document

from tests.gitscenarios import llweek
from tui.screens.cases import CaseEditor, CasesScreen


def package_cases(capsys, repo, unit: str, out) -> dict[str, str]:
    """File name → case title of the cases in the unit's exported package."""
    code, _, err = llweek(capsys, "export", "-C", str(repo), "--unit", unit, "--package",
                          "-o", str(out))
    assert code == 0, err
    folder = next(path for path in out.iterdir() if path.is_dir())
    return {path.name: Document(path).paragraphs[0].text
            for path in sorted(folder.glob("*典型活动案例*.docx"))}


def rows(app) -> list[str]:
    table = app.screen.query_one("#records")
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_cases_added_one_after_the_other_keep_that_order(sample_repo, tmp_path, capsys):
    app = make_app(sample_repo, "siping")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "典型案例")
        for title in ("智慧助老", "书香长春"):
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, CaseEditor)
            await type_text(pilot, title)
            await pilot.press("ctrl+s")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, CasesScreen)
            assert app.screen.highlighted().record.title == title  # the cursor on the new one
        assert rows(app) == ["智慧助老", "书香长春"]
    found = package_cases(capsys, sample_repo, "siping", tmp_path / "out")
    assert found == {"2021-典型活动案例1-四平市.docx": "智慧助老",
                     "2021-典型活动案例2-四平市.docx": "书香长春"}


async def test_moving_a_case_up_renumbers_it_in_one_commit_and_in_the_package(
        sample_repo, tmp_path, capsys):
    app = make_app(sample_repo)
    before = commit_count(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "典型案例")
        first, second = rows(app)
        await pilot.press("down", "shift+up")
        await settle(pilot)
        assert rows(app) == [second, first]
        assert app.screen.highlighted().record.title == second  # the cursor moved with it
    assert commit_count(sample_repo) == before + 1
    _, subject, paths = last_commit(sample_repo)
    assert subject.startswith("长春市: 调整序号 典型活动案例「") and subject.endswith("第 2 → 第 1")
    assert len(paths) == 2
    seqs = {tomllib.loads((sample_repo / p).read_text(encoding="utf-8"))["seq"] for p in paths}
    assert seqs == {1, 2}
    assert worktree_changes(sample_repo) == ""
    found = package_cases(capsys, sample_repo, "changchun", tmp_path / "out")
    assert found == {"2021-典型活动案例1-长春市.docx": second,
                     "2021-典型活动案例2-长春市.docx": first}
