"""An environment's secrets: which values are secret, sealed bound to their place, masked, kept
by the mask, opened for one request, and re-sealed by the migration and the key rotation."""

from typing import Any

import pytest

from envdeck.adapters.secret_box import MASK, PREFIX, SecretBox, SecretDecryptionError
from envdeck.domain.environment import (
    CommandConfig,
    CommandDetails,
    Environment,
    HealthCheckConfig,
)
from envdeck.domain.errors import ValidationFailed
from envdeck.services.inventory.sealing import (
    SecretScope,
    reseal_environment,
    seal_environment,
)
from envdeck.services.inventory.secret_fields import (
    HEALTH_CHECK,
    RESTART,
    RequestParts,
    is_secret_name,
    mask_environment,
)
from tests.support.secrets import legacy_seal, open_at

KEY = bytes(range(32))
BOX = SecretBox(KEY)
ENV_ID = "64b0000000000000000000e1"
OTHER_ID = "64b0000000000000000000e2"
AUTH = ("healthCheck", "headers", "Authorization")


def env(headers: dict[str, str], *, env_id: str = ENV_ID, **fields: Any) -> Environment:
    return Environment(
        id=env_id, name="shop", health_check=HealthCheckConfig(headers=headers), **fields
    )


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "authorization",
        "Proxy-Authorization",
        "Cookie",
        "X-Api-Key",
        "X-Auth-Token",
        "X-Client-Secret",
        "X-Password",
        "X-Passwd",
        "Private-TOKEN",
    ],
)
def test_names_that_look_secret_are_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["Accept", "Content-Type", "User-Agent", "X-Request-Id"])
def test_ordinary_names_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_values_are_sealed_bound_and_others_kept_as_they_are() -> None:
    stored = seal_environment(
        env({"Authorization": "Bearer abc", "Accept": "text/plain"}), None, BOX
    )

    headers = stored.health_check.headers
    assert headers["Accept"] == "text/plain"
    assert headers["Authorization"].startswith(PREFIX)
    assert open_at(BOX, ENV_ID, headers["Authorization"], *AUTH) == "Bearer abc"


def test_the_mask_keeps_the_stored_value_and_a_new_value_replaces_it() -> None:
    stored = seal_environment(env({"Authorization": "Bearer abc"}), None, BOX)
    sealed = stored.health_check.headers["Authorization"]

    kept = seal_environment(env({"Authorization": MASK}), stored, BOX)
    replaced = seal_environment(env({"Authorization": "Bearer xyz"}), stored, BOX)

    assert kept.health_check.headers["Authorization"] == sealed
    new = replaced.health_check.headers["Authorization"]
    assert open_at(BOX, ENV_ID, new, *AUTH) == "Bearer xyz"


def test_the_mask_with_nothing_stored_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        seal_environment(env({"X-Api-Key": MASK}), None, BOX)
    assert refused.value.details == {"field": "healthCheck.headers.X-Api-Key"}


def test_the_mask_does_not_take_a_value_stored_in_another_field() -> None:
    stored = seal_environment(
        env({}, commands=CommandConfig(restart=CommandDetails(headers={"X-Api-Key": "k"}))),
        None,
        BOX,
    )
    with pytest.raises(ValidationFailed):
        seal_environment(env({"X-Api-Key": MASK}), stored, BOX)


def test_an_incoming_value_that_looks_sealed_is_sealed_like_any_text() -> None:
    # A client never hands Envdeck ciphertext to open, not even in a header that is not secret.
    foreign = BOX.seal("someone else's", "environment/x/y")
    stored = seal_environment(env({"Accept": foreign}), None, BOX)

    sealed = stored.health_check.headers["Accept"]
    assert sealed != foreign
    assert open_at(BOX, ENV_ID, sealed, "healthCheck", "headers", "Accept") == foreign


def test_masking_shows_every_secret_as_the_mask() -> None:
    stored = seal_environment(env({"Cookie": "session=1", "Accept": "*/*"}), None, BOX)

    assert mask_environment(stored).health_check.headers == {"Cookie": MASK, "Accept": "*/*"}
    assert stored.health_check.headers["Cookie"] != MASK  # the copy, not the stored one


def test_a_request_opens_its_own_values_for_sending() -> None:
    stored = seal_environment(env({"Cookie": "session=1", "Accept": "*/*"}), None, BOX)
    parts = RequestParts.of(HEALTH_CHECK, stored.health_check)

    opened = SecretScope.of(stored).open_request(BOX, HEALTH_CHECK, parts)

    assert opened.headers == {"Cookie": "session=1", "Accept": "*/*"}


def test_a_value_copied_to_another_environment_or_field_does_not_open() -> None:
    stored = seal_environment(env({"Authorization": "Bearer abc"}), None, BOX)
    parts = RequestParts.of(HEALTH_CHECK, stored.health_check)

    with pytest.raises(SecretDecryptionError):
        SecretScope(OTHER_ID).open_request(BOX, HEALTH_CHECK, parts)
    with pytest.raises(SecretDecryptionError):
        SecretScope.of(stored).open_request(BOX, RESTART, parts)


def test_the_migration_binds_unbound_and_clear_secrets_and_is_idempotent() -> None:
    old = env(
        {"Authorization": legacy_seal(KEY, "Bearer old"), "X-Api-Key": "in clear", "Accept": "a"}
    )

    migrated, count = reseal_environment(old, BOX, rekey=False)
    again, second = reseal_environment(migrated, BOX, rekey=False)

    assert count == 2
    headers = migrated.health_check.headers
    assert open_at(BOX, ENV_ID, headers["Authorization"], *AUTH) == "Bearer old"
    key_path = ("healthCheck", "headers", "X-Api-Key")
    assert open_at(BOX, ENV_ID, headers["X-Api-Key"], *key_path) == "in clear"
    assert headers["Accept"] == "a"
    assert (second, again) == (0, migrated)


def test_the_migration_reports_a_value_it_cannot_open_and_leaves_it() -> None:
    lost = legacy_seal(bytes(range(1, 33)), "under a lost key")
    seen: list[tuple[str | int, ...]] = []

    migrated, count = reseal_environment(
        env({"Authorization": lost}), BOX, rekey=False, unreadable=seen.append
    )

    assert (count, seen) == (0, [AUTH])
    assert migrated.health_check.headers["Authorization"] == lost
    with pytest.raises(SecretDecryptionError, match=r"healthCheck\.headers\.Authorization"):
        reseal_environment(env({"Authorization": lost}), BOX, rekey=False)


def test_a_rotation_reseals_every_sealed_value_under_the_new_key() -> None:
    new_key = bytes(range(100, 132))
    stored = seal_environment(env({"Authorization": "Bearer abc"}), None, BOX)

    rotated, count = reseal_environment(stored, SecretBox([new_key, KEY]), rekey=True)

    assert count == 1
    sealed = rotated.health_check.headers["Authorization"]
    assert open_at(SecretBox(new_key), ENV_ID, sealed, *AUTH) == "Bearer abc"
