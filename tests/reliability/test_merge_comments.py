"""Hand-written comments survive merges, resolved conflicts and saves; a conflict over a long
text shows the paragraph that differs, not the opening both versions share."""

from __future__ import annotations

from pathlib import Path

import pytest

from datastore.conflicts import MINE, finish_merge, list_conflicts, resolve_fields
from datastore.sync import sync
from tests.gitscenarios import ACTIVITY, SUMMARY, central, clone, edit, fields, llweek

COMMENTED = {
    "# 这条活动由张老师负责，改动前请先联系她": 'id = "dbxjjcezek"',
    "# 时间以宣传部的通知为准": "start = 2021-10-08",
}
BESIDE = ('venue = "长春市图书馆一楼报告厅"', "# 若下雨改到二楼")


@pytest.fixture
def pair(tmp_path: Path, sample_master: Path) -> tuple[Path, Path]:
    remote = central(tmp_path, sample_master)
    return (clone(remote, tmp_path / "zhang", "张丽", "cc_zhangli@126.com"),
            clone(remote, tmp_path / "wang", "王宇", "wangyu_ccjy@163.com"))


def _comment_by_hand(repo: Path) -> None:
    path = repo / ACTIVITY
    text = path.read_text(encoding="utf-8")
    for comment, line in COMMENTED.items():
        text = text.replace(line, f"{comment}\n{line}")
    text = text.replace(BESIDE[0], f"{BESIDE[0]}  {BESIDE[1]}") + "# 文件末尾的备注\n"
    path.write_text(text, encoding="utf-8")


def _assert_commented(text: str) -> None:
    lines = text.splitlines()
    for comment, line in COMMENTED.items():
        assert lines[lines.index(comment) + 1].startswith(line.split(" = ")[0] + " = ")
    assert any(l.startswith("venue = ") and l.endswith(BESIDE[1]) for l in lines)
    assert lines[-1] == "# 文件末尾的备注"


def test_a_field_merge_keeps_the_comments_of_both_sides(pair: tuple[Path, Path]):
    zhang, wang = pair
    _comment_by_hand(zhang)
    assert sync(zhang).committed == [ACTIVITY]
    sync(wang)
    edit(wang, ACTIVITY, participants=560)  # a save keeps the comments of the file it replaces
    _assert_commented((wang / ACTIVITY).read_text(encoding="utf-8"))
    sync(wang)
    text = (zhang / ACTIVITY).read_text(encoding="utf-8").replace(
        'organizer = "', '# 主办单位已和对方确认\norganizer = "')
    (zhang / ACTIVITY).write_text(text, encoding="utf-8")
    result = sync(zhang)  # commits the hand edit, then merges wang's save field by field
    assert result.pulled == 1 and not result.conflicts
    merged = (zhang / ACTIVITY).read_text(encoding="utf-8")
    _assert_commented(merged)
    assert "# 主办单位已和对方确认\norganizer = " in merged
    assert fields(zhang, ACTIVITY)["participants"] == 560


def test_a_conflict_resolved_field_by_field_keeps_the_comments(pair: tuple[Path, Path]):
    zhang, wang = pair
    _comment_by_hand(zhang)
    sync(zhang)
    sync(wang)
    edit(wang, ACTIVITY, participants=600)
    sync(wang)
    edit(zhang, ACTIVITY, participants=480)
    [record] = sync(zhang).conflicts
    resolve_fields(zhang, record.path, {f.path: MINE for f in record.fields})
    finish_merge(zhang)
    _assert_commented((zhang / ACTIVITY).read_text(encoding="utf-8"))
    assert fields(zhang, ACTIVITY)["participants"] == 480


def _paragraphs(repo: Path) -> list[str]:
    return fields(repo, SUMMARY)["text"].split("\n")


def test_a_long_text_conflict_shows_the_paragraph_that_differs(pair: tuple[Path, Path], capsys):
    zhang, wang = pair
    paragraphs = _paragraphs(zhang)
    last = len(paragraphs) - 1
    assert paragraphs[last].startswith("活动周工作也存在一些不足")
    mine, theirs = list(paragraphs), list(paragraphs)
    mine[last] = paragraphs[last].replace("活动周工作也存在一些不足", "活动周工作还存在三方面不足")
    theirs[last] = paragraphs[last].replace("活动周工作也存在一些不足", "活动周工作仍有两点不足")
    edit(wang, SUMMARY, text="\n".join(theirs))
    sync(wang)
    edit(zhang, SUMMARY, text="\n".join(mine))
    code, _, err = llweek(capsys, "sync", "-C", str(zhang))
    assert code == 3
    [line] = [l for l in err.splitlines() if "「总结内容」" in l]
    assert "我的：…" in line and "还存在三方面不足" in line and "仍有两点不足" in line
    assert paragraphs[1][:20] not in line
    [record] = list_conflicts(zhang)
    base, shown_mine, shown_theirs = record.fields[0].shown()
    assert shown_mine != shown_theirs
