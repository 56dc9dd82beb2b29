"""The merge driver as Git runs it, once per file: a process of its own that loads only what a
merge needs, so a pull of many changed records does not wait on pydantic or GitPython."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from datastore.tomlio import dumps, parse

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"
BASE = {"id": "dbxjjcezek", "seq": 2, "name": "党史学习系列讲座", "venue": "长春市图书馆",
        "participants": 520}
HEAVY = ("pydantic", "git", "textual", "PIL", "openpyxl", "datastore.models")

RUN_AND_LIST_MODULES = """
import sys
from tui.cli import main
code = main(sys.argv[1:])
print(code, *sorted(name for name in sys.modules if name.split(".")[0] in {heavy}))
"""


def _driver(tmp_path: Path, ours: dict, theirs: dict) -> tuple[list[str], str, str]:
    files = []
    for name, data in (("base", BASE), ("ours", ours), ("theirs", theirs)):
        files.append(tmp_path / name)
        files[-1].write_text(dumps(data), encoding="utf-8")
    heavy = {name.split(".")[0] for name in HEAVY} | {"datastore"}
    script = RUN_AND_LIST_MODULES.format(heavy=heavy)
    done = subprocess.run([sys.executable, "-c", script, "merge-driver", *map(str, files), ACTIVITY],
                          capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return done.stdout.split(), (tmp_path / "ours").read_text(encoding="utf-8"), done.stderr


def test_a_clean_merge_loads_neither_pydantic_nor_gitpython(tmp_path: Path):
    printed, merged, _ = _driver(tmp_path, {**BASE, "venue": "新馆"}, {**BASE, "participants": 600})
    code, loaded = printed[0], printed[1:]
    assert code == "0"
    assert parse(merged) == {**BASE, "venue": "新馆", "participants": 600}
    assert merged.index("seq =") < merged.index("venue =") < merged.index("participants =")
    assert not [name for name in loaded if name.startswith(HEAVY)], loaded


def test_a_conflict_is_named_by_its_label_without_the_models(tmp_path: Path):
    printed, merged, err = _driver(tmp_path, {**BASE, "seq": 5}, {**BASE, "seq": 6})
    assert printed[0] == "1"
    assert "冲突：units/changchun/activities/dbxjjcezek.toml「序号」" in err
    assert "<<<<<<< 我的修改\nseq = 5\n" in merged
    assert not [name for name in printed[1:] if name.startswith(HEAVY)]
