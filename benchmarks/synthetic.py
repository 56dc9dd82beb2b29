"""A synthetic campaign of realistic size: 100 units × 100 activities plus every other form.

Used by the benchmarks (`python benchmarks/synthetic.py DIR` builds one by hand). Like a real
campaign it has a history of one commit per save (every record added by its unit's staff,
one activity in five corrected later), a realistic share of findings (missing or malformed
fields, over-long titles, short summaries, too few or too small photos) and distinct photos
(each unit its own eight print-size JPEGs). Records are written by the canonical writer and
the history by one `git fast-import`, so building it stays quick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datastore.fastimport import NewCommit, write_history  # noqa: E402
from datastore.gitrepo import GITATTRIBUTES, GITIGNORE, GitRepo, Identity  # noqa: E402
from datastore.models import (  # noqa: E402
    ACTIVITIES,
    ADVANCED_PEOPLE,
    ADVANCED_UNITS,
    CASES,
    EXHIBITION,
    PROFILE,
    SUBMISSIONS,
    SUMMARY,
    WORK_PLAN,
    Campaign,
    Record,
    RecordKind,
)
from datastore.records import record_to_text  # noqa: E402
from datastore.save import message_for, trailers  # noqa: E402
from datastore.scaffold import SAMPLE_DIR, _load, _scene  # noqa: E402

PARAGRAPH = "社区教育大讲堂围绕老年人运用智能技术开展线上线下培训，" * 6
BEIJING = dt.timezone(dt.timedelta(hours=8))
PROVINCE = Identity("基准省办", "province@example.cn")


def _text(n: int) -> str:
    return "\n".join(PARAGRAPH for _ in range(n))


def _photos(units: int) -> dict[tuple[int, int], bytes]:
    """Eight distinct photos per unit; every twentieth unit's last two are too small."""
    wanted = [(u, i) for u in range(units) for i in range(8)]

    def draw(key: tuple[int, int]) -> bytes:
        unit, index = key
        small = unit % 20 == 7 and index >= 6
        return _scene(unit * 8 + index, 1280 if small else 1920, 720 if small else 1080)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(wanted, pool.map(draw, wanted)))


def activity_id(unit: int, number: int) -> str:
    """The id of the unit's activity `number` (counted from 0), `unit` counted from 0 too."""
    return f"a{unit:03d}x{number:05d}"


#: what activities teach; with the unit and the activity's number no two contents are alike,
#: as in a real campaign (an export that measured each text once would look faster than it is)
_TOPICS = ("教老年人用手机挂号、扫码乘车和视频通话。",
           "讲解防范电信诈骗的常见手法，现场演练识别可疑短信和电话。",
           "组织学员用手机拍摄社区风景，学习简单的照片编辑和分享。",
           "邀请社区医生讲解慢性病的日常管理，并教大家在手机上查看体检报告。")


def _content(n: int, i: int) -> str:
    extra = "课后每人完成一次练习，志愿者一对一指导。" if i % 3 == 0 else ""
    return f"第{n}市第{i + 1}期：{_TOPICS[i % len(_TOPICS)]}{extra}"


def _records(n: int, unit: str, activities: int) -> Iterator[tuple[RecordKind, Record]]:
    """The unit's records in the order its staff would save them, with their mistakes."""
    day = dt.date(2021, 10, 12)
    yield PROFILE, PROFILE.model(
        id=unit, name=f"第{n}市教育局", short_name=f"第{n}市", kind="市州", city=f"第{n}市",
        contact_name="张老师", contact_phone="0431-82857798")
    yield WORK_PLAN, WORK_PLAN.model(title="活动周工作方案", text=_text(8))
    for i in range(activities):
        rid = activity_id(n, i)
        wrong = i % 10 == 3  # one activity in ten has a mistake a rule finds
        yield ACTIVITIES, ACTIVITIES.model(
            id=rid, seq=i + 1, name=f"社区智能手机培训第{i + 1}期", start=day, end=day,
            time_note=f"每周{'一二三四五六日'[i % 7]} {9 + i % 10}:00",
            venue=None if wrong and i % 20 == 3 else f"第{n}市第{i % 9 + 1}社区学校",
            organizer=f"第{n}市社区教育学院", participants=40 + i,
            signup_phone="8285779" if wrong else f"0431-8285{n % 10000:04d}、1390431{i:04d}",
            content=_content(n, i))
    photos = [{"file": f"p{i}.jpg", "caption": f"活动照片{i}"} for i in range(8)]
    title = "智慧助老 学习无龄" if n % 7 else "智慧助老学习无龄让每一位老年人都跟上数字时代的步伐"
    yield EXHIBITION, EXHIBITION.model.model_validate(
        {"title": title, "text": _text(4), "photos": photos[:6 if n % 11 else 5]})
    for i in range(3):
        rid = f"u{n:03d}x{i:04d}"
        yield ADVANCED_UNITS, ADVANCED_UNITS.model(
            id=rid, rank=i + 1, full_name=f"第{n}市第{i + 1}社区学校", parent_org="区教育局",
            leader="李明", leader_title="校长", address="人民大街1号", phone="0431-82857798",
            deeds=PARAGRAPH * 2, contact_name="王芳", contact_phone="13904310000")
        rid = f"p{n:03d}x{i:04d}"
        yield ADVANCED_PEOPLE, ADVANCED_PEOPLE.model(
            id=rid, rank=i + 1, name=f"张{i}", birth_date=dt.date(1975, 3, 1), gender="女",
            ethnicity="汉族", employer="第一社区学校", title="教师", email="t@example.cn",
            phone="13904310000", deeds=PARAGRAPH * 2, contact_name="王芳",
            contact_phone="13904310000")
    yield SUMMARY, SUMMARY.model.model_validate(
        {"text": _text(18 if n % 9 else 6), "photos": photos})
    for i in range(2):
        rid = f"c{n:03d}x{i:04d}"
        yield CASES, CASES.model(id=rid, title=f"典型案例{i}", text=_text(5))
    yield SUBMISSIONS, SUBMISSIONS.model.model_validate(
        {"work_plan": {"submitted": dt.date(2021, 9, 27)}})


