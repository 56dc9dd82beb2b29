"""The load cache under .git/: a second `llweek validate` reads only what changed, and nothing
changed, hostile or corrupt is ever believed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from datastore.answercache import answers_path
from datastore.loadcache import LoadCache, cache_path
from datastore.loader import load_repo
from datastore.rules import validate_repo
from tests.conftest import git
from tui.cli import main

EXHIBITION = "units/changchun/exhibition.toml"
ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"


def findings(capsys: pytest.CaptureFixture, repo: Path) -> list[dict]:
    """validate's findings, its whole last answer forgotten: the load cache is what is tested."""
    answers_path(repo).unlink(missing_ok=True)
    main(["validate", "-C", str(repo), "--json"])
    return json.loads(capsys.readouterr().out)["findings"]


def fresh(repo: Path) -> list[dict]:
    """What the rules find reading every file (no cache involved)."""
    found = validate_repo(load_repo(repo))
    return [f.to_json() for f in found]


def unit_entries(repo: Path) -> set[str]:
    """The units whose cached entry still matches their files."""
    cache, shell = LoadCache(repo), load_repo(repo, materials=False)
    campaign = shell.stored["campaign.toml"].digest
    return {u for u, data in shell.units.items()
            if cache.entry(u, cache.unit_key(u, campaign, data.ref)) is not None}


def test_a_second_run_reuses_every_untouched_unit_and_finds_the_same(sample_repo: Path, capsys):
    first = findings(capsys, sample_repo)
    assert cache_path(sample_repo).is_file()
    assert unit_entries(sample_repo) == set(load_repo(sample_repo, materials=False).units)
    assert findings(capsys, sample_repo) == first == fresh(sample_repo)
    assert git(sample_repo, "status", "--porcelain") == ""  # kept under .git/, never committed


def test_an_edited_record_is_checked_again_and_only_its_unit(sample_repo: Path, capsys):
    findings(capsys, sample_repo)
    path = sample_repo / EXHIBITION
    path.write_text(path.read_text(encoding="utf-8").replace(
        "title = \"", "title = \"" + "很长的题目" * 5, 1), encoding="utf-8")
    assert "changchun" not in unit_entries(sample_repo)
    after = findings(capsys, sample_repo)
    assert ("changchun", "exhibition.title_too_long") in {(f["unit"], f["code"]) for f in after}
    assert after == fresh(sample_repo)


def test_a_file_changed_behind_its_old_size_and_time_is_read_again(sample_repo: Path, capsys):
    findings(capsys, sample_repo)
    path = sample_repo / ACTIVITY
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    phone = text.split('signup_phone = "', 1)[1].split('"', 1)[0]
    path.write_text(text.replace(phone, phone[:-1] + "x", 1), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same time
    assert path.stat().st_size == before.st_size
    after = findings(capsys, sample_repo)
    assert any(f["path"] == ACTIVITY and f["field"] == "signup_phone" for f in after)
    assert after == fresh(sample_repo)


def test_a_new_untracked_file_in_a_unit_is_seen(sample_repo: Path, capsys):
    findings(capsys, sample_repo)
    (sample_repo / "units/jilin/notes.toml").write_text('a = 1\n', encoding="utf-8")
    after = findings(capsys, sample_repo)
    assert ("jilin", "file.unknown") in {(f["unit"], f["code"]) for f in after}


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_a_record_replaced_by_something_else_is_seen_without_being_opened(
        sample_repo: Path, capsys, kind: str):
    """The index vouches only for files git says are unchanged: a record turned into a FIFO
    (which opening would hang on), a link out of the repository or a folder is looked at."""
    findings(capsys, sample_repo)
    path = sample_repo / ACTIVITY
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        path.symlink_to("/etc/passwd")
    else:
        path.mkdir()
    assert "changchun" not in unit_entries(sample_repo)
    after = findings(capsys, sample_repo)
    assert any(f["path"] == ACTIVITY for f in after)
    assert after == fresh(sample_repo)


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"format": 1, "rules": 3}',
                                     b'{"format": 1, "units": {"changchun": 5}}'])
def test_a_corrupt_cache_is_as_good_as_none(sample_repo: Path, capsys, garbage: bytes):
    first = findings(capsys, sample_repo)
    cache_path(sample_repo).write_bytes(garbage)
    assert findings(capsys, sample_repo) == first
    assert json.loads(cache_path(sample_repo).read_bytes())["units"]  # written anew


def test_entries_made_by_other_rules_are_not_believed(sample_repo: Path, capsys):
    first = findings(capsys, sample_repo)
    data = json.loads(cache_path(sample_repo).read_bytes())
    data["rules"] = "0" * 40  # as an older llweek with other rules would have left it
    for entry in data["units"].values():
        entry["findings"] = []
    cache_path(sample_repo).write_text(json.dumps(data), encoding="utf-8")
    assert findings(capsys, sample_repo) == first


def test_units_from_the_cache_are_named_as_when_read(sample_repo: Path, capsys):
    """A unit nobody changed is not read, yet its heading keeps the short name its profile
    gives (长春工大, not the campaign's 长春工业大学)."""
    (sample_repo / "units/ccut/notes.toml").write_text("a = 1\n", encoding="utf-8")  # a heading
    texts = []
    for _ in range(2):
        answers_path(sample_repo).unlink(missing_ok=True)
        main(["validate", "-C", str(sample_repo)])
        texts.append(capsys.readouterr().out)
    assert unit_entries(sample_repo) == set(load_repo(sample_repo, materials=False).units)
    assert texts[1] == texts[0] and "长春工大（ccut）" in texts[1]
