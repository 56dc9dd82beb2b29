"""Merging is bounded too: a version larger than any record is never parsed, and texts too long
to match line by line are merged as one stretch."""

from __future__ import annotations

from datastore.diff3 import MAX_LINES, merge3, merge_text
from datastore.recordmerge import merge_files
from datastore.safefs import RECORD_MAX_BYTES

REL = "units/changchun/activities/dbxjjcezek.toml"


def test_a_version_larger_than_any_record_is_a_whole_file_conflict_keeping_mine():
    base = 'name = "讲座"\n'
    huge = base + "x" * (RECORD_MAX_BYTES + 1)
    merged = merge_files(REL, base, 'name = "我的讲座"\n', huge)
    assert (merged.clean, merged.text, merged.readable) == (False, 'name = "我的讲座"\n', False)


def test_a_text_of_many_lines_changed_on_one_side_takes_that_side():
    base = [f"第 {n} 行\n" for n in range(MAX_LINES + 10)]
    theirs = [*base[:5], "对方改的一行\n", *base[6:]]
    assert merge_text("".join(base), "".join(base), "".join(theirs)) == "".join(theirs)


def test_a_text_of_many_lines_changed_on_both_sides_is_one_conflict():
    base = [f"第 {n} 行\n" for n in range(MAX_LINES + 10)]
    ours = [*base[:5], "我改的一行\n", *base[6:]]
    theirs = [*base[:-5], "对方改的一行\n", *base[-4:]]
    chunks = merge3(base, ours, theirs)
    assert len(chunks) == 1 and chunks[0].conflicted
    assert merge_text("".join(base), "".join(ours), "".join(theirs)) is None


def test_unreadable_versions_are_merged_line_by_line_within_the_bound():
    base = "坏的 TOML\n" + "".join(f"行 {n}\n" for n in range(50))
    ours = base.replace("行 3\n", "行 3（我的）\n")
    theirs = base.replace("行 40\n", "行 40（对方的）\n")
    merged = merge_files(REL, base, ours, theirs)
    assert merged.clean and not merged.readable
    assert "行 3（我的）" in merged.text and "行 40（对方的）" in merged.text
