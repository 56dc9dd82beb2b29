"""Validating a whole repository from the command line, using every core for a large one.

The rules are the same as `rules.validate_repo`; only the driver differs: for a repository
with many units, units are loaded and checked in forked worker processes, which return just
their findings (and the unit's profile, for its name).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from datastore.findings import Finding
from datastore.loader import RepoData, StoredRecord, load_repo, load_unit
from datastore.rules import check_campaign, check_unit, in_report_order, validate_repo

PARALLEL_FROM_UNITS = 16

_shell: RepoData | None = None  # inherited by forked workers


def _check(unit_ids: list[str]) -> list[tuple[str, StoredRecord | None, list[Finding]]]:
    assert _shell is not None
    out = []
    for unit_id in unit_ids:
        found: list[Finding] = []
        unit = load_unit(_shell.root, unit_id, _shell.units[unit_id].ref, found)
        found += check_unit(unit, _shell.root, _shell.campaign)
        out.append((unit_id, unit.single("unit"), found))
    return out


def validate_path(root: Path, unit: str | None = None) -> tuple[RepoData, list[Finding]]:
    """(repository, findings); with many units the repository's units hold only profiles."""
    global _shell
    workers = min(os.cpu_count() or 1, 8)
    shell = load_repo(root, materials=False)
    wanted = [u for u in shell.units if unit in (None, u)]
    if workers < 2 or len(wanted) < PARALLEL_FROM_UNITS:
        data = load_repo(root)
        return data, validate_repo(data, unit)
    findings = [f for f in shell.findings if unit is None or f.unit == unit]
    if unit is None:
        findings += check_campaign(shell)
    chunks = [wanted[i::workers * 4] for i in range(workers * 4)]
    by_unit: dict[str, list[Finding]] = {}
    _shell = shell
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for results in pool.imap_unordered(_check, chunks):
                for unit_id, profile, found in results:
                    if profile is not None:
                        shell.units[unit_id].singles["unit"] = profile
                    by_unit[unit_id] = found
    finally:
        _shell = None
    found = findings + [f for unit_id in wanted for f in by_unit[unit_id]]
    return shell, in_report_order(found, list(shell.units))
