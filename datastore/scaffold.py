"""Creating data repositories: a new year's empty campaign, or the sample campaign with history.

The sample is stored as plain files in `sample_repo/` and becomes a history commit by commit as
`sample_repo/history.toml` lists them, so it looks like the real thing: several staff, dates
across the autumn, DESIGN §6's messages. Each commit is the one the save path (save_record,
set_mark, set_review) would make at that point, worked out in memory and written with one
`git fast-import`, so `llweek demo` opens in seconds (the tests replay every commit through the
save path and get the same ids). Its photos are drawn here at print resolution rather than
stored, to keep the code repository small.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import shutil
import tomllib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from datastore.access import find_actor
from datastore.errors import LlweekError
from datastore.fastimport import NewCommit, write_history
from datastore.gitrepo import GITATTRIBUTES, GITIGNORE, GitRepo, Identity
from datastore.ids import check_id
from datastore.loader import ACCESS_FILE, CAMPAIGN_FILE, kind_of_path
from datastore.marks import mark_message
from datastore.models import (
    DELIVERABLES,
    SUBMISSIONS,
    Access,
    Campaign,
    Mark,
    Record,
    ReviewEntry,
    Reviews,
    Submissions,
)
from datastore.photos import safe_photo_name
from datastore.records import build_record, record_to_text, with_changes
from datastore.reviews import review_message
from datastore.save import UNCHECKED, canonical_bytes, message_for, save_file, trailers
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

_PALETTE = [((96, 150, 220), (70, 120, 60)), ((240, 170, 110), (120, 90, 60)),
            ((150, 190, 230), (200, 200, 190)), ((60, 80, 140), (90, 60, 50)),
            ((200, 220, 240), (40, 110, 70)), ((250, 210, 150), (160, 40, 40)),
            ((120, 170, 200), (230, 230, 220)), ((180, 200, 210), (110, 110, 120)),
            ((230, 190, 200), (60, 90, 60)), ((110, 140, 190), (180, 150, 100))]
_SKY_BANDS = 48


def _scene(index: int, width: int, height: int) -> bytes:
    """A believable-looking photo: sky, ground, buildings, a banner, a crowd; as a JPEG.

    Flat shapes only (the sky's gradient is bands), so drawing costs little next to the
    JPEG encoding itself: the demo's photos are ready in a fraction of a second.
    """
    sky, ground = _PALETTE[index % len(_PALETTE)]
    image = Image.new("RGB", (width, height), None)  # not filled: the bands cover every pixel
    draw = ImageDraw.Draw(image)
    for band in range(_SKY_BANDS):  # from sky at the top to ground at the bottom
        share = band / (_SKY_BANDS - 1)
        colour = tuple(round(s + (g - s) * share) for s, g in zip(sky, ground))
        draw.rectangle([0, height * band // _SKY_BANDS, width,
                        height * (band + 1) // _SKY_BANDS], fill=colour)
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


class _Photos(Mapping[str, bytes]):
    """Every photo `photos.toml` lists, by path, drawn in worker processes on every core while
    the history is worked out (threads would wait for each other on Python's lock between
    Pillow's calls); each distinct scene is drawn once, and asking for a photo waits until it
    is ready."""

    def __init__(self, pool: Executor) -> None:
        spec = tomllib.loads((SAMPLE_DIR / "photos.toml").read_text(encoding="utf-8"))
        scenes: dict[tuple[int, int, int], Future[bytes]] = {}
        self._futures: dict[str, Future[bytes]] = {}
        for photo in spec.get("photo", []):
            scene = (photo["scene"], photo["width"], photo["height"])
            if scene not in scenes:
                scenes[scene] = pool.submit(_scene, *scene)
            self._futures[photo["path"]] = scenes[scene]

    def __getitem__(self, rel: str) -> bytes:
        return self._futures[rel].result()

    def __iter__(self) -> Iterator[str]:
        return iter(self._futures)

    def __len__(self) -> int:
        return len(self._futures)


def _staff_identities(access: Access) -> dict[str, Identity]:
    return {s.login: Identity(s.name or s.login, s.email or f"{s.login}@example.cn")
            for s in access.staff if s.login}


_BEIJING = dt.timezone(dt.timedelta(hours=8))


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_BEIJING)


class _Sample:
    """The sample repository as its history unfolds, in memory: each step computes the
    commit that the save path (save_record, set_mark, set_review) would make now."""

    def __init__(self, photos: Mapping[str, bytes]) -> None:
        self.files: dict[str, bytes] = {}
        self.photos = photos
        self._records: dict[tuple[str, type[Record]], Record] = {}

    def record(self, rel: str, model: type[Record]) -> Record:
        """The record at `rel` as the history has it now (a fresh one when not yet there)."""
        data = self.files.get(rel)
        if data is None:
            return model()
        key = (data.decode("utf-8"), model)
        if key not in self._records:
            self._records[key] = build_record(model, tomllib.loads(key[0]))[0]
        return self._records[key]

    @property
    def campaign(self) -> Campaign:
        return self.record(CAMPAIGN_FILE, Campaign)  # type: ignore[return-value]

    def commit(self, message: str, author: Identity, when: dt.datetime,
               files: dict[str, bytes]) -> NewCommit | None:
        """The commit of `files`, or None when they hold no change (as `git commit` says)."""
        changed = {path: data for path, data in files.items() if self.files.get(path) != data}
        if not changed:
            return None
        self.files.update(changed)
        return NewCommit(message, author, when, changed)

    def photos_of(self, unit: str, record: Record) -> dict[str, bytes]:
        """The photo files a record uses that the unit's photos/ folder holds."""
        out = {}
        for photo in getattr(record, "photos", []) or []:
            rel = f"units/{unit}/photos/{photo.file}"
            if safe_photo_name(photo.file) and rel in self.photos:
                out[rel] = self.photos[rel]
        return out


Step = Callable[[_Sample, Identity, dt.datetime], "NewCommit | None"]


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
                          _mark_step(unit, key, Mark(submitted=mark.submitted))))
            if mark.paper_sent:
                steps.append((_at(mark.paper_sent, 17, 10), login, _mark_step(unit, key, Mark(
                    submitted=mark.submitted, paper_sent=mark.paper_sent))))
        return steps
    if rel.startswith("reviews/"):
        reviews: Reviews = _load(SAMPLE_DIR / rel, Reviews)  # type: ignore[assignment]
        return [(_at(review.at, 10, 20), review.by or login, _review_step(rel, key, review))
                for key in DELIVERABLES if (review := getattr(reviews, key)) and review.at]
    return [(entry["date"], login, lambda sample, author, when: _entry_step(sample, entry, author))]


