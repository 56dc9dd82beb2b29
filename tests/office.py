"""LibreOffice and poppler as the office uses them: re-saving a workbook, printing it to PDF,
reading the printed text back page by page. Tests that need them skip, saying why, only
where they are not installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CONVERT_SECONDS = 180


def need_office() -> None:
    for tool in ("soffice", "pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} 未安装（apt-get install libreoffice-calc-nogui poppler-utils "
                        "fonts-noto-cjk）")


def _convert(path: Path, target: str, out: Path) -> Path:
    need_office()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="llweek-soffice-") as profile:
        done = subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", target, "--outdir", str(out), str(path)],
            capture_output=True, text=True, timeout=CONVERT_SECONDS, check=False)
    suffix = target.split(":")[0]
    result = out / f"{path.stem}.{suffix}"
    if done.returncode != 0 or not result.exists():
        raise AssertionError(f"LibreOffice could not convert {path.name}: {done.stderr}")
    return result


def resave(path: Path) -> Path:
    """The workbook opened and saved again by LibreOffice Calc, as .xlsx, over the original."""
    saved = _convert(path, "xlsx:Calc MS Excel 2007 XML", path.parent / "resaved")
    shutil.move(saved, path)
    return path


def to_pdf(path: Path) -> Path:
    return _convert(path, "pdf", path.parent / "pdf")


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each printed page."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(line.split()[-1] for line in info.stdout.splitlines()
                     if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
            for n in range(1, pages + 1)]
