"""Who is at the keyboard, and what they may change here (DESIGN §7), for the app and the CLI.

The person is found in access.toml by their login (GL_USER, else the account running llweek),
else by the e-mail of their Git identity, which is what a laptop clone usually has. This is
the convenience side of the rules: the central repository's pre-receive hook is what makes
them true, so a local edit of access.toml changes nothing on the server.

When access.toml lists nobody (a fresh single-user campaign), roles are not set up and
everyone may change everything. A person who is not listed, in a repository whose
access.toml lists staff, may change nothing: they can still look at every unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datastore.access import Actor, current_login, find_actor, may_write, require_write
from datastore.errors import LlweekError
from datastore.gitrepo import GitRepo
from datastore.loader import ACCESS_FILE, read_record
from datastore.models import Access


@dataclass(frozen=True)
class Rights:
    """What the person at the keyboard may change in one data repository."""

    login: str
    email: str | None
    staff: Actor | None  # their line in access.toml; None when not listed
    enforced: bool  # access.toml lists staff; False: roles not set up, all may write

    @property
    def actor(self) -> Actor | None:
        """What to pass as `actor=` to the save functions (None only when roles are not set up).

        A person missing from access.toml gets an actor that may write nothing, so a save
        refuses with a message that names them and the paths.
        """
        if not self.enforced:
            return None
        if self.staff is not None:
            return self.staff
        return Actor(self.login, self.login or self.email or "未知用户", "unit", None, self.email)

    @property
    def known(self) -> bool:
        return self.staff is not None

    @property
    def may_review(self) -> bool:
        """May mark deliverables 已收到 / 已通过 / 已退回 (the province role)."""
        return not self.enforced or bool(self.staff and self.staff.is_province)

    def may_write(self, path: str) -> bool:
        actor = self.actor
        return actor is None or may_write(actor, path)

    def may_edit_unit(self, unit: str) -> bool:
        """A unit's materials are editable; otherwise the app shows them read-only."""
        return self.may_write(f"units/{unit}/")

    def require_write(self, paths: Iterable[str]) -> None:
        """Refuse (PermissionDenied, naming the person and the paths) a write outside the role."""
        require_write(self.actor, paths)


def read_access(root: Path) -> Access:
    """access.toml of the working tree; an empty staff list when it is missing or unreadable."""
    if not (root / ACCESS_FILE).exists():
        return Access()
    stored = read_record(root, ACCESS_FILE, None, Access, None, [])
    return stored.record or Access()  # type: ignore[return-value]


def git_email(root: Path) -> str | None:
    """user.email of the clone (or of the user's global Git config), if any."""
    try:
        with GitRepo(root) as repo:
            return repo.config().get("user.email", "").strip() or None
    except LlweekError:
        return None


def rights_for(root: Path, access: Access | None = None) -> Rights:
    """The rights of the person running llweek in `root` (pass `access` if already loaded)."""
    access = access if access is not None else read_access(root)
    login, email = current_login(), git_email(root)
    return Rights(login, email, find_actor(access, login, email), bool(access.staff))


def session_actor(access: Access, login: str, email: str | None, name: str | None = None,
                  unit: str | None = None) -> Actor | None:
    """Who the app acts as for a session; None means look-only.

    `unit` (the app's --unit) makes the person that unit's staff locally; with nobody in
    access.toml roles are not set up and the person may change everything; otherwise it is
    their access.toml line, if any.
    """
    known = find_actor(access, login=login, email=email)
    shown = known.name if known else (name or login)
    if unit is not None:
        return Actor(login, shown, "unit", unit, email)
    if known is None and not access.staff:
        return Actor(login, shown, "province", None, email)
    return known


def require_cli_write(root: Path, paths: Iterable[str]) -> Actor | None:
    """For a command that is about to commit `paths`: refuse outside the role, else the actor.

    Pass the returned actor on as `actor=` to save_record / save_file / commit-making helpers.
    """
    rights = rights_for(root)
    rights.require_write(paths)
    return rights.actor
