"""A synthetic campaign of realistic size: 100 units × 100 activities plus every other form.

Used by the benchmarks (`python benchmarks/synthetic.py DIR` builds one by hand). Records are
written through the canonical writer, the photos are one real print-size JPEG hard-linked
everywhere, and the whole repository is one commit so building it stays quick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datastore.gitrepo import GITATTRIBUTES, GITIGNORE  # noqa: E402
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
)
from datastore.records import record_to_text  # noqa: E402
from datastore.scaffold import SAMPLE_DIR, _load  # noqa: E402

PARAGRAPH = "社区教育大讲堂围绕老年人运用智能技术开展线上线下培训，" * 6


def _text(n: int) -> str:
    return "\n".join(PARAGRAPH for _ in range(n))


def _photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((1920, 1080)).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def _write(root: Path, rel: str, record) -> None:  # noqa: ANN001
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(record_to_text(record), encoding="utf-8")


def build(target: Path, units: int = 100, activities: int = 100, git: bool = True) -> Path:
    """Write the repository into `target` (which must not exist) and commit it once."""
    target.mkdir(parents=True)
    campaign: Campaign = _load(SAMPLE_DIR / "campaign.toml", Campaign)  # type: ignore[assignment]
    ids = [f"unit-{n:03d}" for n in range(units)]
    campaign = campaign.model_copy(update={"units": [
        campaign.units[0].model_copy(update={"id": u, "name": f"第{n}市", "kind": "市州"})
        for n, u in enumerate(ids)]})
    (target / "campaign.toml").write_text(record_to_text(campaign), encoding="utf-8")
    (target / "access.toml").write_bytes((SAMPLE_DIR / "access.toml").read_bytes())
    (target / ".gitattributes").write_text(GITATTRIBUTES)
    (target / ".gitignore").write_text(GITIGNORE)
    jpeg = target / "photo.jpg"
    jpeg.write_bytes(_photo())
    day = dt.date(2021, 10, 12)
    for n, unit in enumerate(ids):
        photos_dir = target / "units" / unit / "photos"
        photos_dir.mkdir(parents=True)
        names = [f"p{i}.jpg" for i in range(8)]
        for name in names:
            os.link(jpeg, photos_dir / name)
        photos = [{"file": name, "caption": f"活动照片{i}"} for i, name in enumerate(names)]
        _write(target, PROFILE.path(unit), PROFILE.model(
            id=unit, name=f"第{n}市教育局", short_name=f"第{n}市", kind="市州", city=f"第{n}市",
            contact_name="张老师", contact_phone="0431-82857798"))
        _write(target, WORK_PLAN.path(unit), WORK_PLAN.model(title="活动周工作方案", text=_text(8)))
        _write(target, EXHIBITION.path(unit), EXHIBITION.model.model_validate(
            {"title": "智慧助老 学习无龄", "text": _text(4), "photos": photos[:6]}))
        _write(target, SUMMARY.path(unit), SUMMARY.model.model_validate(
            {"text": _text(18), "photos": photos}))
        _write(target, SUBMISSIONS.path(unit), SUBMISSIONS.model.model_validate(
            {"work_plan": {"submitted": dt.date(2021, 9, 27)}}))
        for i in range(activities):
            rid = f"a{n:03d}x{i:04d}"
            _write(target, ACTIVITIES.path(unit, rid), ACTIVITIES.model(
                id=rid, seq=i + 1, name=f"社区智能手机培训第{i + 1}期", start=day, end=day,
                time_note="每周三 19:00", venue="朝阳区社区学校", organizer="朝阳区社区教育学院",
                participants=40 + i, signup_phone="0431-82857798、13904310000",
                content="教老年人用手机挂号、扫码乘车和视频通话。"))
        for i in range(3):
            rid = f"u{n:03d}x{i:04d}"
            _write(target, ADVANCED_UNITS.path(unit, rid), ADVANCED_UNITS.model(
                id=rid, rank=i + 1, full_name=f"第{n}市第{i + 1}社区学校", parent_org="区教育局",
                leader="李明", leader_title="校长", address="人民大街1号", phone="0431-82857798",
                deeds=PARAGRAPH * 2, contact_name="王芳", contact_phone="13904310000"))
            rid = f"p{n:03d}x{i:04d}"
            _write(target, ADVANCED_PEOPLE.path(unit, rid), ADVANCED_PEOPLE.model(
                id=rid, rank=i + 1, name=f"张{i}", birth_date=dt.date(1975, 3, 1), gender="女",
                ethnicity="汉族", employer="第一社区学校", title="教师", email="t@example.cn",
                phone="13904310000", deeds=PARAGRAPH * 2, contact_name="王芳",
                contact_phone="13904310000"))
        for i in range(2):
            rid = f"c{n:03d}x{i:04d}"
            _write(target, CASES.path(unit, rid), CASES.model(id=rid, title=f"典型案例{i}",
                                                              text=_text(5)))
    jpeg.unlink()
    if git:
        env = {**os.environ, "GIT_AUTHOR_NAME": "基准", "GIT_AUTHOR_EMAIL": "bench@example.cn",
               "GIT_COMMITTER_NAME": "基准", "GIT_COMMITTER_EMAIL": "bench@example.cn"}
        for args in (["init", "-q", "-b", "main"], ["config", "user.name", "基准"],
                     ["config", "user.email", "bench@example.cn"], ["add", "-A"],
                     ["commit", "-q", "-m", "基准材料库"]):
            subprocess.run(["git", "-C", str(target), *args], check=True, env=env)
    return target


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
