"""The credentials vault over HTTP: admins only, keys checked and fingerprinted, never shown."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from envdeck.adapters.secret_box import MASK, SecretBox, is_sealed
from envdeck.domain.credential import Credential
from envdeck.domain.environment import CredentialRef, Environment
from envdeck.domain.log import LogEntry, LogListOptions
from envdeck.services.container import Services
from envdeck.services.inventory.credentials import credential_context
from tests.integration.conftest import Personas
from tests.support.ssh_keys import (
    ED25519,
    KEY_CASES,
    RSA,
    KeyFormat,
    SshKey,
    expected_fingerprint,
    private_text,
)

URL = "/api/v1/credentials"
ABSENT_ID = "6b05a2c33c0ca6934944ef1e"
PASSPHRASE = "amber-quokka-passphrase-4417"
PASSWORD = "deploy-password-Zq8!vK2#pL"

OTHER_ED25519 = ed25519.Ed25519PrivateKey.generate()

T = TypeVar("T")


def post(personas: Personas, **body: Any) -> httpx2.Response:
    return personas.client.post(URL, json=body, headers=personas.admin.headers())


def create_key(personas: Personas, name: str = "deploy-key", **body: Any) -> dict[str, Any]:
    fields = {"type": "key", "username": "deploy", "secret": private_text(ED25519, "openssh")}
    response = post(personas, name=name, **(fields | body))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def patch(personas: Personas, credential_id: str, **body: Any) -> httpx2.Response:
    return personas.client.patch(
        f"{URL}/{credential_id}", json=body, headers=personas.admin.headers()
    )


def services(personas: Personas) -> Services:
    services: Services = personas.client.app.state.services  # type: ignore[attr-defined]
    return services


def call(personas: Personas, function: Callable[..., Awaitable[T]], *args: Any) -> T:
    assert personas.client.portal is not None
    return personas.client.portal.call(function, *args)


def stored(personas: Personas, credential_id: str) -> Credential:
    return call(personas, services(personas).storage.credentials.get_by_id, credential_id)


def box(personas: Personas) -> SecretBox:
    return services(personas).box


def opened(personas: Personas, credential: Credential, field: str = "secret") -> str:
    """Return the plaintext of a stored credential's sealed secret or passphrase."""
    sealed = getattr(credential, field)
    return box(personas).open(sealed, credential_context(credential.id, field))


def activity(personas: Personas) -> list[LogEntry]:
    call(personas, services(personas).activity.flush)
    entries, _ = call(personas, services(personas).storage.logs.list, LogListOptions(limit=200))
    return entries


def use_in_environment(personas: Personas, credential_id: str, name: str) -> Environment:
    env = Environment(name=name, credentials=CredentialRef(key_id=credential_id))
    return call(personas, services(personas).storage.environments.create, env)


def refused_field(response: httpx2.Response) -> str:
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    return str(response.json()["error"]["details"]["field"])


class TestAccess:
    def test_only_admins_reach_the_vault(self, personas: Personas) -> None:
        created = create_key(personas)
        for persona in (personas.operator, personas.viewer):
            headers = persona.headers()
            assert personas.client.get(URL, headers=headers).status_code == 403
            assert personas.client.get(f"{URL}/{created['id']}", headers=headers).status_code == 403
        assert personas.client.get(URL).status_code == 401

    @pytest.mark.parametrize("credential_id", [ABSENT_ID, "nope"])
    def test_missing_and_malformed_ids_are_404(
        self, personas: Personas, credential_id: str
    ) -> None:
        client, headers = personas.client, personas.admin.headers()
        for response in (
            client.get(f"{URL}/{credential_id}", headers=headers),
            client.patch(f"{URL}/{credential_id}", json={"name": "x"}, headers=headers),
            client.delete(f"{URL}/{credential_id}", headers=headers),
        ):
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "NOT_FOUND"


