"""Pydantic models: the single description of every file of the data repository.

Each field carries its Chinese label and hints in its metadata, so forms, rules, exports and
the TOML keys all come from here. Record fields default to None: an unfinished record still
loads and saves as a draft, and the rules say what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, create_model

DELIVERABLES: dict[str, str] = {
    "work_plan": "工作方案",
    "activities": "附表1 示范活动",
    "exhibition": "展板素材",
    "advanced_units": "先进单位（附表2、3）",
    "advanced_people": "先进个人（附表4、5）",
    "summary": "年度工作总结",
    "cases": "典型活动案例",
}

UNIT_KINDS = ("市州", "管委会", "县级市", "高校")
GENDERS = ("男", "女")
REVIEW_STATES = {"received": "已收到", "accepted": "已通过", "returned": "已退回"}
ROLES = ("unit", "province")


_NO_VALUES: Mapping[str, Any] = MappingProxyType({})

# how many characters a one-line field holds (the notice sets none; these fit its tables'
# cells and a seal's longest names, and keep a pasted page out of a name)
NAME_LIMIT = 50  # 活动名称, 单位全称, 地点, 主办单位, 工作单位
SHORT_LIMIT = 20  # 简称, 市（县）, 时间说明
PERSON_LIMIT = 20  # a person's name
TITLE_LIMIT = 30  # 职务, 文稿题目 (whose rule is 20 字: the counter says so)
HEADING_LIMIT = 60  # 方案标题, 案例标题
ADDRESS_LIMIT = 80
PHONE_LIMIT = 60  # several numbers separated by 、
EMAIL_LIMIT = 60
CAPTION_LIMIT = 30  # 图片命名
#: how much of a record's name a commit subject or a heading shows
DESCRIBE_LIMIT = 24


def field(label: str, *, required: bool = True, **meta: Any) -> Any:
    """A record field: None until filled, labelled in Chinese, `required` for completeness.

    Extra metadata the forms understand: multiline (a TextArea), hint (shown beside the
    field), choices (a fixed list), counter (the rule that bounds its 字数), limit (the most
    characters a one-line field holds), province_owned (filled in by the province: True, or
    the unit kinds for which it is).
    """
    return Field(default=None, title=label, json_schema_extra={"required": required, **meta})


@dataclass(frozen=True)
class FieldSpec:
    """What a form needs to know about one field, read from the model."""

    name: str
    label: str
    kind: str  # "str" | "int" | "date" | "list"
    required: bool
    multiline: bool = False
    hint: str | None = None
    choices: tuple[str, ...] = ()
    counter: str | None = None
    limit: int | None = None
    province_owned: bool | tuple[str, ...] = False

    def owned_by_province(self, unit_kind: str | None) -> bool:
        """Only the province fills this field in for a unit of `unit_kind` (教育厅意见 always,
        市州教育行政部门意见 for a university, which no 市州 stands above)."""
        if isinstance(self.province_owned, tuple):
            return unit_kind in self.province_owned
        return self.province_owned


def _kind_of(annotation: Any) -> str:
    text = str(annotation)
    if "date" in text:
        return "date"
    if "int" in text:
        return "int"
    if "list" in text:
        return "list"
    return "str"


class Record(BaseModel):
    """Base of every stored file: strict types, unknown keys kept (and reported), never lost.

    Values that failed their type when loading are kept in `invalid` and written back
    unchanged until someone fills the field, so opening and saving a broken file loses nothing.
    """

    # defer_build: each model builds its validator when first used, so a command or the app
    # start pays only for the models it touches (about 20 ms of every start otherwise)
    model_config = ConfigDict(extra="allow", strict=True, validate_assignment=False,
                              defer_build=True)
    # a slot rather than a pydantic private attribute: loading 10,000 records stays cheap
    __slots__ = ("_invalid_values",)

    #: fields shown in forms, in this order (None: all declared fields)
    form_fields: ClassVar[tuple[str, ...] | None] = None

    @property
    def invalid(self) -> Mapping[str, Any]:
        """Values kept from the file that did not fit their field's type."""
        return getattr(self, "_invalid_values", _NO_VALUES)

    def keep_invalid(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_invalid_values", dict(values))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy that keeps the bad values of the fields `update` does not set."""
        copy = super().model_copy(update=update, deep=deep)
        kept = {k: v for k, v in self.invalid.items() if k not in (update or {})}
        if kept:
            copy.keep_invalid(kept)
        return copy

    @property
    def unknown(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})

    @classmethod
    def specs(cls) -> list[FieldSpec]:
        names = cls.form_fields or tuple(cls.model_fields)
        out = []
        for name in names:
            info = cls.model_fields[name]
            meta = dict(info.json_schema_extra or {})  # type: ignore[arg-type]
            out.append(
                FieldSpec(
                    name=name,
                    label=info.title or name,
                    kind=_kind_of(info.annotation),
                    required=bool(meta.get("required", False)),
                    multiline=bool(meta.get("multiline", False)),
                    hint=meta.get("hint"),
                    choices=tuple(meta.get("choices", ())),
                    counter=meta.get("counter"),
                    limit=meta.get("limit"),
                    province_owned=meta.get("province_owned", False),
                )
            )
        return out

    @classmethod
    def label_of(cls, name: str) -> str:
        info = cls.model_fields.get(name)
        return (info.title if info else None) or name


