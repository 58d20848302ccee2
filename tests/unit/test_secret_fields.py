"""Secrets outside headers (issue 16, item 7): URL passwords, query parameters, JSON fields of
bodies and metadata, by their name or the environment's secretNames; sealed bound, masked,
kept by the mask and opened only for sending."""

import json
from typing import Any

import pytest

from envdeck.adapters.secret_box import MASK, PREFIX, SecretBox
from envdeck.domain.environment import (
    CommandConfig,
    CommandDetails,
    Environment,
    HealthCheckConfig,
    UpgradeCommand,
    UpgradeConfig,
)
from envdeck.domain.errors import ValidationFailed
from envdeck.services.inventory.sealing import SecretScope, reseal_environment, seal_environment
from envdeck.services.inventory.secret_fields import (
    HEALTH_CHECK,
    Leaf,
    RequestParts,
    is_secret_name,
    leaves,
    map_json,
    mask_environment,
)

BOX = SecretBox(bytes(range(32)))
ENV_ID = "64b0000000000000000000f1"
ENDPOINT = "https://probe:url-pass-1@shop.example.com/health?token=query-token-2&region=eu"
BODY = {
    "auth": {"user": "probe", "pin": 4321},
    "apiKey": "body-key-3",
    "items": [{"password": "nested-pass-4"}, {"name": "plain"}],
    "enabled": True,
    "note": "visible",
}


def environment(**fields: Any) -> Environment:
    check = HealthCheckConfig(endpoint=ENDPOINT, body=BODY)
    return Environment(id=ENV_ID, name="shop", health_check=check, **fields)


def secrets_of(env: Environment) -> dict[str, Any]:
    return {".".join(map(str, p)): leaf.value for p, leaf in leaves(env).items() if leaf.secret}


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "DB_PASSWD",
        "pass",
        "client_secret",
        "accessToken",
        "apikey",
        "api_key",
        "X-Api-Key",
        "privateKey",
        "credentials",
        "X-Amz-Signature",
        "auth",
        "Authorization",
        "AUTHENTICATION",
        "sig",
        "PWD",
    ],
)
def test_names_that_look_secret_are_secret_in_any_case(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["region", "note", "version", "user", "name", "Accept"])
def test_ordinary_names_are_not(name: str) -> None:
    assert not is_secret_name(name)
    assert is_secret_name(name, frozenset({name.lower()}))  # unless the form marks them


def test_the_url_password_query_secrets_and_body_fields_are_the_secret_leaves() -> None:
    assert secrets_of(environment()) == {
        "healthCheck.endpoint.password": "url-pass-1",
        "healthCheck.endpoint.query.token.0": "query-token-2",
        "healthCheck.body.auth.user": "probe",  # under a secret field
        "healthCheck.body.auth.pin": 4321,
        "healthCheck.body.apiKey": "body-key-3",
        "healthCheck.body.items.0.password": "nested-pass-4",
    }


def test_a_lone_user_info_is_secret_as_a_whole() -> None:
    env = Environment(id=ENV_ID, name="git", environment_url="https://ghp_token-5@github.example/")
    assert secrets_of(env) == {"environmentURL.userinfo": "ghp_token-5"}


def test_metadata_keys_and_marked_names_are_secret() -> None:
    env = Environment(
        id=ENV_ID,
        name="shop",
        metadata={"dbPassword": "meta-pass-6", "owner": "team-a", "deep": {"phone": "555-0101"}},
        secret_names=["Phone", "X-Pin"],
        health_check=HealthCheckConfig(headers={"x-pin": "1234", "Accept": "*/*"}),
    )
    assert secrets_of(env) == {
        "healthCheck.headers.x-pin": "1234",
        "metadata.dbPassword": "meta-pass-6",
        "metadata.deep.phone": "555-0101",
    }


