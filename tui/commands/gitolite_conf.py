"""`llweek gitolite-conf [-C DIR] [--repo NAME]`: the campaign's part of gitolite.conf."""

from __future__ import annotations

import argparse
import sys

from datastore.gitolite import gitolite_conf
from datastore.roles import read_access
from tui.cli import EXIT_OK
from tui.commands.common import repo_root


def run(args: argparse.Namespace) -> int:
    root = repo_root(args)
    sys.stdout.write(gitolite_conf(read_access(root), args.repo))
    return EXIT_OK
