"""validate's whole answer kept under .git/: given again only while nothing it reads changed,
and never believed when anything did — an edit, a new file, a FIFO, a corrupt store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from datastore.answercache import answers_path
from tests.conftest import git
from tui.cli import main

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"


def validate(capsys: pytest.CaptureFixture, repo: Path, *extra: str) -> tuple[int, str]:
    code = main(["validate", "-C", str(repo), *extra])
    return code, capsys.readouterr().out


def test_a_second_validate_gives_the_same_answer_and_exit_code(sample_repo: Path, capsys):
    first = validate(capsys, sample_repo)
    assert answers_path(sample_repo).is_file()
    assert validate(capsys, sample_repo) == first
    assert validate(capsys, sample_repo, "--json")[1] != first[1]  # options are part of the key
    assert git(sample_repo, "status", "--porcelain") == ""  # kept under .git/, never committed


def test_a_warm_validate_never_loads_the_data_models(sample_repo: Path):
    """What makes it quick: no pydantic, no record parsing, when nothing changed."""
    probe = ("import sys; from tui.cli import main; code = main(['validate', '-C', sys.argv[1]]); "
             "print('pydantic' in sys.modules, 'datastore.loader' in sys.modules, code, file=sys.stderr)")
    runs = [subprocess.run([sys.executable, "-I", "-c", probe, str(sample_repo)], capture_output=True,
                           text=True, cwd=Path(__file__).resolve().parent.parent, check=False)
            for _ in range(2)]
    assert runs[0].stderr.split()[:2] == ["True", "True"], runs[0].stderr
    assert runs[1].stderr.split()[:2] == ["False", "False"], runs[1].stderr
    assert runs[1].stdout == runs[0].stdout and runs[1].stderr.split()[2] == runs[0].stderr.split()[2]


def test_an_edit_behind_the_old_size_and_time_gives_a_new_answer(sample_repo: Path, capsys):
    _, before = validate(capsys, sample_repo)
    path = sample_repo / ACTIVITY
    old = path.stat()
    text = path.read_text(encoding="utf-8")
    phone = text.split('signup_phone = "', 1)[1].split('"', 1)[0]
    path.write_text(text.replace(phone, phone[:-1] + "x", 1), encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    code, after = validate(capsys, sample_repo)
    new = set(after.splitlines()) - set(before.splitlines())
    assert any("dbxjjcezek.toml" in line for line in new) and code == 1


def test_a_new_file_anywhere_in_the_tree_gives_a_new_answer(sample_repo: Path, capsys):
    _, before = validate(capsys, sample_repo)
    (sample_repo / "units/jilin/notes.toml").write_text("a = 1\n", encoding="utf-8")
    _, after = validate(capsys, sample_repo)
    assert "notes.toml" in after and "notes.toml" not in before


def test_a_fifo_in_place_of_a_record_is_seen_and_never_opened(sample_repo: Path, capsys):
    _, before = validate(capsys, sample_repo)
    path = sample_repo / ACTIVITY
    path.unlink()
    os.mkfifo(path)  # opening it to read would block this test for ever
    _, after = validate(capsys, sample_repo)
    assert after != before and "dbxjjcezek.toml" in after
    assert validate(capsys, sample_repo)[1] == after


def test_a_changed_campaign_gives_a_new_answer(sample_repo: Path, capsys):
    _, before = validate(capsys, sample_repo)
    path = sample_repo / "campaign.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[broken\n", encoding="utf-8")
    _, after = validate(capsys, sample_repo)
    assert after != before and "campaign.toml" in after


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"format": 1, "answers": 3}',
                                     b'{"format": 1, "answers": {"x": [1]}}', b"[1, 2]"])
def test_a_corrupt_answer_store_is_as_good_as_none(sample_repo: Path, capsys, garbage: bytes):
    first = validate(capsys, sample_repo)
    answers_path(sample_repo).write_bytes(garbage)
    assert validate(capsys, sample_repo) == first
    assert json.loads(answers_path(sample_repo).read_bytes())["answers"]  # written anew


def test_an_answer_planted_under_another_key_is_not_given(sample_repo: Path, capsys):
    first = validate(capsys, sample_repo)
    data = json.loads(answers_path(sample_repo).read_bytes())
    data["answers"] = {"0" * 40: [0, "全部材料符合通知要求\n"]}
    answers_path(sample_repo).write_text(json.dumps(data), encoding="utf-8")
    assert validate(capsys, sample_repo) == first



def test_a_folder_nested_deeper_than_python_recursion_gives_an_answer(sample_repo: Path, capsys):
    """A pushed tree 1,500 folders deep: validate still answers (no RecursionError), and a
    file added at the bottom of it is a change, never a stale answer."""
    top = bottom = sample_repo / "units/jilin/notes"
    bottom.mkdir()
    for _ in range(1500):
        bottom = bottom / "d"
        bottom.mkdir()
    try:
        code, _ = validate(capsys, sample_repo)
        assert code in (0, 1)
        (bottom / "x.toml").write_text("a = 1\n", encoding="utf-8")
        assert validate(capsys, sample_repo)[0] in (0, 1)
        assert len(json.loads(answers_path(sample_repo).read_bytes())["answers"]) == 2
    finally:  # bottom up: a recursive removal would itself hit the recursion limit
        (bottom / "x.toml").unlink(missing_ok=True)
        while bottom != top.parent:
            bottom.rmdir()
            bottom = bottom.parent


def test_a_huge_file_left_in_the_clone_is_never_read_for_the_key(sample_repo: Path, capsys):
    """An 8 GB file (sparse) copied into the clone: the answer's key takes its size and time,
    it is not read into memory; touching it is a change."""
    big = sample_repo / "导出备份.bin"
    with open(big, "wb") as handle:
        handle.truncate(8 * 1024 ** 3)
    first = validate(capsys, sample_repo)
    assert validate(capsys, sample_repo) == first
    os.utime(big, ns=(1, 1))
    validate(capsys, sample_repo)
    assert len(json.loads(answers_path(sample_repo).read_bytes())["answers"]) == 2
