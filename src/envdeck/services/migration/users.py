"""The original's users as Envdeck's, each with its bcrypt hash (so the old password works).

Pure: no I/O. A hash cannot be checked against Envdeck's password policy: each migrated user is
marked `passwordUnchecked`, and the first sign-in checks the password (services/identity/auth.py).
"""

import re

from pydantic import ValidationError

from envdeck.domain.user import USERNAME_PATTERN, Role, User
from envdeck.services.migration.report import MigrationReport
from envdeck.services.migration.values import Document, object_id, time_of

_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


def translate_user(doc: Document, report: MigrationReport) -> User | None:
    """Return the Envdeck user of one original user document (bcrypt hash kept), or None
    (reported) if it cannot be carried."""
    username = str(doc.get("username") or "")
    where = f"user {username or doc.get('_id')}"
    user_id = object_id(doc.get("_id"))
    password_hash = str(doc.get("passwordHash") or "")
    if user_id is None or not re.fullmatch(USERNAME_PATTERN, username):
        report.not_carried.append(f"{where}: not a username Envdeck takes (3-50 of A-Za-z0-9._-)")
        return None
    if not _BCRYPT.match(password_hash):
        report.not_carried.append(f"{where}: the password hash is not bcrypt; user not migrated")
        return None
    role = str(doc.get("role") or "")
    if role not in Role.__members__.values():
        report.changed.append(f"{where}.role {role!r} -> viewer")
        role = Role.VIEWER.value
    email = doc.get("email") or None
    data: Document = {
        "id": user_id,
        "username": username,
        "email": email,
        "role": role,
        "active": doc.get("active") is not False,
        "last_login": time_of(doc.get("lastLogin") or doc.get("lastLoginAt")),
        "created_at": time_of(doc.get("createdAt")),
        "updated_at": time_of(doc.get("updatedAt")),
        "password_hash": password_hash,
        "password_unchecked": True,
    }
    try:
        return User.model_validate(data)
    except ValidationError:
        report.not_carried.append(f"{where}.email ({str(email)[:80]!r}): not an email address")
        return User.model_validate(data | {"email": None})
