"""Login JWTs: HS256 with our secret, our issuer and audience, every claim present."""

import time
from datetime import datetime, timedelta, tzinfo

import jwt
import pytest

from envdeck.domain.clock import utc_now
from envdeck.domain.errors import Unauthorized
from envdeck.domain.user import Role, User
from envdeck.services.identity.login_tokens import AUDIENCE, ISSUER, LoginTokenCodec

SECRET = "s" * 64
NOW = utc_now()  # PyJWT checks expiry against the real clock
USER = User(id="6b05a2c33c0ca6934944ef1e", username="alice", role=Role.USER, session_version=3)


def codec(now: datetime = NOW) -> LoginTokenCodec:
    return LoginTokenCodec(SECRET, timedelta(hours=12), lambda: now)


def claims(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": USER.id,
        "role": "user",
        "jti": "j1",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sv": 3,
    }
    return base | overrides


def test_issues_a_token_with_every_claim() -> None:
    issued = codec().issue(USER)
    decoded = jwt.decode(issued.token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert decoded["sub"] == USER.id
    assert decoded["role"] == "user"
    assert decoded["iss"] == ISSUER
    assert decoded["sv"] == 3
    assert decoded["exp"] - decoded["iat"] == 12 * 3600
    assert issued.expires_at == (NOW + timedelta(hours=12)).replace(microsecond=0)


def test_decodes_its_own_tokens() -> None:
    issued = codec().issue(USER)
    decoded = codec().decode(issued.token)
    assert (decoded.user_id, decoded.role, decoded.jti) == (USER.id, Role.USER, issued.jti)
    assert decoded.session_version == 3


def test_refuses_an_expired_token() -> None:
    token = codec(NOW - timedelta(hours=13)).issue(USER).token
    with pytest.raises(Unauthorized, match="expired"):
        codec().decode(token)


def test_refuses_a_token_it_accepted_once_after_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    same = codec()
    issued = same.issue(USER)
    assert same.decode(issued.token).jti == issued.jti
    assert same.decode(issued.token).jti == issued.jti  # again, from what it checked
    later = time.time() + 13 * 3600
    monkeypatch.setattr("envdeck.services.identity.login_tokens.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", FrozenDatetime(later))
    with pytest.raises(Unauthorized, match="expired"):
        same.decode(issued.token)


class FrozenDatetime:
    """PyJWT's view of now, moved to `at` (a Unix time)."""

    def __init__(self, at: float) -> None:
        self._at = at

    def now(self, tz: tzinfo | None = None) -> datetime:
        return datetime.fromtimestamp(self._at, tz=tz)

    def __getattr__(self, name: str) -> object:
        return getattr(datetime, name)


def test_refuses_alg_none() -> None:
    token = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(Unauthorized, match="invalid"):
        codec().decode(token)


def test_refuses_another_key() -> None:
    token = jwt.encode(claims(), "x" * 64, algorithm="HS256")
    with pytest.raises(Unauthorized):
        codec().decode(token)


def test_refuses_another_hmac_algorithm() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS512")
    with pytest.raises(Unauthorized):
        codec().decode(token)


@pytest.mark.parametrize("missing", ["sub", "role", "jti", "exp", "iss", "aud", "sv"])
def test_refuses_a_token_missing_a_claim(missing: str) -> None:
    body = claims()
    del body[missing]
    with pytest.raises(Unauthorized):
        codec().decode(jwt.encode(body, SECRET, algorithm="HS256"))


@pytest.mark.parametrize(
    ("claim", "value"), [("iss", "someone-else"), ("aud", "other-api"), ("role", "root")]
)
def test_refuses_foreign_or_unknown_claim_values(claim: str, value: str) -> None:
    with pytest.raises(Unauthorized):
        codec().decode(jwt.encode(claims(**{claim: value}), SECRET, algorithm="HS256"))


def test_refuses_a_tampered_signature() -> None:
    token = codec().issue(USER).token
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(Unauthorized):
        codec().decode(tampered)
