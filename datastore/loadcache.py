"""What checking each unit found, kept under `.git/` so the next run reads only what changed.

A unit's entry (its findings and the few facts the dashboard and `validate` show without its
records) is keyed by a digest of everything those findings depend on: llweek's own rules (a
digest of the datastore sources), campaign.toml's content, the unit's line in the campaign,
and the content digest (Git's blob id) of every file under `units/<id>/`, photos included.
Any change to any of them is a new key, so a changed file is always read and checked again.

A file's blob id comes from Git's index when `git diff-files` (which compares each file's
size and times with the index, and reads it where that cannot tell) says the file is as the
index has it; any other file under the unit's folder (changed, new, untracked) is read and
hashed here. The cache lives in `.git/llweek/`, which no push, pull or clone carries; one that
cannot be read, does not parse or has another format or rules digest is ignored and written
anew. Nothing is followed through a symlink or opened unless it is a regular file: such an
entry is keyed by what it is, and the loader reports it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

from datastore.findings import Finding, Severity
from datastore.gitrepo import LOCAL_TIMEOUT, git_env
from datastore.tomlio import atomic_write

FORMAT = 3
#: a file not in the index above this size is keyed by size, time and inode, not read: the
#: loader refuses any record or photo this large without reading it either
HASHED_MAX_BYTES = 64 * 1024 * 1024
#: a regular file's entry of `git ls-files --stage -z`, merged (stage 0): its blob id and path;
#: only at the start of an entry, so no file name can pass for another entry
_STAGED = re.compile(rb"(?:^|(?<=\0))100(?:644|755) ([0-9a-f]{40,64}) 0\t([^\0]*)\0")
_SOURCES = ("findings.py", "ids.py", "loader.py", "loadcache.py", "models.py", "photos.py",
            "records.py", "rules.py", "tomlio.py")


def cache_path(root: Path) -> Path:
    return Path(root) / ".git" / "llweek" / "loadcache.json"


def _rules_digest() -> str:
    """Changes with llweek itself: new rules never meet old findings."""
    digest = hashlib.sha1(f"format {FORMAT}".encode())
    here = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def blob_id(data: bytes) -> str:
    """Git's id of a file with this content."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _finding_to_list(finding: Finding) -> list[Any]:
    return [str(finding.severity), finding.code, finding.path, finding.field, finding.message,
            finding.line, finding.unit, finding.deliverable]


def _finding_from_list(item: list[Any]) -> Finding:
    severity, code, path, field_name, message, line, unit, deliverable = item
    if not all(isinstance(v, str) for v in (code, path, message)):
        raise ValueError("not a finding")
    return Finding(Severity(severity), code, path, field_name, message, line, unit, deliverable)


