"""The clone's own corner, `.git/llweek/`: what belongs to this clone and is never tracked,
committed or pushed (drafts of unsaved typing, photos picked but not yet saved)."""

from __future__ import annotations

from pathlib import Path

#: folder inside the Git directory
LOCAL_FOLDER = "llweek"
#: the most a `.git` file (a worktree's pointer) may hold
_GITFILE_MAX = 4096


def git_dir_of(root: Path) -> Path | None:
    """The Git directory of the working tree at `root` (`.git`, or where a `.git` file
    points for a linked worktree), without running git; None when `root` is not a clone."""
    dot = root / ".git"
    if dot.is_dir():
        return dot
    if not dot.is_file():
        return None
    try:
        with dot.open("rb") as handle:
            text = handle.read(_GITFILE_MAX).decode("utf-8", errors="replace")
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text.removeprefix("gitdir:").strip())
    target = target if target.is_absolute() else root / target
    return target if target.is_dir() else None


def local_dir(root: Path) -> Path | None:
    """`.git/llweek/` of the clone at `root` (not created here); None outside a clone."""
    git_dir = git_dir_of(root)
    return git_dir / LOCAL_FOLDER if git_dir is not None else None
