"""字数 as the notice means it: every character except white space."""

import re

_WHITESPACE = re.compile(r"[\s\u3000]+")


def count_chars(text: str | None) -> int:
    """Count characters, ignoring spaces, U+3000, tabs and line breaks."""
    if not text:
        return 0
    return len(_WHITESPACE.sub("", text))
