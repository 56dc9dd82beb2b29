"""字数 counters against the notice's limits, named by a field's `counter` metadata."""

from __future__ import annotations

from rich.text import Text

from datastore.models import Rules
from datastore.textcount import count_chars


def limits(rules: Rules, counter: str | None) -> tuple[int | None, int | None]:
    """(minimum, maximum) for a counter name such as `exhibition_text_min` or `deeds_max`:
    the rule named and its partner with the other suffix, when the rules have one."""
    if counter is None:
        return None, None
    prefix = counter.rsplit("_", 1)[0]
    low, high = getattr(rules, f"{prefix}_min", None), getattr(rules, f"{prefix}_max", None)
    return low, high


def limit_text(limit: int, text: str | None) -> Text:
    """`12/50` for a one-line field holding at most 50 characters; red beyond."""
    count = len((text or "").strip())
    return Text(f"{count}/{limit}", style="bold red" if count > limit else "dim")


def counter_text(rules: Rules, counter: str | None, text: str | None) -> Text:
    """`12/20`, `512 字（400–600）`, `1320 字（不少于 1500）` or just `86 字`; red when outside."""
    count = count_chars(text)
    low, high = limits(rules, counter)
    if low is not None and high is not None:
        words, bad = f"{count} 字（{low}–{high}）", not low <= count <= high
    elif high is not None:
        words, bad = f"{count}/{high} 字", count > high
    elif low is not None:
        words, bad = f"{count} 字（不少于 {low}）", count < low
    else:
        words, bad = f"{count} 字", False
    return Text(words, style="bold red" if bad and count else "green" if low or high else "")
