"""A failed login costs the same whatever the reason: one bcrypt verification at full cost.

An unknown username (or email), a wrong password and a deactivated account each run exactly one
real bcrypt verification against a hash of the configured cost (a dummy hash when there is no
user), and get the same answer. Counted through a wrapper around bcrypt, not timed: the medians
are measured by bench/login_timing.py (docs/security.md).
"""

import bcrypt
import pytest

from tests.integration.conftest import Personas

OTHER_PASSWORD = "ember-falcon-tundra-35"
WRONG = "wrong-password-for-timing-91"


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The hash of every bcrypt verification the app runs, in order (real bcrypt underneath)."""
    hashes: list[bytes] = []
    real = bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        hashes.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    return hashes


def _accounts(personas: Personas) -> None:
    client, admin = personas.client, personas.admin
    for username in ("active", "inactive"):
        created = client.post(
            "/api/v1/users",
            json={"username": username, "role": "viewer", "password": OTHER_PASSWORD},
            headers=admin.headers(),
        )
        assert created.status_code == 201, created.text
    inactive = created.json()["id"]
    client.patch(f"/api/v1/users/{inactive}", json={"active": False}, headers=admin.headers())


ATTEMPTS = {
    "unknown username": {"username": "nobody-at-all", "password": WRONG},
    "unknown email": {"username": "nobody@example.com", "password": WRONG},
    "wrong password": {"username": "active", "password": WRONG},
    "deactivated, right password": {"username": "inactive", "password": OTHER_PASSWORD},
    "deactivated, wrong password": {"username": "inactive", "password": WRONG},
}


def test_every_failed_login_runs_one_full_cost_verification_and_answers_alike(
    personas: Personas, verified: list[bytes]
) -> None:
    _accounts(personas)
    cost = f"${personas.settings.auth.bcrypt_cost:02d}$".encode()
    answers = {}
    for kind, body in ATTEMPTS.items():
        verified.clear()
        response = personas.client.post("/api/v1/auth/login", json=body)
        assert response.status_code == 401, (kind, response.text)
        answers[kind] = response.json()
        assert len(verified) == 1, (kind, verified)
        assert verified[0][3:7] == cost, (kind, verified[0][:7])
    # One answer for all: nothing tells an unknown user from a wrong password or a deactivation.
    assert len({str(answer) for answer in answers.values()}) == 1, answers
    assert answers["unknown username"]["error"]["message"] == "invalid username or password"

    verified.clear()
    success = personas.client.post(
        "/api/v1/auth/login", json={"username": "active", "password": OTHER_PASSWORD}
    )
    assert success.status_code == 200
    assert len(verified) == 1  # the same work as a failure


def test_the_dummy_hash_is_never_a_match(personas: Personas, verified: list[bytes]) -> None:
    # The password the dummy hash was made from logs nobody in.
    response = personas.client.post(
        "/api/v1/auth/login",
        json={"username": "nobody-at-all", "password": "envdeck-timing-equaliser"},
    )
    assert response.status_code == 401
    assert len(verified) == 1
