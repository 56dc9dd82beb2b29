"""The models' fields as plain data: TOML keys, their order, types and labels, without pydantic.

The merge driver runs once per file of a merge and `llweek log` is typed and waited for, so
neither can pay for pydantic and the models at start-up. What they need of the models (the
canonical key order of a record, which values fit their field, the Chinese label of a key,
which model a path holds) is this table, generated from `datastore.models`:

    python -m datastore.fieldtable     # rewrites TABLE below from the models

and a test checks that the table is the models' own and that `canonical_data` writes a file
exactly as `records.record_to_text(build_record(...))` does.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple

from datastore.keypath import has_control

#: One field: its attribute name, TOML key, label, type and default. `kind`: "str", "int",
#: "date", "strs" (list of text), a model's name (a table), or a model's name in brackets (a
#: list of tables). `default`: None, an int, "[]" (empty list) or "{}" (the nested model's
#: own defaults). (A plain namedtuple: importing `typing` would cost the driver 15 ms.)
Column = namedtuple("Column", "name key label kind default")


# ---------------------------------------------------------------- generated: do not edit
TABLE: dict[str, tuple[Column, ...]] = {
    'Campaign': (
        Column('schema_', 'schema', '格式版本', 'int', None),
        Column('year', 'year', '年度', 'int', None),
        Column('province', 'province', '省份', 'str', None),
        Column('title', 'title', '活动名称', 'str', None),
        Column('theme', 'theme', '主题', 'str', None),
        Column('document_no', 'document_no', '文号', 'str', None),
        Column('issuer', 'issuer', '发文单位', 'str', None),
        Column('opening_date', 'opening_date', '全省总开幕式日期', 'date', None),
        Column('showcase_start', 'showcase_start', '示范活动集中展示开始', 'date', None),
        Column('showcase_end', 'showcase_end', '示范活动集中展示结束', 'date', None),
        Column('contact', 'contact', '联系方式', 'Contact', '{}'),
        Column('rules', 'rules', '规则', 'Rules', '{}'),
        Column('deadlines', 'deadlines', '报送时间', '[Deadline]', '[]'),
        Column('units', 'units', '报送单位', '[UnitRef]', '[]'),
    ),
    'Contact': (
        Column('name', 'name', '联系人', 'str', None),
        Column('phones', 'phones', '电话', 'strs', '[]'),
        Column('email', 'email', '邮箱', 'str', None),
        Column('address', 'address', '邮寄地址', 'str', None),
        Column('postcode', 'postcode', '邮政编码', 'str', None),
    ),
    'Rules': (
        Column('exhibition_title_max', 'exhibition_title_max', '展板文稿题目字数上限', 'int', 20),
        Column('exhibition_text_min', 'exhibition_text_min', '展板内容字数下限', 'int', 400),
        Column('exhibition_text_max', 'exhibition_text_max', '展板内容字数上限', 'int', 600),
        Column('exhibition_photos', 'exhibition_photos', '展板图片张数', 'int', 6),
        Column('deeds_max', 'deeds_max', '先进事迹字数上限', 'int', 500),
        Column('summary_min', 'summary_min', '年度工作总结字数下限', 'int', 1500),
        Column('summary_photos', 'summary_photos', '年度总结照片张数', 'int', 8),
        Column('cases', 'cases', '典型活动案例个数', 'int', 2),
        Column('case_photos', 'case_photos', '每个典型活动案例的照片张数上限（选填）', 'int', 4),
        Column('photo_min_long_side', 'photo_min_long_side', '照片长边最少像素', 'int', 1920),
        Column('photo_min_short_side', 'photo_min_short_side', '照片短边最少像素', 'int', 1080),
        Column('photo_max_mb', 'photo_max_mb', '照片大小上限（MB）', 'int', 20),
    ),
    'Deadline': (
        Column('key', 'key', '编号', 'str', None),
        Column('due', 'due', '截止日期', 'date', None),
        Column('title', 'title', '报送内容', 'str', None),
        Column('deliverables', 'deliverables', '材料', 'strs', '[]'),
    ),
    'UnitRef': (
        Column('id', 'id', '单位编号', 'str', None),
        Column('name', 'name', '单位名称', 'str', None),
        Column('kind', 'kind', '类别', 'str', None),
    ),
    'Access': (
        Column('staff', 'staff', '人员', '[Staff]', '[]'),
    ),
    'Staff': (
        Column('login', 'login', '登录名', 'str', None),
        Column('email', 'email', '邮箱', 'str', None),
        Column('name', 'name', '姓名', 'str', None),
        Column('unit', 'unit', '单位', 'str', None),
        Column('role', 'role', '角色', 'str', None),
    ),
    'Reviews': (
        Column('work_plan', 'work_plan', '工作方案', 'ReviewEntry', None),
        Column('activities', 'activities', '附表1 示范活动', 'ReviewEntry', None),
        Column('exhibition', 'exhibition', '展板素材', 'ReviewEntry', None),
        Column('advanced_units', 'advanced_units', '先进单位（附表2、3）', 'ReviewEntry', None),
        Column('advanced_people', 'advanced_people', '先进个人（附表4、5）', 'ReviewEntry', None),
        Column('summary', 'summary', '年度工作总结', 'ReviewEntry', None),
        Column('cases', 'cases', '典型活动案例', 'ReviewEntry', None),
    ),
    'ReviewEntry': (
        Column('state', 'state', '审核状态', 'str', None),
        Column('at', 'at', '日期', 'date', None),
        Column('by', 'by', '审核人', 'str', None),
        Column('comment', 'comment', '意见', 'str', None),
    ),
    'UnitProfile': (
        Column('id', 'id', '单位编号', 'str', None),
        Column('name', 'name', '单位全称', 'str', None),
        Column('short_name', 'short_name', '简称', 'str', None),
        Column('kind', 'kind', '类别', 'str', None),
        Column('city', 'city', '市（县）', 'str', None),
        Column('county', 'county', '县', 'str', None),
        Column('district', 'district', '区', 'str', None),
        Column('contact_name', 'contact_name', '填表联系人', 'str', None),
        Column('contact_phone', 'contact_phone', '联系电话', 'str', None),
    ),
    'Submissions': (
        Column('work_plan', 'work_plan', '工作方案', 'Mark', None),
        Column('activities', 'activities', '附表1 示范活动', 'Mark', None),
        Column('exhibition', 'exhibition', '展板素材', 'Mark', None),
        Column('advanced_units', 'advanced_units', '先进单位（附表2、3）', 'Mark', None),
        Column('advanced_people', 'advanced_people', '先进个人（附表4、5）', 'Mark', None),
        Column('summary', 'summary', '年度工作总结', 'Mark', None),
        Column('cases', 'cases', '典型活动案例', 'Mark', None),
    ),
    'Mark': (
        Column('submitted', 'submitted', '报送日期', 'date', None),
        Column('first_submitted', 'first_submitted', '首次报送日期', 'date', None),
        Column('paper_sent', 'paper_sent', '纸质材料寄出日期', 'date', None),
    ),
    'WorkPlan': (
        Column('title', 'title', '方案标题', 'str', None),
        Column('text', 'text', '方案内容', 'str', None),
        Column('opening_date', 'opening_date', '本地开幕式日期', 'date', None),
    ),
    'Exhibition': (
        Column('title', 'title', '文稿题目', 'str', None),
        Column('text', 'text', '内容', 'str', None),
        Column('photos', 'photos', '活动图片', '[Photo]', '[]'),
    ),
    'Photo': (
        Column('file', 'file', '文件', 'str', None),
        Column('caption', 'caption', '图片命名', 'str', None),
    ),
    'Summary': (
        Column('text', 'text', '总结内容', 'str', None),
        Column('photos', 'photos', '照片', '[Photo]', '[]'),
    ),
    'Activity': (
        Column('id', 'id', '编号', 'str', None),
        Column('seq', 'seq', '序号', 'int', None),
        Column('name', 'name', '活动名称', 'str', None),
        Column('start', 'start', '开始日期', 'date', None),
        Column('end', 'end', '结束日期', 'date', None),
        Column('time_note', 'time_note', '时间说明', 'str', None),
        Column('venue', 'venue', '活动地点', 'str', None),
        Column('organizer', 'organizer', '主办单位', 'str', None),
        Column('participants', 'participants', '人数', 'int', None),
        Column('signup_phone', 'signup_phone', '报名电话', 'str', None),
        Column('content', 'content', '活动内容', 'str', None),
    ),
    'AdvancedUnit': (
        Column('id', 'id', '编号', 'str', None),
        Column('rank', 'rank', '推荐序号', 'int', None),
        Column('full_name', 'full_name', '单位全称', 'str', None),
        Column('parent_org', 'parent_org', '上级主管部门', 'str', None),
        Column('leader', 'leader', '单位负责人', 'str', None),
        Column('leader_title', 'leader_title', '负责人职务', 'str', None),
        Column('address', 'address', '通讯地址', 'str', None),
        Column('phone', 'phone', '联系电话', 'str', None),
        Column('deeds', 'deeds', '先进事迹', 'str', None),
        Column('contact_name', 'contact_name', '填表联系人', 'str', None),
        Column('contact_phone', 'contact_phone', '联系电话（填表人）', 'str', None),
        Column('unit_opinion', 'unit_opinion', '单位意见', 'str', None),
        Column('city_opinion', 'city_opinion', '市(州)教育行政部门意见', 'str', None),
        Column('province_opinion', 'province_opinion', '吉林省教育厅意见', 'str', None),
    ),
    'AdvancedPerson': (
        Column('id', 'id', '编号', 'str', None),
        Column('rank', 'rank', '推荐序号', 'int', None),
        Column('name', 'name', '姓名', 'str', None),
        Column('birth_date', 'birth_date', '出生日期', 'date', None),
        Column('gender', 'gender', '性别', 'str', None),
        Column('ethnicity', 'ethnicity', '民族', 'str', None),
        Column('employer', 'employer', '工作单位', 'str', None),
        Column('title', 'title', '职务', 'str', None),
        Column('email', 'email', '电子邮箱', 'str', None),
        Column('phone', 'phone', '电话', 'str', None),
        Column('deeds', 'deeds', '先进事迹简介', 'str', None),
        Column('contact_name', 'contact_name', '填表联系人', 'str', None),
        Column('contact_phone', 'contact_phone', '联系电话（填表人）', 'str', None),
        Column('unit_opinion', 'unit_opinion', '单位意见', 'str', None),
        Column('city_opinion', 'city_opinion', '市(州)教育行政部门意见', 'str', None),
        Column('province_opinion', 'province_opinion', '吉林省教育厅意见', 'str', None),
    ),
    'Case': (
        Column('id', 'id', '编号', 'str', None),
        Column('seq', 'seq', '序号', 'int', None),
        Column('title', 'title', '案例标题', 'str', None),
        Column('text', 'text', '案例内容', 'str', None),
        Column('photos', 'photos', '照片（选填）', '[Photo]', '[]'),
    ),
}
SINGLETONS: dict[str, str] = {'unit.toml': 'UnitProfile', 'submissions.toml': 'Submissions', 'work_plan.toml': 'WorkPlan', 'exhibition.toml': 'Exhibition', 'summary.toml': 'Summary'}
COLLECTIONS: dict[str, str] = {'activities': 'Activity', 'advanced_units': 'AdvancedUnit', 'advanced_people': 'AdvancedPerson', 'cases': 'Case'}
# ---------------------------------------------------------------- end of generated part

PROVINCE_FILES = {"campaign.toml": "Campaign", "access.toml": "Access"}
_MISSING = object()


def model_name_of_path(rel: str) -> str | None:
    """The model that describes the file at `rel` (its name in TABLE), None for others."""
    if rel in PROVINCE_FILES:
        return PROVINCE_FILES[rel]
    parts = rel.split("/")
    if len(parts) == 2 and parts[0] == "reviews" and parts[1].endswith(".toml"):
        return "Reviews"
    if len(parts) == 3 and parts[0] == "units":
        return SINGLETONS.get(parts[2])
    if len(parts) == 4 and parts[0] == "units" and parts[3].endswith(".toml"):
        return COLLECTIONS.get(parts[2])
    return None


def _fits(kind: str, value: object) -> bool:
    """Does `value` pass the model's strict type for a field of this kind?"""
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "date":
        return type(value) is dt.date
    if kind == "strs":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind.startswith("["):
        return isinstance(value, list) and all(_valid(kind[1:-1], v) for v in value)
    return _valid(kind, value)


