"""The rules of the notice (吉教职成〔2021〕25号) as findings.

`check_record` looks at one record and is cheap enough to run on every keystroke of a form;
`check_unit` adds the rules that need several records (ranks, counts); `validate_repo` runs
everything and adds what loading found.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from datastore.findings import Finding, Severity
from datastore.loader import RepoData, UnitData
from datastore.models import (
    ADVANCED_PEOPLE,
    ADVANCED_UNITS,
    CAPTION_LIMIT,
    CASES,
    DELIVERABLES,
    GENDERS,
    REVIEW_STATES,
    UNIT_KINDS,
    Activity,
    AdvancedPerson,
    AdvancedUnit,
    Campaign,
    Case,
    Exhibition,
    FieldSpec,
    Photo,
    Record,
    RecordKind,
    Rules,
    Summary,
    UnitProfile,
    WorkPlan,
)
from datastore.photos import inspect_photo, photo_path
from datastore.printfit import print_notes
from datastore.textcount import count_chars

ERROR, WARNING = Severity.ERROR, Severity.WARNING
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_MOBILE = re.compile(r"^1\d{10}$")
_PHONE_SPLIT = re.compile(r"[、,，;；/]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_PHONE_FIELDS = ("signup_phone", "phone", "contact_phone")


@dataclass(frozen=True)
class RuleContext:
    """What the rules of one record need beyond the record itself."""

    root: Path
    campaign: Campaign
    unit: str
    unit_kind: str | None = None
    #: where a photo named in the record is found (a form: photos picked but not yet saved)
    find_photo: Callable[[Path, str, str], Path | None] | None = None

    @property
    def rules(self) -> Rules:
        return self.campaign.rules


def valid_phones(value: str) -> bool:
    """One or more phone numbers, each a landline (0431-82857798) or an 11-digit mobile."""
    parts = [p.strip().replace(" ", "") for p in _PHONE_SPLIT.split(value)]
    return bool(parts) and all(_LANDLINE.match(p) or _MOBILE.match(p) for p in parts)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier); past year 1 or 9999 it stops at the edge."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return dt.date.min if year < dt.MINYEAR else dt.date.max
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@cache
def _specs(model: type[Record]) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in model.specs()}


@cache
def _required(model: type[Record]) -> tuple[tuple[str, str], ...]:
    """(field, label) of the fields a complete record must fill."""
    return tuple((spec.name, spec.label) for spec in _specs(model).values() if spec.required)


@cache
def _limited(model: type[Record]) -> tuple[tuple[str, str, int], ...]:
    """(field, label, limit) of the one-line fields with a most number of characters."""
    return tuple((spec.name, spec.label, spec.limit) for spec in _specs(model).values()
                 if spec.limit)


@cache
def _phones(model: type[Record]) -> tuple[tuple[str, str], ...]:
    specs = _specs(model)
    return tuple((name, specs[name].label) for name in _PHONE_FIELDS if name in specs)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Collector:
    """Builds findings for one file, so each rule says only field, code and sentence."""

    def __init__(self, path: str, unit: str | None, deliverable: str | None) -> None:
        self.path, self.unit, self.deliverable = path, unit, deliverable
        self.found: list[Finding] = []

    def add(self, field: str | None, code: str, message: str, severity: Severity = ERROR) -> None:
        self.found.append(Finding(severity, code, self.path, field, message, None, self.unit,
                                  self.deliverable))


def check_record(kind: RecordKind, record: Record, path: str, ctx: RuleContext) -> list[Finding]:
    """Every rule about this one record (fields, lengths, photos); no other record is read."""
    out = _Collector(path, ctx.unit, kind.deliverable)
    model, values = type(record), record.__dict__
    for name, label in _required(model):
        value = values[name]
        if (value is None or (value.__class__ is str and not value.strip())) \
                and name not in record.invalid:
            if name == "city" and ctx.unit_kind == "高校":
                continue
            out.add(name, "field.required", f"未填写「{label}」")
    for name, label, limit in _limited(model):
        value = values[name]
        if value.__class__ is str and len(value.strip()) > limit:
            out.add(name, "field.too_long",
                    f"「{label}」{len(value.strip())} 个字符，超过 {limit} 个的上限")
    for name, label in _phones(model):
        value = values[name]
        if not _blank(value) and not valid_phones(value):
            out.add(name, "phone.invalid",
                    f"「{label}」{value} 不是有效的电话号码（座机如 0431-82857798，手机 11 位以 1 开头，多个用、分隔）")
    check = _CHECKS.get(type(record))
    if check:
        check(record, ctx, out)
    for name, sentence in print_notes(kind.key, values):
        out.add(name, "print.continued", f"「{model.label_of(name)}」{sentence}", WARNING)
    return out.found


def _check_profile(profile: UnitProfile, ctx: RuleContext, out: _Collector) -> None:
    if profile.kind and profile.kind not in UNIT_KINDS:
        out.add("kind", "unit.kind", f"类别「{profile.kind}」应为 {'、'.join(UNIT_KINDS)} 之一")
    if profile.id and profile.id != ctx.unit:
        out.add("id", "unit.id_mismatch", f"单位编号 {profile.id} 与文件夹名 {ctx.unit} 不一致")


def _check_activity(activity: Activity, ctx: RuleContext, out: _Collector) -> None:
    start, end, campaign = activity.start, activity.end, ctx.campaign
    if start and end and start > end:
        out.add("end", "activity.dates", "「结束日期」早于「开始日期」")
    if (start and end and campaign.showcase_start and campaign.showcase_end
            and (start < campaign.showcase_start or end > campaign.showcase_end)):
        out.add("start", "activity.outside_showcase",
                f"活动时间不在示范活动集中展示期（{_md(campaign.showcase_start)}—{_md(campaign.showcase_end)}）内",
                WARNING)
    if activity.participants is not None and activity.participants < 0:
        out.add("participants", "activity.participants", "「人数」不能为负数")


def _check_deeds(record: AdvancedUnit | AdvancedPerson, ctx: RuleContext, out: _Collector) -> None:
    count, limit = count_chars(record.deeds), ctx.rules.deeds_max
    if count > limit:
        label = type(record).label_of("deeds")
        out.add("deeds", "deeds.too_long", f"「{label}」{count} 字，超过 {limit} 字的上限")


def _check_person(person: AdvancedPerson, ctx: RuleContext, out: _Collector) -> None:
    _check_deeds(person, ctx, out)
    if person.gender and person.gender not in GENDERS:
        out.add("gender", "person.gender", f"「性别」应填 男 或 女，现为「{person.gender}」")
    year = ctx.campaign.year or dt.date.today().year
    if person.birth_date and not (year - 100 <= person.birth_date.year <= year - 16):
        out.add("birth_date", "person.birth_date",
                f"「出生日期」{person.birth_date} 不合情理（应在 {year - 100}—{year - 16} 年之间）")
    if person.email and not _EMAIL.match(person.email.strip()):
        out.add("email", "person.email", f"「电子邮箱」{person.email} 格式不对")


def _check_photos(photos: list[Photo], wanted: int | None, label: str, ctx: RuleContext,
                  out: _Collector) -> None:
    """Each photo named, readable and large enough; `wanted` photos, where a number is due."""
    rules = ctx.rules
    if wanted is not None and len(photos) != wanted:
        out.add("photos", "photos.count", f"{label} {len(photos)} 张，应为 {wanted} 张")
    for index, photo in enumerate(photos, start=1):
        field = f"photos[{index}]"
        if _blank(photo.caption):
            out.add(f"{field}.caption", "photo.caption", f"第 {index} 张{label}没有命名")
        elif len(photo.caption.strip()) > CAPTION_LIMIT:
            out.add(f"{field}.caption", "field.too_long",
                    f"第 {index} 张{label}的命名 {len(photo.caption.strip())} 个字符，"
                    f"超过 {CAPTION_LIMIT} 个的上限")
        if _blank(photo.file):
            out.add(f"{field}.file", "photo.file", f"第 {index} 张{label}没有选择文件")
            continue
        path = (ctx.find_photo or photo_path)(ctx.root, ctx.unit, photo.file)
        if path is None:
            out.add(f"{field}.file", "photo.outside",
                    f"第 {index} 张{label}「{photo.file}」不在本单位 photos 文件夹内，不予使用")
            continue
        info = inspect_photo(path)
        if not info.ok:
            out.add(f"{field}.file", "photo.unreadable", f"第 {index} 张{label}「{photo.file}」：{info.problem}")
        elif info.size_bytes > rules.photo_max_mb * 1024 * 1024:
            out.add(f"{field}.file", "photo.too_large",
                    f"第 {index} 张{label}「{photo.file}」{info.size_bytes / 1048576:.1f} MB，超过 {rules.photo_max_mb} MB")
        elif not info.meets(rules.photo_min_long_side, rules.photo_min_short_side):
            out.add(f"{field}.file", "photo.resolution",
                    f"第 {index} 张{label}「{photo.file}」分辨率不足：{info.width}×{info.height}，"
                    f"至少 {rules.photo_min_long_side}×{rules.photo_min_short_side}", WARNING)


def _check_exhibition(exhibition: Exhibition, ctx: RuleContext, out: _Collector) -> None:
    rules = ctx.rules
    title = count_chars(exhibition.title)
    if title > rules.exhibition_title_max:
        out.add("title", "exhibition.title_too_long",
                f"文稿题目 {title} 字，超过 {rules.exhibition_title_max} 字的上限")
    text = count_chars(exhibition.text)
    if exhibition.text and not rules.exhibition_text_min <= text <= rules.exhibition_text_max:
        out.add("text", "exhibition.text_length",
                f"内容 {text} 字，要求 500 字左右（{rules.exhibition_text_min}—{rules.exhibition_text_max} 字）",
                WARNING)
    _check_photos(exhibition.photos, rules.exhibition_photos, "活动图片", ctx, out)


def _check_summary(summary: Summary, ctx: RuleContext, out: _Collector) -> None:
    rules = ctx.rules
    text = count_chars(summary.text)
    if summary.text and text < rules.summary_min:
        out.add("text", "summary.too_short", f"年度工作总结 {text} 字，不少于 {rules.summary_min} 字")
    _check_photos(summary.photos, rules.summary_photos, "照片", ctx, out)


def _check_case(case: Case, ctx: RuleContext, out: _Collector) -> None:
    """A case's photos are optional; those it has are checked like the others."""
    most = ctx.rules.case_photos
    if len(case.photos) > most:
        out.add("photos", "case.photos", f"照片 {len(case.photos)} 张，每个案例最多 {most} 张", WARNING)
    _check_photos(case.photos, None, "照片", ctx, out)