class TestCreate:
    @pytest.mark.parametrize(("key", "key_format"), KEY_CASES)
    @pytest.mark.parametrize("passphrase", [None, PASSPHRASE], ids=["plain", "encrypted"])
    def test_stores_a_key_with_the_fingerprint_ssh_keygen_prints(
        self, personas: Personas, key: SshKey, key_format: KeyFormat, passphrase: str | None
    ) -> None:
        secret = private_text(key, key_format, passphrase)

        response = post(
            personas, name="k", type="key", username="ops", secret=secret, passphrase=passphrase
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == {
            "id",
            "name",
            "type",
            "username",
            "fingerprint",
            "hasPassphrase",
            "createdAt",
            "updatedAt",
        }
        assert body["fingerprint"] == expected_fingerprint(key)
        assert body["hasPassphrase"] is (passphrase is not None)
        assert (body["type"], body["username"]) == ("key", "ops")

    def test_seals_the_secret_and_passphrase_at_rest(self, personas: Personas) -> None:
        secret = private_text(ED25519, "openssh", PASSPHRASE)
        created = create_key(personas, secret=secret, passphrase=PASSPHRASE)

        row = stored(personas, created["id"])

        assert row.passphrase is not None
        assert is_sealed(row.secret)
        assert is_sealed(row.passphrase)
        assert opened(personas, row) == secret
        assert opened(personas, row, "passphrase") == PASSPHRASE

    def test_stores_a_password_without_a_fingerprint(self, personas: Personas) -> None:
        response = post(personas, name="db", type="password", username="app", secret=PASSWORD)

        assert response.status_code == 201
        assert response.json()["fingerprint"] is None
        assert response.json()["hasPassphrase"] is False
        assert opened(personas, stored(personas, response.json()["id"])) == PASSWORD

    def test_an_encrypted_key_without_its_passphrase_is_refused(self, personas: Personas) -> None:
        secret = private_text(ED25519, "openssh", PASSPHRASE)

        assert refused_field(post(personas, name="k", type="key", secret=secret)) == "passphrase"

    def test_a_wrong_passphrase_is_refused(self, personas: Personas) -> None:
        secret = private_text(RSA, "pkcs8", PASSPHRASE)

        response = post(personas, name="k", type="key", secret=secret, passphrase="wrong")

        assert refused_field(response) == "passphrase"

    def test_a_passphrase_for_a_plain_key_is_refused(self, personas: Personas) -> None:
        secret = private_text(ED25519, "openssh")

        response = post(personas, name="k", type="key", secret=secret, passphrase="surplus")

        assert refused_field(response) == "passphrase"

    def test_what_is_not_a_private_key_is_refused(self, personas: Personas) -> None:
        assert refused_field(post(personas, name="k", type="key", secret="hello")) == "secret"

    def test_a_password_takes_no_passphrase(self, personas: Personas) -> None:
        response = post(personas, name="p", type="password", secret=PASSWORD, passphrase="x")

        assert refused_field(response) == "passphrase"

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "", "type": "password", "secret": "x"},
            {"name": "-dash-first", "type": "password", "secret": "x"},
            {"name": "ok", "type": "token", "secret": "x"},
            {"name": "ok", "type": "password", "secret": ""},
            {"name": "ok", "type": "password"},
            {"name": "ok", "type": "password", "secret": "x", "fingerprint": "SHA256:forged"},
        ],
        ids=["empty-name", "bad-name", "bad-type", "empty-secret", "no-secret", "unknown-field"],
    )
    def test_refuses_malformed_bodies(self, personas: Personas, body: dict[str, Any]) -> None:
        response = personas.client.post(URL, json=body, headers=personas.admin.headers())

        assert response.status_code == 422
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"

    def test_refuses_a_duplicate_name(self, personas: Personas) -> None:
        create_key(personas, name="deploy-key")

        response = post(personas, name="deploy-key", type="password", secret=PASSWORD)

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "ALREADY_EXISTS"