# ---------------------------------------------------------------- province-owned files


class Contact(Record):
    name: str | None = field("联系人")
    phones: list[str] = Field(default_factory=list, title="电话")
    email: str | None = field("邮箱")
    address: str | None = field("邮寄地址")
    postcode: str | None = field("邮政编码")


class Rules(Record):
    """The notice's limits; a new notice changes these numbers, not the code."""

    exhibition_title_max: int = Field(20, title="展板文稿题目字数上限")
    exhibition_text_min: int = Field(400, title="展板内容字数下限")
    exhibition_text_max: int = Field(600, title="展板内容字数上限")
    exhibition_photos: int = Field(6, title="展板图片张数")
    deeds_max: int = Field(500, title="先进事迹字数上限")
    summary_min: int = Field(1500, title="年度工作总结字数下限")
    summary_photos: int = Field(8, title="年度总结照片张数")
    cases: int = Field(2, title="典型活动案例个数")
    case_photos: int = Field(4, title="每个典型活动案例的照片张数上限（选填）")
    photo_min_long_side: int = Field(1920, title="照片长边最少像素")
    photo_min_short_side: int = Field(1080, title="照片短边最少像素")
    photo_max_mb: int = Field(20, title="照片大小上限（MB）")


class Deadline(Record):
    key: str | None = field("编号")
    due: dt.date | None = field("截止日期")
    title: str | None = field("报送内容")
    deliverables: list[str] = Field(default_factory=list, title="材料")


class UnitRef(Record):
    id: str | None = field("单位编号")
    name: str | None = field("单位名称")
    kind: str | None = field("类别", choices=UNIT_KINDS)


class Campaign(Record):
    schema_: int | None = Field(None, alias="schema", title="格式版本")
    year: int | None = field("年度")
    province: str | None = field("省份")
    title: str | None = field("活动名称")
    theme: str | None = field("主题")
    document_no: str | None = field("文号")
    issuer: str | None = field("发文单位")
    opening_date: dt.date | None = field("全省总开幕式日期", required=False)
    showcase_start: dt.date | None = field("示范活动集中展示开始")
    showcase_end: dt.date | None = field("示范活动集中展示结束")
    contact: Contact = Field(default_factory=Contact, title="联系方式")
    rules: Rules = Field(default_factory=Rules, title="规则")
    deadlines: list[Deadline] = Field(default_factory=list, title="报送时间")
    units: list[UnitRef] = Field(default_factory=list, title="报送单位")

    model_config = ConfigDict(populate_by_name=True)

    def deadline_of(self, deliverable: str) -> Deadline | None:
        for deadline in self.deadlines:
            if deliverable in deadline.deliverables:
                return deadline
        return None


