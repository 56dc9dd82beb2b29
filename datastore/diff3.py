"""Three-way merge of two edited sequences of lines against their common original (diff3).

The classic algorithm `git merge-file` uses: lines unchanged on both sides anchor the merge,
each stretch between anchors takes the side that changed it, and a stretch changed on both
sides in different ways is a conflict. Pure Python, so the merge driver needs no process and
the property tests can run it thousands of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypeVar

T = TypeVar("T")

MARKER_SIZE = 7


@dataclass(frozen=True)
class Chunk:
    """A stretch of the merge: `clean` holds the merged lines, else the three versions."""

    clean: tuple | None
    base: tuple = ()
    ours: tuple = ()
    theirs: tuple = ()

    @property
    def conflicted(self) -> bool:
        return self.clean is None


def _matches(base: Sequence[T], other: Sequence[T]) -> dict[int, int]:
    """base index → other index for every line the two have in common (in order)."""
    pairs: dict[int, int] = {}
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            pairs[block.a + offset] = block.b + offset
    return pairs


#: longer sequences are not matched line by line (matching can cost the square of the length):
#: the whole stretch is one chunk, a conflict unless one side left it as it was
MAX_LINES = 3000


def merge3(base: Sequence[T], ours: Sequence[T], theirs: Sequence[T]) -> list[Chunk]:
    """The merge as chunks, in order; join the clean ones and decide the conflicted ones."""
    if max(len(base), len(ours), len(theirs)) > MAX_LINES:
        return [_decide(tuple(base), tuple(ours), tuple(theirs))]
    to_ours, to_theirs = _matches(base, ours), _matches(base, theirs)
    chunks: list[Chunk] = []
    at_base = at_ours = at_theirs = 0
    while True:
        anchor = at_base
        while anchor < len(base) and not (anchor in to_ours and anchor in to_theirs):
            anchor += 1
        if anchor < len(base):
            next_ours, next_theirs = to_ours[anchor], to_theirs[anchor]
        else:
            next_ours, next_theirs = len(ours), len(theirs)
        if (anchor, next_ours, next_theirs) != (at_base, at_ours, at_theirs):
            chunks.append(_decide(tuple(base[at_base:anchor]), tuple(ours[at_ours:next_ours]),
                                  tuple(theirs[at_theirs:next_theirs])))
        if anchor >= len(base):
            return chunks
        run = 0
        while (anchor + run < len(base) and to_ours.get(anchor + run) == next_ours + run
               and to_theirs.get(anchor + run) == next_theirs + run):
            run += 1
        chunks.append(Chunk(tuple(base[anchor:anchor + run])))
        at_base, at_ours, at_theirs = anchor + run, next_ours + run, next_theirs + run


def _decide(base: tuple, ours: tuple, theirs: tuple) -> Chunk:
    if ours == theirs or theirs == base:
        return Chunk(ours)
    if ours == base:
        return Chunk(theirs)
    return Chunk(None, base, ours, theirs)


def merge_lines(base: Sequence[T], ours: Sequence[T], theirs: Sequence[T]) -> list[T] | None:
    """The merged lines, or None when some stretch was changed two ways."""
    merged: list[T] = []
    for chunk in merge3(base, ours, theirs):
        if chunk.clean is None:
            return None
        merged.extend(chunk.clean)
    return merged


def merge_text(base: str, ours: str, theirs: str) -> str | None:
    """Line-by-line merge of a text, as `git merge-file`; None on a conflict."""
    merged = merge_lines(base.splitlines(keepends=True), ours.splitlines(keepends=True),
                         theirs.splitlines(keepends=True))
    return None if merged is None else "".join(merged)


def with_markers(chunks: list[Chunk], labels: tuple[str, str, str]) -> tuple[list[str], int]:
    """The merged lines with git's diff3-style conflict markers; and how many conflicts."""
    ours_label, base_label, theirs_label = labels
    out: list[str] = []
    conflicts = 0
    for chunk in chunks:
        if chunk.clean is not None:
            out.extend(chunk.clean)
            continue
        conflicts += 1
        out.append(f"{'<' * MARKER_SIZE} {ours_label}\n")
        out.extend(_ended(chunk.ours))
        out.append(f"{'|' * MARKER_SIZE} {base_label}\n")
        out.extend(_ended(chunk.base))
        out.append(f"{'=' * MARKER_SIZE}\n")
        out.extend(_ended(chunk.theirs))
        out.append(f"{'>' * MARKER_SIZE} {theirs_label}\n")
    return out, conflicts


def _ended(lines: tuple) -> list[str]:
    """Lines inside a conflict block, the last one given its newline so a marker follows."""
    out = list(lines)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    return out


def has_markers(text: str) -> bool:
    """Does `text` still hold a conflict block (someone staged it unresolved)?"""
    starts = {line[:MARKER_SIZE + 1] for line in text.splitlines()}
    return f"{'<' * MARKER_SIZE} " in starts and f"{'>' * MARKER_SIZE} " in starts
