"""Git runs llweek's installed code only: a folder pushed into the data repository, or
PYTHONPATH, can never put code on the path of the merge driver that every clone runs."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from datastore.gitrepo import ENTRY, merge_driver_command
from tests.conftest import git
from tests.gitscenarios import ACTIVITY, central, clone, edit, fields, llweek

OLD_DRIVER = "python3 -m tui merge-driver %O %A %B %P"


def plant(folder: Path, marker: Path) -> list[str]:
    """`tui` and `datastore` packages that leave a mark when anything imports them."""
    planted = []
    for package in ("tui", "datastore"):
        for name in ("__init__.py", "__main__.py"):
            path = folder / package / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"open({str(marker)!r}, 'a').write('ran ')\n", encoding="utf-8")
            planted.append(f"{package}/{name}")
    return planted


def test_the_merge_driver_command_names_the_installed_interpreter_and_entry_file():
    words = shlex.split(merge_driver_command())
    assert words == [sys.executable, "-I", "-X", "utf8", str(ENTRY), "merge-driver",
                     "%O", "%A", "%B", "%P"]
    assert Path(words[0]).is_absolute() and ENTRY.is_absolute() and ENTRY.is_file()


def test_an_old_merge_driver_command_is_repaired_by_any_command(tmp_path: Path,
                                                                sample_master: Path, capsys):
    mine = clone(central(tmp_path, sample_master), tmp_path / "mine")
    git(mine, "config", "merge.llweek.driver", OLD_DRIVER)
    assert llweek(capsys, "status", "-C", str(mine))[0] == 0
    assert git(mine, "config", "merge.llweek.driver").strip() == merge_driver_command()


def test_a_tui_folder_pushed_into_the_data_repository_never_runs_while_merging(
        tmp_path: Path, sample_master: Path, capsys):
    remote = central(tmp_path, sample_master)  # a server without the hook, which would refuse it
    mine = clone(remote, tmp_path / "mine")
    other = clone(remote, tmp_path / "other", "王宇", "wangyu_ccjy@163.com")
    marker = tmp_path / "ran"
    edit(other, ACTIVITY, venue="新馆")
    git(other, "add", *plant(other, marker))
    git(other, "commit", "-qm", "带上一个 tui 文件夹")
    git(other, "push", "-q", "origin", "HEAD:main")
    edit(mine, ACTIVITY, participants=640)  # also sets the clone's merge driver
    assert "-m tui" not in git(mine, "config", "merge.llweek.driver")

    env = {**os.environ, "PYTHONPATH": str(mine), "PYTHONSAFEPATH": ""}
    pulled = subprocess.run(["git", "-C", str(mine), "pull", "-q", "--no-rebase", "--no-edit"],
                            env=env, capture_output=True, text=True, check=False)

    assert pulled.returncode == 0, pulled.stderr
    record = fields(mine, ACTIVITY)
    assert (record["venue"], record["participants"]) == ("新馆", 640)  # the driver did merge
    assert not marker.exists()
    # the planted folder is real: `python -m tui`, as the old driver ran it there, runs it
    subprocess.run([sys.executable, "-m", "tui"], cwd=mine, env=env, capture_output=True,
                   check=False)
    assert marker.read_text(encoding="utf-8").startswith("ran")