def _valid(model: str, value: object) -> bool:
    return isinstance(value, dict) and all(
        _fits(column.kind, value[key]) for column in TABLE[model]
        for key in _keys(column, value) if key is not None)


def _keys(column: Column, data: dict[str, object]) -> tuple[str | None]:
    """The key of `data` that sets this column: its TOML key, else (for an aliased field)
    its attribute name, as pydantic's populate_by_name reads it."""
    if column.key in data:
        return (column.key,)
    if column.name != column.key and column.name in data:
        return (column.name,)
    return (None,)


def _plain(kind: str, value: object) -> object:
    if kind.startswith("["):
        return [canonical_data(kind[1:-1], item) for item in value]
    if kind in TABLE:
        return canonical_data(kind, value)
    return value


def canonical_data(model: str, data: dict[str, object]) -> dict[str, object]:
    """`data` as llweek writes it for `model`: fields in the model's order (defaults filled
    in, empty ones left out), a value of the wrong type kept where its field goes, unknown
    keys after them in their own order."""
    out: dict[str, object] = {}
    used: set[str] = set()
    for column in TABLE[model]:
        (key,) = _keys(column, data)
        value: object = _MISSING if key is None else data[key]
        if key is not None:
            used.add(key)
        if value is not _MISSING and (has_control(value) or not _fits(column.kind, value)):
            out[column.key] = value  # kept as it is, also where its field has a default
            continue
        if value is _MISSING:
            value = {} if column.default == "{}" else [] if column.default == "[]" \
                else column.default
        if value is None or value == []:
            continue
        out[column.key] = _plain(column.kind, value)
    for key, value in data.items():
        if key not in used:
            out[key] = value
    return out


