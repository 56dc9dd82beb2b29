"""A finding: one thing the notice's rules say about one field of one file."""

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "提醒"


@dataclass(frozen=True, slots=True)
class Finding:
    """Errors block "complete"; warnings are only shown."""

    severity: Severity
    code: str
    path: str
    field: str | None
    message: str
    line: int | None = None
    unit: str | None = None
    deliverable: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_json(self) -> dict:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def has_errors(findings: "list[Finding]") -> bool:
    return any(f.is_error for f in findings)
