"""`llweek post-receive`: after an accepted push, the server notes who pushed what.

Git has already moved the refs; this only adds to the push record (datastore.pushlog). A
failure is told to the pusher and to the server's log, but cannot undo the push.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from datastore.pusher import common_dir, hook_settings, pusher_login, read_updates
from datastore.pushlog import record_push
from tui.cli import EXIT_OK, EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    updates = read_updates(sys.stdin)
    if not updates:
        return EXIT_OK
    common = common_dir(Path.cwd())
    os.environ["GIT_DIR"] = str(common)
    login = pusher_login(common, hook_settings(common))
    try:
        with GitRepo(common) as repo:
            record_push(repo, updates, login or "（未知）")
    except LlweekError as err:
        print(f"llweek：推送已完成，但推送记录没有写成：{err}。请告诉服务器管理员。", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