class Staff(Record):
    login: str | None = field("登录名")
    email: str | None = field("邮箱")
    name: str | None = field("姓名")
    unit: str | None = field("单位")
    role: str | None = field("角色", choices=ROLES)


class Access(Record):
    staff: list[Staff] = Field(default_factory=list, title="人员")


class ReviewEntry(Record):
    state: str | None = field("审核状态", choices=tuple(REVIEW_STATES))
    at: dt.date | None = field("日期")
    by: str | None = field("审核人")
    comment: str | None = field("意见", required=False, multiline=True)


def _per_deliverable(name: str, entry: type[Record], doc: str) -> type[Record]:
    """A file with one optional table per deliverable key, in DELIVERABLES order."""
    model = create_model(name, __base__=Record, __doc__=doc,
                         **{key: (entry | None, Field(None, title=label))
                            for key, label in DELIVERABLES.items()})
    model.__module__ = __name__
    return model


Reviews = _per_deliverable("Reviews", ReviewEntry, "reviews/<unit>.toml: the province's review of each deliverable.")


# ---------------------------------------------------------------- unit-owned files


class UnitProfile(Record):
    id: str | None = field("单位编号")
    name: str | None = field("单位全称", hint="以公章为准", limit=NAME_LIMIT)
    short_name: str | None = field("简称", limit=SHORT_LIMIT)
    kind: str | None = field("类别", choices=UNIT_KINDS)
    city: str | None = field("市（县）", hint="附表1 表头“吉林省 __市（县）__区”",
                             limit=SHORT_LIMIT)
    county: str | None = field("县", required=False, limit=SHORT_LIMIT)
    district: str | None = field("区", required=False, limit=SHORT_LIMIT)
    contact_name: str | None = field("填表联系人", limit=PERSON_LIMIT)
    contact_phone: str | None = field("联系电话", limit=PHONE_LIMIT)

    form_fields = ("name", "short_name", "kind", "city", "county", "district",
                   "contact_name", "contact_phone")


class Mark(Record):
    """A 报送 mark. A deliverable returned by the province and sent again keeps the day it
    was first sent in `first_submitted`; `submitted` is then the day of the latest sending."""

    submitted: dt.date | None = field("报送日期")
    first_submitted: dt.date | None = field("首次报送日期", required=False)
    paper_sent: dt.date | None = field("纸质材料寄出日期", required=False)

    @property
    def first(self) -> dt.date | None:
        """The day it was first sent (the one that counts against the deadline)."""
        return self.first_submitted or self.submitted

    @property
    def resubmitted(self) -> bool:
        return self.first_submitted is not None and self.submitted is not None \
            and self.submitted > self.first_submitted


Submissions = _per_deliverable("Submissions", Mark, "submissions.toml: the unit's 报送 marks.")


class Activity(Record):
    """附表1 one row of 示范活动."""

    id: str | None = field("编号")
    seq: int | None = field("序号")
    name: str | None = field("活动名称", limit=NAME_LIMIT)
    start: dt.date | None = field("开始日期", hint="活动时间")
    end: dt.date | None = field("结束日期", hint="活动时间")
    time_note: str | None = field("时间说明", required=False, hint="如 每周三 19:00",
                                  limit=SHORT_LIMIT)
    venue: str | None = field("活动地点", limit=NAME_LIMIT)
    organizer: str | None = field("主办单位", limit=NAME_LIMIT)
    participants: int | None = field("人数")
    signup_phone: str | None = field("报名电话", hint="座机 0431-82857798 或手机，多个用、分隔",
                                     limit=PHONE_LIMIT)
    content: str | None = field("活动内容", multiline=True)

    form_fields = ("name", "start", "end", "time_note", "venue", "organizer",
                   "participants", "signup_phone", "content")


