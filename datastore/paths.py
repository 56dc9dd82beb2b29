"""Where a data repository is and what its province files are called, without the models:
for the commands that must start fast (`llweek log`, the merge driver)."""

from __future__ import annotations

import os
from pathlib import Path

from datastore.errors import RepoNotFound

CAMPAIGN_FILE = "campaign.toml"
ACCESS_FILE = "access.toml"


def review_path(unit: str) -> str:
    """The province's review file of a unit."""
    return f"reviews/{unit}.toml"


def find_root(start: Path) -> Path:
    """The data repository that contains `start` (it holds campaign.toml)."""
    start = start.resolve()
    for candidate in (start, *start.parents):  # whatever campaign.toml is, loading says so
        if os.path.lexists(candidate / CAMPAIGN_FILE):
            return candidate
    raise RepoNotFound(f"{start} 不是活动周材料库：找不到 {CAMPAIGN_FILE}（可用 -C 指定文件夹）")
