"""What `envdeck reserve` makes of each error answer: one line and the exit status a pipeline
reads (the commands themselves run against a live server in tests/integration)."""

from typing import Any

import httpx
import pytest

from envdeck.cli_reserve import NONE_AVAILABLE, REFUSED, UNAVAILABLE, refusal_of


def envelope(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def test_none_available_says_when_the_next_one_frees_up() -> None:
    body = envelope(
        "NONE_AVAILABLE", "no matching environment is free", {"nextFreeAt": "2026-12-07T19:00:00Z"}
    )
    refusal = refusal_of(httpx.Response(409, json=body))
    assert refusal.exit_code == NONE_AVAILABLE
    assert refusal.message == (
        "no matching environment is free; the next one frees up at 2026-12-07T19:00:00Z"
    )


def test_none_available_without_a_next_says_none_is_due_to_end() -> None:
    body = envelope("NONE_AVAILABLE", "no matching environment is free", {"nextFreeAt": None})
    refusal = refusal_of(httpx.Response(409, json=body))
    assert refusal.exit_code == NONE_AVAILABLE
    assert "no reservation of a matching environment is due to end" in refusal.message


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (401, "UNAUTHORIZED", "invalid token"),
        (403, "FORBIDDEN", "viewers cannot reserve"),
        (404, "NOT_FOUND", "reservation not found"),
        (409, "RESERVED", "qa-3 is reserved by alice until 2026-12-07T19:00:00Z"),
        (422, "VALIDATION_ERROR", "invalid request: duration: invalid duration 'soon'"),
    ],
)
def test_a_refusal_is_its_message_and_status_with_exit_2(
    status: int, code: str, message: str
) -> None:
    refusal = refusal_of(httpx.Response(status, json=envelope(code, message)))
    assert refusal.exit_code == REFUSED
    assert refusal.message == f"{message} (HTTP {status})"


def test_a_message_over_several_lines_is_printed_on_one() -> None:
    body = envelope("VALIDATION_ERROR", "invalid request:\n  purpose: too long\n  end: missing")
    refusal = refusal_of(httpx.Response(422, json=body))
    assert refusal.message == "invalid request: purpose: too long end: missing (HTTP 422)"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, json=envelope("INTERNAL_ERROR", "internal error")),
        httpx.Response(503, json=envelope("UNAVAILABLE", "storage is unavailable")),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(429, json=envelope("RATE_LIMITED", "too many requests")),
    ],
)
def test_a_server_failure_or_too_many_requests_is_exit_4(response: httpx.Response) -> None:
    refusal = refusal_of(response)
    assert refusal.exit_code == UNAVAILABLE
    assert refusal.message.endswith("try again later")


def test_an_answer_that_is_not_envdecks_asks_whether_the_url_is_right() -> None:
    refusal = refusal_of(httpx.Response(404, text="<html>Not Found</html>"))
    assert refusal.exit_code == REFUSED
    assert refusal.message == (
        "the server answered 404, not as Envdeck does: is --url the Envdeck server?"
    )


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, json=envelope("NOT_FOUND", "no such route")),
        httpx.Response(405, json=envelope("METHOD_NOT_ALLOWED", "Method Not Allowed")),
    ],
)
def test_a_url_without_the_reservations_api_is_named(response: httpx.Response) -> None:
    refusal = refusal_of(response)
    assert refusal.exit_code == REFUSED
    assert refusal.message.startswith(
        "no reservations API here: is --url an Envdeck with reservations?"
    )
