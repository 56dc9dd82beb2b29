"""The one place that decides what a failure is, for the command line and the app alike.

An `LlweekError` is an expected refusal: its Chinese sentence is the whole message. Anything
else is an internal error — a bug of llweek, never something a repository can cause: the
person sees one sentence, the details go to a log file, no traceback ever reaches a screen.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from datastore.errors import LlweekError

INTERNAL = "llweek 内部错误"


@dataclass(frozen=True)
class Failure:
    """What to tell the person; `internal` when it is a bug (already logged)."""

    message: str
    internal: bool


def explain(error: BaseException, *, after: str = "") -> Failure:
    """The message for `error`; an internal error is logged here, and only here.

    `after` is added to an internal error's sentence (the app says saved work is safe).
    """
    if isinstance(error, LlweekError):
        return Failure(str(error), False)
    if isinstance(error, KeyboardInterrupt):
        return Failure("已取消", False)
    return Failure(f"{INTERNAL}：{error}{log_crash(error)}。{after}请把这条信息告诉维护人员。", True)


def crash_log() -> Path:
    """Where internal errors are written (one file per account, in the temp folder)."""
    import tempfile  # here, not at the top: every start of the merge driver would pay for it

    return Path(tempfile.gettempdir()) / f"llweek-error-{os.getuid()}.log"


def log_crash(error: BaseException) -> str:
    """Append the details of an internal error to the log; returns where, for the message."""
    import traceback

    log = crash_log()
    try:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat()} {' '.join(sys.argv)}\n")
            handle.write("".join(traceback.format_exception(error)))
        return f"，详细信息已记入 {log}"
    except OSError:
        return ""
