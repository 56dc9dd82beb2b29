"""The merge driver's work for a whole sync merge, in this process.

Git starts a merge driver once per file, and a Python process costs far more than the merge
itself (a sync that merges a hundred records waited seconds for start-ups). So sync runs
`git merge` with the llweek driver replaced by `false` and records merging as `binary` (no
process at all: datastore.mergeattrs): every record both sides changed stops as a conflict,
with its three versions in the index (stages 1/2/3) and mine in the working file. Here each
such record is merged by the same `merge_files` the driver runs, and left exactly as the
driver leaves it: merged cleanly → written and staged; a conflict → the
conflict blocks written, the stages kept for the conflict screen. Only paths whose `merge`
attribute is `llweek` are merged, as Git would have handed them to the driver. A version over
the size of any record is not read (as the driver, mine is kept and the file stays conflicted).
"""

from __future__ import annotations

from datastore.gitrepo import MERGE_DRIVER, GitRepo
from datastore.mergestate import unmerged_stages
from datastore.history import git_output, read_blobs
from datastore.recordmerge import merge_files
from datastore.safefs import RECORD_MAX_BYTES, writable_path
from datastore.tomlio import atomic_write_all

#: `git merge` with this before it leaves every record both sides changed to `merge_here`
WITHOUT_DRIVER = ("-c", f"merge.{MERGE_DRIVER}.driver=false")


def _driven(repo: GitRepo, paths: list[str]) -> set[str]:
    """The paths Git would hand to the llweek driver (their `merge` attribute)."""
    listed = "".join(f"{path}\0" for path in paths).encode("utf-8", "surrogateescape")
    out = git_output(repo.root, "check-attr", "-z", "--stdin", "merge", stdin=listed)
    fields = out.split(b"\0")
    return {fields[i].decode("utf-8", "surrogateescape") for i in range(0, len(fields) - 2, 3)
            if fields[i + 2] == MERGE_DRIVER.encode()}


def _sizes(repo: GitRepo, blobs: set[str]) -> dict[str, int]:
    listed = "".join(f"{blob}\n" for blob in blobs).encode()
    out = git_output(repo.root, "cat-file", "--batch-check", stdin=listed)
    sizes = {}
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes


def merge_here(repo: GitRepo) -> None:
    """Merge every record Git left for the driver; the caller holds the repository's lock."""
    stages = {path: found for path, found in unmerged_stages(repo).items()
              if 2 in found and 3 in found}  # both sides have it: the driver's cases
    paths = sorted(_driven(repo, list(stages))) if stages else []
    if not paths:
        return
    wanted = {blob for path in paths for blob in stages[path].values()}
    sizes = _sizes(repo, wanted)
    small = {blob for blob in wanted if sizes.get(blob, RECORD_MAX_BYTES + 1) <= RECORD_MAX_BYTES}
    texts = read_blobs(repo.root, small)
    clean, written = [], []
    for path in paths:
        found = stages[path]
        if any(blob not in texts for blob in found.values()):
            continue  # too big to read: stays conflicted with mine, as the driver leaves it
        base, ours, theirs = (texts[found[n]].decode("utf-8", "surrogateescape")
                              if n in found else "" for n in (1, 2, 3))
        result = merge_files(path, base, ours, theirs)
        written.append((writable_path(repo.root, path),
                        result.text.encode("utf-8", "surrogateescape")))
        if result.clean:
            clean.append(path)
    atomic_write_all(written)
    if clean:
        git_output(repo.root, "update-index", "-z", "--add", "--stdin",
                   stdin="".join(f"{p}\0" for p in clean).encode("utf-8", "surrogateescape"))