# the lines 附表2 and 附表4 share: who filled in the form, and the three stamped opinions
ContactName = Annotated[str | None, field("填表联系人", limit=PERSON_LIMIT)]
ContactPhone = Annotated[str | None, field("联系电话（填表人）", limit=PHONE_LIMIT)]
UnitOpinion = Annotated[str | None, field("单位意见", required=False, multiline=True)]
# a university has no 市州 above it: the province gives that opinion too
CityOpinion = Annotated[str | None, field("市(州)教育行政部门意见", required=False, multiline=True,
                                          province_owned=("高校",))]
ProvinceOpinion = Annotated[str | None, field("吉林省教育厅意见", required=False, multiline=True,
                                              province_owned=True)]
_NOMINATION_TAIL = ("contact_name", "contact_phone", "unit_opinion", "city_opinion",
                    "province_opinion")


class AdvancedUnit(Record):
    """附表2 先进单位申报表; `rank` orders 附表3."""

    id: str | None = field("编号")
    rank: int | None = field("推荐序号")
    full_name: str | None = field("单位全称", hint="以公章为准", limit=NAME_LIMIT)
    parent_org: str | None = field("上级主管部门", limit=NAME_LIMIT)
    leader: str | None = field("单位负责人", limit=PERSON_LIMIT)
    leader_title: str | None = field("负责人职务", limit=TITLE_LIMIT)
    address: str | None = field("通讯地址", limit=ADDRESS_LIMIT)
    phone: str | None = field("联系电话", limit=PHONE_LIMIT)
    deeds: str | None = field("先进事迹", multiline=True, hint="500 字以内，可另附页",
                              counter="deeds_max")
    contact_name: ContactName = None
    contact_phone: ContactPhone = None
    unit_opinion: UnitOpinion = None
    city_opinion: CityOpinion = None
    province_opinion: ProvinceOpinion = None

    form_fields = ("full_name", "parent_org", "leader", "leader_title", "address", "phone",
                   "deeds", *_NOMINATION_TAIL)


class AdvancedPerson(Record):
    """附表4 先进个人申报表; `rank` orders 附表5."""

    id: str | None = field("编号")
    rank: int | None = field("推荐序号")
    name: str | None = field("姓名", limit=PERSON_LIMIT)
    birth_date: dt.date | None = field("出生日期")
    gender: str | None = field("性别", choices=GENDERS)
    ethnicity: str | None = field("民族", limit=10)
    employer: str | None = field("工作单位", hint="以公章为准，填写全称", limit=NAME_LIMIT)
    title: str | None = field("职务", limit=TITLE_LIMIT)
    email: str | None = field("电子邮箱", limit=EMAIL_LIMIT)
    phone: str | None = field("电话", limit=PHONE_LIMIT)
    deeds: str | None = field("先进事迹简介", multiline=True, hint="500 字以内，可另附页",
                              counter="deeds_max")
    contact_name: ContactName = None
    contact_phone: ContactPhone = None
    unit_opinion: UnitOpinion = None
    city_opinion: CityOpinion = None
    province_opinion: ProvinceOpinion = None

    form_fields = ("name", "birth_date", "gender", "ethnicity", "employer", "title", "email",
                   "phone", "deeds", *_NOMINATION_TAIL)


class Photo(Record):
    file: str | None = field("文件")
    caption: str | None = field("图片命名", limit=CAPTION_LIMIT)


class Exhibition(Record):
    """展板素材: a title, about 500 字 and six named photos."""

    title: str | None = field("文稿题目", hint="20 字内，醒目突出", counter="exhibition_title_max",
                              limit=TITLE_LIMIT)
    text: str | None = field("内容", multiline=True, hint="500 字左右",
                             counter="exhibition_text_min")
    photos: list[Photo] = Field(default_factory=list, title="活动图片")

    form_fields = ("title", "text")


