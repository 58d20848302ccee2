"""Configuration as code: export to YAML, import back with a dry-run diff, all-or-nothing."""

from typing import Any

import yaml

from tests.integration.conftest import Personas
from tests.integration.test_environments_api import SECRET, config, create, stored
from tests.support.secrets import open_at

YAML = {"Content-Type": "application/yaml"}
AUTH = ("healthCheck", "headers", "Authorization")


def export(personas: Personas, query: str = "") -> dict[str, Any]:
    response = personas.client.get(
        f"/api/v1/environments/export{query}", headers=personas.viewer.headers()
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/yaml")
    return yaml.safe_load(response.text)  # type: ignore[no-any-return]


def import_(personas: Personas, body: dict[str, Any] | str, dry_run: bool = False) -> Any:
    text = body if isinstance(body, str) else yaml.safe_dump(body)
    return personas.client.post(
        f"/api/v1/environments/import{'?dryRun=true' if dry_run else ''}",
        content=text.encode(),
        headers=personas.admin.headers() | YAML,
    )


def test_exports_configuration_without_secrets_or_server_fields(personas: Personas) -> None:
    create(personas, config("alpha"))
    create(personas, config("bravo", tags=["us"]))
    document = export(personas)
    assert document["apiVersion"] == "envdeck/v1"
    assert [e["name"] for e in document["environments"]] == ["alpha", "bravo"]
    alpha = document["environments"][0]
    assert alpha["healthCheck"]["headers"]["Authorization"] == "********"
    assert not {"id", "status", "timestamps", "systemInfo"} & alpha.keys()
    assert SECRET not in yaml.safe_dump(document)
    assert [e["name"] for e in export(personas, "?tag=us")["environments"]] == ["bravo"]


def test_a_dry_run_shows_the_diff_and_changes_nothing(personas: Personas) -> None:
    create(personas, config("alpha"))
    create(personas, config("bravo"))
    document = export(personas)
    document["environments"][0]["healthCheck"]["interval"] = 90
    document["environments"].append(config("charlie") | {"healthCheck": {"enabled": False}})
    response = import_(personas, document, dry_run=True)
    assert response.status_code == 200, response.text
    changes = {c["name"]: c for c in response.json()["changes"]}
    assert changes["alpha"]["action"] == "update"
    assert changes["alpha"]["fields"] == ["healthCheck.interval"]
    assert changes["bravo"]["action"] == "unchanged"
    assert changes["charlie"]["action"] == "create"
    assert response.json()["applied"] is False
    names = [e["name"] for e in export(personas)["environments"]]
    assert names == ["alpha", "bravo"]


def test_an_import_applies_and_keeps_masked_secrets(personas: Personas) -> None:
    alpha = create(personas, config("alpha"))
    document = export(personas)
    document["environments"][0]["description"] = "imported"
    document["environments"].append(config("delta"))
    response = import_(personas, document)
    assert response.status_code == 200, response.text
    assert response.json()["applied"] is True
    after = {e["name"]: e for e in export(personas)["environments"]}
    assert after["alpha"]["description"] == "imported"
    assert "delta" in after
    box = personas.client.app.state.services.box  # type: ignore[attr-defined]
    sealed = stored(personas, alpha["id"]).health_check.headers["Authorization"]
    assert open_at(box, alpha["id"], sealed, *AUTH) == SECRET


def test_an_import_with_any_problem_imports_nothing(personas: Personas) -> None:
    create(personas, config("alpha"))
    document = export(personas)
    document["environments"][0]["description"] = "should not land"
    bad = config("echo")
    bad["healthCheck"]["interval"] = 3
    masked_new = config("foxtrot")
    masked_new["healthCheck"]["headers"] = {"Authorization": "********"}
    document["environments"] += [config("golf"), bad, masked_new]
    response = import_(personas, document)
    assert response.status_code == 422
    problems = {
        p["environment"]: p["errors"] for p in response.json()["error"]["details"]["environments"]
    }
    assert set(problems) == {"echo", "foxtrot"}
    assert any("interval" in error for error in problems["echo"])
    after = {e["name"]: e for e in export(personas)["environments"]}
    assert set(after) == {"alpha"}
    assert after["alpha"]["description"] != "should not land"


def test_refuses_what_is_not_an_envdeck_file(personas: Personas) -> None:
    assert import_(personas, "just: [text").status_code == 422
    assert import_(personas, {"apiVersion": "other/v9", "environments": []}).status_code == 422
    duplicate = {"apiVersion": "envdeck/v1", "environments": [config("a1"), config("a1")]}
    assert import_(personas, duplicate).status_code == 422
    as_json = personas.client.post(
        "/api/v1/environments/import", json={}, headers=personas.admin.headers()
    )
    assert as_json.status_code == 415


def test_only_admins_import(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/environments/import",
        content=b"apiVersion: envdeck/v1\nenvironments: []\n",
        headers=personas.operator.headers() | YAML,
    )
    assert response.status_code == 403


def test_credentials_travel_by_name(personas: Personas) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    credential = personas.client.post(
        "/api/v1/credentials",
        json={"name": "deploy-key", "type": "key", "username": "deploy", "secret": key.decode()},
        headers=personas.admin.headers(),
    )
    assert credential.status_code == 201, credential.text
    ref = {"type": "key", "username": "deploy", "keyId": credential.json()["id"]}
    create(personas, config("alpha", credentials=ref))
    document = export(personas)
    exported = document["environments"][0]["credentials"]
    assert exported == {"type": "key", "username": "deploy", "keyName": "deploy-key"}
    assert key.decode() not in yaml.safe_dump(document)

    document["environments"][0]["name"] = "alpha-copy"
    # A new environment needs its secrets spelled out: the mask only keeps a stored value.
    document["environments"][0]["healthCheck"]["headers"]["Authorization"] = SECRET
    assert import_(personas, document).status_code == 200
    copies = personas.client.get(
        "/api/v1/environments?q=alpha-copy", headers=personas.admin.headers()
    )
    assert copies.json()["environments"][0]["credentials"]["keyId"] == credential.json()["id"]

    document["environments"][0]["credentials"]["keyName"] = "no-such-key"
    document["environments"][0]["name"] = "alpha-other"
    assert import_(personas, document).status_code == 422