class TestRead:
    def test_lists_by_name_with_pagination_and_a_type_filter(self, personas: Personas) -> None:
        client, headers = personas.client, personas.admin.headers()
        create_key(personas, name="b-key")
        post(personas, name="a-password", type="password", secret=PASSWORD)
        create_key(personas, name="c-key")

        page = client.get(f"{URL}?limit=2", headers=headers).json()
        keys = client.get(f"{URL}?type=key", headers=headers).json()

        assert [c["name"] for c in page["credentials"]] == ["a-password", "b-key"]
        assert page["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
        assert [c["name"] for c in keys["credentials"]] == ["b-key", "c-key"]
        assert client.get(f"{URL}?limit=201", headers=headers).status_code == 422

    def test_gets_one_as_created(self, personas: Personas) -> None:
        created = create_key(personas)

        got = personas.client.get(f"{URL}/{created['id']}", headers=personas.admin.headers())

        assert got.json() == created


class TestUpdate:
    def test_renames_and_changes_the_username_keeping_the_secret(self, personas: Personas) -> None:
        created = create_key(personas)
        before = stored(personas, created["id"])

        response = patch(personas, created["id"], name="renamed", username="root", secret=MASK)

        assert response.status_code == 200
        assert (response.json()["name"], response.json()["username"]) == ("renamed", "root")
        assert response.json()["fingerprint"] == created["fingerprint"]
        assert stored(personas, created["id"]).secret == before.secret

    def test_a_new_key_replaces_the_old_and_is_fingerprinted_again(
        self, personas: Personas
    ) -> None:
        created = create_key(personas)
        new_key = private_text(OTHER_ED25519, "pkcs8")

        response = patch(personas, created["id"], secret=new_key)

        assert response.json()["fingerprint"] == expected_fingerprint(OTHER_ED25519)
        assert opened(personas, stored(personas, created["id"])) == new_key

    def test_a_new_key_is_checked_like_a_first_one(self, personas: Personas) -> None:
        created = create_key(personas)

        encrypted = private_text(OTHER_ED25519, "openssh", PASSPHRASE)

        assert refused_field(patch(personas, created["id"], secret="garbage")) == "secret"
        assert refused_field(patch(personas, created["id"], secret=encrypted)) == "passphrase"
        assert stored(personas, created["id"]).fingerprint == created["fingerprint"]

    def test_a_kept_passphrase_opens_a_new_key_encrypted_with_it(self, personas: Personas) -> None:
        secret = private_text(ED25519, "openssh", PASSPHRASE)
        created = create_key(personas, secret=secret, passphrase=PASSPHRASE)
        new_key = private_text(RSA, "openssh", PASSPHRASE)

        response = patch(personas, created["id"], secret=new_key, passphrase=MASK)

        assert response.status_code == 200, response.text
        assert response.json()["fingerprint"] == expected_fingerprint(RSA)
        assert response.json()["hasPassphrase"] is True

    def test_a_new_passphrase_must_open_the_stored_key(self, personas: Personas) -> None:
        secret = private_text(ED25519, "openssh", PASSPHRASE)
        created = create_key(personas, secret=secret, passphrase=PASSPHRASE)

        assert refused_field(patch(personas, created["id"], passphrase="other")) == "passphrase"
        assert refused_field(patch(personas, created["id"], passphrase=None)) == "passphrase"
        row = stored(personas, created["id"])
        assert row.passphrase is not None
        assert opened(personas, row, "passphrase") == PASSPHRASE

    def test_removes_the_passphrase_along_with_the_encryption(self, personas: Personas) -> None:
        secret = private_text(ED25519, "openssh", PASSPHRASE)
        created = create_key(personas, secret=secret, passphrase=PASSPHRASE)

        response = patch(
            personas, created["id"], secret=private_text(ED25519, "openssh"), passphrase=None
        )

        assert response.json()["hasPassphrase"] is False
        assert response.json()["fingerprint"] == created["fingerprint"]
        assert stored(personas, created["id"]).passphrase is None

    def test_a_new_password_replaces_the_old(self, personas: Personas) -> None:
        created = post(personas, name="db", type="password", secret=PASSWORD).json()

        patch(personas, created["id"], secret="next-password-77")

        assert opened(personas, stored(personas, created["id"])) == "next-password-77"

    def test_the_type_cannot_change(self, personas: Personas) -> None:
        created = create_key(personas)

        assert patch(personas, created["id"], type="password").status_code == 422

    def test_refuses_a_name_another_credential_has(self, personas: Personas) -> None:
        create_key(personas, name="taken")
        mine = create_key(personas, name="mine")

        response = patch(personas, mine["id"], name="taken")

        assert response.status_code == 409
        assert stored(personas, mine["id"]).name == "mine"


class TestDelete:
    def test_deletes_an_unused_credential(self, personas: Personas) -> None:
        client, headers = personas.client, personas.admin.headers()
        created = create_key(personas)

        assert client.delete(f"{URL}/{created['id']}", headers=headers).status_code == 204
        assert client.get(f"{URL}/{created['id']}", headers=headers).status_code == 404

    def test_a_credential_in_use_is_kept_and_its_users_listed(self, personas: Personas) -> None:
        client, headers = personas.client, personas.admin.headers()
        created = create_key(personas)
        prod = use_in_environment(personas, created["id"], "prod")
        staging = use_in_environment(personas, created["id"], "staging")

        response = client.delete(f"{URL}/{created['id']}", headers=headers)

        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "CONFLICT"
        assert error["details"]["environments"] == [
            {"id": prod.id, "name": "prod"},
            {"id": staging.id, "name": "staging"},
        ]
        assert client.get(f"{URL}/{created['id']}", headers=headers).status_code == 200


def test_create_update_and_delete_are_in_the_activity_log(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    created = create_key(personas)
    patch(personas, created["id"], name="renamed", secret=private_text(OTHER_ED25519, "openssh"))
    client.delete(f"{URL}/{created['id']}", headers=headers)

    entries = [e for e in activity(personas) if e.action.startswith("credential_")]

    assert [e.action for e in entries] == [
        "credential_delete",
        "credential_update",
        "credential_create",
    ]
    assert {(e.type, e.username, e.details["credentialId"]) for e in entries} == {
        ("action", "admin", created["id"])
    }
    changes = entries[1].details["changes"]
    assert changes["name"] == {"before": "deploy-key", "after": "renamed"}
    assert changes["secret"] == {"before": MASK, "after": MASK}
    assert changes["fingerprint"]["after"] == expected_fingerprint(OTHER_ED25519)


def secret_fragments(*secrets: str) -> list[str]:
    """Return what would show a secret leaked: the whole, and every line of a key's body."""
    lines = [line for text in secrets for line in text.splitlines() if "-----" not in line]
    return [fragment for fragment in [*secrets, *lines] if len(fragment) >= 12]


def test_no_answer_and_no_activity_entry_ever_holds_a_secret(personas: Personas) -> None:
    client, headers = personas.client, personas.admin.headers()
    key = private_text(RSA, "openssh", PASSPHRASE)
    next_key = private_text(OTHER_ED25519, "pkcs8")
    answers = [
        post(personas, name="key", type="key", secret=key, passphrase=PASSPHRASE),
        post(personas, name="pw", type="password", secret=PASSWORD),
        post(personas, name="bad", type="key", secret=key, passphrase=PASSWORD),
        post(personas, name="pw", type="password", secret=PASSWORD),
    ]
    key_id, password_id = answers[0].json()["id"], answers[1].json()["id"]
    use_in_environment(personas, key_id, "prod")
    answers += [
        client.get(URL, headers=headers),
        client.get(f"{URL}?type=password", headers=headers),
        client.get(f"{URL}/{key_id}", headers=headers),
        patch(personas, key_id, name="key2", secret=MASK, passphrase=MASK),
        patch(personas, key_id, passphrase=PASSWORD),
        patch(personas, key_id, secret=next_key, passphrase=None),
        patch(personas, password_id, secret=PASSWORD + "-next"),
        client.delete(f"{URL}/{key_id}", headers=headers),
        client.delete(f"{URL}/{password_id}", headers=headers),
    ]
    assert [a.status_code for a in answers] == [
        201, 201, 422, 409, 200, 200, 200, 200, 422, 200, 200, 409, 204,
    ]  # fmt: skip
    logged = [entry.model_dump_json() for entry in activity(personas)]

    for fragment in secret_fragments(key, next_key, PASSPHRASE, PASSWORD):
        for answer in answers:
            assert fragment not in answer.text, answer.request.url
        for entry in logged:
            assert fragment not in entry