class WorkPlan(Record):
    title: str | None = field("方案标题", limit=HEADING_LIMIT)
    text: str | None = field("方案内容", multiline=True)
    opening_date: dt.date | None = field("本地开幕式日期", required=False,
                                         hint="全省总开幕式前后一个月内")

    form_fields = ("title", "opening_date", "text")


class Summary(Record):
    text: str | None = field("总结内容", multiline=True, hint="不少于 1500 字",
                             counter="summary_min")
    photos: list[Photo] = Field(default_factory=list, title="照片")

    form_fields = ("text",)


class Case(Record):
    """典型活动案例; `seq` is the order they are numbered in (案例1, 案例2) and packaged."""

    id: str | None = field("编号")
    seq: int | None = field("序号")
    title: str | None = field("案例标题", limit=HEADING_LIMIT)
    text: str | None = field("案例内容", multiline=True)
    photos: list[Photo] = Field(default_factory=list, title="照片（选填）")

    form_fields = ("title", "text")


# ---------------------------------------------------------------- where each record lives


@dataclass(frozen=True)
class RecordKind:
    """Where a record lives, what it is called, and how a commit message names it."""

    key: str
    model: type[Record]
    noun: str
    folder: str | None = None  # collections: units/<unit>/<folder>/<id>.toml
    filename: str | None = None  # singletons: units/<unit>/<filename>
    title_field: str | None = None
    deliverable: str | None = None
    order_field: str | None = None

    @property
    def is_collection(self) -> bool:
        return self.folder is not None

    def path(self, unit: str, record_id: str | None = None) -> str:
        if self.folder:
            return f"units/{unit}/{self.folder}/{record_id}.toml"
        return f"units/{unit}/{self.filename}"

    def describe(self, record: Record | None) -> str:
        """`附表1「社区智能手机培训」` — how git log names this record."""
        title = getattr(record, self.title_field, None) if record and self.title_field else None
        if not isinstance(title, str) or not title.strip():
            return self.noun
        title = " ".join(title.split())
        if len(title) > DESCRIBE_LIMIT:
            title = title[:DESCRIBE_LIMIT - 1] + "…"
        return f"{self.noun}「{title}」"


PROFILE = RecordKind("unit", UnitProfile, "单位信息", filename="unit.toml")
SUBMISSIONS = RecordKind("submissions", Submissions, "报送记录", filename="submissions.toml")
WORK_PLAN = RecordKind("work_plan", WorkPlan, "工作方案", filename="work_plan.toml",
                       title_field="title", deliverable="work_plan")
EXHIBITION = RecordKind("exhibition", Exhibition, "展板素材", filename="exhibition.toml",
                        title_field="title", deliverable="exhibition")
SUMMARY = RecordKind("summary", Summary, "年度工作总结", filename="summary.toml",
                     deliverable="summary")
ACTIVITIES = RecordKind("activities", Activity, "附表1", folder="activities",
                        title_field="name", deliverable="activities", order_field="seq")
ADVANCED_UNITS = RecordKind("advanced_units", AdvancedUnit, "附表2", folder="advanced_units",
                            title_field="full_name", deliverable="advanced_units",
                            order_field="rank")
ADVANCED_PEOPLE = RecordKind("advanced_people", AdvancedPerson, "附表4",
                             folder="advanced_people", title_field="name",
                             deliverable="advanced_people", order_field="rank")
CASES = RecordKind("cases", Case, "典型活动案例", folder="cases", title_field="title",
                   deliverable="cases", order_field="seq")

UNIT_SINGLETONS = (PROFILE, SUBMISSIONS, WORK_PLAN, EXHIBITION, SUMMARY)
UNIT_COLLECTIONS = (ACTIVITIES, ADVANCED_UNITS, ADVANCED_PEOPLE, CASES)
KINDS: dict[str, RecordKind] = {k.key: k for k in UNIT_SINGLETONS + UNIT_COLLECTIONS}
