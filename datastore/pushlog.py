"""The server's record of who pushed what: a Git note per commit, written after each push.

A commit's author and committer are fields anyone can set; which account brought a commit to
the server only the server knows. So its post-receive hook notes it: every commit that a push
makes reachable for the first time gets a note under `refs/notes/llweek/pushes` with the
login, the time and the branch's old → new. The notes ref has one commit per accepted push
(deletions included), each adding to the last, so the record only grows; the pre-receive
hook refuses every push to `refs/notes/llweek/`, so only the server writes it. Clones fetch
it with every sync (`NOTES_REFSPEC`), and `llweek log` shows 推送人 beside the author.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from datastore.pusher import PUSH_NOTES_PREFIX, RefUpdate

PUSH_NOTES = f"{PUSH_NOTES_PREFIX}pushes"
NOTES_REFSPEC = f"+{PUSH_NOTES_PREFIX}*:{PUSH_NOTES_PREFIX}*"
_ZERO = "0" * 40
_RECORDER = {"GIT_AUTHOR_NAME": "llweek 推送记录", "GIT_AUTHOR_EMAIL": "llweek@localhost",
             "GIT_COMMITTER_NAME": "llweek 推送记录", "GIT_COMMITTER_EMAIL": "llweek@localhost"}
ATTEMPTS = 5


@dataclass(frozen=True)
class Push:
    """One accepted ref update: who, when, which ref, from where to where."""

    login: str
    at: str
    ref: str
    old: str
    new: str

    def text(self) -> str:
        return (f"Pushed-by: {self.login}\nPushed-at: {self.at}\nRef: {self.ref}\n"
                f"Old: {self.old}\nNew: {self.new}\n")

    def summary(self) -> str:
        return f"{self.login} {self.ref} {self.old[:7]} → {self.new[:7]} {self.at}"

    @classmethod
    def parse(cls, text: str) -> "Push | None":
        """The first push a note records (the one that brought the commit)."""
        fields: dict[str, str] = {}
        for line in text.splitlines():
            key, sep, value = line.partition(": ")
            if not sep:
                if fields:
                    break
                continue
            if key in fields:
                break
            fields[key] = value.strip()
        if "Pushed-by" not in fields:
            return None
        return cls(fields["Pushed-by"], fields.get("Pushed-at", ""), fields.get("Ref", ""),
                   fields.get("Old", ""), fields.get("New", ""))


def record_push(repo: GitRepo, updates: list[RefUpdate], login: str,
                now: dt.datetime | None = None) -> int:
    """Note the accepted `updates` (after git moved the refs); returns how many commits got notes."""
    at = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    updates = [u for u in updates if not u.ref.startswith(PUSH_NOTES_PREFIX)]
    if not updates:
        return 0
    pushes = [Push(login, at, u.ref, u.old, u.new) for u in updates]
    arrived = _arrivals(repo, updates, pushes)
    message = "推送记录\n\n" + "\n".join(push.summary() for push in pushes) + "\n"
    for _ in range(ATTEMPTS):
        if _append(repo, arrived, message):
            return len(arrived)
    raise LlweekError("推送记录没有写成：推送记录被同时修改了太多次")


def _arrivals(repo: GitRepo, updates: list[RefUpdate], pushes: list[Push]) -> dict[str, str]:
    """commit → note text, for each commit these updates made reachable for the first time."""
    pushed = {u.ref for u in updates}
    listed = repo.run("for-each-ref", "--format=%(objectname) %(refname)")
    others = [line.split(" ", 1)[0] for line in listed.splitlines()
              if line and line.split(" ", 1)[1] not in pushed
              and not line.split(" ", 1)[1].startswith("refs/notes/")]
    before = [u.old for u in updates if not u.created] + others
    arrived: dict[str, str] = {}
    for update, push in zip(updates, pushes):
        if update.deleted:
            continue
        status, out, _ = repo.call("rev-list", update.new, "--not", *before)
        for sha in out.split() if status == 0 else []:
            arrived.setdefault(sha, push.text())
    return arrived


def _append(repo: GitRepo, arrived: dict[str, str], message: str) -> bool:
    """One notes commit on top of the current one; False when someone else wrote meanwhile."""
    status, out, _ = repo.call("rev-parse", "-q", "--verify", f"{PUSH_NOTES}^{{commit}}")
    old = out.strip() if status == 0 else None
    existing: dict[str, tuple[str, str]] = {}
    if old:
        for item in repo.run("ls-tree", "-r", "-z", old).split("\0"):
            if item:
                meta, path = item.split("\t", 1)
                existing[path.replace("/", "")] = (path, meta.split()[2])
    lines = []
    blobs: dict[str, str] = {}
    for sha, text in arrived.items():
        path, blob = existing.get(sha, (sha, ""))
        if blob:  # arrived again (its branch was deleted, then pushed anew): keep both records
            text = repo.object_data(blob)[3].decode("utf-8", "replace") + "\n" + text
        if text not in blobs:
            blobs[text] = _hash_text(repo, text)
        lines.append(f"100644 blob {blobs[text]}\t{path}\n")
    handle, index = tempfile.mkstemp(prefix="llweek-notes-", suffix=".index")
    os.close(handle)
    os.unlink(index)  # git writes it; an empty file is not a valid index
    try:
        env = {"GIT_INDEX_FILE": index}
        repo.run("read-tree", *([old] if old else ["--empty"]), env=env)
        if lines:
            with tempfile.TemporaryFile() as feed:
                feed.write("".join(lines).encode("utf-8"))
                feed.seek(0)
                repo.run("update-index", "--index-info", env=env, stdin=feed)
        tree = repo.run("write-tree", env=env).strip()
    finally:
        Path(index).unlink(missing_ok=True)
    commit = repo.run("commit-tree", tree, *(["-p", old] if old else []), "-m", message,
                      env=_RECORDER).strip()
    status, _, _ = repo.call("update-ref", "-m", "llweek 推送记录", PUSH_NOTES, commit, old or _ZERO)
    return status == 0


def _hash_text(repo: GitRepo, text: str) -> str:
    with tempfile.TemporaryFile() as feed:
        feed.write(text.encode("utf-8"))
        feed.seek(0)
        return repo.run("hash-object", "-w", "--stdin", stdin=feed).strip()


def pushers(repo: GitRepo, shas: Iterable[str]) -> dict[str, Push]:
    """commit → the push that brought it to the server, for the commits that have a record."""
    wanted = set(shas)
    status, out, _ = repo.call("notes", f"--ref={PUSH_NOTES}", "list")
    if status != 0 or not wanted:
        return {}
    found: dict[str, Push] = {}
    texts: dict[str, Push | None] = {}
    for line in out.splitlines():
        blob, _, commit = line.partition(" ")
        if commit not in wanted:
            continue
        if blob not in texts:
            try:
                texts[blob] = Push.parse(repo.object_data(blob)[3].decode("utf-8", "replace"))
            except ValueError:
                texts[blob] = None
        if texts[blob] is not None:
            found[commit] = texts[blob]  # type: ignore[assignment]
    return found


def has_record(repo: GitRepo) -> bool:
    """Whether this repository holds the server's push record at all (a clone that fetched it)."""
    return repo.call("rev-parse", "-q", "--verify", PUSH_NOTES)[0] == 0


