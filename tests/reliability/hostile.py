"""Hostile repository content, as anyone with push rights could commit it, and the commands run
on it with their time and memory measured.

`HOSTILE_FILES` are file contents (bytes), `plant` puts any kind of thing at a path (a file, a
symlink to a device, a symlink loop, a FIFO, a folder, a huge sparse file), and `run_llweek`
runs one command as its own process, bounded, reporting what a person would see.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

WORKTREE = Path(__file__).resolve().parents[2]
INTERNAL = "内部错误"
#: CPU seconds a command may use (the machine's clock is shared with other work, so the
#: bound is on the command's own time); a command still running after HANG seconds hangs
TIME_LIMIT = 10.0
HANG = 60.0
MEMORY_LIMIT_MB = 300

ACTIVITY = "units/changchun/activities/dbxjjcezek.toml"
EXHIBITION = "units/changchun/exhibition.toml"
PHOTOS = "units/changchun/photos"


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 80)).save(out, "JPEG", quality=50)
    return out.getvalue()


def _png_bomb() -> bytes:
    """A PNG header claiming 100,000 × 100,000 pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    data[16:24] = (100_000).to_bytes(4, "big") * 2
    return bytes(data)


#: file contents no record should hold, each a way people or programs break a file
HOSTILE_FILES: dict[str, bytes] = {
    "deep_arrays": b"x = " + b"[" * 450 + b"]" * 450 + b"\n",
    "deep_inline_tables": b"x = " + b"{a = " * 450 + b"1" + b"}" * 450 + b"\n",
    "deep_under_limit": b"x = " + b"[" * 300 + b"]" * 300 + b"\n",
    "dotted_key_1000": b".".join([b"a"] * 1000) + b" = 1\n",
    "dotted_key_999": b".".join([b"a"] * 999) + b" = 1\n",
    "deep_headers": b"".join(b"[" + b".".join([b"t"] * n) + b"]\n" for n in range(1, 40)),
    "many_unknown_keys": b"".join(b"k%d = %d\n" % (n, n) for n in range(16_000)),
    "wrong_types": (b'id = 1\nname = ["a"]\nstart = "2021-13-45"\nend = 2021-10-12T10:00:00\n'
                    b'participants = "many"\nseq = 1.5\nvenue = true\n'),
    "datetime_dates": b"start = 2021-10-12T10:00:00+08:00\nend = 10:00:00\n",
    "invalid_utf8": b'name = "\xff\xfe\xfd"\n',
    "nul": b'name = "a\x00b"\n',
    "nul_escape": b'name = "a\\u0000b"\ncontent = "\\u001b[2J\\u001b]0;x\\u0007"\n',
    "bom": b'\xef\xbb\xbfname = "BOM"\n',
    "crlf": b'name = "CRLF"\r\ncontent = """\r\n\xe7\xac\xac\xe4\xb8\x80\xe6\xae\xb5\r\n"""\r\n',
    "lone_cr": b'name = "a"\rvenue = "b"\n',
    "broken": b'name = "unterminated\n[[[\n',
    "conflict_markers": (b'id = "dbxjjcezek"\n<<<<<<< \xe6\x88\x91\xe7\x9a\x84\xe4\xbf\xae\xe6\x94\xb9\n'
                         b'name = "a"\n=======\nname = "b"\n>>>>>>> \xe5\xaf\xb9\xe6\x96\xb9\n'),
    "empty": b"",
    "binary": bytes(range(256)) * 8,
    "huge_value": b'content = "' + "学".encode() * 300_000 + b'"\n',
    "control_key": b'"a\\u001b[31m" = 1\n',
    "table_for_value": b"[name]\nx = 1\n[start]\n[[participants]]\n",
    "photos_wrong": b'photos = "p.jpg"\n[[x]]\n',
    "photos_bad_items": b'[[photos]]\nfile = 1\n[[photos]]\nfile = "../../../../etc/passwd"\ncaption = []\n',
}