def _check_work_plan(plan: WorkPlan, ctx: RuleContext, out: _Collector) -> None:
    opening = ctx.campaign.opening_date
    if plan.opening_date and opening and not (
            add_months(opening, -1) <= plan.opening_date <= add_months(opening, 1)):
        out.add("opening_date", "work_plan.opening_date",
                f"本地开幕式 {plan.opening_date} 不在全省总开幕式（{opening}）前后一个月内", WARNING)


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


_CHECKS = {
    UnitProfile: _check_profile,
    Activity: _check_activity,
    AdvancedUnit: _check_deeds,
    AdvancedPerson: _check_person,
    Exhibition: _check_exhibition,
    Summary: _check_summary,
    Case: _check_case,
    WorkPlan: _check_work_plan,
}


def check_ranks(kind: RecordKind, unit: UnitData) -> list[Finding]:
    """推荐序号 unique and contiguous from 1 inside a unit."""
    items = [s for s in unit.items(kind.key) if s.record is not None]
    ranks = [getattr(s.record, "rank") for s in items]
    found: list[Finding] = []
    for stored, rank in zip(items, ranks):
        if rank is not None and ranks.count(rank) > 1:
            found.append(Finding(ERROR, "rank.duplicate", stored.path, "rank",
                                 f"推荐序号 {rank} 重复", None, unit.id, kind.deliverable))
    numbered = sorted(r for r in ranks if r is not None)
    if numbered and len(set(numbered)) == len(numbered) and numbered != list(range(1, len(numbered) + 1)):
        found.append(Finding(ERROR, "rank.gap", f"units/{unit.id}/{kind.folder}", "rank",
                             f"推荐序号应从 1 起连续编号，现为 {'、'.join(map(str, numbered))}",
                             None, unit.id, kind.deliverable))
    return found


