"""The security suite reuses the other tiers' fixtures: the in-process app with its personas
(integration) and the real server with Chromium (e2e)."""

from tests.e2e.conftest import admin, browser, server
from tests.integration.conftest import client, make_settings, personas

__all__ = ["admin", "browser", "client", "make_settings", "personas", "server"]