def label(model: str | None, path: tuple[object, ...]) -> str:
    """`活动图片「p1.jpg」·图片命名` — a key path in the words of the form (as fieldpath.label)."""
    words: list[str] = []
    for step in path:
        if not isinstance(step, str):  # an Item: names an entry of the list before it
            if words:
                words[-1] += f"「{step.value}」"
            continue
        column = next((c for c in TABLE.get(model or "", ()) if step in (c.name, c.key)), None)
        words.append(column.label if column and column.label else step)
        kind = column.kind.strip("[]") if column else ""
        model = kind if kind in TABLE else None
    return "·".join(words)


# ---------------------------------------------------------------- generating the table


def _kind(annotation: object) -> str:
    import types
    import typing

    from datastore.models import Record

    inner = annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # X | None
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(inner) is list:
        (item,) = typing.get_args(inner)
        return f"[{item.__name__}]" if isinstance(item, type) and issubclass(item, Record) \
            else "strs"
    if isinstance(inner, type) and issubclass(inner, Record):
        return inner.__name__
    return {str: "str", int: "int", dt.date: "date"}[inner]


def _default(info: object) -> object:
    if info.default_factory is not None:
        return "[]" if info.default_factory is list else "{}"
    return info.default


def generated() -> str:
    """The generated part of this file, from the models."""
    from datastore import models

    found: dict[str, type] = {}

    def visit(model: type) -> None:
        if model.__name__ in found:
            return
        found[model.__name__] = model
        for info in model.model_fields.values():
            kind = _kind(info.annotation).strip("[]")
            if kind not in ("str", "int", "date", "strs"):
                visit(getattr(models, kind))

    for model in (models.Campaign, models.Access, models.Reviews,
                  *(k.model for k in models.KINDS.values())):
        visit(model)
    lines = ["TABLE: dict[str, tuple[Column, ...]] = {"]
    for name, model in found.items():
        lines.append(f"    {name!r}: (")
        for field_name, info in model.model_fields.items():
            column = Column(field_name, info.alias or field_name, info.title or "",
                            _kind(info.annotation), _default(info))
            lines.append(f"        Column{tuple(column)!r},")
        lines.append("    ),")
    lines.append("}")
    singles = {k.filename: k.model.__name__ for k in models.UNIT_SINGLETONS}
    folders = {k.folder: k.model.__name__ for k in models.UNIT_COLLECTIONS}
    lines.append(f"SINGLETONS: dict[str, str] = {singles!r}")
    lines.append(f"COLLECTIONS: dict[str, str] = {folders!r}")
    return "\n".join(lines) + "\n"


_START = "# ---------------------------------------------------------------- generated: do not edit\n"
_END = "# ---------------------------------------------------------------- end of generated part\n"


def rewritten(source: str) -> str:
    """This file's text with its generated part made anew."""
    head, rest = source.split(_START, 1)
    _, tail = rest.split(_END, 1)
    return head + _START + generated() + _END + tail


if __name__ == "__main__":
    from pathlib import Path

    here = Path(__file__)
    here.write_text(rewritten(here.read_text(encoding="utf-8")), encoding="utf-8")
