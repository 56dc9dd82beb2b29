"""Creating data repositories: a new year's empty campaign, or the sample campaign with history.

The sample is stored as plain files in `sample_repo/` and replayed through the normal save path,
commit by commit as `sample_repo/history.toml` lists them, so its history looks like the real
thing: several staff, dates across the autumn, DESIGN §6's messages. Its photos are drawn here
at print resolution rather than stored, to keep the code repository small.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tomllib
from pathlib import Path
from collections.abc import Callable
from typing import Any

from datastore.access import find_actor
from datastore.errors import LlweekError
from datastore.gitrepo import GITATTRIBUTES, GITIGNORE, GitRepo, Identity, open_repo
from datastore.loader import kind_of_path
from datastore.lock import repo_lock
from datastore.marks import set_mark
from datastore.models import (
    DELIVERABLES,
    SUBMISSIONS,
    Access,
    Campaign,
    Record,
    ReviewEntry,
    Reviews,
    Submissions,
)
from datastore.records import build_record, record_to_text, with_changes
from datastore.reviews import set_review
from datastore.roles import read_access
from datastore.save import UNCHECKED, commit_paths, save_file, save_record, trailers
from datastore.tomlio import atomic_write

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_repo"
_MODELS = {"campaign.toml": Campaign, "access.toml": Access}


def _prepare(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        raise LlweekError(f"{target} 不是空文件夹：为免覆盖已有文件，请换一个文件夹")
    target.mkdir(parents=True, exist_ok=True)
    with GitRepo.init(target) as repo:
        repo.ensure_config()
    atomic_write(target / ".gitattributes", GITATTRIBUTES.encode())
    atomic_write(target / ".gitignore", GITIGNORE.encode())


def _load(path: Path, model: type[Record]) -> Record:
    record, problems = build_record(model, tomllib.loads(path.read_text(encoding="utf-8")))
    if problems:
        raise LlweekError(f"{path.name}：{'、'.join(problems)} 类型不对")
    return record


# ------------------------------------------------------------------ a new year's campaign


def _move_year(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def new_campaign(year: int) -> Campaign:
    """The notice's campaign with its rules and deadlines moved to `year`, not yet numbered."""
    template: Campaign = _load(SAMPLE_DIR / "campaign.toml", Campaign)  # type: ignore[assignment]
    years = year - (template.year or year)
    deadlines = [with_changes(d, {"due": _move_year(d.due, years)}) for d in template.deadlines]
    return with_changes(template, {
        "year": year,
        "title": f"{year}年吉林省全民终身学习活动周",
        "document_no": "",
        "opening_date": _move_year(template.opening_date, years),
        "showcase_start": _move_year(template.showcase_start, years),
        "showcase_end": _move_year(template.showcase_end, years),
        "deadlines": deadlines,
    })  # type: ignore[return-value]


def init_year(target: Path, year: int, author: Identity | None = None) -> None:
    """An empty campaign for `year`: campaign.toml, an access.toml naming its creator.

    The creator is `author`, else the Git identity of the machine (asked for if missing).
    """
    if not 2000 <= year <= 2100:
        raise LlweekError(f"年度 {year} 不合理")
    _prepare(target)
    if author is None:
        try:
            with GitRepo(target) as repo:
                author = repo.require_identity()
        except LlweekError:
            shutil.rmtree(target)  # only what _prepare just made in an empty folder
            raise
    campaign = new_campaign(year)
    access = Access.model_validate({"staff": [
        {"login": author.email.split("@")[0], "email": author.email, "name": author.name,
         "unit": "*", "role": "province"}]})
    atomic_write(target / "access.toml", record_to_text(access).encode())
    message = trailers(f"吉林省: 建立 {year} 年活动周材料库", None, ["campaign.toml", "access.toml"])
    save_file(target, "campaign.toml", campaign, message, expected=UNCHECKED, author=author,
              extra_paths=["access.toml", ".gitattributes", ".gitignore"])


# ------------------------------------------------------------------ the sample campaign


