"""Random edit sequences over three clones: after everyone syncs, no change is lost silently.

Every write remembers which writes its clone had seen. At the end, for each field, the writes
no later write has seen are the ones still "alive": they must all carry the same value, and
that value must be in every clone. A sync that dropped a concurrent change without reporting
a conflict would leave two alive writes that disagree. Reported conflicts are resolved the
way a careful person would (mine where both changed the same thing, every other change
kept), and such a choice is itself a write that has seen both sides.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datastore.conflicts import MINE, ConflictKind, Edited, list_conflicts, resolve_fields
from datastore.gitrepo import GITATTRIBUTES
from datastore.sync import sync
from tests.builders import tiny_repo
from tests.conftest import git, set_identity
from tests.gitscenarios import clone, edit, fields

ACTIVITIES = ["units/changchun/activities/act-one.toml", "units/changchun/activities/act-two.toml"]
ACTIVITY_FIELDS = ["name", "venue", "participants"]
SUMMARY = "units/changchun/summary.toml"
LINES = 5
CLONES = 3


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tiny_repo(tmp_path_factory.mktemp("seed") / "repo")
    for n, rel in enumerate(ACTIVITIES):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f'id = "{Path(rel).stem}"\nname = "活动{n}"\nvenue = "地点{n}"\n'
                                f'participants = {n}\n', encoding="utf-8")
    text = "".join(f"第{n}段。\n" for n in range(LINES))
    (root / SUMMARY).write_text(f'text = """\n{text}"""\n', encoding="utf-8")
    (root / ".gitattributes").write_text(GITATTRIBUTES, encoding="utf-8")
    git(root, "init", "--quiet", "-b", "main")
    set_identity(root)
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "种子")
    return root


@dataclass
class World:
    """The clones, what each has seen, and every write made."""

    clones: list[Path]
    seen: list[set[int]]
    server: set[int] = field(default_factory=set)
    #: number → (field key, value, the writes seen before it, which clone)
    writes: dict[int, tuple[tuple, object, frozenset[int], int]] = field(default_factory=dict)

    def write(self, who: int, key: tuple, value: object) -> None:
        number = len(self.writes)
        self.writes[number] = (key, value, frozenset(self.seen[who]), who)
        self.seen[who].add(number)


def edit_field(world: World, who: int, record: int, name: str) -> None:
    number = len(world.writes)
    value: object = 100 + number if name == "participants" else f"{name}-{number}"  # never a seed value
    edit(world.clones[who], ACTIVITIES[record], **{name: value})
    world.write(who, (ACTIVITIES[record], name), value)


def edit_line(world: World, who: int, line: int) -> None:
    lines = fields(world.clones[who], SUMMARY)["text"].splitlines(keepends=True)
    lines[line] = f"第{line}段-{len(world.writes)}。\n"
    edit(world.clones[who], SUMMARY, text="".join(lines))
    world.write(who, (SUMMARY, line), lines[line])


def keep_every_change(base: str, mine: str, theirs: str) -> tuple[str, list[int]]:
    """A careful resolution of a text conflict: each line as whoever changed it, mine where
    both did. Returns the text and the lines where mine was chosen over theirs."""
    lines = [text.splitlines(keepends=True) for text in (base, mine, theirs)]
    merged, chosen = [], []
    for number, (old, ours, other) in enumerate(zip(*lines, strict=True)):
        if ours != old and other != old and ours != other:
            chosen.append(number)
        merged.append(ours if ours != old else other)
    return "".join(merged), chosen


def synchronise(world: World, who: int, reported: list[tuple]) -> None:
    root = world.clones[who]
    result = sync(root)
    assert result.unreachable is None
    if result.conflicts:
        world.seen[who] |= world.server  # fetched: the merge in progress holds it all
        for record in list_conflicts(root):
            assert record.kind is ConflictKind.FIELDS and record.fields
            choices: dict = {}
            for conflict in record.fields:
                reported.append((record.path, conflict.path))
                if record.path == SUMMARY:
                    text, chosen = keep_every_change(conflict.base, conflict.mine, conflict.theirs)
                    choices[conflict.path] = Edited(text)
                    for line in chosen:
                        world.write(who, (SUMMARY, line), text.splitlines(keepends=True)[line])
                else:
                    choices[conflict.path] = MINE
                    world.write(who, (record.path, conflict.path[0]), conflict.mine)
            resolve_fields(root, record.path, choices)
        again = sync(root)  # completes the resolved merge and pushes
        assert not again.conflicts and again.unreachable is None
    world.seen[who] |= world.server
    world.server |= world.seen[who]


def current(root: Path, key: tuple) -> object:
    if key[0] == SUMMARY:
        return fields(root, SUMMARY)["text"].splitlines(keepends=True)[key[1]]
    return fields(root, key[0])[key[1]]


steps = st.lists(st.one_of(
    st.tuples(st.just("field"), st.integers(0, CLONES - 1), st.integers(0, 1),
              st.sampled_from(ACTIVITY_FIELDS)),
    st.tuples(st.just("line"), st.integers(0, CLONES - 1), st.integers(0, LINES - 1)),
    st.tuples(st.just("sync"), st.integers(0, CLONES - 1)),
), min_size=3, max_size=9)


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps)
def test_after_everyone_syncs_no_field_change_is_lost_silently(seed: Path, tmp_path: Path,
                                                               plan: list[tuple]):
    place = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        remote = place / "central.git"
        git(place, "clone", "--quiet", "--bare", str(seed), str(remote))
        world = World([clone(remote, place / f"c{n}", f"员工{n}", f"staff{n}@example.cn")
                       for n in range(CLONES)], [set() for _ in range(CLONES)])
        reported: list[tuple] = []
        for step in plan:
            if step[0] == "field":
                edit_field(world, step[1], step[2], step[3])
            elif step[0] == "line":
                edit_line(world, step[1], step[2])
            else:
                synchronise(world, step[1], reported)
        for who in [*range(CLONES), *range(CLONES - 1)]:  # twice round: everyone has everything
            synchronise(world, who, reported)

        trees = {git(root, "rev-parse", "HEAD^{tree}") for root in world.clones}
        assert len(trees) == 1
        assert all(git(root, "status", "--porcelain") == "" for root in world.clones)
        for key in {key for key, *_ in world.writes.values()}:
            mine = {n: w for n, w in world.writes.items() if w[0] == key}
            alive = {w[1] for n, w in mine.items()
                     if not any(n in other[2] for other in mine.values())}
            assert len(alive) == 1, f"{key}: concurrent values {alive} were not reported"
            assert current(world.clones[0], key) == alive.pop()
        for path, key in reported:  # a reported conflict had writers on two clones
            writers = {w[3] for w in world.writes.values()
                       if w[0][0] == path and (path == SUMMARY or w[0][1] == key[0])}
            assert len(writers) >= 2, (path, key)
    finally:
        shutil.rmtree(place, ignore_errors=True)
