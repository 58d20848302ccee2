"""`envdeck migrate from-environment-manager` against an original-shaped MongoDB (SecantusDB).

The source database follows the original's entities exactly (tests/fixtures/
environment_manager.py); the target is a fresh SQLite data dir. The report is checked line by
line, a dry run writes nothing, a second run changes nothing; then Envdeck serves the migrated
data: a migrated user signs in with the old password, and a migrated environment is checked
(a real HTTP target) and restarted over HTTP and over SSH (a real sshd), all on loopback.
"""

import asyncio
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from typer.testing import CliRunner

from envdeck.cli import app
from envdeck.cli_support import with_local_services
from envdeck.domain.credential import CredentialListOptions
from envdeck.domain.environment import EnvironmentListOptions
from envdeck.domain.log import LogFilter
from envdeck.domain.user import UserListOptions
from tests.fixtures import environment_manager as original
from tests.support import sshd as ssh_servers
from tests.support.live_app import LiveApp, set_up_admin, sign_in
from tests.support.operations import FINISHED, operation_settings
from tests.support.sshd import OpenSshServer, SshAccount
from tests.support.targets import Target

ssh_account = ssh_servers.ssh_account
sshd = ssh_servers.sshd

SOURCE_DB = "envmgr"
# The original's entries are from 2025: kept past the default 90 days.
ENVIRON = {"ENVDECK_AUTH__BCRYPT_COST": "4", "ENVDECK_LOGS__RETENTION_DAYS": "36500"}


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def source(
    mongo_uri: str, target: Target, sshd: OpenSshServer, ssh_account: SshAccount
) -> tuple[str, str]:
    """Return (URI, database) of the original's database, loaded from the fixtures."""
    database = f"{SOURCE_DB}_{uuid.uuid4().hex[:8]}"
    key = ssh_account.keys.key_credential().private_key
    assert key is not None
    documents = {
        "environments": original.environments(
            target.url(""), sshd.port, ssh_account.username, key, sshd.host_key_line
        ),
        "users": original.users(),
        "logs": original.logs(),
        "audit_log": original.audit_log(),
    }
    original.load(mongo_uri, database, documents)
    return mongo_uri, database


def migrate(data_dir: Path, source: tuple[str, str], *args: str) -> Any:
    uri, database = source
    environ = {"ENVDECK_DATA_DIR": str(data_dir)} | ENVIRON
    command = ["migrate", "from-environment-manager", "--source-uri", uri, "--source-db", database]
    return CliRunner().invoke(app, [*command, *args], env=environ)


def stored_counts(data_dir: Path) -> tuple[int, int, int, int]:
    settings = operation_settings(data_dir, **ENVIRON)

    async def count(services: Any) -> tuple[int, int, int, int]:
        storage = services.storage
        _, environments = await storage.environments.list(EnvironmentListOptions())
        _, users = await storage.users.list(UserListOptions())
        _, credentials = await storage.credentials.list(CredentialListOptions())
        return environments, users, credentials, await storage.logs.count(LogFilter())

    result: tuple[int, int, int, int] = asyncio.run(with_local_services(settings, count))
    return result


REPORT_BODY = [
    "environments: 4 created, 0 updated, 0 skipped",
    "credentials:  2 created, 0 updated, 0 skipped",
    "users:        3 created, 0 updated, 0 skipped",
    "logs:         9 created, 0 updated, 0 skipped",
    "renamed (2):",
    "  'Staging API' -> Staging-API",
    "  'prod/eu west' -> prod-eu-west",
    "secrets moved (7):",
    "  environment Staging-API: healthCheck.headers.Authorization sealed (encrypted at rest)",
    "  environment Staging-API: commands.restart.headers.X-Api-Key sealed (encrypted at rest)",
    "  environment Staging-API: commands.restart.body.token sealed (encrypted at rest)",
    "  environment qa-ssh: metadata.hostKey -> target.hostKey (policy pin)",
    "  environment qa-ssh: metadata.privateKey -> vault credential 'qa-ssh ssh'",
    "  environment dev: metadata.password -> vault credential 'dev ssh'",
    "  environment prod-eu-west: environmentURL.password sealed (encrypted at rest)",
    "values changed (4):",
    "  environment Staging-API.healthCheck.timeout 0 -> 10 s (the original's 0: its default)",
    "  environment dev.healthCheck.timeout 0 -> 10 s (the original's 0: its default)",
    "  environment prod-eu-west.healthCheck.interval 5 -> 10 s",
    "  environment prod-eu-west.healthCheck.timeout 0 -> 9 s (the original's 0: its default)",
    "warnings (1):",
    "  environment dev: metadata.insecureSkipHostKeyVerification -> host key policy off: SSH"
    " host keys are not verified (choose tofu or pin)",
]