def _scene(index: int, width: int, height: int) -> bytes:
    """A believable-looking photo: sky, ground, buildings, a banner, a crowd; as a JPEG."""
    from PIL import Image, ImageDraw

    palette = [((96, 150, 220), (70, 120, 60)), ((240, 170, 110), (120, 90, 60)),
               ((150, 190, 230), (200, 200, 190)), ((60, 80, 140), (90, 60, 50)),
               ((200, 220, 240), (40, 110, 70)), ((250, 210, 150), (160, 40, 40)),
               ((120, 170, 200), (230, 230, 220)), ((180, 200, 210), (110, 110, 120)),
               ((230, 190, 200), (60, 90, 60)), ((110, 140, 190), (180, 150, 100))]
    sky, ground = palette[index % len(palette)]
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", (width, height), sky),
                            Image.new("RGB", (width, height), ground), gradient.point(lambda v: 255 - v))
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.62)
    step = max(width // 9, 1)
    for n in range(9):
        top = horizon - int(height * (0.18 + 0.05 * ((n * 7 + index) % 5)))
        shade = tuple(max(0, c - 40 - 12 * ((n + index) % 4)) for c in sky)
        draw.rectangle([n * step + step // 8, top, (n + 1) * step - step // 8, horizon], fill=shade)
    draw.rectangle([width // 5, int(height * 0.12), width * 4 // 5, int(height * 0.24)],
                   fill=(190, 30, 35))
    for n in range(40):
        x = (n * 97 + index * 31) % width
        y = horizon + (n * 53) % max(height - horizon - height // 10, 1)
        r = max(height // 60, 3)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=((n * 40) % 255, 60, 90 + (n * 7) % 120))
        draw.rectangle([x - r, y + r, x + r, y + 4 * r], fill=(40 + (n * 13) % 150, 40, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def _draw_photos(target: Path) -> None:
    spec = tomllib.loads((SAMPLE_DIR / "photos.toml").read_text(encoding="utf-8"))
    drawn: dict[tuple[int, int, int], bytes] = {}
    for photo in spec.get("photo", []):
        key = (photo["scene"], photo["width"], photo["height"])
        if key not in drawn:
            drawn[key] = _scene(*key)
        atomic_write(target / photo["path"], drawn[key])


def _staff_identities(access: Access) -> dict[str, Identity]:
    return {s.login: Identity(s.name or s.login, s.email or f"{s.login}@example.cn")
            for s in access.staff if s.login}


_BEIJING = dt.timezone(dt.timedelta(hours=8))
Step = Callable[[Path, Identity, dt.datetime], None]


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_BEIJING)


def _dated_events(entry: dict[str, Any]) -> list[tuple[dt.datetime, str, Step]]:
    """A history entry as dated steps (when, login, step). Marks and reviews carry their own
    dates, so each becomes a commit on the day it was made, whatever the entry's date."""
    rel: str = entry["paths"][0] if len(entry["paths"]) == 1 else ""
    unit, kind = kind_of_path(rel)
    login: str = entry["login"]
    if kind is SUBMISSIONS and unit:
        final: Submissions = _load(SAMPLE_DIR / rel, Submissions)  # type: ignore[assignment]
        steps = []
        for key in DELIVERABLES:
            mark = getattr(final, key)
            if mark is None or mark.submitted is None:
                continue
            steps.append((_at(mark.submitted, 16, 30), login,
                          _mark_step(unit, key, mark.submitted, None)))
            if mark.paper_sent:
                steps.append((_at(mark.paper_sent, 17, 10), login,
                              _mark_step(unit, key, mark.submitted, mark.paper_sent)))
        return steps
    if rel.startswith("reviews/"):
        reviews: Reviews = _load(SAMPLE_DIR / rel, Reviews)  # type: ignore[assignment]
        return [(_at(review.at, 10, 20), review.by or login, _review_step(rel, key, review))
                for key in DELIVERABLES if (review := getattr(reviews, key)) and review.at]
    return [(entry["date"], login,
             lambda target, author, when: _replay_entry(target, entry, author))]


def _mark_step(unit: str, key: str, submitted: dt.date, paper: dt.date | None) -> Step:
    def step(target: Path, author: Identity, when: dt.datetime) -> None:
        set_mark(target, unit, key, submitted=submitted, paper_sent=paper, author=author, when=when)
    return step


def _review_step(rel: str, key: str, entry: ReviewEntry) -> Step:
    def step(target: Path, author: Identity, when: dt.datetime) -> None:
        reviewer = find_actor(read_access(target), entry.by)
        set_review(target, Path(rel).stem, key, entry.state or "", entry.comment,
                   actor=reviewer, author=author, when=when)
    return step


def sample_demo_day() -> dt.date:
    """The day `llweek demo` shows the sample campaign as of, unless told otherwise."""
    history = tomllib.loads((SAMPLE_DIR / "history.toml").read_text(encoding="utf-8"))
    return history["demo_today"]


def init_sample(target: Path) -> None:
    """The sample campaign as a Git repository whose history replays `history.toml`."""
    _prepare(target)
    _draw_photos(target)
    history = tomllib.loads((SAMPLE_DIR / "history.toml").read_text(encoding="utf-8"))
    access: Access = _load(SAMPLE_DIR / "access.toml", Access)  # type: ignore[assignment]
    people = _staff_identities(access)
    events = [event for entry in history["commit"] for event in _dated_events(entry)]
    for when, login, step in sorted(events, key=lambda event: event[0]):  # stable: file order
        if login not in people:
            raise LlweekError(f"history.toml：登录名 {login} 不在 access.toml 中")
        step(target, people[login], when)


def _replay_entry(target: Path, entry: dict[str, Any], author: Identity) -> None:
    paths: list[str] = entry["paths"]
    when: dt.datetime = entry["date"]
    if len(paths) == 1 and kind_of_path(paths[0])[1] is not None:
        _replay_record(target, paths[0], entry.get("before"), author, when)
        return
    first = not (target / ".git" / "refs" / "heads" / "main").exists()
    extra = [".gitattributes", ".gitignore"] if first else []
    for rel in paths:
        atomic_write(target / rel, _canonical(rel))
    subject = entry.get("message") or f"吉林省: 修改 {'、'.join(paths)}"
    unit = kind_of_path(paths[0])[0]
    with open_repo(target) as repo, repo_lock(repo.git_dir, "建立示例库"):
        commit_paths(repo, paths + extra, trailers(subject, unit, paths), author=author, when=when)


def _canonical(rel: str) -> bytes:
    source = SAMPLE_DIR / rel
    model = _MODELS.get(rel)
    return record_to_text(_load(source, model)).encode() if model else source.read_bytes()


def _replay_record(target: Path, rel: str, before: dict[str, Any] | None, author: Identity,
                   when: dt.datetime) -> None:
    unit, kind = kind_of_path(rel)
    assert kind is not None and unit is not None
    record = _load(SAMPLE_DIR / rel, kind.model)
    if before:
        record = with_changes(record, before)
    save_record(target, kind, unit, record, expected=UNCHECKED, author=author, when=when)
