"""`python -m tui …` is the same as `llweek …` (used by Git hooks and the merge driver)."""

import sys

from tui.cli import main

sys.exit(main())