def test_secret_values_are_sealed_bound_and_shown_masked() -> None:
    stored = seal_environment(environment(), None, BOX)

    endpoint = str(stored.health_check.endpoint)
    body = stored.health_check.body
    assert "url-pass-1" not in endpoint
    assert "query-token-2" not in endpoint
    assert "region=eu" in endpoint
    assert body["auth"]["pin"].startswith(PREFIX)
    assert body["items"][0]["password"].startswith(PREFIX)
    assert (body["enabled"], body["note"], body["items"][1]) == (True, "visible", {"name": "plain"})
    shown = mask_environment(stored)
    assert str(shown.health_check.endpoint) == (
        f"https://probe:{MASK}@shop.example.com/health?token={MASK}&region=eu"
    )
    assert shown.health_check.body == {
        "auth": {"user": MASK, "pin": MASK},
        "apiKey": MASK,
        "items": [{"password": MASK}, {"name": "plain"}],
        "enabled": True,
        "note": "visible",
    }
    assert "url-pass-1" not in shown.model_dump_json()


def test_a_request_opens_them_for_sending_only_as_they_were_given() -> None:
    stored = seal_environment(environment(), None, BOX)
    parts = RequestParts.of(HEALTH_CHECK, stored.health_check)

    opened = SecretScope.of(stored).open_request(BOX, HEALTH_CHECK, parts)

    assert opened.url == ENDPOINT
    assert opened.body == BODY  # the pin is a number again


def test_the_masks_sent_back_keep_every_stored_value() -> None:
    stored = seal_environment(environment(), None, BOX)
    shown = mask_environment(stored)
    edited = shown.model_copy(update={"description": "edited"})

    again = seal_environment(edited, stored, BOX)

    assert again.health_check == stored.health_check


def test_a_new_value_replaces_one_and_a_mask_with_nothing_stored_is_refused() -> None:
    stored = seal_environment(environment(), None, BOX)
    changed = mask_environment(stored)
    changed.health_check.body = {**changed.health_check.body, "apiKey": "rotated-7"}

    again = seal_environment(changed, stored, BOX)
    opened = SecretScope.of(again).open_request(
        BOX, HEALTH_CHECK, RequestParts.of(HEALTH_CHECK, again.health_check)
    )
    assert opened.body["apiKey"] == "rotated-7"
    assert opened.body["auth"] == BODY["auth"]

    changed.health_check.body = {**changed.health_check.body, "secret": MASK}
    with pytest.raises(ValidationFailed, match=r"healthCheck\.body\.secret"):
        seal_environment(changed, stored, BOX)


def test_a_template_value_stays_in_clear_so_the_version_can_go_in() -> None:
    upgrade = UpgradeConfig(
        upgrade_command=UpgradeCommand(
            url="https://deploy.example.com/v?token={VERSION}&key=abc",
            body={"token": "{VERSION}", "password": "p-8"},
        )
    )
    stored = seal_environment(
        Environment(id=ENV_ID, name="shop", upgrade_config=upgrade), None, BOX
    )

    command = stored.upgrade_config.upgrade_command
    assert "token={VERSION}" in command.url
    assert "key=abc" not in command.url
    assert command.body["token"] == "{VERSION}"
    assert command.body["password"].startswith(PREFIX)
    Environment.model_validate(json.loads(stored.model_dump_json()))  # still takes a version


def test_every_request_place_is_covered() -> None:
    env = Environment(
        id=ENV_ID,
        name="shop",
        commands=CommandConfig(
            restart=CommandDetails(url="https://h.example/r?signature=s-9", body={"token": "t-10"})
        ),
        upgrade_config=UpgradeConfig(
            version_list_url="https://h.example/v?api_key=k-11", version_list_body={"auth": "a-12"}
        ),
        metadata={"token": "m-13"},
    )
    assert set(secrets_of(env).values()) == {"s-9", "t-10", "k-11", "a-12", "m-13"}


def test_the_migration_seals_secrets_stored_in_clear() -> None:
    migrated, count = reseal_environment(environment(), BOX, rekey=False)

    assert count == 6
    assert all(leaf.value.startswith(PREFIX) for leaf in leaves(migrated).values() if leaf.secret)
    assert reseal_environment(migrated, BOX, rekey=False)[1] == 0


def test_a_deeply_nested_document_is_walked_without_recursion() -> None:
    deep: dict[str, Any] = {"password": "bottom"}
    for _ in range(5000):
        deep = {"a": deep}
    seen: list[Leaf] = []

    map_json(deep, ("metadata",), frozenset(), lambda leaf: seen.append(leaf) or leaf.value)

    assert [(len(leaf.path), leaf.secret) for leaf in seen] == [(5002, True)]