def _index_ids(root: Path, under: str | None) -> dict[str, str]:
    """Blob ids of the tracked files (under this folder) that are unchanged in the work tree."""
    spec = ["--", under] if under else []
    env = {**os.environ, **git_env()}
    # both at once: the second git runs while the first one's output is being read
    running = [subprocess.Popen(["git", "-C", str(root), *args, *spec], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
               for args in (["ls-files", "--stage", "-z"], ["diff-files", "--name-only", "-z"])]
    outputs = []
    try:
        for process in running:
            out, err = process.communicate(timeout=LOCAL_TIMEOUT)
            if process.returncode != 0:
                raise OSError(err.decode(errors="replace"))
            outputs.append(out)
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    staged, changed = outputs[0], set(outputs[1].split(b"\0"))
    return {path.decode("utf-8", "surrogateescape"): blob.decode()
            for blob, path in _STAGED.findall(staged) if path not in changed}


class TreeIds:
    """What each entry of a work tree is, by content: files by blob id, the rest by kind."""

    def __init__(self, root: Path, under: str | None) -> None:
        self.root = root
        self.under = under
        self._ids: dict[str, str] | None = None

    def _index(self) -> dict[str, str]:
        if self._ids is None:
            try:
                self._ids = _index_ids(self.root, self.under)
            except (OSError, subprocess.SubprocessError):
                self._ids = {}
        return self._ids

    def _file_id(self, full: str, info: os.stat_result) -> str:
        """What a file the index cannot vouch for is: a regular file read and hashed, anything
        else (a symlink, a FIFO, a device) by its kind, never opened."""
        if not stat.S_ISREG(info.st_mode):
            target = os.readlink(full) if stat.S_ISLNK(info.st_mode) else ""
            return f"special {stat.S_IFMT(info.st_mode)} {target}"
        if info.st_size > HASHED_MAX_BYTES:  # never read whole: no record or photo is this big
            return f"large {info.st_size} {info.st_mtime_ns} {info.st_ino}"
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                return blob_id(handle.read(HASHED_MAX_BYTES + 1))
        except OSError as err:
            return f"unreadable {err.errno}"

    def walk(self, folder: Path, rel: str, out: list[str], skip: str | None = None) -> None:
        """Append `path id` for every entry below `folder` (`rel` its path in the tree), in
        name order, folders before what they hold. A loop, not recursion: a tree nested
        deeper than Python's recursion limit is walked like any other.

        A name the index vouches for (tracked, and `git diff-files` says unchanged, so a
        regular file still) is its blob id without a system call; only the other names (the
        folders, new or changed files) are looked at one by one."""
        ids = self._index()
        pending: list[tuple[str, str, str | None]] = [(str(folder), rel, skip)]
        while pending:
            here, at, left_out = pending.pop()
            try:
                names = sorted(os.listdir(here))
            except OSError:
                continue
            prefix = f"{at}/" if at else ""
            lines, below = [], []
            for name in names:
                if name == left_out:
                    continue
                path = prefix + name
                known = ids.get(path)
                if known is None:
                    full = os.path.join(here, name)
                    try:
                        info = os.lstat(full)
                    except OSError as err:
                        known = f"unreadable {err.errno}"
                    else:
                        if stat.S_ISDIR(info.st_mode):
                            lines.append(f"{path}/")
                            below.append((full, path, None))
                            continue
                        known = self._file_id(full, info)
                lines.append(f"{path} {known}")
            out.extend(lines)
            pending.extend(reversed(below))


class LoadCache:
    """One repository's cache of unit entries; `save()` writes it back."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.enabled = (self.root / ".git").is_dir()
        self.rules = _rules_digest()
        self._units: dict[str, dict[str, Any]] = {}
        self._tree = TreeIds(self.root, "units")
        self._changed = False
        if self.enabled:
            self._read()

    def _read(self) -> None:
        try:
            data = json.loads(cache_path(self.root).read_bytes())
            if data.get("format") != FORMAT or data.get("rules") != self.rules:
                return
            if isinstance(data["units"], dict):
                self._units = data["units"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return  # absent or corrupt: as if there were none

    # ------------------------------------------------------------------ keys

    def unit_key(self, unit_id: str, campaign: str | None, ref: object) -> str:
        """The digest of everything the unit's findings depend on."""
        lines: list[str] = [self.rules, f"campaign {campaign}", f"ref {ref!r}"]
        self._tree.walk(self.root / "units" / unit_id, f"units/{unit_id}", lines)
        return hashlib.sha1("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()

    # ------------------------------------------------------------------ entries

    def entry(self, unit_id: str, key: str) -> tuple[list[Finding], list[Finding], dict[str, Any]] | None:
        """(findings of reading its files, findings of the rules, facts) stored for this unit
        under this key, if any and readable."""
        stored = self._units.get(unit_id)
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        try:
            facts = stored["facts"]
            if not isinstance(facts, dict):
                return None
            return ([_finding_from_list(item) for item in stored["read"]],
                    [_finding_from_list(item) for item in stored["rules"]], facts)
        except (KeyError, TypeError, ValueError):
            return None

    def store(self, unit_id: str, key: str, read: list[Finding], rules: list[Finding],
              facts: dict[str, Any]) -> None:
        self._units[unit_id] = {"key": key, "read": [_finding_to_list(f) for f in read],
                                "rules": [_finding_to_list(f) for f in rules], "facts": facts}
        self._changed = True

    def save(self, units: list[str]) -> None:
        """Write the entries of these units (the campaign's now); never fails a command."""
        if not self.enabled or not self._changed:
            return
        data = {"format": FORMAT, "rules": self.rules,
                "units": {u: self._units[u] for u in units if u in self._units}}
        try:
            path = cache_path(self.root)
            path.parent.mkdir(exist_ok=True)
            atomic_write(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # a read-only clone: the next run checks everything again
