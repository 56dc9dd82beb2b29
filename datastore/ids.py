"""Unit and record ids: the only user-controlled strings that ever become path parts."""

import re
import secrets

from datastore.errors import InvalidId

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def is_valid_id(value: object) -> bool:
    """True when `value` may be used as a folder or file name."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def check_id(value: object, what: str = "编号") -> str:
    """Return `value` if it is a valid id, else refuse it with a message naming `what`."""
    if not is_valid_id(value):
        raise InvalidId(
            f"{what}「{value}」不合规：只能用小写字母、数字和连字符，以字母或数字开头，长 2–64 个字符"
        )
    return value  # type: ignore[return-value]


def new_id() -> str:
    """A random id (10 base32 characters), so two clones adding records never collide."""
    return "".join(secrets.choice(_BASE32) for _ in range(10))
