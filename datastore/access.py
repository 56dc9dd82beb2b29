"""Who may change what (DESIGN §7): a unit's staff their own unit, the province everything."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass

from datastore.errors import PermissionDenied
from datastore.models import Access, Staff

PROVINCE_FILES = ("campaign.toml", "access.toml", ".gitattributes", ".gitignore")


@dataclass(frozen=True)
class Actor:
    """The person at the keyboard, as access.toml knows them."""

    login: str
    name: str
    role: str  # "unit" | "province"
    unit: str | None  # None for the province
    email: str | None = None

    @property
    def is_province(self) -> bool:
        return self.role == "province"

    @property
    def label(self) -> str:
        """How messages name this person: `张丽（cc-zhangli，单位 changchun）`."""
        where = "省级" if self.is_province else (f"单位 {self.unit}" if self.unit else "未登记单位")
        if self.login and self.login != self.name:
            return f"{self.name}（{self.login}，{where}）"
        return f"{self.name}（{where}）"


def _actor(staff: Staff) -> Actor:
    unit = None if staff.role == "province" or staff.unit == "*" else staff.unit
    return Actor(staff.login or "", staff.name or staff.login or "", staff.role or "unit", unit,
                 staff.email)


def current_login() -> str:
    """The account name: GL_USER under gitolite, else the login running this process."""
    if os.environ.get("GL_USER"):
        return os.environ["GL_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def find_actor(access: Access, login: str | None = None, email: str | None = None) -> Actor | None:
    """The staff member with this login, else with this e-mail; None when unknown."""
    for staff in access.staff:
        if login and staff.login == login:
            return _actor(staff)
    for staff in access.staff:
        if email and staff.email and staff.email.lower() == email.lower():
            return _actor(staff)
    return None


def may_write(actor: Actor, path: str) -> bool:
    """Unit staff: only units/<their unit>/…; the province: everything."""
    if actor.is_province:
        return True
    return actor.unit is not None and path.startswith(f"units/{actor.unit}/")


def forbidden_paths(actor: Actor, paths: Iterable[str]) -> list[str]:
    return [p for p in paths if not may_write(actor, p)]


def require_write(actor: Actor | None, paths: Iterable[str]) -> None:
    """Refuse, naming the paths, when `actor` may not change them (None: no check)."""
    if actor is None:
        return
    denied = forbidden_paths(actor, paths)
    if not denied:
        return
    listed = "、".join(denied)
    if actor.unit:
        raise PermissionDenied(f"{actor.label}只能修改 units/{actor.unit}/ 下的文件，"
                               f"无权修改：{listed}")
    raise PermissionDenied(f"{actor.label}在 access.toml 中没有登记可修改的单位，无权修改："
                           f"{listed}。请联系省办公室在 access.toml 中登记")