# A second run over the same data.
UNCHANGED = [
    "environments: 0 created, 0 updated, 4 skipped",
    "credentials:  0 created, 0 updated, 2 skipped",
    "users:        0 created, 0 updated, 3 skipped",
    "logs:         0 created, 0 updated, 9 skipped",
]


def test_a_bad_source_uri_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = migrate(tmp_path / "data", ("nonsense://db.example", SOURCE_DB))

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "envdeck: error: --source-uri is not a MongoDB URI: Invalid URI scheme: URI must"
        " begin with 'mongodb://' or 'mongodb+srv://'"
    ]
    assert "Traceback" not in result.output + result.stderr


def test_a_server_that_does_not_answer_is_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]

    result = migrate(tmp_path / "data", (f"mongodb://u:pw-in-uri@127.0.0.1:{port}/", "x"))

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("envdeck: error: no MongoDB server answered within 5 s")
    assert "pw-in-uri" not in result.stderr


def test_a_database_without_the_originals_collections_is_refused(
    tmp_path: Path, mongo_uri: str
) -> None:
    result = migrate(tmp_path / "data", (mongo_uri, "nothing_here"))

    assert result.exit_code == 2
    assert "has none of the collections environments, users, logs" in result.stderr


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory, source: tuple[str, str]) -> Path:
    """Return a data dir the original's database was migrated into (after a dry run)."""
    data_dir = tmp_path_factory.mktemp("migrated") / "data"
    dry = migrate(data_dir, source, "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert dry.stdout.splitlines() == ["dry run: nothing was written", *REPORT_BODY]
    assert stored_counts(data_dir) == (0, 0, 0, 0)

    result = migrate(data_dir, source)
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.splitlines() == ["migration done", *REPORT_BODY]
    return data_dir


def test_the_report_lists_every_rename_secret_and_change(migrated: Path) -> None:
    # The original's 9 entries (7 logs, 2 audited operations) and the migration's own.
    assert stored_counts(migrated) == (4, 3, 2, 10)


def test_a_second_run_changes_nothing(migrated: Path, source: tuple[str, str]) -> None:
    again = migrate(migrated, source)

    assert again.exit_code == 0, again.output + again.stderr
    assert again.stdout.splitlines()[:5] == ["migration done", *UNCHANGED]
    assert stored_counts(migrated) == (4, 3, 2, 10)


# ---- Envdeck serving the migrated data -------------------------------------------------


@pytest.fixture(scope="module")
def live(migrated: Path) -> Iterator[LiveApp]:
    server = LiveApp(operation_settings(migrated, **ENVIRON)).start()
    yield server
    server.stop()


def api(live: LiveApp, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.request(method, f"{live.url}/api/v1{path}", headers=headers, **kwargs)


@pytest.fixture(scope="module")
def alice(live: LiveApp) -> str:
    return sign_in(live, "alice", original.PASSWORDS["alice"])


def test_users_sign_in_with_their_old_password(live: LiveApp) -> None:
    answers = {
        name: httpx.post(
            f"{live.url}/api/v1/auth/login", json={"username": name, "password": password}
        )
        for name, password in original.PASSWORDS.items()
    }

    assert answers["alice"].status_code == 200
    assert answers["alice"].json()["user"] | {"lastLogin": None} == {
        "id": str(original.ALICE_ID),
        "username": "alice",
        "email": "alice@example.com",
        "role": "admin",
        "active": True,
        "lastLogin": None,
        "createdAt": "2024-08-13T08:00:00.000Z",
        "updatedAt": answers["alice"].json()["user"]["updatedAt"],
        "mustChangePassword": False,
    }
    # Bob's password passed the original's rule (6 characters), not Envdeck's policy.
    assert answers["bob"].status_code == 200
    assert answers["bob"].json()["user"]["mustChangePassword"] is True
    assert answers["carol"].status_code == 401  # inactive in the original


def test_a_user_whose_old_password_the_policy_refuses_must_change_it_first(
    live: LiveApp,
) -> None:
    bob = sign_in(live, "bob", original.PASSWORDS["bob"])

    refused = api(live, bob, "GET", "/environments")
    me = api(live, bob, "GET", "/auth/me")
    changed = api(
        live,
        bob,
        "POST",
        "/users/password/change",
        json={
            "currentPassword": original.PASSWORDS["bob"],
            "newPassword": "cobalt-meadow-ferry-73",
        },
    )

    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {"reason": "password_change_required"}
    assert me.json()["mustChangePassword"] is True
    assert changed.status_code == 200, changed.text
    assert changed.json()["user"]["mustChangePassword"] is False
    assert api(live, changed.json()["token"], "GET", "/environments").status_code == 200


def test_environments_keep_their_configuration_and_show_no_secret(
    live: LiveApp, alice: str
) -> None:
    response = api(live, alice, "GET", "/environments", params={"limit": 50})
    envs = {env["name"]: env for env in response.json()["environments"]}

    assert sorted(envs) == ["Staging-API", "dev", "prod-eu-west", "qa-ssh"]
    staging = envs["Staging-API"]
    assert staging["id"] == str(original.STAGING_ID)
    assert staging["tags"] == ["staging", "payments"]
    assert staging["metadata"] == {"team": "payments"}
    assert staging["healthCheck"]["endpoint"] == "/health"
    assert staging["healthCheck"]["method"] == "GET"
    assert staging["healthCheck"]["headers"] == {"Authorization": "********"}
    assert staging["commands"]["restart"]["method"] == "POST"
    assert staging["systemInfo"]["appVersion"] == "2.4.0"
    qa = envs["qa-ssh"]
    assert qa["metadata"] == {"owner": "qa-team"}
    assert qa["target"]["hostKeyPolicy"] == "pin"
    assert qa["credentials"]["keyId"]
    assert qa["upgradeConfig"]["upgradeCommand"]["command"] == "deploy.sh {VERSION}"
    assert envs["dev"]["target"]["hostKeyPolicy"] == "off"
    assert envs["dev"]["metadata"] == {}
    exported = api(live, alice, "GET", "/environments/export").text
    for text in (response.text, exported):
        for secret in original.SECRETS.values():
            assert secret not in text
        assert "PRIVATE KEY" not in text


def test_logs_keep_their_order_and_map_to_envdeck_types(live: LiveApp, alice: str) -> None:
    entries = api(live, alice, "GET", "/logs", params={"limit": 50}).json()["logs"]
    ids = {str(i) for i in original.LOG_IDS + original.AUDIT_IDS}
    migrated = [e for e in entries if e["id"] in ids]  # newest first
    assert len(migrated) == 9, [(e["id"], e["action"], e["timestamp"]) for e in entries]

    assert [(e["type"], e["level"], e["action"]) for e in reversed(migrated)] == [
        ("auth", "info", "login"),
        ("auth", "error", "login_failed"),
        ("action", "info", "restart"),
        ("action", "success", "restart"),  # audit_log: the restart completed
        ("health_check", "warning", "check_health"),
        ("system", "info", "system"),
        ("error", "error", "error"),
        ("action", "success", "upgrade"),
        ("action", "error", "upgrade"),  # audit_log: the upgrade failed
    ]
    restart = migrated[-3]
    assert restart["environmentId"] == str(original.STAGING_ID)
    assert restart["userId"] == str(original.ALICE_ID)
    assert restart["details"] == {"force": False}


def wait_finished(live: LiveApp, token: str, operation_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        body: dict[str, Any] = api(live, token, "GET", f"/operations/{operation_id}").json()
        if body["status"] in FINISHED or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_a_migrated_environment_is_checked_and_restarted_over_http(
    live: LiveApp, alice: str, target: Target
) -> None:
    env_id = str(original.STAGING_ID)

    check = api(live, alice, "POST", f"/environments/{env_id}/check-health")
    restart = api(live, alice, "POST", f"/environments/{env_id}/restart")

    assert check.status_code == 200, check.text
    assert check.json()["health"] == "healthy"
    assert target.stats_of("/health").headers[-1]["Authorization"] == "Bearer health-token-7f3a"
    assert restart.status_code == 202, restart.text
    assert wait_finished(live, alice, restart.json()["operationId"])["status"] == "succeeded"
    restarted = target.stats_of("/restart")
    assert restarted.headers[-1]["X-Api-Key"] == original.SECRETS["restart_key"]
    assert b'"token": "body-token-2b8e"' in restarted.bodies[-1].replace(b'":"', b'": "')


def test_a_migrated_environment_is_restarted_over_ssh_with_its_pinned_key(
    live: LiveApp, alice: str
) -> None:
    restart = api(live, alice, "POST", f"/environments/{original.QA_SSH_ID}/restart")

    assert restart.status_code == 202, restart.text
    operation = wait_finished(live, alice, restart.json()["operationId"])
    assert operation["status"] == "succeeded", operation
    assert "restarted-by-envdeck" in operation["output"]


# ---- into a running Envdeck, through its API --------------------------------------------


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    data_dir = tmp_path_factory.mktemp("remote") / "data"
    server = LiveApp(operation_settings(data_dir, **ENVIRON)).start()
    yield server
    server.stop()


def test_a_running_envdeck_is_migrated_through_its_api(
    fresh: LiveApp, source: tuple[str, str], tmp_path: Path
) -> None:
    admin = set_up_admin(fresh)
    remote = ("--url", fresh.url, "--token", admin.token)

    dry = migrate(tmp_path / "unused", source, *remote, "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert dry.stdout.splitlines() == ["dry run: nothing was written", *REPORT_BODY]
    assert api(fresh, admin.token, "GET", "/environments").json()["environments"] == []

    result = migrate(tmp_path / "unused", source, *remote)
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.splitlines() == ["migration done", *REPORT_BODY]
    names = [
        e["name"] for e in api(fresh, admin.token, "GET", "/environments").json()["environments"]
    ]
    assert names == ["Staging-API", "dev", "prod-eu-west", "qa-ssh"]
    assert sign_in(fresh, "alice", original.PASSWORDS["alice"])

    again = migrate(tmp_path / "unused", source, *remote)
    assert again.stdout.splitlines()[1:5] == UNCHANGED


def test_a_bad_token_is_one_line_and_exit_2(
    fresh: LiveApp, source: tuple[str, str], tmp_path: Path
) -> None:
    result = migrate(tmp_path / "unused", source, "--url", fresh.url, "--token", "nonsense")

    assert result.exit_code == 2
    assert result.stderr.startswith("envdeck: error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_envdeck_on_the_originals_own_database_is_refused(
    tmp_path: Path, source: tuple[str, str]
) -> None:
    uri, database = source
    command = ["migrate", "from-environment-manager", "--source-uri", uri, "--source-db", database]
    environ = {"ENVDECK_DATA_DIR": str(tmp_path), "MONGODB_URI": uri, "MONGODB_DATABASE": database}

    result = CliRunner().invoke(app, command, env=environ)

    assert result.exit_code == 2
    assert "give Envdeck a database of its own" in result.stderr


def test_into_mongodb_storage_and_again(
    tmp_path: Path, source: tuple[str, str], mongo_uri: str
) -> None:
    target_db = f"envdeck_migrated_{uuid.uuid4().hex[:8]}"
    uri, database = source
    command = ["migrate", "from-environment-manager", "--source-uri", uri, "--source-db", database]
    environ = {"ENVDECK_DATA_DIR": str(tmp_path), "MONGODB_URI": mongo_uri}
    environ |= {"MONGODB_DATABASE": target_db} | ENVIRON

    first = CliRunner().invoke(app, command, env=environ)
    again = CliRunner().invoke(app, command, env=environ)

    assert first.exit_code == 0, first.output + first.stderr
    assert first.stdout.splitlines() == ["migration done", *REPORT_BODY]
    assert again.stdout.splitlines()[1:5] == UNCHANGED


def test_a_run_after_the_original_changed_updates_only_what_changed(
    tmp_path: Path, mongo_uri: str, target: Target, sshd: OpenSshServer, ssh_account: SshAccount
) -> None:
    database = f"{SOURCE_DB}_{uuid.uuid4().hex[:8]}"
    key = ssh_account.keys.key_credential().private_key
    assert key is not None
    environments = original.environments(
        target.url(""), sshd.port, ssh_account.username, key, sshd.host_key_line
    )
    original.load(mongo_uri, database, {"environments": environments, "users": original.users()})
    assert migrate(tmp_path, (mongo_uri, database)).exit_code == 0
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    db = client[database]
    db.environments.update_one(
        {"_id": original.STAGING_ID}, {"$set": {"description": "Payments API, staging (EU)"}}
    )
    db.environments.update_one(
        {"_id": original.DEV_ID}, {"$set": {"metadata.password": "rotated-dev-password"}}
    )
    db.users.update_one({"_id": original.BOB_ID}, {"$set": {"role": "admin"}})
    db.logs.insert_one(original.logs()[0])
    client.close()

    again = migrate(tmp_path, (mongo_uri, database))

    assert again.exit_code == 0, again.output + again.stderr
    assert again.stdout.splitlines()[:5] == [
        "migration done",
        "environments: 0 created, 1 updated, 3 skipped",
        "credentials:  0 created, 1 updated, 1 skipped",
        "users:        0 created, 1 updated, 2 skipped",
        "logs:         1 created, 0 updated, 0 skipped",
    ]
