"""How a deliverable's state looks: its two-character label, and a colour that only adds to it.

The label alone carries the meaning (a 16-colour or monochrome terminal loses nothing).
"""

from __future__ import annotations

from rich.text import Text

from datastore.deadlines import State
from datastore.findings import Finding, Severity

STATE_STYLES = {
    State.MISSING: "dim",
    State.DRAFT: "yellow",
    State.COMPLETE: "cyan",
    State.SUBMITTED: "green",
    State.RESUBMITTED: "green italic",
    State.LATE: "magenta",
    State.OVERDUE: "bold red",
    State.ACCEPTED: "bold green",
    State.RETURNED: "bold red reverse",
}
SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def state_text(state: State) -> Text:
    return Text(state.label, style=STATE_STYLES[state])


def finding_text(finding: Finding) -> Text:
    """`错误 未填写「活动名称」`: the word says the severity, the colour repeats it."""
    return Text.assemble((finding.severity.label, SEVERITY_STYLES[finding.severity]), " ",
                         finding.message)


def problems_text(errors: int, warnings: int) -> Text:
    """`2错 1醒` in a list column; empty when there is nothing to fix."""
    text = Text()
    if errors:
        text.append(f"{errors}错", style=SEVERITY_STYLES[Severity.ERROR])
    if warnings:
        text.append((" " if errors else "") + f"{warnings}醒", style=SEVERITY_STYLES[Severity.WARNING])
    return text
