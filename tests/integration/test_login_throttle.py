"""Failed sign-ins are throttled in storage: atomically, per identity, and across instances.

The apps run under uvicorn on 127.0.0.1 and believe X-Forwarded-For from there, so each request
can come from the client address the test names. bcrypt verifications are counted through a
wrapper (the apps run in this process), never timed.
"""

import asyncio
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import bcrypt
import httpx
import pytest

from envdeck.config import load_settings
from tests.conftest import BACKENDS, drop_database, unique_database_name
from tests.support.live_app import LiveApp

ADMIN_PASSWORD = "quartz-lantern-orbit-91"
OLIVE_PASSWORD = "velvet-canyon-thunder-27"
WRONG = "not-the-password-4411"

StartApp = Callable[..., LiveApp]


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The hash of every bcrypt verification the apps run (real bcrypt underneath)."""
    hashes: list[bytes] = []
    real = bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        hashes.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    return hashes


@pytest.fixture
def start_app(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[StartApp]:
    """Start apps (sqlite, or mongo on one database shared by every app of the test)."""
    started: list[LiveApp] = []
    database = unique_database_name()

    def start(backend: str = "sqlite", **environ: str) -> LiveApp:
        base = {
            "ENVDECK_DATA_DIR": str(tmp_path / f"app-{len(started)}"),
            "ENVDECK_AUTH__BCRYPT_COST": "4",
            "ENVDECK_ADMIN_USERNAME": "admin",
            "ENVDECK_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "ENVDECK_SERVER__TRUSTED_PROXIES": "127.0.0.1",
        }
        if backend == "mongo":
            base |= {"MONGODB_URI": request.getfixturevalue("mongo_uri")}
            base |= {"MONGODB_DATABASE": database}
        app = LiveApp(load_settings(environ=base | environ)).start()
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()
    if any(app.settings.database.uri.startswith("mongodb") for app in started):
        asyncio.run(drop_database(started[0].settings.database.uri, database))


def login(app: LiveApp, username: str, password: str, client: str) -> httpx.Response:
    return httpx.post(
        f"{app.url}/api/v1/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": client},
    )


def create_olive(app: LiveApp) -> None:
    """Create the viewer olive (olive@example.com), the account the tests attack."""
    admin = login(app, "admin", ADMIN_PASSWORD, "192.0.2.250").json()["token"]
    created = httpx.post(
        f"{app.url}/api/v1/users",
        json={
            "username": "olive",
            "email": "olive@example.com",
            "role": "viewer",
            "password": OLIVE_PASSWORD,
        },
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert created.status_code == 201, created.text


async def parallel_logins(app: LiveApp, n: int, client: str) -> Counter[int]:
    async with httpx.AsyncClient(base_url=app.url, timeout=60) as http:
        answers = await asyncio.gather(
            *(
                http.post(
                    "/api/v1/auth/login",
                    json={"username": "olive", "password": WRONG},
                    headers={"X-Forwarded-For": client},
                )
                for _ in range(n)
            )
        )
    for answer in answers:
        if answer.status_code == 429:
            assert answer.json()["error"]["code"] == "RATE_LIMITED"
            assert int(answer.headers["Retry-After"]) >= 1
    return Counter(answer.status_code for answer in answers)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_parallel_wrong_passwords_get_at_most_the_limit_of_401s(
    start_app: StartApp, verified: list[bytes], backend: str
) -> None:
    app = start_app(backend, ENVDECK_AUTH__LOGIN_ATTEMPTS="5")
    create_olive(app)
    verified.clear()

    answers = await parallel_logins(app, 30, "198.51.100.7")

    assert answers == {401: 5, 429: 25}
    # A refused attempt costs no bcrypt: only the five reserved ones were verified.
    assert len(verified) == 5


def test_the_limit_holds_across_instances_on_one_database(start_app: StartApp) -> None:
    first = start_app("mongo", ENVDECK_AUTH__LOGIN_ATTEMPTS="4")
    second = start_app("mongo", ENVDECK_AUTH__LOGIN_ATTEMPTS="4")
    create_olive(first)

    answers = [
        login(app, "olive", WRONG, "198.51.100.7").status_code for app in [first, second] * 3
    ]

    assert answers == [401, 401, 401, 401, 429, 429]


def test_a_stranger_cannot_lock_the_owner_out(start_app: StartApp) -> None:
    app = start_app(ENVDECK_AUTH__LOGIN_ATTEMPTS="3")
    create_olive(app)
    for _ in range(3):
        assert login(app, "olive", WRONG, "198.51.100.7").status_code == 401

    # The stranger's address is locked out, even with the right password...
    refused = login(app, "olive", OLIVE_PASSWORD, "198.51.100.7")
    assert refused.status_code == 429
    assert refused.json()["error"]["details"]["retryAfter"] > 0
    # ...but the owner, from their own address, signs in.
    assert login(app, "olive", OLIVE_PASSWORD, "203.0.113.20").status_code == 200


def test_a_success_gives_its_attempt_back_and_clears_its_address(start_app: StartApp) -> None:
    app = start_app(ENVDECK_AUTH__LOGIN_ATTEMPTS="3")
    create_olive(app)
    for _ in range(2):
        assert login(app, "olive", WRONG, "203.0.113.20").status_code == 401
    assert login(app, "olive", OLIVE_PASSWORD, "203.0.113.20").status_code == 200

    answers = [login(app, "olive", WRONG, "203.0.113.20").status_code for _ in range(4)]

    assert answers == [401, 401, 401, 429]


def test_username_and_email_of_one_account_are_one_identity(start_app: StartApp) -> None:
    # The account's ceiling is 4 failures, whatever the address and however it is named.
    app = start_app(ENVDECK_AUTH__ACCOUNT_ATTEMPTS="4", ENVDECK_AUTH__ACCOUNT_DELAY_AFTER="100")
    create_olive(app)
    names = ["olive", "OLIVE@example.com", "Olive", "olive@example.com"]
    for n, name in enumerate(names):
        assert login(app, name, WRONG, f"198.51.100.{n + 1}").status_code == 401, name

    for n, name in enumerate(["olive@example.com", "olive"]):
        refused = login(app, name, WRONG, f"203.0.113.{n + 1}")
        assert refused.status_code == 429, name


def test_one_address_trying_many_accounts_is_limited(start_app: StartApp) -> None:
    app = start_app(ENVDECK_AUTH__LOGIN_ATTEMPTS="3", ENVDECK_AUTH__CLIENT_ATTEMPTS="5")
    answers = [
        login(app, name, WRONG, "198.51.100.7").status_code
        for name in ["mallory", "trudy", "eve", "oscar", "peggy", "victor"]
    ]

    assert answers == [401, 401, 401, 401, 401, 429]


def test_what_was_typed_for_an_unknown_account_is_not_kept_by_the_limiter(
    start_app: StartApp,
) -> None:
    app = start_app()
    typed = "Hunter2-Typed-As-A-Name"
    assert login(app, typed, WRONG, "198.51.100.7").status_code == 401

    with sqlite3.connect(app.settings.sqlite_path) as conn:
        stored = [doc for (doc,) in conn.execute("SELECT key || doc FROM login_attempts")]

    assert stored  # the attempt is counted...
    assert not [doc for doc in stored if typed.lower() in doc.lower()]  # ...under a hash
