"""Real Git scenarios: a central bare repository and staff clones of it under tmp_path.

The helpers edit records the way the app does (read, change, save through the save path) and
run the command line in-process or as a separate `llweek` process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import git, set_identity
from datastore.loader import kind_of_path, read_record
from datastore.records import with_changes
from datastore.save import SaveResult, delete_record, save_record
from datastore.tomlio import parse
from tui.cli import main

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"
SUMMARY = "units/changchun/summary.toml"
EXHIBITION = "units/changchun/exhibition.toml"


def central(tmp_path: Path, source: Path) -> Path:
    """A bare copy of `source`: the server everyone pushes to."""
    remote = tmp_path / "central.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(source), str(remote))
    return remote


def clone(remote: Path, target: Path, name: str = "测试员",
          email: str = "tester@example.cn") -> Path:
    """A member of staff's clone, with their identity (the merge driver is set by llweek)."""
    git(remote.parent, "clone", "--quiet", str(remote), str(target))
    set_identity(target, name, email)
    return target


def fields(root: Path, rel: str) -> dict[str, Any]:
    return parse((root / rel).read_text(encoding="utf-8"))


def edit(root: Path, rel: str, **changes: Any) -> SaveResult:
    """Open the record, change some fields, save it: what the app's form does."""
    unit, kind = kind_of_path(rel)
    assert unit and kind
    stored = read_record(root, rel, kind, kind.model, unit, [])
    assert stored.record is not None, f"{rel} unreadable"
    return save_record(root, kind, unit, with_changes(stored.record, changes),
                       expected=stored.digest)


def add(root: Path, rel: str, **values: Any) -> SaveResult:
    unit, kind = kind_of_path(rel)
    assert unit and kind
    record = kind.model.model_validate({"id": Path(rel).stem, **values})
    return save_record(root, kind, unit, record, expected=None)


def delete(root: Path, rel: str) -> SaveResult:
    unit, kind = kind_of_path(rel)
    assert unit and kind
    stored = read_record(root, rel, kind, kind.model, unit, [])
    return delete_record(root, kind, unit, Path(rel).stem, expected=stored.digest)


def llweek(capsys: Any, *args: str) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def llweek_process(*args: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess:
    """Run `llweek` as its own process, as a second window or a cron job would."""
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, **kwargs)


def subjects(root: Path, *args: str) -> list[str]:
    return git(root, "log", "--format=%s", *args).splitlines()


def unmerged(root: Path) -> dict[str, set[int]]:
    """path → the index stages Git keeps for it while a merge is unresolved."""
    stages: dict[str, set[int]] = {}
    for line in git(root, "ls-files", "-u").splitlines():
        info, path = line.split("\t", 1)
        stages.setdefault(path, set()).add(int(info.split()[2]))
    return stages
