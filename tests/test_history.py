"""History: `llweek log`, field-level changes of a record, restoring an earlier version."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from datastore.history import commits, record_history, restore
from datastore.save import current_digest
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, EXHIBITION, SUMMARY, delete, edit, fields, llweek, subjects

CORRECTED = "units/changchun/activities/sj4kzdrmg3.toml"  # the sample corrects its 人数 once


def test_log_lists_every_commit_with_date_author_and_message(sample_repo: Path, capsys):
    code, out, _ = llweek(capsys, "log", "-C", str(sample_repo))
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(subjects(sample_repo))
    newest = git(sample_repo, "log", "-1", "--format=%h %ad %an %s", "--date=format:%Y-%m-%d %H:%M")
    short, day, clock, author, subject = newest.split(" ", 4)
    assert lines[0].startswith(short[:7])
    assert f"{day} {clock}" in lines[0] and author in lines[0]
    assert lines[0].endswith(subject.strip())


def entries(out: str) -> list[tuple[str, list[str]]]:
    """`llweek log PATH` output as (commit line, [its field changes])."""
    found: list[tuple[str, list[str]]] = []
    for line in out.splitlines():
        if line.startswith("    "):
            found[-1][1].append(line.strip())
        else:
            found.append((line, []))
    return found


def test_log_of_a_record_shows_what_each_commit_changed_field_by_field(sample_repo: Path, capsys):
    old = fields(sample_repo, CORRECTED)
    edit(sample_repo, CORRECTED, participants=260, venue="长春市第二社区学校")

    code, out, _ = llweek(capsys, "log", "-C", str(sample_repo), CORRECTED)

    assert code == 0
    (newest, changes), (corrected, correction), *_, (created, values) = entries(out)
    assert newest.endswith("[修改]") and "测试员" in newest
    assert changes == [f"活动地点: {old['venue']} → 长春市第二社区学校",
                       f"人数: {old['participants']} → 260"]
    assert corrected.endswith("[修改]") and correction == [f"人数: 240 → {old['participants']}"]
    assert created.endswith("[新增]") and f"活动名称: （空） → {old['name']}" in values


def test_log_of_a_long_text_names_the_lines_that_changed(sample_repo: Path, capsys):
    text = fields(sample_repo, SUMMARY)["text"]
    lines = text.splitlines(keepends=True)
    edit(sample_repo, SUMMARY, text="".join([*lines[:2], "新写的一段。\n", *lines[3:]]))
    out = llweek(capsys, "log", "-C", str(sample_repo), SUMMARY)[1]
    assert "    总结内容（第 3 行）: " in out and "→ 新写的一段。" in out


def test_record_history_names_photo_fields_by_file(sample_repo: Path):
    photos = fields(sample_repo, EXHIBITION)["photos"]
    edit_photos = [dict(p) for p in photos]
    edit_photos[1]["caption"] = "新的图片名"
    from datastore.models import Photo

    edit(sample_repo, EXHIBITION, photos=[Photo.model_validate(p) for p in edit_photos])
    [change] = record_history(sample_repo, EXHIBITION, limit=1)[0].changes
    assert change.label == f"活动图片「{photos[1]['file']}」·图片命名"
    assert (change.old, change.new) == (photos[1]["caption"], "新的图片名")


def test_a_deleted_record_keeps_its_history(sample_repo: Path, capsys):
    delete(sample_repo, ACTIVITY)
    versions = record_history(sample_repo, ACTIVITY)
    assert [v.action for v in versions][0] == "删除"
    assert versions[-1].action == "新增"
    assert "[删除]" in llweek(capsys, "log", "-C", str(sample_repo), ACTIVITY)[1]


def test_log_takes_a_path_relative_to_the_current_folder(sample_repo: Path, capsys,
                                                         monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(sample_repo / "units/changchun")
    code, out, _ = llweek(capsys, "log", "activities/sj4kzdrmg3.toml")
    assert code == 0 and "人数: 240 →" in out


def test_log_of_a_folder_lists_its_commits(sample_repo: Path, capsys):
    out = llweek(capsys, "log", "-C", str(sample_repo), "units/changchun/activities")[1]
    assert out and all("长春市" in line for line in out.splitlines())


def test_log_refuses_a_path_outside_the_repository(sample_repo: Path, tmp_path: Path, capsys):
    code, _, err = llweek(capsys, "log", "-C", str(sample_repo), str(tmp_path))
    assert code == 2 and "不在材料库" in err


def test_restoring_an_earlier_version_is_a_new_commit_on_top(sample_repo: Path):
    first = record_history(sample_repo, CORRECTED)[-1].commit
    edit(sample_repo, CORRECTED, participants=999)
    before = commits(sample_repo)

    result = restore(sample_repo, CORRECTED, first.hash,
                     expected=current_digest(sample_repo, CORRECTED))

    after = commits(sample_repo)
    assert len(after) == len(before) + 1 and after[1:] == before
    assert after[0].subject == (f"长春市: 恢复 附表1「{fields(sample_repo, CORRECTED)['name']}」"
                                f" 到 {first.date:%Y-%m-%d %H:%M} 的版本（{first.short}）")
    assert result.commit is not None
    assert fields(sample_repo, CORRECTED)["participants"] == 240
    assert git(sample_repo, "show", f"HEAD:{CORRECTED}") == git(sample_repo, "show",
                                                                 f"{first.hash}:{CORRECTED}")


def test_log_of_a_record_reads_every_version_without_pydantic(sample_repo: Path):
    script = ("import sys\nfrom tui.cli import main\nmain(sys.argv[1:])\n"
              "print('loaded:', *sorted(n for n in sys.modules if n.split('.')[0] in "
              "{'pydantic', 'textual', 'PIL'}))")
    done = subprocess.run([sys.executable, "-c", script, "log", "-C", str(sample_repo), SUMMARY],
                          capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    *history, loaded = done.stdout.splitlines()
    assert loaded == "loaded:"
    versions = [line for line in history if not line.startswith(" ")]
    assert versions[0].endswith("[修改]") and versions[-1].endswith("[新增]")
    assert history[-1].strip().startswith("总结内容: （空） → ")
