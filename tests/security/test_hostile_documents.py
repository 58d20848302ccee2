"""Hostile documents: YAML alias bombs, deep nesting, oversized environments.

Each is refused with a 422 in the error envelope (never a 500), and nothing of it is written.
YAML is parsed and rendered off the event loop, so a large file never stalls other requests.
"""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
import yaml.composer

from envdeck.domain.base import MAX_JSON_DEPTH
from envdeck.services.inventory.bounded_yaml import YamlLimits, YamlRefused, load_yaml
from tests.integration.conftest import Personas

YAML = {"Content-Type": "application/yaml"}
HEADER = "apiVersion: envdeck/v1\nkind: EnvironmentList\nenvironments:\n"

# Like the review's document: 400 bytes whose aliases stand for 9^6 = 531,441 values (an
# environment of 3.7 MB once stored).
ALIAS_BOMB = (
    HEADER
    + "- name: laughs\n  metadata:\n"
    + '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"    {name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
        for previous, name in zip("abcde", "bcdef", strict=True)
    )
)


def import_(personas: Personas, text: str) -> Any:
    return personas.client.post(
        "/api/v1/environments/import",
        content=text.encode(),
        headers=personas.admin.headers() | YAML,
    )


def names(personas: Personas) -> list[str]:
    response = personas.client.get("/api/v1/environments", headers=personas.viewer.headers())
    assert response.status_code == 200, response.text
    return [env["name"] for env in response.json()["environments"]]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_refused(response: Any, *words: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text[:500]
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    for word in words:
        assert word in json.dumps(error), (word, error)
    return error


# --- YAML import ---------------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_and_nothing_is_written(personas: Personas) -> None:
    assert len(ALIAS_BOMB) < 600
    assert_refused(import_(personas, ALIAS_BOMB), "aliases expand")
    assert names(personas) == []


def test_a_recursive_alias_is_refused(personas: Personas) -> None:
    text = HEADER + "- name: ouroboros\n  metadata: &m\n    self: *m\n"
    assert_refused(import_(personas, text), "alias refers to a node that contains it")
    assert names(personas) == []


def test_aliases_within_the_budget_still_import(personas: Personas) -> None:
    text = (
        HEADER
        + "- name: alpha\n  healthCheck: &check\n    interval: 90\n    timeout: 5\n"
        + "".join(f"- name: env-{n}\n  healthCheck: *check\n" for n in range(20))
    )
    response = import_(personas, text)
    assert response.status_code == 200, response.text
    assert len(names(personas)) == 20  # the first page; 21 were imported
    assert len(response.json()["changes"]) == 21


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 5000])
def test_a_file_nested_too_deeply_is_refused(personas: Personas, depth: int) -> None:
    text = HEADER + f"- name: deep\n  metadata:\n    a: {nested(depth)}\n"
    assert_refused(import_(personas, text), "nested")
    assert names(personas) == []


def test_an_environment_over_the_size_cap_is_refused_whole(personas: Personas) -> None:
    big = "x" * (300 * 1024)
    text = HEADER + "- name: small\n" + f"- name: large\n  metadata:\n    blob: {big}\n"
    error = assert_refused(import_(personas, text), "at most 256 KiB")
    assert [p["environment"] for p in error["details"]["environments"]] == ["large"]
    assert names(personas) == []


def test_the_loader_refuses_a_file_over_its_size_cap() -> None:
    limits = YamlLimits(max_bytes=1024, max_depth=8, max_alias_nodes=10)
    with pytest.raises(YamlRefused, match="at most 1024"):
        load_yaml("a: " + "b" * 2000, limits)
    assert load_yaml("a: [1, 2]", limits) == {"a": [1, 2]}


