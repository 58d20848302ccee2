"""The pure parts of HTTP commands: rendering a configured request, keeping secrets out."""

import pytest

from envdeck.adapters.secret_box import MASK
from envdeck.domain.command_kinds import CommandType, HttpCommand, HttpMethod
from envdeck.domain.environment import CommandConfig, CommandDetails
from envdeck.domain.errors import ValidationFailed
from envdeck.services.inventory.scrubbing import Scrubber
from envdeck.services.operations.executors.http import (
    _secret_values,
    prepare_request,
)


def test_it_renders_the_version_into_url_and_body() -> None:
    spec = HttpCommand(
        url="https://deploy.example.com/apps/shop/{VERSION}?note=a b",
        method=HttpMethod.PUT,
        headers={"X-Version": "{VERSION}"},
        body={"version": "{VERSION}", "keep": True},
    )
    request = prepare_request(spec, "1.0+rc~1")
    assert request.method == "PUT"
    assert request.url == "https://deploy.example.com/apps/shop/1.0%2Brc~1?note=a b"
    assert request.headers == {"X-Version": "1.0+rc~1"}
    assert request.body == {"version": "1.0+rc~1", "keep": True}


def test_a_restart_url_is_used_as_configured() -> None:
    config = CommandConfig(
        type=CommandType.HTTP,
        restart=CommandDetails(enabled=True, url="http://10.0.0.5:8080/restart"),  # type: ignore[arg-type]
    )
    spec = config.command()
    assert isinstance(spec, HttpCommand)
    assert spec.url == "http://10.0.0.5:8080/restart"
    assert prepare_request(spec, None).body is None


def test_a_command_without_a_url_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="no URL is configured"):
        prepare_request(HttpCommand(), "1.0")


@pytest.mark.parametrize(
    "version",
    ["1.0;reboot", "$(id)", "1.0\n", "../1.0", "1.0 2.0", "-rf", "\uff11.\uff10", "x" * 200],
)
def test_a_hostile_version_is_refused_before_rendering(version: str) -> None:
    spec = HttpCommand(url="https://h.example/{VERSION}", body={"v": "{VERSION}"})
    with pytest.raises(ValidationFailed, match="invalid version"):
        prepare_request(spec, version)


def test_a_placeholder_in_the_host_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="path, query or fragment only"):
        prepare_request(HttpCommand(url="https://{VERSION}.example.com/"), "1.0")


def test_an_upgrade_placeholder_needs_a_version() -> None:
    with pytest.raises(ValidationFailed, match="a version is required"):
        prepare_request(HttpCommand(url="https://h.example/{VERSION}"), None)


def test_secret_values_are_secret_headers_and_the_url_password() -> None:
    found = _secret_values(
        {"Authorization": "Bearer abcdef123", "X-Api-Key": "k-1234", "Accept": "json"},
        "https://deploy:pa55%40word@h.example/x",
    )
    assert set(found) == {"Bearer abcdef123", "k-1234", "pa55@word"}


def test_what_a_request_carries_is_scrubbed_with_the_credential_alone() -> None:
    found = _secret_values({"Authorization": "Bearer abcdef123", "X-Api-Key": "k-1234"}, "")
    text = "auth=Bearer abcdef123 token=abcdef123 key=k-1234"
    assert Scrubber(found).scrub(text) == f"auth={MASK} token={MASK} key={MASK}"
