"""The data layer stays free of the UI, so the CLI, hooks and tests can use it alone."""

import subprocess
import sys


def test_importing_datastore_never_imports_textual():
    code = ("import sys, importlib, pkgutil, datastore\n"
            "for m in pkgutil.iter_modules(datastore.__path__):\n"
            "    importlib.import_module('datastore.' + m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich', 'openpyxl')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_validate_command_does_not_load_textual_or_openpyxl():
    code = ("import sys, tui.cli, tui.commands.validate, tui.commands.status\n"
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'textual', 'openpyxl'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
