"""Password policy and hashing (bcrypt), run off the event loop.

bcrypt takes only the first 72 bytes of a password: longer ones are refused outright rather
than silently cut. Strength is judged by zxcvbn, whose feedback is returned to the user.
"""

import asyncio

import bcrypt
from zxcvbn import zxcvbn

from envdeck.domain.errors import ValidationFailed

MIN_BYTES = 12
MAX_BYTES = 72
MIN_SCORE = 3


def check_password_policy(password: str, username: str) -> None:
    """Raise ValidationFailed, with the reason and advice in details, if password is too weak."""
    size = len(password.encode("utf-8"))
    if size < MIN_BYTES:
        raise ValidationFailed(
            f"the password must be at least {MIN_BYTES} bytes long",
            {"field": "password", "bytes": size},
        )
    if size > MAX_BYTES:
        raise ValidationFailed(
            f"the password must be at most {MAX_BYTES} bytes in UTF-8 (bcrypt's limit); "
            f"this one is {size}",
            {"field": "password", "bytes": size},
        )
    if username and username.lower() in password.lower():
        raise ValidationFailed("the password must not contain the username", {"field": "password"})
    result = zxcvbn(password, user_inputs=[username])
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        raise ValidationFailed(
            "the password is too easy to guess",
            {
                "field": "password",
                "score": result["score"],
                "warning": feedback.get("warning", ""),
                "suggestions": feedback.get("suggestions", []),
            },
        )


class PasswordHasher:
    """bcrypt with a configured cost, in a worker thread (a hash takes ~0.25 s at cost 12)."""

    def __init__(self, cost: int) -> None:
        self._cost = cost
        # Compared against when a login names no such user, so that answer takes as long.
        self._dummy = bcrypt.hashpw(b"envdeck-timing-equaliser", bcrypt.gensalt(cost))

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(self._cost)
        hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode("utf-8"), salt)
        return hashed.decode("ascii")

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Tell whether password matches; with no hash, spend the same time and say no."""
        candidate = password.encode("utf-8")[:MAX_BYTES]
        stored = password_hash.encode("ascii") if password_hash else self._dummy
        matches = await asyncio.to_thread(bcrypt.checkpw, candidate, stored)
        return matches and password_hash is not None
