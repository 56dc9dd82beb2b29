"""`llweek export -o` refuses a folder inside the repository, as the app's export screen does
(one check, tui.outfolder), so an export can never be synced as materials or land in .git."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui import outfolder
from tui.screens import export as export_screen


@pytest.mark.parametrize("folder", ["units/changchun/photos", ".git/hooks", ".", "units/新的"])
def test_the_cli_refuses_an_output_folder_inside_the_repository(sample_repo: Path, cli, folder: str,
                                                                monkeypatch: pytest.MonkeyPatch):
    before = sorted(p.relative_to(sample_repo) for p in sample_repo.rglob("*"))
    monkeypatch.chdir(sample_repo)
    code, out, err = cli("export", "--unit", "changchun", "--package", "-o", folder)
    assert code == 2 and "输出文件夹不能在材料库里面" in err and out == ""
    code, _, err = cli("export", "--unit", "changchun", "-o", str(sample_repo / folder))
    assert code == 2 and "输出文件夹不能在材料库里面" in err
    assert sorted(p.relative_to(sample_repo) for p in sample_repo.rglob("*")) == before


def test_a_link_that_leads_into_the_repository_is_refused_too(sample_repo: Path, tmp_path: Path, cli):
    (tmp_path / "looks-outside").symlink_to(sample_repo / "units/changchun")
    code, _, err = cli("export", "-C", str(sample_repo), "--unit", "changchun",
                       "-o", str(tmp_path / "looks-outside"))
    assert code == 2 and "输出文件夹不能在材料库里面" in err


def test_a_folder_beside_the_repository_is_fine_and_relative_to_where_you_are(
        sample_repo: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("export", "-C", str(sample_repo), "--unit", "changchun", "--annex", "1",
                       "-o", "导出")
    assert code == 0 and f"位于 {tmp_path / '导出'}" in out
    assert len(list((tmp_path / "导出").glob("*.xlsx"))) == 1


def test_the_app_and_the_cli_share_one_check():
    assert export_screen.out_folder is outfolder.out_folder