def ensure_fetches_record(repo: GitRepo, remote: str) -> None:
    """Make every fetch from `remote` bring the server's push record (plain `git fetch` too),
    and plain `git log` show it; a server without a record simply has nothing to fetch."""
    status, out, _ = repo.call("config", "--get-all", f"remote.{remote}.fetch")
    if status == 0 and NOTES_REFSPEC not in out.splitlines():
        repo.run("config", "--add", f"remote.{remote}.fetch", NOTES_REFSPEC)
    status, out, _ = repo.call("config", "--get-all", "notes.displayRef")
    if PUSH_NOTES not in out.splitlines():
        repo.run("config", "--add", "notes.displayRef", PUSH_NOTES)


def pushed_by(root: Path, shas: Iterable[str]) -> dict[str, Push] | None:
    """For `llweek log`: who brought each commit to the server; None when this clone holds no
    push record at all (the server has none, or nothing was fetched yet)."""
    with GitRepo(root) as repo:
        if not has_record(repo):
            return None
        return pushers(repo, shas)


def fetch_record(repo: GitRepo, remote: str, timeout: float) -> None:
    """After a push: bring the record of it (written by the server's post-receive) at once.
    Best effort: the next sync brings it anyway."""
    repo.call("fetch", "--quiet", remote, NOTES_REFSPEC, timeout=timeout)
