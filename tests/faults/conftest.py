"""The fault-injection suite: the real app, real storage, real targets, and something broken.

Each test breaks one dependency the way it breaks in production, then checks two things: the
failure ends in a clear error (a status, a code, a message a person understands), and the state
left behind is consistent (nothing lost, nothing stuck, the next request works).
"""

from pathlib import Path
from typing import Any

import httpx

from envdeck.config import Settings
from tests.support.live_app import Account, LiveApp, admin_fixture, app_settings


def fault_settings(data_dir: Path, **environ: str) -> Settings:
    """Settings for a live app under faults: cheap bcrypt, quick flushes, warnings only."""
    base = {
        "ENVDECK_LOG__LEVEL": "warning",
        "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
        "ENVDECK_OPERATIONS__OUTPUT_FLUSH_INTERVAL": "200ms",
    }
    return app_settings(data_dir, **(base | environ))


# The first admin of the module's live app (each module starts its own `live`).
admin = admin_fixture()


def api(live: LiveApp, admin: Account, method: str, path: str, **kwargs: Any) -> Any:
    """Call the live app's API as admin; return the JSON body (None when empty)."""
    response = httpx.request(
        method,
        f"{live.url}/api/v1{path}",
        headers={"Authorization": f"Bearer {admin.token}"},
        timeout=30,
        **kwargs,
    )
    assert response.status_code < 300, response.text
    return response.json() if response.content else None
