"""Who is asking: the authenticated principal of a request, and how it proved itself."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from envdeck.domain.user import Role, User


class TokenKind(StrEnum):
    LOGIN = "login"  # a JWT from POST /auth/login
    API = "api"  # an edk_… API token


@dataclass(frozen=True)
class Principal:
    """The user behind a request and the role it acts with (an API token may carry less)."""

    user: User
    role: Role
    kind: TokenKind
    token_id: str  # the JWT's jti, or the API token's id
    expires_at: datetime | None

    @property
    def user_id(self) -> str:
        return self.user.id

    @property
    def username(self) -> str:
        return self.user.username
