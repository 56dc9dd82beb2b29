"""The slow work a screen hands to the app's worker thread: shared by every screen, so that
screens need not import the app to ask for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from datastore.errors import LlweekError


@dataclass
class Job:
    """Slow work for a worker thread, and what the UI does with its result afterwards.

    `unit`: re-read this unit after the work, so every screen shows what is now on disk.
    `failed`: a screen's own handling of an expected error (return True when handled).
    `after`: runs when the work ends, whether it succeeded or not.
    """

    run: Callable[[], Any]
    done: Callable[[Any], None] | None = None
    unit: str | None = None
    failed: Callable[[LlweekError], bool] | None = None
    after: Callable[[], None] | None = None
