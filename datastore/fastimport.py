"""Writing a whole history into a new repository with one `git fast-import`.

A commit made this way is the commit `git commit` would have made from the same files,
message, author and date (same tree, same message after Git's clean-up, same committer as
author): the sample campaign's history is built so in well under a second instead of one
save per commit.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from datastore.errors import GitFailed
from datastore.gitrepo import LOCAL_TIMEOUT, Identity, git_env

_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class NewCommit:
    """One commit on top of the previous: `files` are the paths it adds or changes."""

    message: str
    author: Identity
    when: dt.datetime
    files: dict[str, bytes] = field(default_factory=dict)


def cleaned_message(message: str) -> str:
    """The message as `git commit -m` stores it: trailing white space cut from every line,
    no blank lines at either end or twice in a row, one final newline."""
    lines = "\n".join(line.rstrip() for line in message.splitlines()).strip("\n")
    return _BLANK_LINES.sub("\n\n", lines) + "\n"


def _stamp(when: dt.datetime) -> str:
    """`1632290460 +0800`: Git's raw date, seconds and the author's own time zone."""
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def write_history(root: Path, commits: Iterable[NewCommit], branch: str = "main") -> int:
    """Append `commits` to `branch` of the new, empty repository at `root`, then check the
    result out into its working tree. Returns how many commits were written."""
    env = {**os.environ, **git_env()}
    process = subprocess.Popen(
        ["git", "-C", str(root), "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert process.stdin is not None
    marks: dict[bytes, int] = {}
    count = 0
    try:
        for commit in commits:
            out = []
            paths = []
            for path, payload in commit.files.items():
                mark = marks.get(payload)
                if mark is None:
                    mark = marks[payload] = len(marks) + 1
                    out.append(b"blob\nmark :%d\n" % mark + _data(payload))
                paths.append(f"M 100644 :{mark} {path}\n".encode())
            person = f"{commit.author.name} <{commit.author.email}> {_stamp(commit.when)}\n"
            out.append(f"commit refs/heads/{branch}\n".encode())
            out.append(f"author {person}committer {person}".encode())
            out.append(_data(cleaned_message(commit.message).encode()))
            out.extend(paths)
            out.append(b"\n")
            process.stdin.write(b"".join(out))
            count += 1
        process.stdin.write(b"done\n")
        process.stdin.close()
    except BrokenPipeError:  # fast-import stopped early: its own message says why
        pass
    assert process.stderr is not None
    err = process.stderr.read()
    process.wait(timeout=LOCAL_TIMEOUT)
    if process.returncode != 0:
        raise GitFailed(f"git fast-import 失败：{err.decode(errors='replace').strip()}")
    checkout = subprocess.run(["git", "-C", str(root), "reset", "-q", "--hard", branch],
                              capture_output=True, env=env, timeout=LOCAL_TIMEOUT)
    if checkout.returncode != 0:
        raise GitFailed(f"git reset 失败：{checkout.stderr.decode(errors='replace').strip()}")
    # the checkout wrote the index in the same instant as the files: Git then takes them all
    # for possibly changed, and every `git diff-files` (the load cache's) hashes each again
    # until something refreshes the index, so refresh it now
    subprocess.run(["git", "-C", str(root), "update-index", "-q", "--refresh"],
                   capture_output=True, env=env, timeout=LOCAL_TIMEOUT)
    return count
