"""Secrets echoed back are not shown (issue 16, item 8): a target that answers with the request
it got (or that otherwise knows an environment's secrets) has every stored secret of that
environment, plain, base64 and URL-encoded, scrubbed from what Envdeck shows and stores: a
check's result, status and history, an operation's output, a version list. And the form's test
of a health check fills in stored secrets only for the environment's own origin."""

import base64
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from envdeck.adapters.secret_box import MASK
from tests.integration.conftest import Personas
from tests.support.targets import Target

HEADER = "echo-header-secret-8101"
URL_USER, URL_PASSWORD = "probe", "echo-url-password-8102"
QUERY = "echo/query+token=8103"  # changed by URL encoding
BODY = "echo-body-apikey-8104"
META = "echo-meta-secret-8105"
SECRETS = [HEADER, URL_PASSWORD, QUERY, BODY, META]


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        quote(secret, safe=""),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]


BASIC = base64.b64encode(f"{URL_USER}:{URL_PASSWORD}".encode()).decode()
ALL_FORMS = [form for secret in SECRETS for form in forms(secret)] + [BASIC]


def leaked(text: str) -> list[str]:
    return [form for form in ALL_FORMS if form in text]


@pytest.fixture
def target() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


@pytest.fixture
def other() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


def url(target: Target, path: str) -> str:
    return target.url(path).replace("http://", f"http://{URL_USER}:{URL_PASSWORD}@")


def create(personas: Personas, body: dict[str, Any]) -> dict[str, Any]:
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def environment(target: Target, **fields: Any) -> dict[str, Any]:
    return {
        "name": "echo",
        "metadata": {"apiSecret": META},
        "healthCheck": {
            "endpoint": url(target, f"/echo?token={quote(QUERY, safe='')}"),
            "method": "POST",
            # (Authorization is the URL's user-info, as Basic credentials.)
            "headers": {"X-Auth-Token": f"Bearer {HEADER}"},
            "body": {"apiKey": BODY},
            "versionJsonPath": "$.headers.Authorization",
            # Fails, quoting what it found: the query string as the target echoed it.
            "validation": {"type": "jsonPath", "value": {"path": "$.query", "equals": "x"}},
        },
        **fields,
    }


def test_a_check_of_an_echoing_target_shows_and_stores_no_secret(
    personas: Personas, target: Target
) -> None:
    target.reply("/echo", echo=True)
    env = create(personas, environment(target))
    user = personas.operator.headers()

    checked = personas.client.post(f"/api/v1/environments/{env['id']}/check-health", headers=user)

    assert checked.status_code == 200, checked.text
    sent = target.stats_of("/echo").headers[-1]
    assert (sent["X-Auth-Token"], sent["Authorization"]) == (f"Bearer {HEADER}", f"Basic {BASIC}")
    result = checked.json()
    assert result["health"] == "unhealthy"
    assert MASK in result["details"]["response"]
    assert MASK in result["message"]
    assert leaked(checked.text) == []
    viewer = personas.viewer.headers()
    stored = [
        personas.client.get(f"/api/v1/environments/{env['id']}", headers=viewer).text,
        personas.client.get(
            f"/api/v1/environments/{env['id']}/health/history", headers=viewer
        ).text,
        personas.client.get(f"/api/v1/environments/{env['id']}/logs", headers=viewer).text,
        personas.client.get("/api/v1/versions", headers=viewer).text,
    ]
    assert [leaked(text) for text in stored] == [[], [], [], []]


def test_an_operation_shows_no_secret_a_target_sends_back(
    personas: Personas, target: Target
) -> None:
    target.reply("/restart", echo=True)
    # A target that knows a secret it was not sent (in any of its forms) is scrubbed too.
    target.reply("/upgrade/2.0.0", text=f"deploying with {META} ({forms(META)[2]})")
    target.reply("/versions", json_body=["1.0.0", "2.0.0"])
    restart = {
        "enabled": True,
        "url": url(target, f"/restart?token={quote(QUERY, safe='')}"),
        "headers": {"X-Api-Key": HEADER},
        "body": {"password": BODY},
    }
    upgrade = {
        "enabled": True,
        "type": "http",
        "versionListURL": target.url("/versions"),
        "upgradeCommand": {"url": target.url("/upgrade/{VERSION}")},
    }
    env = create(
        personas,
        environment(target, commands={"type": "http", "restart": restart}, upgradeConfig=upgrade),
    )
    admin = personas.admin.headers()

    outputs = []
    for path, body in (("restart", None), ("upgrade", {"version": "2.0.0"})):
        started = personas.client.post(
            f"/api/v1/environments/{env['id']}/{path}", json=body, headers=admin
        )
        assert started.status_code == 202, started.text
        outputs.append(finished(personas, started.json()["operationId"]))

    assert [leaked(json.dumps(op)) for op in outputs] == [[], []]
    assert all(MASK in op["output"] for op in outputs)
    assert json.loads(target.stats_of("/restart").bodies[-1]) == {"password": BODY}


