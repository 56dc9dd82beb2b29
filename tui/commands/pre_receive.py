"""`llweek pre-receive BARE_REPO`: run by the central repository's hook for every push.

Reads git's `old new ref` lines on standard input; a refusal goes to standard error, which
git shows the pusher as `remote: …` lines, and a non-zero exit makes git refuse the push.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from datastore.gitrepo import GitRepo
from datastore.pushcheck import check_push, pusher_login, read_updates
from tui.cli import EXIT_FINDINGS, EXIT_OK


def run(args: argparse.Namespace) -> int:
    bare = Path(args.bare_repo)
    updates = read_updates(sys.stdin)
    with GitRepo(bare) as repo:
        refusal = check_push(repo, updates, pusher_login(bare))
    if refusal:
        print(refusal, file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK
