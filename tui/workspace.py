"""The app's picture of one data repository: records, findings and states.

Loading reads and checks only the units whose files changed since the load cache was written;
the dashboard needs no more than each unit's facts and findings. A unit's records are read
when one of its screens opens, and after a save only that unit is read and checked again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from datastore.deadlines import DeadlineSummary, DeliverableStatus, repo_status, unit_status
from datastore.findings import Finding
from datastore.loader import RepoData, StoredRecord, UnitData, load_unit, read_record
from datastore.models import Reviews
from datastore.paths import review_path
from datastore.rules import RuleContext, check_unit
from datastore.validation import validate_path


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
    def load(cls, root: Path, read: Collection[str] = ()) -> Workspace:
        """Read and check what changed since the load cache was written (slow: call it from
        a worker). Every unit is its light stand-in from the cache (datastore.unitfacts)
        until `unit` asks for it, so 100,000 records never sit in memory at once; the units
        in `read` (those open on screen) are read in full."""
        data, findings, _ = validate_path(root, parallel=False)  # the app has threads
        workspace = cls(data, {unit_id: [] for unit_id in data.units}, [])
        for finding in findings:
            parts = finding.path.split("/", 2)
            unit_id = parts[1] if len(parts) > 1 and parts[0] == "units" else None
            workspace.unit_findings.get(unit_id, workspace.other_findings).append(finding)
        for unit_id in read:
            if unit_id in data.units:
                workspace.install(workspace.read_unit(unit_id))
        return workspace

    @property
    def root(self) -> Path:
        return self.data.root

    @property
    def campaign(self):  # noqa: ANN201 - datastore.models.Campaign
        return self.data.campaign

    def is_read(self, unit_id: str) -> bool:
        """Whether the unit's records are in memory (not only its stand-in)."""
        unit = self.data.units.get(unit_id)
        return unit is not None and unit.present is None

    def read_units(self) -> list[str]:
        """The units whose records are in memory: a fresh load reads them again."""
        return [unit_id for unit_id, unit in self.data.units.items() if unit.present is None]

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
        """The unit with its records. The app reads a unit in a worker before it opens one
        of its screens (LlweekApp.with_unit); should anything ask before that, it is read
        here and then, rather than shown without its records."""
        if self.data.units.get(unit_id) is not None and not self.is_read(unit_id):
            self.install(self.read_unit(unit_id))
        return self.data.units.get(unit_id)

    def unit_name(self, unit_id: str) -> str:
        unit = self.data.units.get(unit_id)
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
        unit = self.data.units.get(unit_id)
        return RuleContext(self.root, self.campaign, unit_id, unit.kind if unit else None)

    def stored(self, path: str) -> StoredRecord | None:
        return self.data.stored.get(path)