def check_unit(unit: UnitData, root: Path, campaign: Campaign) -> list[Finding]:
    """Every rule about one unit's materials."""
    ctx = RuleContext(root, campaign, unit.id, unit.kind)
    found: list[Finding] = []
    for stored in list(unit.singles.values()) + [s for v in unit.collections.values() for s in v]:
        if stored.record is not None and stored.kind is not None:
            found += check_record(stored.kind, stored.record, stored.path, ctx)
    for kind in (ADVANCED_UNITS, ADVANCED_PEOPLE):
        found += check_ranks(kind, unit)
    cases, wanted = len(unit.items(CASES.key)), campaign.rules.cases
    if 0 < cases != wanted:
        found.append(Finding(ERROR if cases < wanted else WARNING, "cases.count",
                             f"units/{unit.id}/cases", None,
                             f"典型活动案例 {cases} 个，应为 {wanted} 个", None, unit.id, "cases"))
    return found


def check_campaign(data: RepoData) -> list[Finding]:
    campaign = data.campaign
    out = _Collector("campaign.toml", None, None)
    for deadline in campaign.deadlines:
        for key in deadline.deliverables:
            if key not in DELIVERABLES:
                out.add("deadlines", "campaign.deliverable", f"报送时间「{deadline.title}」中的材料「{key}」未知")
    for key, label in DELIVERABLES.items():
        if data.campaign.deadline_of(key) is None:
            out.add("deadlines", "campaign.no_deadline", f"「{label}」没有截止日期", WARNING)
    for unit_id, reviews in data.reviews.items():
        for key in DELIVERABLES:
            entry = getattr(reviews, key)
            if entry is not None and entry.state not in REVIEW_STATES:
                out.found.append(Finding(ERROR, "review.state", f"reviews/{unit_id}.toml", key,
                                         f"审核状态「{entry.state}」应为 received、accepted 或 returned",
                                         None, unit_id, key))
    return out.found


def in_report_order(findings: list[Finding], unit_ids: list[str]) -> list[Finding]:
    """Province files first, then unit by unit in campaign order, file by file."""
    position = {unit_id: n for n, unit_id in enumerate(unit_ids, start=1)}
    return sorted(findings, key=lambda f: (position.get(f.unit, 0) if f.unit else 0, f.path))


def validate_repo(data: RepoData, unit: str | None = None) -> list[Finding]:
    """All findings of the repository (or of one unit)."""
    found = [f for f in data.findings if unit is None or f.unit == unit]
    if unit is None:
        found += check_campaign(data)
    for unit_id, unit_data in data.units.items():
        if unit is None or unit_id == unit:
            found += check_unit(unit_data, data.root, data.campaign)
    return in_report_order(found, list(data.units))


__all__ = ["RuleContext", "add_months", "check_ranks", "check_record", "check_unit",
           "in_report_order", "valid_phones", "validate_repo"]
