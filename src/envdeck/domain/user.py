"""Users, their roles, and API tokens."""

from enum import StrEnum

from pydantic import EmailStr, Field

from envdeck.domain.base import DomainModel, PageOptions, SearchText, UtcDatetime

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,49}$"


class Role(StrEnum):
    """viewer reads; user also operates unprotected environments; admin does everything."""

    ADMIN = "admin"
    USER = "user"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def includes(self, other: "Role") -> bool:
        """Tell whether this role may do everything `other` may."""
        return self.rank >= other.rank


_ROLE_RANK = {Role.VIEWER: 0, Role.USER: 1, Role.ADMIN: 2}


def lower_role(a: Role, b: Role) -> Role:
    """Return the less powerful of two roles."""
    return a if a.rank <= b.rank else b


class User(DomainModel):
    id: str = ""
    username: str = Field(pattern=USERNAME_PATTERN)
    email: EmailStr | None = None
    role: Role = Role.VIEWER
    active: bool = True
    last_login: UtcDatetime | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    # Stored, never serialised out: API schemas are separate models without it.
    password_hash: str = Field(default="", repr=False)
    # Bumped with every password change or reset: login tokens of an older version stop working.
    session_version: int = 0
    # Until when the user has read the activity log (the notification bell's unread marker);
    # written alone by set_logs_read_at, never by a profile update.
    logs_read_at: UtcDatetime | None = None
    # Set by `envdeck migrate`: the password came as a bcrypt hash and the policy never saw it;
    # the next sign-in checks it (services/identity/auth.py) and clears this.
    password_unchecked: bool = False
    # The user must choose a new password before doing anything else (a migrated password the
    # policy refuses). Cleared by every password change or reset.
    must_change_password: bool = False


class UserListOptions(PageOptions):
    q: SearchText | None = None
    role: Role | None = None
    active: bool | None = None


API_TOKEN_PREFIX = "edk_"  # noqa: S105 (the visible prefix, not a secret)


class ApiToken(DomainModel):
    """A long-lived token for automation; only its hash is kept, the secret is shown once."""

    id: str = ""
    name: str = Field(min_length=1, max_length=100)
    prefix: str
    hash: str = Field(repr=False)
    role: Role
    user_id: str
    expires_at: UtcDatetime | None = None
    last_used_at: UtcDatetime | None = None
    created_at: UtcDatetime | None = None


class ApiTokenListOptions(PageOptions):
    """API tokens newest first; `user_id` None means every user's (admins only)."""

    user_id: str | None = None
