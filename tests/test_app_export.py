"""导出 in the app: the chosen annexes land beside the repository, read back with openpyxl."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app_harness import make_app, notices, screen_text, settle, via_palette

from exports.export import WARNED
from exports.pdf import INSTALL_HINT, find_soffice
from tests.conftest import git
from tui.screens.export import ExportScreen, ExportWarningDialog


async def untick(pilot, app, *numbers: int) -> None:
    for number in numbers:
        app.screen.query_one(f"#annex-{number}").value = False
    await pilot.pause()


def cells(path) -> list[str]:
    sheet = load_workbook(path).worksheets[0]
    return [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value]


async def test_export_writes_the_units_annex_beside_the_repository(sample_repo, tmp_path):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await via_palette(pilot, "导出")
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one("#out").value == str(tmp_path / "exports")
        await untick(pilot, app, 2, 3, 4, 5)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "已导出 1 项" in notices(app)
        result = str(app.screen.query_one("#export-result").render())
    written = tmp_path / "exports" / "2021-附表1-长春市.xlsx"
    assert str(written) in result
    assert list((tmp_path / "exports").iterdir()) == [written]
    found = cells(written)
    assert found[0] == "附表1" and "2021年“吉林省全民终身学习示范活动”汇总表" in found
    assert "“红色百年 薪火相传”党史学习系列讲座" in found
    assert git(sample_repo, "status", "--porcelain") == ""  # nothing written into the repository


async def test_a_second_export_keeps_the_first_file_and_says_so(sample_repo, tmp_path):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await untick(pilot, app, 2, 3, 4, 5)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(app.screen.query_one("#export-result").render())
    assert "2021-附表1-长春市(2).xlsx（同名文件已存在，未覆盖，另存为此名）" in result
    assert len(list((tmp_path / "exports").iterdir())) == 2


async def test_errors_are_listed_and_the_export_goes_on_only_when_asked(sample_repo, tmp_path):
    app = make_app(sample_repo, "songyuan")  # two people share 推荐序号 2
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await untick(pilot, app, 1, 2, 3)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExportWarningDialog)
        assert "材料中还有 2 个错误" in screen_text(app)
        assert "推荐序号 2 重复" in screen_text(app)
        await pilot.press("enter")  # 取消 has the focus
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert not (tmp_path / "exports").exists()

        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#yes")
        await settle(pilot)
    names = sorted(path.name for path in (tmp_path / "exports").iterdir())
    assert names == ["2021-附表4-松原市.xlsx", "2021-附表5-松原市.xlsx"]
    assert "附表5" in cells(tmp_path / "exports" / "2021-附表5-松原市.xlsx")


async def test_province_exports_the_rollup_with_progress(sample_repo, tmp_path):
    app = make_app(sample_repo, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.click("#scope-all")
        await untick(pilot, app, 2, 4, 5)
        await pilot.press("ctrl+s")
        await settle(pilot)
        bar = app.screen.query_one("#progress")
        assert bar.total and bar.progress == bar.total
    names = sorted(path.name for path in (tmp_path / "exports").iterdir())
    assert names == ["2021-附表1-全省汇总.xlsx", "2021-附表3-全省汇总.xlsx"]
    assert "长春市" in " ".join(cells(tmp_path / "exports" / "2021-附表1-全省汇总.xlsx"))


async def test_a_unit_cannot_choose_the_rollup(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert app.screen.query_one("#scope-all").disabled
        assert "仅省级人员" in screen_text(app)


async def test_an_output_folder_inside_the_repository_is_refused(sample_repo):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        app.screen.query_one("#out").value = str(sample_repo / "exports")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "输出文件夹不能在材料库里面" in screen_text(app)
    assert not (sample_repo / "exports").exists()


async def test_the_package_with_its_pdf_without_libreoffice_says_what_to_install(
        sample_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("LLWEEK_SOFFICE", str(tmp_path / "no-such-soffice"))
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert "未找到 LibreOffice" in screen_text(app)  # said before anything is chosen
        await pilot.click("#package")
        await pilot.click("#pdf")
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(app.screen.query_one("#export-result").render())
        assert "已写入 2 项" in result and "2021-长春市-电子材料.zip" in result
        assert f"{WARNED}{INSTALL_HINT}" in result
        assert INSTALL_HINT in notices(app)
    folder = tmp_path / "exports" / "2021-长春市-电子材料"
    assert (folder / "2021-年度工作总结-长春市.docx").is_file()
    assert not list(folder.glob("*.pdf"))


@pytest.mark.slow
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) 未安装")
async def test_the_unit_exports_its_annexes_as_one_pdf(sample_repo, tmp_path):
    app = make_app(sample_repo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert "未找到 LibreOffice" not in screen_text(app)
        await untick(pilot, app, 2, 4, 5)
        app.screen.query_one("#pdf").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        result = str(app.screen.query_one("#export-result").render())
    pdf = tmp_path / "exports" / "2021-长春市-打印版.pdf"
    assert str(pdf) in result and WARNED not in result
    assert [item.title.split()[0] for item in PdfReader(pdf).outline] == ["附表1", "附表3"]
