"""The last processor before a log line is rendered masks secrets, whatever logged them."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from envdeck.config import LogSettings
from envdeck.logsetup import MASK, configure_logging, is_secret_key, redact_secrets, redact_text


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_password",
        "passphrase",
        "privateKey",
        "private_key",
        "token",
        "setup_token",
        "access_token",
        "api_key",
        "apiKey",
        "secret",
        "client_secret",
        "authorization",
        "Authorization",
        "cookie",
        "Set-Cookie",
        "channel_url",
        "appriseUrl",
        "webhook_url",
        "password_hash",
        "jwt",
    ],
)
def test_keys_that_name_a_secret_are_masked(key: str) -> None:
    assert is_secret_key(key)
    assert redact_secrets(None, "info", {"event": "x", key: "s3cr3t-value"})[key] == MASK


@pytest.mark.parametrize(
    "key",
    ["token_id", "tokenName", "token_prefix", "credential_id", "username", "url", "path", "event"],
)
def test_keys_that_describe_a_secret_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert redact_secrets(None, "info", {"event": "x", key: "visible"})[key] == "visible"


def test_a_notification_channel_url_is_masked_next_to_its_channel() -> None:
    event = {"event": "notification_failed", "channel": "Ops", "url": "slack://a/b/c"}
    assert redact_secrets(None, "warning", event)["url"] == MASK
    assert redact_secrets(None, "info", {"event": "x", "url": "https://ok"})["url"] == "https://ok"


def test_nested_values_are_masked() -> None:
    event = {"event": "x", "details": {"headers": {"Authorization": "Bearer abc.def.ghi"}}}
    assert redact_secrets(None, "info", event)["details"]["headers"]["Authorization"] == MASK


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("cannot reach mongodb://app:hunter2-pw@db:27017/envdeck", "hunter2-pw"),
        ("sent Authorization: Bearer abc123def456ghi", "abc123def456ghi"),
        ("header Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("token edk_AbCdEf0123456789xyz was used", "edk_AbCdEf0123456789xyz"),
        (
            "got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl back",
            "eyJzdWIiOiJ4In0",
        ),
        ("GET /ws?token=abcdef123456&x=1", "abcdef123456"),
        ("json://host/hook?password=pw-123456", "pw-123456"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n"
            "-----END OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXktdjEAAAA",
        ),
    ],
)
def test_secrets_inside_text_are_masked(text: str, secret: str) -> None:
    assert secret not in redact_text(text)


def test_ordinary_text_is_left_alone() -> None:
    for text in (
        "Uvicorn running on http://127.0.0.1:8080 (Press CTRL+C to quit)",
        "basic authentication failed for the token holder",
        "sort key=name",
    ):
        assert redact_text(text) == text


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """configure_logging with JSON output, its handler's stream swapped for a buffer."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()
    yield buffer
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


def _configure(captured: io.StringIO, level: str) -> None:
    configure_logging(LogSettings(level=level, format="json"))  # type: ignore[arg-type]
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(captured)


def test_the_level_comes_from_the_configuration(captured: io.StringIO) -> None:
    _configure(captured, "warning")
    log = structlog.get_logger("envdeck.test")
    log.info("quiet_event")
    log.warning("loud_event")
    logging.getLogger("uvicorn.error").info("uvicorn info")
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["loud_event"]


def test_exceptions_and_library_lines_are_rendered_as_json_and_masked(
    captured: io.StringIO,
) -> None:
    _configure(captured, "info")
    log = structlog.get_logger("envdeck.test")
    try:
        raise RuntimeError("failed for mongodb://app:tb-secret-991@db/envdeck")
    except RuntimeError:
        log.exception("storage_failed", password="pw-secret-992")
    logging.getLogger("uvicorn.error").warning("peer sent Bearer tb-token-993.abc")
    output = captured.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert next(line["event"] for line in lines) == "storage_failed"
    assert "RuntimeError" in lines[0]["exception"]
    for secret in ("tb-secret-991", "pw-secret-992", "tb-token-993"):
        assert secret not in output
