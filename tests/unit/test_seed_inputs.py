"""The seed's input forms, where the logic is pure: a health check endpoint given as a path,
the password reset's `newPassword`, and a token sent without `Bearer `."""

import json

import pytest
from pydantic import ValidationError
from starlette.requests import Request

from envdeck.api.deps import BearerOrBareToken
from envdeck.api.routes.users import PasswordReset
from envdeck.domain.environment import Environment, HealthCheckConfig, resolve_endpoint
from envdeck.services.realtime.protocol import environment_frame


class TestResolveEndpoint:
    @pytest.mark.parametrize(
        ("endpoint", "base", "url"),
        [
            ("/health", "http://shop:8001", "http://shop:8001/health"),
            ("/health", "http://shop:8001/", "http://shop:8001/health"),
            ("health", "https://shop.example/app", "https://shop.example/app/health"),
            ("//health", "https://shop.example/app//", "https://shop.example/app/health"),
            ("/", "https://shop.example/app/", "https://shop.example/app"),
            ("/status?full=1", "http://shop", "http://shop/status?full=1"),
        ],
    )
    def test_joins_a_path_to_the_base_with_one_slash(
        self, endpoint: str, base: str, url: str
    ) -> None:
        assert resolve_endpoint(endpoint, base) == url

    def test_uses_a_value_with_a_scheme_as_it_is(self) -> None:
        url = "https://other.example:8443/ping?x=1"
        assert resolve_endpoint(url, "http://shop") == url
        assert resolve_endpoint(url, None) == url

    def test_refuses_a_path_without_a_base_saying_why(self) -> None:
        for base in (None, ""):
            with pytest.raises(ValueError, match=r"'/health' is a path.*environmentURL"):
                resolve_endpoint("/health", base)

    def test_refuses_what_is_no_http_url(self) -> None:
        with pytest.raises(ValueError, match="not a valid http"):
            resolve_endpoint("ftp://files.example/health", None)
        with pytest.raises(ValueError, match="not a valid http"):
            resolve_endpoint("/health", "mailto:ops@example.com")


class TestHealthCheckEndpoint:
    def test_a_path_is_stored_as_given(self) -> None:
        assert HealthCheckConfig(endpoint="health/live").endpoint == "health/live"

    def test_a_url_is_normalised_as_before(self) -> None:
        assert HealthCheckConfig(endpoint="http://shop:8001").endpoint == "http://shop:8001/"

    def test_an_empty_endpoint_is_no_endpoint(self) -> None:
        assert HealthCheckConfig(endpoint="  ").endpoint is None

    def test_control_characters_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="control characters"):
            HealthCheckConfig(endpoint="/health\n")

    def test_the_shown_resolved_endpoint_is_ignored_on_input(self) -> None:
        config = HealthCheckConfig.model_validate(
            {"endpoint": "/health", "resolvedEndpoint": "http://elsewhere/"}
        )
        assert "resolvedEndpoint" not in config.model_dump(by_alias=True)


class TestEnvironmentEndpoint:
    def test_an_environment_resolves_its_path(self) -> None:
        env = Environment(
            name="shop", environmentURL="http://shop:8001", healthCheck={"endpoint": "/health"}
        )
        assert env.health_check_url() == "http://shop:8001/health"

    def test_a_path_without_environment_url_is_refused_on_the_health_check(self) -> None:
        with pytest.raises(ValidationError) as caught:
            Environment(name="shop", healthCheck={"endpoint": "/health"})
        (error,) = caught.value.errors()
        assert error["loc"] == ("healthCheck",)
        assert "is a path" in error["msg"]

    def test_no_endpoint_resolves_to_none(self) -> None:
        assert Environment(name="shop").health_check_url_or_none() is None

    def test_environment_update_frames_show_the_resolved_endpoint(self) -> None:
        env = Environment(
            name="shop", environmentURL="http://shop:8001/", healthCheck={"endpoint": "/health"}
        )
        payload = json.loads(environment_frame("updated", env).text)["payload"]
        assert payload["environment"]["healthCheck"]["resolvedEndpoint"] == (
            "http://shop:8001/health"
        )


class TestPasswordReset:
    def test_takes_password_or_new_password(self) -> None:
        assert PasswordReset.model_validate({"password": "a-b-c"}).chosen == "a-b-c"
        assert PasswordReset.model_validate({"newPassword": "d-e-f"}).chosen == "d-e-f"
        assert PasswordReset.model_validate({"password": "x", "newPassword": "x"}).chosen == "x"

    @pytest.mark.parametrize("body", [{}, {"password": "one", "newPassword": "two"}])
    def test_refuses_none_or_two_different(self, body: dict[str, str]) -> None:
        with pytest.raises(ValidationError, match="once"):
            PasswordReset.model_validate(body)


def request_with(authorization: str | None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


class TestBearerOrBareToken:
    @pytest.mark.parametrize(
        ("authorization", "token"),
        [
            ("Bearer abc.def.ghi", "abc.def.ghi"),
            ("bearer abc.def.ghi", "abc.def.ghi"),
            ("abc.def.ghi", "abc.def.ghi"),
            ("  edk_0123456789  ", "edk_0123456789"),
            ("Basic YWRtaW46cHc=", None),
            ("", None),
            (None, None),
        ],
    )
    async def test_reads_the_token(self, authorization: str | None, token: str | None) -> None:
        credentials = await BearerOrBareToken(auto_error=False)(request_with(authorization))
        assert (None if credentials is None else credentials.credentials) == token
