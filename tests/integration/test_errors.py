"""Every error, whatever its cause, is the JSON envelope (DESIGN §5) with no traceback."""

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator

import pytest
from fastapi import Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

import envdeck.domain
from envdeck.app import API_PREFIX, create_app
from envdeck.config import Settings
from envdeck.domain.environment import Environment
from envdeck.domain.errors import Conflict, EnvdeckError
from envdeck.domain.log import ActivityLogUnavailable
from envdeck.domain.maintenance import MaintenanceWindowNotFound
from envdeck.domain.notification import NotificationChannelNotFound


class Probe(BaseModel):
    name: str = Field(min_length=1)
    port: int = Field(ge=1, le=65535)


@pytest.fixture
def probe_client(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """The real app plus a few routes that fail in each way a real route can."""
    app = create_app(make_settings(), serve_ui=False)

    @app.post(f"{API_PREFIX}/probe")
    async def probe(body: Probe, limit: int = Query(default=10, ge=1, le=200)) -> Probe:
        return body

    @app.get(f"{API_PREFIX}/probe/conflict")
    async def conflict() -> None:
        raise Conflict("an operation is already running", details={"operationId": "abc"})

    @app.get(f"{API_PREFIX}/probe/model")
    async def model() -> None:
        Environment(name="not a valid name")

    @app.get(f"{API_PREFIX}/probe/crash")
    async def crash() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def assert_envelope(response: object, status: int, code: str) -> dict[str, object]:
    assert getattr(response, "status_code") == status  # noqa: B009
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert isinstance(body["error"]["details"], dict)
    return body["error"]  # type: ignore[no-any-return]


def test_unknown_api_route_is_a_json_404(client: TestClient) -> None:
    assert_envelope(client.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")
    assert_envelope(client.get("/api/nothing"), 404, "NOT_FOUND")


def test_wrong_method_is_a_json_405(client: TestClient) -> None:
    response = client.delete("/api/v1/health")
    assert_envelope(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


def test_request_validation_names_each_field(probe_client: TestClient) -> None:
    response = probe_client.post(f"{API_PREFIX}/probe?limit=0", json={"name": "", "port": 70000})
    error = assert_envelope(response, 422, "VALIDATION_ERROR")
    fields = {f["field"]: f for f in error["details"]["fields"]}  # type: ignore[index]
    assert set(fields) == {"limit", "name", "port"}
    assert fields["limit"]["in"] == "query"
    assert fields["port"]["in"] == "body"


def test_malformed_json_is_a_validation_error(probe_client: TestClient) -> None:
    response = probe_client.post(
        f"{API_PREFIX}/probe", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_envelope(response, 422, "VALIDATION_ERROR")


def test_domain_errors_keep_their_code_and_details(probe_client: TestClient) -> None:
    error = assert_envelope(probe_client.get(f"{API_PREFIX}/probe/conflict"), 409, "CONFLICT")
    assert error["details"] == {"operationId": "abc"}


def test_unexpected_exceptions_are_a_500_without_internals(probe_client: TestClient) -> None:
    response = probe_client.get(f"{API_PREFIX}/probe/crash")
    error = assert_envelope(response, 500, "INTERNAL_ERROR")
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert error["message"] == "internal error"


def test_a_domain_model_refusing_input_is_a_validation_error(probe_client: TestClient) -> None:
    error = assert_envelope(probe_client.get(f"{API_PREFIX}/probe/model"), 422, "VALIDATION_ERROR")
    assert error["details"]["fields"][0]["field"] == "name"  # type: ignore[index]


def test_every_error_of_the_domain_is_in_the_one_hierarchy() -> None:
    errors = [
        cls
        for info in pkgutil.iter_modules(envdeck.domain.__path__)
        for _, cls in inspect.getmembers(
            importlib.import_module(f"envdeck.domain.{info.name}"), inspect.isclass
        )
        if issubclass(cls, BaseException) and cls.__module__.startswith("envdeck.domain.")
    ]
    assert NotificationChannelNotFound in errors
    assert [cls for cls in errors if not issubclass(cls, EnvdeckError)] == []


@pytest.mark.parametrize(
    ("error", "status", "code", "headers"),
    [
        (NotificationChannelNotFound(), 404, "NOT_FOUND", {}),
        (MaintenanceWindowNotFound(), 404, "NOT_FOUND", {}),
        (ActivityLogUnavailable(3, 100_000), 503, "UNAVAILABLE", {"retry-after": "3"}),
    ],
)
def test_errors_of_each_domain_answer_with_their_class_code_and_status(
    make_settings: Callable[..., Settings],
    error: EnvdeckError,
    status: int,
    code: str,
    headers: dict[str, str],
) -> None:
    app = create_app(make_settings(), serve_ui=False)

    @app.get(f"{API_PREFIX}/probe/error")
    async def fail() -> None:
        raise error

    with TestClient(app) as client:
        response = client.get(f"{API_PREFIX}/probe/error")
    assert assert_envelope(response, status, code)["message"] == error.message
    assert headers.items() <= response.headers.items()
