"""`llweek pre-receive`: run by the central repository's hook for every push.

Reads git's `old new ref` lines on standard input; a refusal goes to standard error, which
git shows the pusher as `remote: …` lines, and a non-zero exit makes git refuse the push.
Everything is decided in the repository git names as the common one (see
`datastore.pushcheck.common_dir`), whatever folder the hook was started in.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from datastore.gitrepo import GitRepo
from datastore.pushcheck import check_push
from datastore.pusher import common_dir, hook_settings, pusher_login, read_updates
from tui.cli import EXIT_FINDINGS, EXIT_OK


def run(args: argparse.Namespace) -> int:
    updates = read_updates(sys.stdin)
    common = common_dir(Path.cwd())
    os.environ["GIT_DIR"] = str(common)  # every git call below reads the common repository
    settings = hook_settings(common)
    with GitRepo(common) as repo:
        refusal = check_push(repo, updates, pusher_login(common, settings), settings)
    if refusal:
        print(refusal, file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK
