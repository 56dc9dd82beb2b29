"""Validating a whole repository from the command line: only what changed is checked again,
and a large repository uses every core.

The rules are the same as `rules.validate_repo`; only the driver differs. Each unit's findings
are kept in the load cache (`datastore.loadcache`) under a key made of the blob ids of all its
files, so a unit nobody changed is not read at all. The others are loaded and checked here,
or for many units in forked worker processes, which return just their findings and the
unit's light stand-in (its profile, 报送 marks and which deliverables it has).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from datastore.deadlines import has_materials
from datastore.findings import Finding
from datastore.loadcache import LoadCache
from datastore.loader import CAMPAIGN_FILE, RepoData, UnitData, load_repo, load_unit
from datastore.rules import check_campaign, check_unit, in_report_order
from datastore.unitfacts import cached_unit, light_unit, unit_facts

PARALLEL_FROM_UNITS = 16

_shell: RepoData | None = None  # inherited by forked workers

#: (unit, its light stand-in, findings of reading its files, findings of the rules, its facts)
Checked = tuple[str, UnitData, list[Finding], list[Finding], dict]


def _check(unit_ids: list[str]) -> list[Checked]:
    assert _shell is not None
    out = []
    for unit_id in unit_ids:
        read: list[Finding] = []
        unit = load_unit(_shell.root, unit_id, _shell.units[unit_id].ref, read)
        out.append((unit_id, light_unit(unit), read,
                    check_unit(unit, _shell.root, _shell.campaign), unit_facts(unit)))
    return out


def _check_all(shell: RepoData, unit_ids: list[str], parallel: bool) -> list[Checked]:
    """Load and check these units: in this process, or for many in forked workers."""
    global _shell
    workers = min(os.cpu_count() or 1, 8) if parallel else 1
    _shell = shell
    try:
        if workers < 2 or len(unit_ids) < PARALLEL_FROM_UNITS:
            return _check(unit_ids)
        chunks = [unit_ids[i::workers * 4] for i in range(workers * 4)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [item for results in pool.imap_unordered(_check, chunks) for item in results]
    finally:
        _shell = None


def validate_path(root: Path, unit: str | None = None, *, parallel: bool = True
                  ) -> tuple[RepoData, list[Finding], set[str]]:
    """(repository, findings, the units that filled in any material). Every unit checked is
    its light stand-in (datastore.unitfacts): enough for names, states and reminders, never
    all records in memory at once. `parallel=False` in a process with threads (the app),
    which must not fork."""
    shell = load_repo(root, materials=False)
    wanted = [u for u in shell.units if unit in (None, u)]
    cache = LoadCache(root)
    campaign = shell.stored[CAMPAIGN_FILE].digest
    keys = {u: cache.unit_key(u, campaign, shell.units[u].ref) for u in wanted}
    by_unit: dict[str, list[Finding]] = {}
    for unit_id in wanted:
        cached = cached_unit(cache, unit_id, shell.units[unit_id].ref, keys[unit_id])
        if cached is not None:
            shell.units[unit_id], by_unit[unit_id] = cached
    for unit_id, light, read, rules, facts in _check_all(
            shell, [u for u in wanted if u not in by_unit], parallel):
        shell.units[unit_id] = light
        by_unit[unit_id] = read + rules
        cache.store(unit_id, keys[unit_id], read, rules, facts)
    cache.save(list(shell.units))
    findings = [f for f in shell.findings if unit is None or f.unit == unit]
    if unit is None:
        findings += check_campaign(shell)
    found = findings + [f for unit_id in wanted for f in by_unit[unit_id]]
    filled = {u for u in wanted if has_materials(shell.units[u])}
    return shell, in_report_order(found, list(shell.units)), filled
