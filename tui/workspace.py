"""The app's picture of one data repository: records, findings and states.

Loading reads everything once; after a save only the unit that changed is read and checked
again, so the dashboard stays current without re-validating the whole repository.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from datastore.deadlines import DeadlineSummary, DeliverableStatus, repo_status, unit_status
from datastore.findings import Finding
from datastore.loadcache import LoadCache
from datastore.loader import (
    CAMPAIGN_FILE,
    RepoData,
    StoredRecord,
    UnitData,
    load_repo,
    load_unit,
    read_record,
)
from datastore.models import Reviews
from datastore.reviews import review_path
from datastore.rules import RuleContext, check_campaign, check_unit
from datastore.unitfacts import cached_unit, unit_facts


def _in_unit(finding: Finding, unit_id: str) -> bool:
    return finding.path == f"units/{unit_id}" or finding.path.startswith(f"units/{unit_id}/")


def _campaign_digest(data: RepoData) -> str | None:
    """campaign.toml's digest: part of every unit's load-cache key."""
    stored = data.stored.get(CAMPAIGN_FILE)
    return stored.digest if stored else None


@dataclass
class UnitSnapshot:
    """One unit as read from disk just now, with every finding about its files."""

    unit: UnitData
    findings: list[Finding]


class Workspace:
    """Holds the loaded repository; reading happens in workers, `install` on the UI thread."""

    def __init__(self, data: RepoData, unit_findings: dict[str, list[Finding]],
                 other_findings: list[Finding]) -> None:
        self.data = data
        self.unit_findings = unit_findings
        self.other_findings = other_findings

    @classmethod
    def load(cls, root: Path) -> Workspace:
        """Read and check the whole repository (slow: call it from a worker). The rules'
        findings of every unit whose files did not change come from the load cache."""
        data = load_repo(root)
        cache = LoadCache(root)
        campaign = _campaign_digest(data)
        unit_findings = {}
        for unit_id, unit in data.units.items():
            read = [f for f in data.findings if _in_unit(f, unit_id)]
            key = cache.unit_key(unit_id, campaign, unit.ref)
            hit = cache.entry(unit_id, key)
            if hit is None:
                rules = check_unit(unit, root, data.campaign)
                cache.store(unit_id, key, [f for f in read if f.code != "unit.not_in_campaign"],
                            rules, unit_facts(unit))
            else:
                rules = hit[1]
            unit_findings[unit_id] = read + rules
        cache.save(list(data.units))
        return cls._of(data, unit_findings)

    @classmethod
    def preview(cls, root: Path) -> Workspace | None:
        """The dashboard's picture from the load cache alone, without reading any record:
        None unless the cache holds every unit as its files are now. Its units are light
        stand-ins (datastore.unitfacts), for the dashboard only, until `load` has read them."""
        data = load_repo(root, materials=False)
        cache = LoadCache(root)
        campaign = _campaign_digest(data)
        unit_findings = {}
        for unit_id, unit in data.units.items():
            key = cache.unit_key(unit_id, campaign, unit.ref)
            cached = cached_unit(cache, unit_id, unit.ref, key)
            if cached is None:
                return None
            data.units[unit_id] = cached[0]
            unit_findings[unit_id] = [f for f in data.findings if _in_unit(f, unit_id)] + cached[1]
        return cls._of(data, unit_findings)

    @classmethod
    def _of(cls, data: RepoData, unit_findings: dict[str, list[Finding]]) -> Workspace:
        """With the findings outside any unit and the campaign's own."""
        other = [f for f in data.findings
                 if not any(_in_unit(f, unit_id) for unit_id in data.units)]
        return cls(data, unit_findings, other + check_campaign(data))

    @property
    def root(self) -> Path:
        return self.data.root

    @property
    def campaign(self):  # noqa: ANN201 - datastore.models.Campaign
        return self.data.campaign

    def read_unit(self, unit_id: str) -> UnitSnapshot:
        """The unit as it is on disk now (call from a worker, then `install` the result)."""
        found: list[Finding] = []
        old = self.data.units.get(unit_id)
        unit = load_unit(self.root, unit_id, old.ref if old else None, found)
        return UnitSnapshot(unit, found + check_unit(unit, self.root, self.campaign))

    def install(self, snapshot: UnitSnapshot) -> None:
        unit = snapshot.unit
        old = self.data.units.get(unit.id)
        if old is not None:
            for stored in [*old.singles.values(), *(s for v in old.collections.values() for s in v)]:
                self.data.stored.pop(stored.path, None)
        self.data.units[unit.id] = unit
        for stored in [*unit.singles.values(), *(s for v in unit.collections.values() for s in v)]:
            self.data.stored[stored.path] = stored
        self.unit_findings[unit.id] = snapshot.findings

    def read_reviews(self, unit_id: str) -> StoredRecord:
        """The province's review file of a unit as on disk now (call from a worker)."""
        return read_record(self.root, review_path(unit_id), None, Reviews, unit_id, [])

    def install_reviews(self, stored: StoredRecord) -> None:
        self.data.stored[stored.path] = stored
        if stored.record is not None and stored.unit is not None:
            self.data.reviews[stored.unit] = stored.record  # type: ignore[assignment]

    @property
    def findings(self) -> list[Finding]:
        return self.other_findings + [f for found in self.unit_findings.values() for f in found]

    def unit(self, unit_id: str) -> UnitData | None:
        return self.data.units.get(unit_id)

    def unit_name(self, unit_id: str) -> str:
        unit = self.unit(unit_id)
        return unit.name if unit else unit_id

    def status(self, today: dt.date) -> tuple[dict[str, dict[str, DeliverableStatus]],
                                              list[DeadlineSummary]]:
        return repo_status(self.data, self.findings, today)

    def unit_status(self, unit_id: str, today: dt.date) -> dict[str, DeliverableStatus]:
        unit = self.data.units[unit_id]
        found = self.unit_findings.get(unit_id, []) + [
            f for f in self.other_findings if f.unit == unit_id]
        return unit_status(self.data, unit, found, today)

    def findings_of(self, unit_id: str, deliverable: str | None = None,
                    path: str | None = None) -> list[Finding]:
        """A unit's findings, narrowed to one deliverable or one file."""
        found = self.unit_findings.get(unit_id, []) + [
            f for f in self.other_findings if f.unit == unit_id]
        if deliverable is not None:
            found = [f for f in found if f.deliverable == deliverable]
        if path is not None:
            found = [f for f in found if f.path == path]
        return found

    def context(self, unit_id: str) -> RuleContext:
        unit = self.unit(unit_id)
        return RuleContext(self.root, self.campaign, unit_id, unit.kind if unit else None)

    def stored(self, path: str) -> StoredRecord | None:
        return self.data.stored.get(path)
