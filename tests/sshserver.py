"""A real central server for the scenario tests: sshd on a free local port, gitolite under a
hosting account of its own, and staff shell accounts with SSH keys, set up the way the
README's server section tells an administrator to, in one temporary folder.

It needs root (to create the throwaway accounts, which are removed again afterwards),
/usr/sbin/sshd, gitolite3 and a Python interpreter that accounts other than root may run;
`missing()` says which is absent, for the tests to skip with that reason.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from datastore.gitrepo import ENTRY
from datastore.gitolite import gitolite_conf
from datastore.models import Access

README = Path(__file__).resolve().parent.parent / "README.md"
SSHD = Path("/usr/sbin/sshd")
HOST = "llweek-server"  # each staff account's ~/.ssh/config alias for git@localhost:PORT
START_SECONDS = 30.0
#: root's git, working in folders the staff own (test set-up only)
ROOT_GIT_ENV = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory",
                "GIT_CONFIG_VALUE_0": "*"}


def missing() -> str | None:
    """Why these scenarios cannot run here, or None."""
    if os.geteuid() != 0:
        return "需要 root：要为 gitolite 托管账号和工作人员建立临时系统账号"
    for tool, package in ((SSHD, "openssh-server"), (shutil.which("gitolite"), "gitolite3"),
                          (shutil.which("ssh-keygen"), "openssh-client"),
                          (shutil.which("useradd"), "passwd")):
        if not tool or not Path(tool).exists():
            return f"未安装 {package}"
    if shared_base_python() is None:
        return f"没有其他账号也能运行的 Python {sys.version_info.major}.{sys.version_info.minor}"
    hidden = closed_folder()
    if hidden is not None:
        return f"其他账号进不去 {hidden}：这次运行的 llweek 或它的依赖装在那里，别的账号无法运行"
    return None


def closed_folder() -> Path | None:
    """A folder on the way to this run's llweek or its packages that other accounts cannot
    enter (a checkout under a private folder), or None."""
    for place in [ENTRY.parent.parent, *(Path(p) for p in sys.path if p.endswith("site-packages"))]:
        real = Path(os.path.realpath(place))
        for step in [*reversed(real.parents), real]:
            if step.exists() and not step.stat().st_mode & 0o001:
                return step
    return None


def _others_may_run(path: Path) -> bool:
    """Every folder on the way is enterable and the file runnable by any account."""
    real = Path(os.path.realpath(path))
    steps = [*real.parents, real]
    return real.is_file() and all(step.stat().st_mode & 0o001 for step in steps) \
        and bool(real.stat().st_mode & 0o004)


def shared_base_python() -> Path | None:
    """An interpreter of this Python's version that any account may run."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [Path(getattr(sys, "_base_executable", sys.executable)),
                  Path(sys.base_prefix) / "bin" / f"python{version}",
                  Path(f"/usr/bin/python{version}"), Path(f"/usr/local/bin/python{version}")]
    for candidate in candidates:
        if candidate.exists() and _others_may_run(candidate):
            done = subprocess.run([str(candidate), "-c", "import sys; print(sys.version_info[:2])"],
                                  capture_output=True, text=True, check=False)
            if done.stdout.strip() == str(tuple(sys.version_info[:2])):
                return candidate
    return None


def light_venv(where: Path, base: Path) -> Path:
    """A virtual environment at `where` that sees llweek and its dependencies as this test
    run does (no copy, no download); returns its interpreter."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (where / "bin").mkdir(parents=True)
    site = where / "lib" / version / "site-packages"
    site.mkdir(parents=True)
    (where / "pyvenv.cfg").write_text(f"home = {base.parent}\ninclude-system-site-packages = false\n"
                                      f"version = {sys.version_info.major}.{sys.version_info.minor}\n",
                                      encoding="utf-8")
    python = where / "bin" / "python"
    python.symlink_to(base)
    here = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    lines = [f"import site; site.addsitedir({p!r})" for p in here]
    lines.append(f"import sys; sys.path.insert(0, {str(ENTRY.parent.parent)!r})")
    (site / "llweek-tests.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return python


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name,
                "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **extra}

    def run(self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input: str | bytes | None = None, check: bool = False) -> subprocess.CompletedProcess:
        """A command as this account, with its own home and nothing of root's environment."""
        text = not isinstance(input, bytes)
        done = subprocess.run(list(args), cwd=cwd or self.home, env=self.env(**(env or {})),
                              user=self.uid, group=self.gid, extra_groups=[], input=input,
                              capture_output=True, text=text, check=False, timeout=300)
        if check and done.returncode != 0:
            raise AssertionError(f"{self.name}: {' '.join(args)} failed: {done.stderr}{done.stdout}")
        return done


