"""The print-ready PDF: every document and table in the notice's order with bookmarks, made by
the real LibreOffice; without it, a message saying what to install and the rest exported."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from datastore.loader import load_repo
from exports.export import WARNED, export
from exports.pdf import INSTALL_HINT, Part, PdfProblem, combined_pdf, find_soffice, replacements
from tui.cli import main

needs_office = pytest.mark.skipif(find_soffice() is None or shutil.which("pdftotext") is None,
                                  reason="LibreOffice (soffice) 或 poppler (pdftotext) 未安装")
PDF = "2021-长春市-打印版.pdf"


def bookmarks(path: Path) -> list[tuple[str, int]]:
    reader = PdfReader(path)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True)
    return "".join(done.stdout.split())  # the layout's line breaks and spaces do not matter


@pytest.mark.slow
@needs_office
def test_package_pdf_holds_everything_in_the_notices_order(sample_repo, tmp_path):
    folder, archive = export(sample_repo, unit="changchun", package=True, pdf=True,
                             out_dir=tmp_path)
    pdf = folder / PDF
    marks = bookmarks(pdf)
    assert [title.split()[0] for title, _ in marks] == [
        "工作方案", "附表1", "展板素材", "附表2", "附表3", "附表4", "附表5", "年度工作总结",
        "典型活动案例1", "典型活动案例2"]
    starts = [page for _, page in marks]
    assert starts[0] == 0 and starts == sorted(set(starts))  # each part has pages of its own
    reader = PdfReader(pdf)
    assert len(reader.pages) > starts[-1]
    annex1 = reader.pages[starts[1]:starts[2]]
    assert all(page.mediabox.width > page.mediabox.height for page in annex1)  # landscape
    assert all(page.mediabox.width < page.mediabox.height for page in reader.pages[:starts[1]])

    unit = load_repo(sample_repo).units["changchun"]
    text = pdf_text(pdf)
    titles = [unit.record("work_plan").title, unit.record("exhibition").title,
              "全民终身学习活动周工作总结", *(c.record.title for c in unit.items("cases")),
              "2021年“吉林省全民终身学习示范活动”汇总表", "工作先进单位申报表", "工作先进个人汇总表"]
    names = [p.caption for key in ("exhibition", "summary") for p in unit.record(key).photos]
    for words in titles + names:
        assert "".join(words.split()) in text, words
    assert "—1—" in text  # the page numbers of the documents
    manifest = (folder / "材料清单.txt").read_text(encoding="utf-8")
    assert f"{PDF}　打印版" in manifest
    import zipfile
    with zipfile.ZipFile(archive) as zipped:
        assert f"{folder.name}/{PDF}" in zipped.namelist()


def pages_alone(files: list[Path], tmp: Path) -> list[int]:
    """Each file's page count when LibreOffice converts it on its own."""
    subprocess.run([str(find_soffice()), f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp / "alone"),
                    *map(str, files)], capture_output=True, check=True, timeout=300)
    return [len(PdfReader(tmp / "alone" / f"{f.stem}.pdf").pages) for f in files]


@pytest.mark.slow
@needs_office
def test_a_unit_with_only_a_short_plan_prints_it_and_the_five_blank_forms(sample_repo, tmp_path):
    (sample_repo / "units" / "ccut" / "work_plan.toml").write_text(
        'title = "长春工业大学活动周工作方案"\ntext = "一、指导思想\\n服务全民终身学习。"\n',
        encoding="utf-8")
    folder, _ = export(sample_repo, unit="ccut", package=True, pdf=True, out_dir=tmp_path / "out")
    pdf = folder / "2021-长春工大-打印版.pdf"
    annexes = [folder / f"2021-附表{n}-长春工大.xlsx" for n in range(1, 6)]
    expected = [1, *pages_alone(annexes, tmp_path)]  # the plan fits one page
    assert len(PdfReader(pdf).pages) == sum(expected)
    starts = [sum(expected[:i]) for i in range(len(expected))]
    assert [page for _, page in bookmarks(pdf)] == starts
    assert "长春工业大学活动周工作方案" in pdf_text(pdf)


@pytest.mark.slow
@needs_office
def test_rollup_pdf_joins_the_chosen_annexes_with_a_bookmark_each(sample_repo, tmp_path):
    written = export(sample_repo, [3, 1], all_units=True, pdf=True, out_dir=tmp_path)
    assert [p.name for p in written] == ["2021-附表1-全省汇总.xlsx", "2021-附表3-全省汇总.xlsx",
                                         "2021-全省汇总-打印版.pdf"]
    marks = bookmarks(written[-1])
    assert [title.split()[0] for title, _ in marks] == ["附表1", "附表3"]
    text = pdf_text(written[-1])
    for unit in ("长春市", "吉林市", "延边州"):
        assert unit in text


@pytest.mark.slow
@needs_office
def test_the_cli_writes_the_pdf(sample_repo, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", "-C", str(sample_repo), "--unit", "jilin", "--annex", "1", "--pdf",
                 "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["2021-吉林市-打印版.pdf", "2021-附表1-吉林市.xlsx"]
    assert "2021-吉林市-打印版.pdf" in capsys.readouterr().out


def test_without_libreoffice_everything_else_is_exported_and_the_message_says_what_to_install(
        sample_repo, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LLWEEK_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "out"
    code = main(["export", "-C", str(sample_repo), "--unit", "changchun", "--package", "--pdf",
                 "-o", str(out)])
    said = capsys.readouterr()
    assert code == 2
    assert said.err.strip() == f"{WARNED}{INSTALL_HINT}"
    assert "apt install libreoffice-writer libreoffice-calc" in said.err
    folder = out / "2021-长春市-电子材料"
    assert (folder / "2021-展板素材-长春市.docx").is_file() and (out / f"{folder.name}.zip").is_file()
    assert not list(folder.glob("*.pdf"))
    assert "未找到 LibreOffice" in (folder / "材料清单.txt").read_text(encoding="utf-8")


def test_a_conversion_that_hangs_is_stopped_with_everything_it_started(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 600 &\necho $! >> {pids}\necho $$ >> {pids}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("LLWEEK_SOFFICE", str(fake))
    part = tmp_path / "a.docx"
    part.write_bytes(b"")
    with pytest.raises(PdfProblem, match="超过 1 秒仍未完成"):
        combined_pdf([Part(part, "a")], "t", time_limit=1)
    for pid in map(int, pids.read_text().split()):
        assert not running(pid)


def running(pid: int) -> bool:
    """Alive and not merely a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_soffice_is_never_taken_from_the_current_folder(tmp_path, monkeypatch):
    planted = tmp_path / "soffice"
    planted.write_text("#!/bin/sh\necho planted\n")
    planted.chmod(0o755)
    monkeypatch.delenv("LLWEEK_SOFFICE", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", ".")
    assert find_soffice() is None
    monkeypatch.setenv("PATH", f".:{tmp_path}")
    assert find_soffice() == planted


def test_missing_official_faces_are_printed_in_the_nearest_chinese_face():
    linux = {"Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif CJK JP", "DejaVu Sans"}
    assert replacements(linux) == {
        "方正小标宋简体": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC",
        "仿宋_GB2312": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC",
        "楷体": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC"}
    windows = {"宋体", "仿宋", "黑体", "楷体", "SimSun"}
    assert replacements(windows) == {"方正小标宋简体": "宋体", "仿宋_GB2312": "仿宋"}