def _history(campaign: Campaign, access: bytes, units: int, activities: int,
             photos: dict[tuple[int, int], bytes]) -> Iterator[NewCommit]:
    start = dt.datetime(2021, 9, 22, 9, 0, tzinfo=BEIJING)
    yield NewCommit(trailers("吉林省: 建立 2021 年活动周材料库", None, ["campaign.toml", "access.toml"]),
                    PROVINCE, start, {"campaign.toml": record_to_text(campaign).encode(),
                                      "access.toml": access, ".gitattributes": GITATTRIBUTES.encode(),
                                      ".gitignore": GITIGNORE.encode()})
    minute = 0
    for n in range(units):
        unit = f"unit-{n:03d}"
        staff = Identity(f"第{n}市填报员", f"staff{n}@example.cn")
        corrected = []
        for kind, record in _records(n, unit, activities):
            minute += 1
            rel = kind.path(unit, getattr(record, "id", None))
            files = {rel: record_to_text(record).encode()}
            for photo in getattr(record, "photos", []) or []:
                index = int(photo.file[1])
                files[f"units/{unit}/photos/{photo.file}"] = photos[(n, index)]
            yield NewCommit(message_for(campaign, unit, "新增", kind, record, rel), staff,
                            start + dt.timedelta(minutes=minute), files)
            if kind is ACTIVITIES and len(corrected) * 5 < activities and minute % 5 == 0:
                corrected.append((rel, record))
        for rel, record in corrected:  # one activity in five corrected later
            minute += 1
            fixed = record.model_copy(update={"participants": record.participants + 5})
            yield NewCommit(message_for(campaign, unit, "修改", ACTIVITIES, fixed, rel), staff,
                            start + dt.timedelta(minutes=minute),
                            {rel: record_to_text(fixed).encode()})


def build(target: Path, units: int = 100, activities: int = 100, git: bool = True) -> Path:
    """Write the repository and its history into `target` (which must not exist); with
    `git=False` only the files as they are at the end of that history."""
    target.mkdir(parents=True)
    campaign: Campaign = _load(SAMPLE_DIR / "campaign.toml", Campaign)  # type: ignore[assignment]
    ids = [f"unit-{n:03d}" for n in range(units)]
    campaign = campaign.model_copy(update={"units": [
        campaign.units[0].model_copy(update={"id": u, "name": f"第{n}市", "kind": "市州"})
        for n, u in enumerate(ids)]})
    history = _history(campaign, (SAMPLE_DIR / "access.toml").read_bytes(), units, activities,
                       _photos(units))
    if not git:
        for commit in history:
            for rel, data in commit.files.items():
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                (target / rel).write_bytes(data)
        return target
    with GitRepo.init(target) as repo:
        repo.ensure_config()
        repo.set_identity(PROVINCE)
    write_history(target, history)
    _settle_index(target)
    with GitRepo(target) as repo:
        repo.index_history()  # as every sync does
    return target


def _settle_index(root: Path) -> None:
    """The index as a clone in use has it. Files checked out in the same second as the
    index are "racily clean" to Git, which compares their contents on every `git diff-files`
    until some later command rewrites the index (in a real clone, the next save's commit);
    that command, a second on."""
    time.sleep(max(0.0, 1.05 - time.time() % 1))
    subprocess.run(["git", "-C", str(root), "update-index", "-q", "--really-refresh"],
                   capture_output=True, check=False)


def record_files(root: Path) -> list[Path]:
    """Every TOML file of the repository (what `llweek validate` parses)."""
    return sorted(root.rglob("*.toml"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="生成基准测试用的大型材料库")
    parser.add_argument("target", type=Path)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--activities", type=int, default=100)
    options = parser.parse_args()
    build(options.target, options.units, options.activities)
    print(f"{len(record_files(options.target))} 个记录文件：{options.target}")
