"""Every rule of the notice at its boundary: the last value that passes and the first that fails."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from datastore.findings import Severity
from datastore.loader import load_repo
from datastore.models import (
    ACTIVITIES,
    ADVANCED_PEOPLE,
    ADVANCED_UNITS,
    CASES,
    EXHIBITION,
    PROFILE,
    SUMMARY,
    WORK_PLAN,
    Activity,
    AdvancedPerson,
    AdvancedUnit,
    Case,
    Exhibition,
    Summary,
    UnitProfile,
    WorkPlan,
)
from datastore.rules import RuleContext, check_record, check_unit, valid_phones
from datastore.save import load_campaign
from datastore.textcount import count_chars
from tests.builders import DAY, chars, tiny_repo, write_photo, write_record

UNIT = "changchun"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return tiny_repo(tmp_path / "repo")


def findings(repo: Path, kind, record, unit_kind: str = "市州"):  # noqa: ANN001
    ctx = RuleContext(repo, load_campaign(repo), UNIT, unit_kind)
    return check_record(kind, record, kind.path(UNIT, getattr(record, "id", None)), ctx)


def codes(repo: Path, kind, record, unit_kind: str = "市州") -> set[str]:  # noqa: ANN001
    return {f.code for f in findings(repo, kind, record, unit_kind)}


def full_activity(**changes) -> Activity:  # noqa: ANN003
    values = dict(id="act0000001", seq=1, name="社区智能手机培训", start=DAY, end=DAY,
                  venue="朝阳区社区学校", organizer="朝阳区社区教育学院", participants=30,
                  signup_phone="0431-82857798", content="教老年人使用智能手机。")
    values.update(changes)
    return Activity(**values)


def photos(repo: Path, count: int, width: int = 1920, height: int = 1080) -> list[dict]:
    return [{"file": write_photo(repo, UNIT, f"p{n}.jpg", width, height), "caption": f"图{n}"}
            for n in range(count)]


# ------------------------------------------------------------------ 字数


def test_character_count_ignores_spaces_ideographic_spaces_tabs_and_newlines():
    assert count_chars("全民 终身\u3000学习\t活动\n周\r\n") == 9
    assert count_chars("") == 0 and count_chars(None) == 0


# ------------------------------------------------------------------ 展板素材


def test_exhibition_title_of_20_characters_passes_and_21_is_an_error(repo: Path):
    ok = Exhibition.model_validate({"title": "学" * 20, "text": chars(500), "photos": photos(repo, 6)})
    long = ok.model_copy(update={"title": "学" * 21})
    assert "exhibition.title_too_long" not in codes(repo, EXHIBITION, ok)
    found = [f for f in findings(repo, EXHIBITION, long) if f.code == "exhibition.title_too_long"]
    assert found and found[0].severity is Severity.ERROR and "21 字" in found[0].message


def test_exhibition_title_spaces_do_not_count(repo: Path):
    spaced = Exhibition.model_validate({"title": "学习 " * 20, "photos": photos(repo, 6)})
    assert count_chars(spaced.title) == 40
    assert "exhibition.title_too_long" in codes(repo, EXHIBITION, spaced)
    twenty = Exhibition.model_validate({"title": "学 " * 20, "photos": photos(repo, 6)})
    assert "exhibition.title_too_long" not in codes(repo, EXHIBITION, twenty)


@pytest.mark.parametrize(("length", "warned"), [(399, True), (400, False), (600, False), (601, True)])
def test_exhibition_text_between_400_and_600_characters(repo: Path, length: int, warned: bool):
    record = Exhibition.model_validate({"title": "题目", "text": chars(length), "photos": photos(repo, 6)})
    found = [f for f in findings(repo, EXHIBITION, record) if f.code == "exhibition.text_length"]
    assert bool(found) is warned
    if found:
        assert found[0].severity is Severity.WARNING and f"{length} 字" in found[0].message


@pytest.mark.parametrize(("count", "error"), [(5, True), (6, False), (7, True)])
def test_exhibition_needs_exactly_six_photos(repo: Path, count: int, error: bool):
    record = Exhibition.model_validate({"title": "题目", "text": chars(500), "photos": photos(repo, count)})
    assert ("photos.count" in codes(repo, EXHIBITION, record)) is error


def test_every_exhibition_photo_needs_a_caption(repo: Path):
    items = photos(repo, 6)
    items[2]["caption"] = "  "
    record = Exhibition.model_validate({"title": "题目", "text": chars(500), "photos": items})
    found = [f for f in findings(repo, EXHIBITION, record) if f.code == "photo.caption"]
    assert [f.field for f in found] == ["photos[3].caption"]


@pytest.mark.parametrize(("size", "warned"), [((1920, 1080), False), ((1919, 1080), True),
                                               ((1920, 1079), True), ((1080, 1920), False)])
def test_photo_resolution_at_least_1920_by_1080(repo: Path, size: tuple[int, int], warned: bool):
    record = Exhibition.model_validate({"title": "题目", "text": chars(500),
                                        "photos": photos(repo, 6, *size)})
    found = [f for f in findings(repo, EXHIBITION, record) if f.code == "photo.resolution"]
    assert bool(found) is warned
    assert all(f.severity is Severity.WARNING and "分辨率不足" in f.message for f in found)


def test_photo_resolution_is_read_after_exif_rotation(repo: Path):
    # stored 1080 wide, 1920 tall, with orientation 6: shown 1920 × 1080 — still large enough
    write_photo(repo, UNIT, "turned.jpg", 1920, 1000, orientation=6)
    record = Summary.model_validate({"text": chars(1500), "photos": [
        {"file": "turned.jpg", "caption": "横拍"}]})
    found = [f for f in findings(repo, SUMMARY, record) if f.code == "photo.resolution"]
    assert found and "1000×1920" in found[0].message


def test_missing_corrupt_and_non_image_photos_are_errors_not_crashes(repo: Path):
    items = photos(repo, 6)
    folder = repo / "units" / UNIT / "photos"
    (folder / "p1.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (folder / "p2.jpg").write_text("一段文字", encoding="utf-8")
    (folder / "p3.jpg").unlink()
    record = Exhibition.model_validate({"title": "题目", "text": chars(500), "photos": items})
    bad = {f.field: f.message for f in findings(repo, EXHIBITION, record) if f.code == "photo.unreadable"}
    assert set(bad) == {"photos[2].file", "photos[3].file", "photos[4].file"}
    assert "不存在" in bad["photos[4].file"]


def test_photo_outside_the_units_folder_is_never_opened(repo: Path, tmp_path: Path):
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(b"not for you")
    link = repo / "units" / UNIT / "photos" / "link.jpg"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    record = Summary.model_validate({"text": chars(1500), "photos": [
        {"file": "../../../etc/passwd", "caption": "a"}, {"file": "link.jpg", "caption": "b"}]})
    outside_codes = [f.field for f in findings(repo, SUMMARY, record) if f.code == "photo.outside"]
    assert outside_codes == ["photos[1].file", "photos[2].file"]


def test_photo_over_the_size_limit_is_an_error(repo: Path):
    items = photos(repo, 6)
    big = repo / "units" / UNIT / "photos" / items[0]["file"]
    with big.open("ab") as handle:  # a valid JPEG with 21 MB of trailing bytes
        handle.truncate(21 * 1024 * 1024)
    record = Exhibition.model_validate({"title": "题目", "text": chars(500), "photos": items})
    assert "photo.too_large" in codes(repo, EXHIBITION, record)


# ------------------------------------------------------------------ 先进事迹


@pytest.mark.parametrize("kind", [ADVANCED_UNITS, ADVANCED_PEOPLE])
@pytest.mark.parametrize(("length", "error"), [(500, False), (501, True)])
def test_deeds_of_500_characters_pass_and_501_is_an_error(repo: Path, kind, length: int, error: bool):  # noqa: ANN001
    record = kind.model(id="rec0000001", rank=1, deeds=chars(length))
    assert ("deeds.too_long" in codes(repo, kind, record)) is error


# ------------------------------------------------------------------ 年度工作总结 and cases


@pytest.mark.parametrize(("length", "error"), [(1499, True), (1500, False)])
def test_summary_needs_at_least_1500_characters(repo: Path, length: int, error: bool):
    record = Summary.model_validate({"text": chars(length), "photos": photos(repo, 8)})
    assert ("summary.too_short" in codes(repo, SUMMARY, record)) is error


@pytest.mark.parametrize(("count", "error"), [(7, True), (8, False)])
def test_summary_needs_eight_photos(repo: Path, count: int, error: bool):
    record = Summary.model_validate({"text": chars(1500), "photos": photos(repo, count)})
    assert ("photos.count" in codes(repo, SUMMARY, record)) is error


@pytest.mark.parametrize(("count", "error"), [(1, True), (2, False)])
def test_two_typical_cases_are_needed(repo: Path, count: int, error: bool):
    for n in range(count):
        write_record(repo, CASES.path(UNIT, f"case00000{n}"), Case(id=f"case00000{n}", title="案例", text="内容"))
    data = load_repo(repo)
    found = [f for f in check_unit(data.units[UNIT], repo, data.campaign) if f.code == "cases.count"]
    assert bool(found) is error
    if found:
        assert found[0].deliverable == "cases" and found[0].severity is Severity.ERROR


# ------------------------------------------------------------------ 附表1


def test_complete_activity_has_no_findings(repo: Path):
    assert findings(repo, ACTIVITIES, full_activity()) == []


def test_every_column_of_an_activity_is_required(repo: Path):
    record = Activity(id="act0000001", seq=1)
    missing = {f.field for f in findings(repo, ACTIVITIES, record) if f.code == "field.required"}
    assert missing == {"name", "start", "end", "venue", "organizer", "participants",
                       "signup_phone", "content"}


def test_activity_ending_before_it_starts_is_an_error(repo: Path):
    same_day = full_activity(start=DAY, end=DAY)
    backwards = full_activity(start=DAY, end=DAY - dt.timedelta(days=1))
    assert "activity.dates" not in codes(repo, ACTIVITIES, same_day)
    assert "activity.dates" in codes(repo, ACTIVITIES, backwards)


@pytest.mark.parametrize(("start", "end", "warned"), [
    (dt.date(2021, 10, 1), dt.date(2021, 11, 30), False),
    (dt.date(2021, 9, 30), dt.date(2021, 10, 2), True),
    (dt.date(2021, 11, 30), dt.date(2021, 12, 1), True),
])
def test_activity_outside_the_showcase_window_is_a_warning(repo: Path, start, end, warned):  # noqa: ANN001
    found = [f for f in findings(repo, ACTIVITIES, full_activity(start=start, end=end))
             if f.code == "activity.outside_showcase"]
    assert bool(found) is warned
    assert all(f.severity is Severity.WARNING for f in found)


def test_negative_participants_are_an_error(repo: Path):
    assert "activity.participants" in codes(repo, ACTIVITIES, full_activity(participants=-1))
    assert "activity.participants" not in codes(repo, ACTIVITIES, full_activity(participants=0))


@pytest.mark.parametrize(("phone", "valid"), [
    ("0431-82857798", True), ("043182857798", True), ("010-12345678", True),
    ("19990521785", True), ("0431-82857798、19990521785", True), ("0431-82857798,19990521785", True),
    ("1999052178", False), ("29990521785", False), ("82857798", False), ("电话待定", False),
    ("0431-82857798、", False),
])
def test_phone_numbers_landline_or_mobile_several_allowed(phone: str, valid: bool):
    assert valid_phones(phone) is valid


def test_bad_signup_phone_is_reported_on_its_field(repo: Path):
    found = [f for f in findings(repo, ACTIVITIES, full_activity(signup_phone="123"))
             if f.code == "phone.invalid"]
    assert [f.field for f in found] == ["signup_phone"]


# ------------------------------------------------------------------ 附表4


def full_person(**changes) -> AdvancedPerson:  # noqa: ANN003
    values = dict(id="per0000001", rank=1, name="李华", birth_date=dt.date(1975, 5, 1),
                  gender="女", ethnicity="汉族", employer="长春市朝阳区社区教育学院", title="教师",
                  email="lihua@example.cn", phone="13904310000", deeds="事迹", contact_name="王芳",
                  contact_phone="0431-82857798")
    values.update(changes)
    return AdvancedPerson(**values)


def test_complete_person_has_no_findings(repo: Path):
    assert findings(repo, ADVANCED_PEOPLE, full_person()) == []


@pytest.mark.parametrize(("changes", "code"), [
    ({"gender": "M"}, "person.gender"),
    ({"birth_date": dt.date(1900, 1, 1)}, "person.birth_date"),
    ({"birth_date": dt.date(2010, 1, 1)}, "person.birth_date"),
    ({"email": "lihua@"}, "person.email"),
    ({"email": "li hua@example.cn"}, "person.email"),
])
def test_implausible_person_values_are_errors(repo: Path, changes: dict, code: str):
    found = [f for f in findings(repo, ADVANCED_PEOPLE, full_person(**changes)) if f.code == code]
    assert found and found[0].severity is Severity.ERROR


def _ranked(repo: Path, kind, ranks: list[int]) -> set[str]:  # noqa: ANN001
    for n, rank in enumerate(ranks):
        rid = f"rank00000{n}"
        write_record(repo, kind.path(UNIT, rid), kind.model(id=rid, rank=rank))
    data = load_repo(repo)
    return {f.code for f in check_unit(data.units[UNIT], repo, data.campaign)
            if f.code.startswith("rank.")}


@pytest.mark.parametrize(("ranks", "expected"), [
    ([1, 2, 3], set()), ([1, 2, 2], {"rank.duplicate"}), ([1, 3], {"rank.gap"}), ([2, 3], {"rank.gap"}),
])
def test_ranks_are_unique_and_contiguous_from_one(repo: Path, ranks: list[int], expected: set[str]):
    assert _ranked(repo, ADVANCED_UNITS, ranks) == expected


# ------------------------------------------------------------------ 工作方案, profile


@pytest.mark.parametrize(("opening", "warned"), [
    (dt.date(2021, 10, 16), False), (dt.date(2021, 10, 15), True),
    (dt.date(2021, 12, 16), False), (dt.date(2021, 12, 17), True),
])
def test_unit_opening_within_a_month_of_the_provincial_opening(repo: Path, opening: dt.date, warned: bool):
    plan = WorkPlan(title="方案", text="内容", opening_date=opening)  # provincial opening 2021-11-16
    assert ("work_plan.opening_date" in codes(repo, WORK_PLAN, plan)) is warned


def test_university_profile_needs_no_city(repo: Path):
    profile = UnitProfile(id=UNIT, name="吉林大学", short_name="吉林大学", kind="高校",
                          contact_name="张老师", contact_phone="0431-85166666")
    assert codes(repo, PROFILE, profile, "高校") == set()
    assert "field.required" in codes(repo, PROFILE, profile.model_copy(update={"kind": "市州"}), "市州")


def test_unit_record_values_that_are_not_a_known_kind_are_errors(repo: Path):
    profile = UnitProfile(id=UNIT, name="x", short_name="x", kind="乡镇", city="x",
                          contact_name="x", contact_phone="0431-85166666")
    assert "unit.kind" in codes(repo, PROFILE, profile)


def test_advanced_unit_form_fields_are_required_but_opinions_optional(repo: Path):
    missing = {f.field for f in findings(repo, ADVANCED_UNITS, AdvancedUnit(id="u000000001", rank=1))
               if f.code == "field.required"}
    assert "full_name" in missing and "deeds" in missing
    assert not missing & {"unit_opinion", "city_opinion", "province_opinion"}


def test_a_decompression_bomb_is_a_finding_not_a_crash(repo: Path):
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)  # 10 gigapixels claimed
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) \
        + chunk(b"IEND", b"")
    items = photos(repo, 6)
    (repo / "units" / UNIT / "photos" / items[0]["file"]).write_bytes(bomb)
    record = Exhibition.model_validate({"title": "题目", "text": chars(500), "photos": items})
    found = [f for f in findings(repo, EXHIBITION, record) if f.code == "photo.unreadable"]
    assert [f.field for f in found] == ["photos[1].file"] and "像素数异常巨大" in found[0].message
