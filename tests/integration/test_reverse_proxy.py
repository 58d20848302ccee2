"""Behind a TLS-terminating proxy: X-Forwarded-For is believed from trusted proxies only."""

from pathlib import Path

import httpx
import pytest

from envdeck.config import ConfigError, load_settings
from tests.support.live_app import ADMIN_PASSWORD, LiveApp, set_up_admin

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def failed_login_source(tmp_path: Path, trusted: str | None) -> str:
    """Fail a login through a "proxy" (this test, on 127.0.0.1); return the address logged."""
    environ = {"ENVDECK_DATA_DIR": str(tmp_path / "data"), "ENVDECK_AUTH__BCRYPT_COST": "4"}
    if trusted is not None:
        environ["ENVDECK_SERVER__TRUSTED_PROXIES"] = trusted
    app = LiveApp(load_settings(environ=environ)).start()
    try:
        admin = set_up_admin(app)
        refused = httpx.post(
            f"{app.url}/api/v1/auth/login",
            json={"username": "admin", "password": ADMIN_PASSWORD + "x"},
            headers=FORWARDED,
        )
        assert refused.status_code == 401
        entries = httpx.get(
            f"{app.url}/api/v1/logs",
            params={"action": "login_failed"},
            headers={"Authorization": f"Bearer {admin.token}"},
        ).json()["logs"]
    finally:
        app.stop()
    return str(entries[0]["details"]["clientIp"])


def test_forwarded_headers_are_ignored_by_default(tmp_path: Path) -> None:
    assert failed_login_source(tmp_path, None) == "127.0.0.1"


def test_a_trusted_proxy_passes_on_the_client_address(tmp_path: Path) -> None:
    assert failed_login_source(tmp_path, "127.0.0.1") == "203.0.113.9"


def test_an_untrusted_peer_cannot_claim_another_address(tmp_path: Path) -> None:
    assert failed_login_source(tmp_path, "10.0.0.0/8") == "127.0.0.1"


@pytest.mark.parametrize("proxy", ["nginx", "10.0.0.0/33", "300.1.1.1"])
def test_trusted_proxies_must_be_addresses_or_networks(proxy: str) -> None:
    with pytest.raises(ConfigError, match="trustedProxies"):
        load_settings(environ={"ENVDECK_SERVER__TRUSTED_PROXIES": f"127.0.0.1,{proxy}"})