def _mark_step(unit: str, key: str, mark: Mark) -> Step:
    """What set_mark commits: the unit's submissions.toml with this deliverable marked."""
    def step(sample: _Sample, author: Identity, when: dt.datetime) -> NewCommit | None:
        rel = SUBMISSIONS.path(unit)
        updated = with_changes(sample.record(rel, Submissions), {key: mark})
        return sample.commit(mark_message(sample.campaign, unit, key, mark), author, when,
                             {rel: canonical_bytes(rel, updated)})
    return step


def _review_step(rel: str, key: str, review: ReviewEntry) -> Step:
    """What set_review commits: the decision, dated the day it was made, by the reviewer."""
    unit = Path(rel).stem

    def step(sample: _Sample, author: Identity, when: dt.datetime) -> NewCommit | None:
        access: Access = sample.record(ACCESS_FILE, Access)  # type: ignore[assignment]
        reviewer = find_actor(access, review.by)
        entry = ReviewEntry(state=review.state, at=when.date(),
                            by=(reviewer.login or reviewer.name) if reviewer else author.name,
                            comment=(review.comment or "").strip() or None)
        updated = with_changes(sample.record(rel, Reviews), {key: entry})
        return sample.commit(review_message(sample.campaign, unit, key, entry), author, when,
                             {rel: canonical_bytes(rel, updated)})
    return step


def _entry_step(sample: _Sample, entry: dict[str, Any], author: Identity) -> NewCommit | None:
    """A record saved as save_record saves it, or province files committed together."""
    paths: list[str] = entry["paths"]
    when: dt.datetime = entry["date"]
    if len(paths) == 1 and kind_of_path(paths[0])[1] is not None:
        rel = paths[0]
        unit, kind = kind_of_path(rel)
        assert kind is not None and unit is not None
        record = _load(SAMPLE_DIR / rel, kind.model)
        if entry.get("before"):
            record = with_changes(record, entry["before"])
        rel = kind.path(unit, check_id(getattr(record, "id", None), "记录编号")
                        if kind.is_collection else None)
        verb = "修改" if rel in sample.files else "新增"
        message = message_for(sample.campaign, unit, verb, kind, record, rel)
        return sample.commit(message, author, when, {rel: canonical_bytes(rel, record),
                                                     **sample.photos_of(unit, record)})
    files = {rel: _canonical(rel) for rel in paths}
    if not sample.files:  # the first commit brings the repository's own settings along
        files.update({".gitattributes": GITATTRIBUTES.encode(), ".gitignore": GITIGNORE.encode()})
    subject = entry.get("message") or f"吉林省: 修改 {'、'.join(paths)}"
    return sample.commit(trailers(subject, kind_of_path(paths[0])[0], paths), author, when, files)


def _canonical(rel: str) -> bytes:
    source = SAMPLE_DIR / rel
    model = _MODELS.get(rel)
    return record_to_text(_load(source, model)).encode() if model else source.read_bytes()


def sample_demo_day() -> dt.date:
    """The day `llweek demo` shows the sample campaign as of, unless told otherwise."""
    history = tomllib.loads((SAMPLE_DIR / "history.toml").read_text(encoding="utf-8"))
    return history["demo_today"]


def sample_history(photos: Mapping[str, bytes]) -> Iterator[NewCommit]:
    """The sample's commits, oldest first, as `history.toml` lists them."""
    history = tomllib.loads((SAMPLE_DIR / "history.toml").read_text(encoding="utf-8"))
    access: Access = _load(SAMPLE_DIR / "access.toml", Access)  # type: ignore[assignment]
    people = _staff_identities(access)
    events = [event for entry in history["commit"] for event in _dated_events(entry)]
    sample = _Sample(photos)
    for when, login, step in sorted(events, key=lambda event: event[0]):  # stable: file order
        if login not in people:
            raise LlweekError(f"history.toml：登录名 {login} 不在 access.toml 中")
        commit = step(sample, people[login], when)
        if commit is not None:
            yield commit


def init_sample(target: Path, meanwhile: Callable[[], object] | None = None) -> None:
    """The sample campaign as a Git repository whose history replays `history.toml`.

    The commits are those the save path would make, written by one `git fast-import`;
    photos no record uses yet are left in the working tree, as a unit's staff would.
    `meanwhile` runs here while the photos are drawn (the demo loads the app then)."""
    _prepare(target)
    with ProcessPoolExecutor(os.cpu_count() or 1, mp_context=multiprocessing.get_context("fork")) as pool:
        photos = _Photos(pool)
        if meanwhile is not None:
            meanwhile()
        write_history(target, sample_history(photos))
        for rel, data in photos.items():
            if not (target / rel).exists():
                atomic_write(target / rel, data)
