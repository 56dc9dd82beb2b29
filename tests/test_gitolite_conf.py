"""`llweek gitolite-conf`: the gitolite.conf part the administrator pastes, from access.toml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def conf_of(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(["gitolite-conf", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_gitolite_conf_prints_groups_branch_rules_and_path_rules(sample_repo: Path, capsys):
    code, out, err = conf_of(capsys, "-C", str(sample_repo))
    assert code == 0, err
    lines = [line.split("#")[0].rstrip() for line in out.splitlines()]
    groups = {m[1]: m[2].split() for line in lines if (m := re.match(r"^(@\S+)\s*= (.*)$", line))}
    assert "@llweek-province" in groups and "@llweek-units" in groups
    units = [name for name in groups if name.startswith("@llweek-unit-")]
    assert units and sorted(groups["@llweek-units"]) == sorted(units)
    rules = [line.split() for line in lines if line.startswith("    ") and line.strip()]
    assert ["RW+", "=", "@llweek-province"] in rules
    main = rules.index(["RW", "main", "=", "@llweek-units"])
    assert rules[main - 1] == ["-", "main.", "=", "@llweek-units"]  # main itself, never main2
    assert ["R", "=", "@llweek-units"] in rules
    for group in units:
        unit = group.removeprefix("@llweek-unit-")
        assert ["RW", f"VREF/NAME/units/{unit}/", "=", group] in rules
    assert ["RW", "rejected/USER/", "=", "@llweek-units"] in rules  # set-aside, own login only
    # after every unit's own rule: any other path counts, and is refused on main only
    # (gitolite's refex-expr: its terms are the exact refexes of the rules above)
    expression = "llweek_main_outside_unit"
    assert rules[-3:] == [["RW", "VREF/NAME/", "=", "@llweek-units"],
                          ["option", f"refex-expr.{expression}", "=", "main", "and", "VREF/NAME/"],
                          ["-", f"VREF/refex-expr/{expression}", "=", "@llweek-units"]]
    assert "repo llweek" in lines


def test_gitolite_conf_names_another_years_repository(sample_repo: Path, capsys):
    code, out, _ = conf_of(capsys, "-C", str(sample_repo), "--repo", "llweek-2022")
    assert code == 0 and "repo llweek-2022" in out and "@llweek-2022-province" in out


@pytest.mark.parametrize("name", ["../etc", "-x", "a b", "llweek;rm"])
def test_gitolite_conf_refuses_a_bad_repository_name(sample_repo: Path, capsys, name: str):
    code, out, err = conf_of(capsys, "-C", str(sample_repo), f"--repo={name}")
    assert code != 0 and out == ""
    assert f"仓库名「{name}」不合规" in err


def test_the_readme_shows_what_the_command_prints_for_its_three_people(sample_repo: Path, capsys):
    text = README.read_text(encoding="utf-8")
    block = text.split("粘贴进去的一段是：\n   ```\n", 1)[1].split("   ```", 1)[0]
    shown = [line.removeprefix("   ") for line in block.splitlines()]
    (sample_repo / "access.toml").write_text(
        '[[staff]]\nlogin = "wuxiaohui"\nname = "吴晓辉"\nunit = "*"\nrole = "province"\n'
        'email = "jlqmx@126.com"\n\n'
        '[[staff]]\nlogin = "cc-zhangli"\nname = "张丽"\nunit = "changchun"\nrole = "unit"\n'
        'email = "cc_zhangli@126.com"\n\n'
        '[[staff]]\nlogin = "cc-wangyu"\nname = "王宇"\nunit = "changchun"\nrole = "unit"\n'
        'email = "cc_wangyu@126.com"\n\n'
        '[[staff]]\nlogin = "jl-liuhong"\nname = "刘红"\nunit = "jilin"\nrole = "unit"\n'
        'email = "jlsjyj_liuhong@163.com"\n', encoding="utf-8")
    code, out, err = conf_of(capsys, "-C", str(sample_repo))
    assert code == 0, err
    printed = [line for line in out.splitlines() if not line.lstrip().startswith("#")]
    assert [line for line in shown if not line.lstrip().startswith("#")] == printed
