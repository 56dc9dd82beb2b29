"""The sample's history, written by one `git fast-import`, is the history llweek's own save
path makes: replaying a commit through save_record, set_mark or set_review on its parent
gives a commit with the same id (same files, message, author and date)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from datastore.access import find_actor
from datastore.fastimport import cleaned_message
from datastore.gitrepo import Identity, open_repo
from datastore.loader import kind_of_path
from datastore.lock import repo_lock
from datastore.marks import set_mark
from datastore.models import SUBMISSIONS
from datastore.records import build_record
from datastore.reviews import set_review
from datastore.roles import read_access
from datastore.save import UNCHECKED, commit_paths, save_record
from datastore.tomlio import parse
from tests.conftest import git


def _blob(repo: Path, commit: str, rel: str) -> dict:
    shown = git(repo, "show", f"{commit}:{rel}", check=False)
    return parse(shown) if shown else {}


def replay(source: Path, commit: str, work: Path) -> str:
    """Make `commit` of `source` again in `work` (which is at its parent) through llweek's
    own save path, from what the commit shows: who, when, which record, which values."""
    name, email, date = git(source, "log", "-1", "--format=%an%n%ae%n%aI", commit).splitlines()
    author, when = Identity(name, email), dt.datetime.fromisoformat(date)
    paths = git(source, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root",
                commit).split()
    records = [rel for rel in paths if rel.endswith(".toml")]
    unit, kind = kind_of_path(records[0])
    if len(records) == 1 and kind is SUBMISSIONS:
        before, after = _blob(source, f"{commit}^", records[0]), _blob(source, commit, records[0])
        key = next(k for k in after if after[k] != before.get(k))
        set_mark(work, unit, key, submitted=after[key]["submitted"],
                 paper_sent=after[key].get("paper_sent"), author=author, when=when)
    elif len(records) == 1 and records[0].startswith("reviews/"):
        before, after = _blob(source, f"{commit}^", records[0]), _blob(source, commit, records[0])
        key = next(k for k in after if after[k] != before.get(k))
        entry = after[key]
        set_review(work, Path(records[0]).stem, key, entry["state"], entry.get("comment"),
                   actor=find_actor(read_access(work), entry["by"]), author=author, when=when)
    elif len(records) == 1 and kind is not None:
        record, problems = build_record(kind.model, _blob(source, commit, records[0]))
        assert not problems
        save_record(work, kind, unit, record, expected=UNCHECKED, author=author, when=when)
    else:  # the province's files, committed together with the message history.toml gives
        for rel in paths:
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_bytes(git(source, "show", f"{commit}:{rel}").encode())
        message = git(source, "log", "-1", "--format=%B", commit)
        with open_repo(work) as repo, repo_lock(repo.git_dir, "重放"):
            commit_paths(repo, paths, message, author=author, when=when)
    return git(work, "rev-parse", "HEAD").strip()


def _work_at(source: Path, place: Path, commit: str) -> Path:
    """A clone of `source` at `commit`, with every photo of the sample in its working tree
    (a record's save commits the photos it uses, as they lie in the unit's folder)."""
    work = place / "work"
    if not work.exists():
        git(place, "clone", "-q", str(source), str(work))
    git(work, "reset", "-q", "--hard", commit)
    for photo in source.glob("units/*/photos/*"):
        target = work / photo.relative_to(source)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(photo, target)
    return work


def _commits(repo: Path) -> list[tuple[str, str]]:
    """(id, subject) of every commit, oldest first."""
    log = git(repo, "log", "--reverse", "--format=%H%x09%s").splitlines()
    return [tuple(line.split("\t", 1)) for line in log]  # type: ignore[misc]


def test_one_commit_of_each_kind_is_the_save_paths_own(sample_master: Path, tmp_path: Path):
    commits = _commits(sample_master)
    wanted = {  # a first save with its photos, a second save, marks, reviews with a comment
        "新增 展板素材": None, "修改 附表1": None, ": 报送 ": None, "纸质材料": None,
        "已退回": None, "已通过": None}
    for position, (commit, subject) in enumerate(commits[1:], start=1):
        for words in wanted:
            if wanted[words] is None and words in subject:
                wanted[words] = (position, commit)
    assert all(wanted.values()), wanted
    for position, commit in wanted.values():  # type: ignore[misc]
        work = _work_at(sample_master, tmp_path, commits[position - 1][0])
        assert replay(sample_master, commit, work) == commit, commits[position][1]


def test_the_first_commit_brings_the_repository_settings(sample_master: Path):
    first = _commits(sample_master)[0][0]
    files = git(sample_master, "show", "--name-only", "--format=", first).split()
    assert sorted(files) == [".gitattributes", ".gitignore", "access.toml", "campaign.toml"]


def test_messages_are_cleaned_as_git_commit_cleans_them():
    assert cleaned_message("主题  \n\n\n\n正文\t\n\nLlweek-Unit: a\n\n") == \
        "主题\n\n正文\n\nLlweek-Unit: a\n"


@pytest.mark.slow
def test_every_commit_of_the_sample_is_the_save_paths_own(sample_master: Path, tmp_path: Path):
    commits = _commits(sample_master)
    work = _work_at(sample_master, tmp_path, commits[0][0])
    for commit, subject in commits[1:]:
        assert replay(sample_master, commit, work) == commit, subject