@dataclass
class Server:
    """Everything of one set-up; `close()` removes it all, accounts included."""

    root: Path
    token: str = field(default_factory=lambda: secrets.token_hex(3))
    port: int = 0
    python: Path | None = None
    git: Account | None = None
    staff: dict[str, Account] = field(default_factory=dict)
    _accounts: list[str] = field(default_factory=list)
    _sshd_pid: int | None = None
    _made_run_sshd: bool = False

    # ------------------------------------------------------------------ set-up

    def add_account(self, suffix: str) -> Account:
        name = f"llw{self.token}{suffix}"
        home = self.root / "home" / name
        subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh",
                        "--user-group", name], check=True, capture_output=True)
        self._accounts.append(name)
        subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True)  # not locked
        entry = pwd.getpwnam(name)
        return Account(name, entry.pw_uid, entry.pw_gid, home)

    def start_sshd(self) -> None:
        folder = self.root / "sshd"
        folder.mkdir()
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "host_key")],
                       check=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        names = " ".join(self._accounts)
        (folder / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
            f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile .ssh/authorized_keys\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            f"PermitRootLogin no\nAllowUsers {names}\nLogLevel VERBOSE\n", encoding="utf-8")
        if not Path("/run/sshd").exists():
            Path("/run/sshd").mkdir(mode=0o755)
            self._made_run_sshd = True
        subprocess.run([str(SSHD), "-f", str(folder / "sshd_config"), "-E", str(folder / "log")],
                       check=True)
        deadline = time.monotonic() + START_SECONDS
        while not (folder / "sshd.pid").exists() or not self._listening():
            if time.monotonic() > deadline:
                raise AssertionError(f"sshd did not start: {(folder / 'log').read_text()}")
            time.sleep(0.05)
        self._sshd_pid = int((folder / "sshd.pid").read_text().split()[0])
        scan = subprocess.run(["ssh-keyscan", "-p", str(self.port), "127.0.0.1"],
                              capture_output=True, text=True, check=True)
        (self.root / "known_hosts").write_text(scan.stdout, encoding="utf-8")

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def ssh_config(self, account: Account, key: Path) -> None:
        """`llweek-server:REPO` for this account is `git@localhost:REPO` on the right port."""
        ssh = account.home / ".ssh"
        account.run("mkdir", "-p", "-m", "700", str(ssh), check=True)
        account.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", account.name, "-f", str(key),
                    check=True)
        config = ssh / "config"
        config.write_text(f"Host {HOST}\n  HostName 127.0.0.1\n  Port {self.port}\n"
                          f"  User {self.git.name}\n  IdentityFile {key}\n  IdentitiesOnly yes\n"
                          f"  UserKnownHostsFile {self.root / 'known_hosts'}\n", encoding="utf-8")
        os.chown(config, account.uid, account.gid)

    def setup_gitolite(self, logins: dict[str, Account], repos: list[str], access: Access) -> None:
        """`gitolite setup`, then the administrator's push of keys and llweek's conf part."""
        admin_key = self.root / "admin" / "id_ed25519"
        admin_key.parent.mkdir()
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "admin", "-f",
                        str(admin_key)], check=True)
        pub = self.git.home / "admin.pub"
        shutil.copyfile(f"{admin_key}.pub", pub)
        os.chown(pub, self.git.uid, self.git.gid)
        self.git.run("gitolite", "setup", "-pk", str(pub), check=True)
        self.enable_refex_expr()
        env = {**os.environ, "GIT_SSH_COMMAND":
               f"ssh -p {self.port} -i {admin_key} -o IdentitiesOnly=yes -o BatchMode=yes "
               f"-o UserKnownHostsFile={self.root / 'known_hosts'}"}
        admin = self.root / "admin" / "gitolite-admin"
        subprocess.run(["git", "clone", "-q", f"{self.git.name}@127.0.0.1:gitolite-admin", str(admin)],
                       env=env, check=True, capture_output=True)
        for login, account in logins.items():
            shutil.copyfile(account.home / ".ssh" / "id_ed25519.pub", admin / "keydir" / f"{login}.pub")
        conf = admin / "conf" / "gitolite.conf"
        conf.write_text(conf.read_text(encoding="utf-8") + "".join(
            "\n" + gitolite_conf(access, repo) for repo in repos), encoding="utf-8")
        for args in (["add", "-A"], ["-c", "user.name=admin", "-c", "user.email=admin@localhost",
                                     "commit", "-qm", "llweek: 人员与权限"], ["push", "-q"]):
            done = subprocess.run(["git", "-C", str(admin), *args], env=env, check=True,
                                  capture_output=True, text=True)
        for repo in repos:  # gitolite reports a conf it cannot compile, but the push succeeds
            assert self.repository(repo).is_dir(), f"gitolite did not create {repo}: {done.stderr}"

    def enable_refex_expr(self) -> None:
        """The README's `sed` line that enables gitolite's refex-expr, run as it is written."""
        line = next(line.strip() for line in README.read_text(encoding="utf-8").splitlines()
                    if line.strip().startswith("sed -i") and ".gitolite.rc" in line)
        rc = self.git.home / ".gitolite.rc"
        subprocess.run(["sh", "-c", line.replace("/srv/gitolite/.gitolite.rc", str(rc))], check=True)
        assert rc.stat().st_uid == self.git.uid, "the rc file must stay the hosting account's"
        assert "'refex-expr'," in rc.read_text(encoding="utf-8")

    # ------------------------------------------------------------------ use

    def repository(self, name: str) -> Path:
        return self.git.home / "repositories" / f"{name}.git"

    def head(self, name: str, ref: str = "main") -> str:
        done = self.git.run("git", "-C", str(self.repository(name)), "rev-parse", "-q", "--verify", ref)
        return done.stdout.strip()

    def llweek(self, account: Account, *args: str, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """`llweek …` as a member of staff runs it on the server."""
        return account.run(str(self.python), "-I", "-m", "tui", *args, cwd=cwd, env=env)

    def close(self) -> None:
        if self._sshd_pid:
            try:
                os.kill(self._sshd_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for name in reversed(self._accounts):
            subprocess.run(["userdel", "--force", name], capture_output=True, check=False)
            subprocess.run(["groupdel", name], capture_output=True, check=False)
        if self._made_run_sshd:
            shutil.rmtree("/run/sshd", ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)


def new_server() -> Server:
    """An empty set-up folder any account can enter (the test tmp folders are root's only)."""
    root = Path(tempfile.mkdtemp(prefix="llweek-server-", dir="/tmp"))
    root.chmod(0o755)
    (root / "home").mkdir(mode=0o755)
    return Server(root)