def test_yaml_is_parsed_and_rendered_off_the_event_loop(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event loop serves every request: a 5 MB file parsed (or an export rendered) on it
    would stall them all for seconds. Each YAML step records whether it ran on the loop."""
    on_loop: list[tuple[str, bool]] = []

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            on_loop.append((name, _running_on_a_loop()))
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(yaml, "dump_all", spy("dump", yaml.dump_all))
    monkeypatch.setattr(
        yaml.composer.Composer,
        "compose_document",
        spy("parse", yaml.composer.Composer.compose_document),
    )
    response = import_(personas, HEADER + "- name: alpha\n")
    assert response.status_code == 200, response.text
    exported = personas.client.get("/api/v1/environments/export", headers=personas.viewer.headers())
    assert exported.status_code == 200, exported.text
    assert {name for name, _ in on_loop} == {"parse", "dump"}
    assert [step for step in on_loop if step[1]] == []


def _running_on_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


# --- the JSON API ----------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900])
def test_metadata_nested_too_deeply_is_a_422_naming_the_field(
    personas: Personas, depth: int
) -> None:
    body = f'{{"name": "deep", "metadata": {{"a": {nested(depth)}}}}}'
    response = personas.client.post(
        "/api/v1/environments",
        content=body,
        headers=personas.admin.headers() | {"Content-Type": "application/json"},
    )
    error = assert_refused(response, "nested too deeply")
    assert error["details"]["fields"][0]["field"] == "metadata"
    assert names(personas) == []


@pytest.mark.parametrize(
    "where",
    [
        {"healthCheck": {"body": "NESTED"}},
        {"commands": {"restart": {"body": "NESTED"}}},
        {"upgradeConfig": {"versionListBody": "NESTED"}},
    ],
)
def test_a_request_body_nested_too_deeply_is_a_422(
    personas: Personas, where: dict[str, Any]
) -> None:
    body = json.dumps({"name": "deep", **where}).replace('"NESTED"', nested(900))
    response = personas.client.post(
        "/api/v1/environments",
        content=body,
        headers=personas.admin.headers() | {"Content-Type": "application/json"},
    )
    assert_refused(response, "nested too deeply")


def test_a_patch_nested_too_deeply_is_a_422_and_changes_nothing(personas: Personas) -> None:
    created = personas.client.post(
        "/api/v1/environments",
        json={"name": "patched", "metadata": {"team": "a"}},
        headers=personas.admin.headers(),
    )
    assert created.status_code == 201, created.text
    response = personas.client.patch(
        f"/api/v1/environments/{created.json()['id']}",
        content=f'{{"metadata": {{"a": {nested(900)}}}}}',
        headers=personas.admin.headers() | {"Content-Type": "application/json"},
    )
    assert_refused(response, "nested deeper")
    after = personas.client.get(
        f"/api/v1/environments/{created.json()['id']}", headers=personas.viewer.headers()
    )
    assert after.json()["metadata"] == {"team": "a"}


def test_an_environment_over_the_size_cap_is_a_422(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/environments",
        json={"name": "large", "metadata": {"blob": "x" * (300 * 1024)}},
        headers=personas.admin.headers(),
    )
    assert_refused(response, "at most 256 KiB")
    assert names(personas) == []


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ({"healthCheck": {"headers": "HEADERS"}}, "healthCheck.headers"),
        ({"commands": {"restart": {"headers": "HEADERS"}}}, "commands.restart.headers"),
        (
            {"upgradeConfig": {"upgradeCommand": {"headers": "HEADERS"}}},
            "upgradeConfig.upgradeCommand.headers",
        ),
        ({"upgradeConfig": {"versionListHeaders": "HEADERS"}}, "upgradeConfig.versionListHeaders"),
    ],
)
@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "nul\x00here"])
def test_a_header_value_with_a_line_break_is_refused_when_saved(
    personas: Personas, where: dict[str, Any], field: str, value: str
) -> None:
    body = json.loads(json.dumps({"name": "headers", **where}).replace('"HEADERS"', "{}"))
    owner = body
    for key in field.split(".")[:-1]:
        owner = owner[key]
    owner[field.split(".")[-1]] = {"X-Trace": value}
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    error = assert_refused(response, "one line")
    assert error["details"]["field"] == f"{field}.X-Trace"
    assert names(personas) == []


def test_a_header_name_that_is_not_a_token_is_refused(personas: Personas) -> None:
    response = personas.client.post(
        "/api/v1/environments",
        json={"name": "headers", "healthCheck": {"headers": {"X-A\r\nX-B": "1"}}},
        headers=personas.admin.headers(),
    )
    assert_refused(response, "not a header name")


def test_an_import_or_patch_with_a_line_break_in_a_header_is_refused(
    personas: Personas,
) -> None:
    text = HEADER + '- name: alpha\n  healthCheck:\n    headers:\n      X-Trace: "a\\r\\nb"\n'
    assert_refused(import_(personas, text), "one line")
    created = personas.client.post(
        "/api/v1/environments",
        json={"name": "beta", "healthCheck": {"headers": {"X-Trace": "ok"}}},
        headers=personas.admin.headers(),
    )
    assert created.status_code == 201, created.text
    patched = personas.client.patch(
        f"/api/v1/environments/{created.json()['id']}",
        json={"healthCheck": {"headers": {"X-Trace": "a\nb"}}},
        headers=personas.admin.headers(),
    )
    assert_refused(patched, "one line")
    assert names(personas) == ["beta"]
