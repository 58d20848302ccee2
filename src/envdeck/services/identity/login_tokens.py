"""Login tokens: JWTs signed HS256 with our secret, and nothing else accepted."""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cachetools import LRUCache

from envdeck.domain.errors import Unauthorized
from envdeck.domain.user import Role, User

ISSUER = "envdeck"
AUDIENCE = "envdeck-api"
ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "role", "jti", "iat", "exp", "iss", "aud", "sv"]
# Tokens whose signature and claims were checked, kept so that a client's next request with the
# same token skips the HMAC and the claim checks (a tenth of a cached list's cost). Only the
# expiry can change for a checked token; it is checked again on every use.
VERIFIED_TOKENS = 10_000


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginClaims:
    user_id: str
    role: Role
    jti: str
    session_version: int
    expires_at: datetime


class LoginTokenCodec:
    """Issue and verify login JWTs; any other algorithm, key, issuer or audience is refused."""

    def __init__(self, secret: str, lifetime: timedelta, clock: Callable[[], datetime]) -> None:
        self._secret = secret
        self._lifetime = lifetime
        self._clock = clock
        self._verified: LRUCache[str, LoginClaims] = LRUCache(maxsize=VERIFIED_TOKENS)

    def issue(self, user: User) -> IssuedToken:
        now = self._clock()
        expires_at = now + self._lifetime
        jti = secrets.token_hex(16)
        claims: dict[str, Any] = {
            "sub": user.id,
            "role": user.role.value,
            "jti": jti,
            "iat": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": ISSUER,
            "aud": AUDIENCE,
            # The user's session version: a password change or reset invalidates older tokens.
            "sv": user.session_version,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return IssuedToken(token=token, jti=jti, expires_at=expires_at.replace(microsecond=0))

    def decode(self, token: str) -> LoginClaims:
        """Return the claims of a valid token, or raise Unauthorized."""
        verified = self._verified.get(token)
        if verified is not None:
            # As PyJWT checks "exp": against the real time, with no leeway.
            if verified.expires_at.timestamp() > time.time():
                return verified
            del self._verified[token]
        claims = self._checked_claims(token)
        self._verified[token] = claims
        return claims

    def _checked_claims(self, token: str) -> LoginClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": REQUIRED_CLAIMS},
            )
            return LoginClaims(
                user_id=str(claims["sub"]),
                role=Role(claims["role"]),
                jti=str(claims["jti"]),
                session_version=int(claims["sv"]),
                expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=UTC),
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired", {"reason": "expired"}) from exc
        except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
            raise Unauthorized("invalid token", {"reason": "invalid"}) from exc
