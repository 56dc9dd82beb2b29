"""Where this clone stands against the server, without touching the network.

For the app's banner: how many commits wait to be pushed, and whether a merge is still open
(conflicts left, or all resolved but not yet committed). A few quick local git calls; the
server is never asked, so this is cheap enough to run after every save.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from datastore.gitrepo import GitRepo, is_git_repo


@dataclass(frozen=True)
class LocalState:
    """`ahead`: commits not on the server yet (None when the branch has no upstream)."""

    has_remote: bool = False
    ahead: int | None = None
    merging: bool = False
    unresolved: int = 0  # conflicted files of the open merge


def local_state(root: Path) -> LocalState:
    """The clone's state now; an empty state for a folder that is not a Git repository."""
    if not is_git_repo(root):
        return LocalState()
    with GitRepo(root) as repo:
        status, out, _ = repo.call("remote")
        has_remote = status == 0 and bool(out.strip())
        status, out, _ = repo.call("rev-list", "--count", "@{upstream}..HEAD")
        ahead = int(out.strip()) if status == 0 and out.strip().isdigit() else None
        merging = repo.merging()
        unresolved = 0
        if merging:
            _, listed, _ = repo.call("ls-files", "--unmerged", "-z")
            unresolved = len({entry.split("\t", 1)[1] for entry in listed.split("\0") if "\t" in entry})
    return LocalState(has_remote, ahead, merging, unresolved)
