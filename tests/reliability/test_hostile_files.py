"""One bad file never stops the rest: every kind of broken or hostile content is a finding with
its file (and line, where it has one), and validate, status and export go on for everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from datastore.deadlines import repo_status
from datastore.loader import load_repo
from datastore.rules import validate_repo
from datastore.tomlio import MAX_DEPTH
from tests.reliability.hostile import ACTIVITY, HOSTILE_FILES, KINDS, PHOTOS, plant

ACTIVITIES_OF_CHANGCHUN = 12
DAY = "2021-10-20"


def _findings_of(repo: Path, rel: str) -> list:
    return [f for f in validate_repo(load_repo(repo)) if f.path == rel]


def _the_rest_loads(repo: Path, missing: int = 1) -> None:
    data = load_repo(repo)
    loaded = [s for s in data.units["changchun"].items("activities") if s.record is not None]
    assert len(loaded) == ACTIVITIES_OF_CHANGCHUN - missing
    assert all(data.units[u].profile is not None for u in ("jilin", "siping", "jlu"))
    repo_status(data, validate_repo(data), __import__("datetime").date(2021, 10, 20))


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_hostile_record_is_findings_and_everything_else_loads(plain_repo: Path, name: str,
                                                                crash_free: None):
    (plain_repo / ACTIVITY).write_bytes(HOSTILE_FILES[name])
    found = _findings_of(plain_repo, ACTIVITY)
    assert found, f"{name}: no finding"
    stored = load_repo(plain_repo).stored[ACTIVITY]
    if stored.record is None:  # not readable at all: the finding says where
        assert any(f.line is not None for f in found if f.is_error), [f.message for f in found]
    _the_rest_loads(plain_repo, missing=1 if stored.record is None else 0)


@pytest.mark.parametrize("name", ["deep_arrays", "deep_inline_tables", "deep_under_limit",
                                  "dotted_key_1000", "dotted_key_999", "deep_headers"])
def test_deep_nesting_is_a_syntax_finding_at_its_line(plain_repo: Path, name: str):
    text = 'name = "前面的内容"\nvenue = "图书馆"\n'.encode() + HOSTILE_FILES[name]
    (plain_repo / ACTIVITY).write_bytes(text)
    [finding] = [f for f in _findings_of(plain_repo, ACTIVITY) if f.code == "toml.syntax"]
    assert f"超过 {MAX_DEPTH} 层" in finding.message
    expected = 3 if name != "deep_headers" else 3 + MAX_DEPTH
    assert finding.line == expected


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_that_is_not_a_regular_file_is_a_finding_never_read(plain_repo: Path, kind: str,
                                                                     crash_free: None):
    plant(plain_repo, ACTIVITY, kind)
    found = _findings_of(plain_repo, ACTIVITY)
    codes = {f.code for f in found}
    assert codes & {"file.link", "file.special", "file.is_folder", "file.too_large"}, codes
    _the_rest_loads(plain_repo)


@pytest.mark.parametrize("folder", ["units/changchun/activities", "units/changchun", "units",
                                    "reviews"])
@pytest.mark.parametrize("kind", ["link_loop", "link_parent", "link_outside", "link_dev_zero",
                                  "fifo", "huge_sparse"])
def test_a_folder_that_is_a_link_or_a_file_is_a_finding_and_never_walked(
        plain_repo: Path, folder: str, kind: str, crash_free: None):
    plant(plain_repo, folder, kind)
    data = load_repo(plain_repo)
    assert any(f.path == folder and f.code in ("file.link", "file.not_folder", "file.special")
               for f in data.findings), \
        [(f.path, f.code) for f in data.findings][:5]
    assert not any("/etc" in f.path or "inner" in f.path for f in data.findings)
    validate_repo(data)
    if folder != "units":
        assert data.units["jilin"].profile is not None


@pytest.mark.parametrize("kind", KINDS)
def test_a_photo_that_is_not_a_regular_file_is_a_finding(plain_repo: Path, kind: str,
                                                         crash_free: None):
    plant(plain_repo, f"{PHOTOS}/exh-01.jpg", kind)
    found = [f for f in _findings_of(plain_repo, "units/changchun/exhibition.toml")
             if f.field == "photos[1].file"]
    assert found and found[0].is_error, kind
    assert any(word in found[0].message for word in ("链接", "不是照片", "却是", "超过", "不在本单位", "无法", "不是可识别")), \
        found[0].message


def test_a_symlink_loop_in_photos_is_a_finding_in_validate_status_and_the_package(
        plain_repo: Path, cli, tmp_path: Path):
    plant(plain_repo, f"{PHOTOS}/exh-01.jpg", "link_loop")
    code, out, _ = cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert code == 1 and "exh-01.jpg" in out
    assert cli("status", "-C", str(plain_repo), "--today", DAY)[0] == 0
    code, out, _ = cli("export", "-C", str(plain_repo), "--unit", "changchun", "--package",
                       "-o", str(tmp_path / "out"))
    assert code == 0
    manifest = next((tmp_path / "out").glob("*/材料清单.txt")).read_text(encoding="utf-8")
    assert "「exh-01.jpg」不在本单位 photos 文件夹中" in manifest


def test_a_folder_link_round_in_a_loop_is_never_followed(plain_repo: Path, crash_free: None):
    photos = plain_repo / PHOTOS
    (photos / "again").symlink_to(".")
    (plain_repo / "units/changchun/loop").symlink_to("../changchun")
    data = load_repo(plain_repo)
    assert {f.code for f in data.findings if f.path == "units/changchun/loop"} == {"file.link"}
    validate_repo(data)


@pytest.mark.parametrize("kind", KINDS)
def test_a_photo_no_record_names_that_is_not_a_regular_file_is_a_warning(
        plain_repo: Path, kind: str, cli, crash_free: None):
    plant(plain_repo, f"{PHOTOS}/unused.jpg", kind)
    data = load_repo(plain_repo)
    found = [f for f in data.findings if f.path == f"{PHOTOS}/unused.jpg"]
    if kind == "huge_sparse":  # a regular file: a photo nobody uses yet, nothing to say
        assert not found, kind
        return
    assert len(found) == 1 and not found[0].is_error and found[0].unit == "changchun", kind
    code, out, _ = cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert "unused.jpg" in out and code == 0


def test_a_loop_in_photos_no_record_names_is_named_in_validate(plain_repo: Path, cli):
    (plain_repo / PHOTOS / "again").symlink_to(".")
    code, out, _ = cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert f"{PHOTOS}/again" in out and "符号链接" in out and code == 0


def test_many_unknown_keys_are_a_few_findings_that_point_at_their_lines(plain_repo: Path):
    keys = "".join(f"unknown_{n} = {n}\n" for n in range(5000))
    (plain_repo / ACTIVITY).write_text(f'id = "dbxjjcezek"\nname = "讲座"\n{keys}', encoding="utf-8")
    found = [f for f in _findings_of(plain_repo, ACTIVITY) if f.code == "field.unknown"]
    assert len(found) == 21
    assert [f.line for f in found[:3]] == [3, 4, 5]
    assert "另有 4980 个未知字段" in found[-1].message


def test_a_record_over_the_size_limit_is_not_read(plain_repo: Path):
    (plain_repo / ACTIVITY).write_bytes(HOSTILE_FILES["many_unknown_keys"] * 12)
    [finding] = _findings_of(plain_repo, ACTIVITY)
    assert finding.code == "file.too_large" and "1.0 MB 的上限" in finding.message


def test_invalid_utf8_names_its_line(plain_repo: Path):
    (plain_repo / ACTIVITY).write_bytes('name = "讲座"\nvenue = "'.encode() + b"\xff\"\n")
    [finding] = _findings_of(plain_repo, ACTIVITY)
    assert finding.code == "file.encoding" and finding.line == 2


def test_a_byte_order_mark_and_crlf_lines_read_as_usual(plain_repo: Path):
    text = (plain_repo / ACTIVITY).read_text(encoding="utf-8").replace("\n", "\r\n")
    (plain_repo / ACTIVITY).write_bytes("\ufeff".encode() + text.encode())
    assert not [f for f in _findings_of(plain_repo, ACTIVITY) if f.is_error]
    assert load_repo(plain_repo).stored[ACTIVITY].record.name


def test_leftover_conflict_markers_are_named_as_such(plain_repo: Path):
    (plain_repo / ACTIVITY).write_bytes(HOSTILE_FILES["conflict_markers"])
    [finding] = _findings_of(plain_repo, ACTIVITY)
    assert finding.code == "file.conflict_markers" and finding.line == 2


def test_control_characters_in_a_key_or_a_file_name_are_shown_spelled_out(plain_repo: Path, cli):
    (plain_repo / ACTIVITY).write_bytes(HOSTILE_FILES["control_key"])
    (plain_repo / "units/changchun/activities/\x1b[2J.toml").write_text("", encoding="utf-8")
    code, out, _ = cli("validate", "-C", str(plain_repo), "--unit", "changchun")
    assert "\x1b" not in out
    assert "\\x1b[31m" in out and "\\x1b[2J.toml" in out