#: photo contents that are not photos
HOSTILE_PHOTOS: dict[str, bytes] = {
    "not_an_image": "一段文字".encode(),
    "truncated_jpeg": _jpeg(64, 64)[:200],
    "png_bomb": _png_bomb(),
    "empty": b"",
    "small_jpeg": _jpeg(32, 16),
}

#: things that are not a regular file, to stand where a file or folder is expected
KINDS = ("link_dev_zero", "link_dev_null", "link_loop", "link_outside", "link_dangling",
         "link_parent", "fifo", "folder", "huge_sparse", "socket")


def plant(root: Path, rel: str, kind: str) -> None:
    """Replace whatever is at `rel` with a thing of `kind` (see KINDS)."""
    path = root / rel
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "link_dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "link_dev_null":
        path.symlink_to("/dev/null")
    elif kind == "link_loop":
        path.symlink_to(path.name + ".other")
        (path.parent / (path.name + ".other")).symlink_to(path.name)
    elif kind == "link_outside":
        path.symlink_to("/etc/passwd")
    elif kind == "link_dangling":
        path.symlink_to("/nonexistent/llweek")
    elif kind == "link_parent":
        path.symlink_to("..")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
        (path / "inner.toml").write_text('name = "inside"\n', encoding="utf-8")
    elif kind == "huge_sparse":
        with open(path, "wb") as handle:
            handle.truncate(50 * 1024 * 1024)
    elif kind == "socket":
        import socket

        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(path))
        except OSError:  # a path too long for a socket: a FIFO stands in
            os.mkfifo(path)
        finally:
            server.close()
    else:
        raise ValueError(kind)


def remove(path: Path) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def copy_tree(source: Path, target: Path) -> Path:
    """The working files of a repository (no .git): a plain folder every command can read."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    return target


@dataclass(frozen=True)
class Run:
    """One command as a person saw it, with what it cost."""

    argv: tuple[str, ...]
    code: int
    out: str
    err: str
    seconds: float  # wall clock
    cpu_seconds: float  # user + system
    max_rss_mb: float
    crash_logged: bool

    @property
    def internal_error(self) -> bool:
        return INTERNAL in self.out + self.err or self.crash_logged

    def describe(self) -> str:
        return (f"llweek {' '.join(self.argv)} → exit {self.code}, {self.cpu_seconds:.1f} s CPU "
                f"({self.seconds:.1f} s wall), {self.max_rss_mb:.0f} MB\n{self.err[-2000:]}")


def run_llweek(argv: list[str], tmp: Path, *, timeout: float = HANG,
               python_code: str | None = None) -> Run:
    """`llweek argv…` (or `python -c python_code argv…`) as its own process with a private
    temp folder (where an internal error would be logged); killed after `timeout` seconds."""
    temp = tmp / f"tmp-{time.monotonic_ns()}"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": f"{WORKTREE}:{WORKTREE / 'tests'}"}
    command = ([sys.executable, "-c", python_code, *argv] if python_code
               else [sys.executable, "-m", "tui", *argv])
    with open(temp / "out", "w+b") as out, open(temp / "err", "w+b") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   env=env, cwd=tmp, preexec_fn=_limit_memory)
        code, usage = _wait(process, started + timeout)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        text_out = out.read().decode("utf-8", "replace")
        text_err = err.read().decode("utf-8", "replace")
    logged = any(temp.glob("llweek-error-*.log"))
    return Run(tuple(argv), code, text_out, text_err, seconds, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss / 1024, logged)


def _limit_memory() -> None:
    """A safety net far above the limit tested, so a runaway cannot take the machine down."""
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024 ** 3, 4 * 1024 ** 3))


def _wait(process: subprocess.Popen, deadline: float) -> tuple[int, resource.struct_rusage]:
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, usage
        if time.monotonic() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = -9
            return -9, usage
        time.sleep(0.02)


#: a Pilot start of the real app on the repository given as argument, printing what it shows
APP_START = """
import asyncio, sys
from pathlib import Path
from tests.app_harness import make_app, notices, screen_text, settle

async def start():
    app = make_app(Path(sys.argv[1]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        print(screen_text(app))
        print("--- notices")
        print(notices(app))
        await pilot.press("ctrl+q")

asyncio.run(start())
"""