def test_a_version_list_shows_no_secret_it_echoes(personas: Personas, target: Target) -> None:
    target.reply("/versions", echo=True)
    upgrade = {
        "versionListURL": target.url("/versions"),
        "versionListHeaders": {"X-Api-Key": HEADER, "X-Release": "1.0.0"},
        "jsonPathResponse": "$.headers.*",
    }
    env = create(personas, environment(target, upgradeConfig=upgrade))

    listed = personas.client.get(
        f"/api/v1/environments/{env['id']}/versions", headers=personas.viewer.headers()
    )

    assert listed.status_code == 200, listed.text
    assert "1.0.0" in listed.json()["availableVersions"]
    assert MASK in listed.json()["availableVersions"]
    assert leaked(listed.text) == []


def finished(personas: Personas, operation_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        op: dict[str, Any] = personas.client.get(
            f"/api/v1/operations/{operation_id}", headers=personas.admin.headers()
        ).json()
        if op["status"] not in {"pending", "running"}:
            return op
        time.sleep(0.05)
    pytest.fail(f"operation {operation_id} did not finish")


class TestTheFormsTest:
    """POST /health-checks/test with environmentId: stored secrets go to its own origin only."""

    def stored(self, personas: Personas, target: Target) -> dict[str, Any]:
        target.reply("/health")
        return create(
            personas,
            {
                "name": "own",
                "healthCheck": {
                    "endpoint": url(target, "/health"),
                    "headers": {"X-Auth-Token": f"Bearer {HEADER}"},
                },
            },
        )

    def try_check(self, personas: Personas, env_id: str, check: dict[str, Any]) -> Any:
        return personas.client.post(
            "/api/v1/health-checks/test",
            json={"healthCheck": check, "environmentId": env_id},
            headers=personas.admin.headers(),
        )

    def test_stored_secrets_are_not_sent_to_another_origin(
        self, personas: Personas, target: Target, other: Target
    ) -> None:
        env = self.stored(personas, target)
        elsewhere = [
            {"endpoint": other.url("/collect"), "headers": {"X-Auth-Token": MASK}},
            {"endpoint": url(other, "/collect").replace(URL_PASSWORD, MASK)},
            # Same host, another port; the same port over another scheme.
            {"endpoint": target.url("/health").replace("http://", "https://")},
        ]
        elsewhere[2]["headers"] = {"X-Auth-Token": MASK}

        answers = [self.try_check(personas, env["id"], check) for check in elsewhere]

        assert [a.status_code for a in answers] == [422, 422, 422]
        assert answers[0].json()["error"]["details"]["field"] == "healthCheck.endpoint"
        assert other.stats_of("/collect").requests == 0

    def test_they_are_filled_in_for_its_own_origin(
        self, personas: Personas, target: Target
    ) -> None:
        env = self.stored(personas, target)
        target.reply("/other-path", echo=True)
        check = {"endpoint": url(target, "/other-path").replace(URL_PASSWORD, MASK)}
        check["headers"] = {"X-Auth-Token": MASK}

        answer = self.try_check(personas, env["id"], check)

        assert answer.status_code == 200, answer.text
        sent = target.stats_of("/other-path").headers[-1]
        assert (sent["X-Auth-Token"], sent["Authorization"]) == (
            f"Bearer {HEADER}",
            f"Basic {BASIC}",
        )
        assert leaked(answer.text) == []

    def test_values_typed_in_the_form_go_anywhere(
        self, personas: Personas, target: Target, other: Target
    ) -> None:
        env = self.stored(personas, target)
        other.reply("/typed")
        check = {"endpoint": other.url("/typed"), "headers": {"Authorization": "Bearer typed"}}

        answer = self.try_check(personas, env["id"], check)

        assert answer.status_code == 200, answer.text
        assert other.stats_of("/typed").headers[-1]["Authorization"] == "Bearer typed"
