"""Outbound requests never reach cloud metadata or link-local addresses unless allowed.

The guard judges the address a connection would go to: literal or resolved, first hop or
redirect. Health checks, HTTP commands, version lists and SSH all go through it; loopback and
private networks stay reachable.
"""

import ipaddress
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from fastapi.testclient import TestClient

from envdeck.adapters.outbound_http import OutboundBlocked, OutboundHttp
from envdeck.adapters.ssh import PoolSettings, SshPool
from envdeck.adapters.ssrf_guard import BlockedDestination, SsrfGuard
from envdeck.app import create_app
from envdeck.config import Settings, load_settings
from envdeck.domain.commands import HostKeyInfo
from envdeck.domain.environment import HostKeyPolicy
from tests.integration.conftest import Personas
from tests.support import sshd as ssh_servers
from tests.support.sshd import AsyncsshServer
from tests.support.targets import Target

ssh_account = ssh_servers.ssh_account
asyncssh_server = ssh_servers.asyncssh_server

METADATA_URL = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    running = Target().start()
    yield running
    running.stop()


# --- which addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "169.254.0.1",
        "169.254.170.2",  # ECS task credentials
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:169.254.169.254",  # the IPv4 address, spelled as IPv6
    ],
)
def test_link_local_and_metadata_addresses_are_refused(address: str) -> None:
    assert SsrfGuard().refusal(address) == "a link-local or cloud metadata address"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.10", "93.184.216.34", "fd00::1"],
)
def test_loopback_private_and_public_addresses_are_allowed(address: str) -> None:
    assert SsrfGuard().refusal(address) is None


def test_the_configuration_allows_and_refuses_more(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        ENVDECK_OUTBOUND__ALLOWED_NETWORKS="169.254.10.0/24",
        ENVDECK_OUTBOUND__BLOCKED_NETWORKS="10.0.0.0/8, 2001:db8::/32",
    )
    guard = SsrfGuard.from_settings(settings.outbound)
    assert guard.refusal("169.254.10.5") is None
    assert guard.refusal("169.254.169.254") is not None
    assert "10.0.0.0/8" in (guard.refusal("10.9.9.9") or "")
    assert guard.refusal("2001:db8::1") is not None
    assert guard.refusal("192.168.0.1") is None
    everything = SsrfGuard.from_settings(
        make_settings(ENVDECK_OUTBOUND__ALLOW_LINK_LOCAL="true").outbound
    )
    assert everything.refusal("169.254.169.254") is None


async def test_check_url_and_check_host_resolve_before_judging() -> None:
    guard = SsrfGuard()
    with pytest.raises(BlockedDestination) as refused:
        await guard.check_url(METADATA_URL)
    assert refused.value.status == 422
    assert refused.value.details == {"host": "169.254.169.254", "address": "169.254.169.254"}
    assert "outbound.allowLinkLocal" in refused.value.message
    # A name the resolver maps to the metadata address (here the decimal spelling of it).
    with pytest.raises(BlockedDestination) as by_name:
        await guard.check_host("2852039166")
    assert by_name.value.address == "169.254.169.254"
    with pytest.raises(BlockedDestination):
        await guard.check_url("json://[fd00:ec2::254]:8080/hook")
    for allowed in ("json://127.0.0.1:9/hook", "http://localhost/", "mailto://user@example"):
        await guard.check_url(allowed)
    await guard.check_host("no-such-host.invalid")  # unresolvable: the sender will say so


# --- the shared HTTP client --------------------------------------------------------------------


class FixedDns(AbstractResolver):
    """Answers every name with the given addresses, as a DNS server would."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.addresses
        ]

    async def close(self) -> None:
        return None


def client(
    resolver: AbstractResolver | None = None, guard: SsrfGuard | None = None
) -> OutboundHttp:
    return OutboundHttp(
        max_connections=10, max_body_bytes=65536, max_redirects=5, guard=guard, resolver=resolver
    )


@pytest.mark.parametrize(
    "url", [METADATA_URL, "http://[fd00:ec2::254]/latest", "http://[::ffff:a9fe:a9fe]/"]
)
async def test_a_literal_metadata_address_is_refused(url: str) -> None:
    http = client()
    try:
        with pytest.raises(OutboundBlocked) as refused:
            await http.request("GET", url, timeout=5)
    finally:
        await http.close()
    assert refused.value.kind == "blocked"
    assert refused.value.message.startswith("refused: ")


async def test_a_name_that_resolves_to_the_metadata_address_is_refused(target: Target) -> None:
    http = client(FixedDns("169.254.169.254"))
    try:
        with pytest.raises(OutboundBlocked) as refused:
            await http.request("GET", f"http://metadata.internal:{target.port}/", timeout=5)
    finally:
        await http.close()
    assert "metadata.internal (169.254.169.254)" in refused.value.message


async def test_a_refused_address_among_others_is_skipped(target: Target) -> None:
    http = client(FixedDns("169.254.169.254", "127.0.0.1"))
    try:
        response = await http.request("GET", f"http://mixed.internal:{target.port}/ok", timeout=5)
    finally:
        await http.close()
    assert response.status == 200


async def test_a_redirect_to_the_metadata_address_is_refused(target: Target) -> None:
    url = target.reply("/to-metadata", redirect_to=METADATA_URL)
    http = client()
    try:
        with pytest.raises(OutboundBlocked):
            await http.request("GET", url, timeout=5)
        # Loopback stays reachable.
        assert (await http.request("GET", target.url("/ok"), timeout=5)).status == 200
    finally:
        await http.close()


async def test_blocked_and_allowed_networks_apply_to_the_client(target: Target) -> None:
    # Loopback stands in for a network an installation refuses, then lets through again.
    loopback = ipaddress.ip_network("127.0.0.0/8")
    refusing = client(guard=SsrfGuard(blocked_networks=[loopback]))
    allowing = client(
        guard=SsrfGuard(
            blocked_networks=[loopback], allowed_networks=[ipaddress.ip_network("127.0.0.1/32")]
        )
    )
    try:
        with pytest.raises(OutboundBlocked) as refused:
            await refusing.request("GET", target.url("/ok"), timeout=5)
        assert "outbound.blockedNetworks" in refused.value.message
        assert (await allowing.request("GET", target.url("/ok"), timeout=5)).status == 200
    finally:
        await refusing.close()
        await allowing.close()


# --- through the API: health checks, version lists, HTTP commands, SSH -------------------------


def test_a_health_check_of_the_metadata_address_fails_with_the_reason(
    personas: Personas,
) -> None:
    response = personas.client.post(
        "/api/v1/health-checks/test",
        json={"healthCheck": {"enabled": True, "endpoint": METADATA_URL, "timeout": 5}},
        headers=personas.admin.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["health"] == "unhealthy"
    assert response.json()["message"].startswith("refused: 169.254.169.254 is a link-local")


def test_a_version_list_on_the_metadata_address_is_refused(personas: Personas) -> None:
    env = _create(
        personas,
        {
            "name": "versions-at-metadata",
            "upgradeConfig": {
                "enabled": True,
                "type": "http",
                "versionListURL": METADATA_URL,
                "jsonPathResponse": "$.versions[*]",
                "upgradeCommand": {"url": "http://127.0.0.1:9/upgrade/{VERSION}", "method": "POST"},
            },
        },
    )
    response = personas.client.get(
        f"/api/v1/environments/{env['id']}/versions", headers=personas.admin.headers()
    )
    assert response.status_code == 502, response.text
    assert "refused: 169.254.169.254" in response.json()["error"]["message"]


def test_an_http_command_to_the_metadata_address_fails_the_operation(
    personas: Personas,
) -> None:
    env = _create(
        personas,
        {
            "name": "restart-at-metadata",
            "commands": {"type": "http", "restart": {"enabled": True, "url": METADATA_URL}},
        },
    )
    started = personas.client.post(
        f"/api/v1/environments/{env['id']}/restart", headers=personas.admin.headers()
    )
    assert started.status_code == 202, started.text
    operation = _finished(personas, started.json()["operationId"])
    assert operation["status"] == "failed"
    assert "refused: 169.254.169.254" in operation["error"]["message"]


def test_an_ssh_target_on_the_metadata_address_is_refused(personas: Personas) -> None:
    credential = personas.client.post(
        "/api/v1/credentials",
        json={"name": "pw", "type": "password", "username": "root", "secret": "pw-12345678"},
        headers=personas.admin.headers(),
    )
    assert credential.status_code == 201, credential.text
    env = _create(
        personas,
        {
            "name": "ssh-at-metadata",
            "target": {"host": "169.254.169.254", "port": 22},
            "credentials": {
                "type": "password",
                "username": "root",
                "keyId": credential.json()["id"],
            },
        },
    )
    response = personas.client.post(
        f"/api/v1/environments/{env['id']}/test-connection", headers=personas.admin.headers()
    )
    assert response.status_code == 502, response.text
    error = response.json()["error"]
    assert error["code"] == "SSH_CONNECT_FAILED"
    assert error["message"].startswith("refused: 169.254.169.254 is a link-local")


async def test_an_ssh_connection_goes_to_the_address_the_guard_checked(
    asyncssh_server: AsyncsshServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name answers loopback to the guard's lookup, then the metadata
    address. The connection goes to the checked address, and the name is looked up once."""
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebinding.test":
            lookups.append(host)
            host = "127.0.0.1" if len(lookups) == 1 else "169.254.169.254"
        return real_getaddrinfo(host, port, *args, **kwargs)

    # No resolver here can change its answer on cue: the lookup is the one stand-in.
    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    await _connect_through_the_guard(asyncssh_server, "rebinding.test")
    assert lookups == ["rebinding.test"]


async def test_an_ssh_connection_tries_the_next_checked_address_when_one_refuses(
    asyncssh_server: AsyncsshServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a connect by name would: localhost is ::1 and 127.0.0.1, and sshd may listen on one."""
    real_getaddrinfo = socket.getaddrinfo

    def two_addresses(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "two-addresses.test":  # 127.0.0.2 refuses: the server listens on 127.0.0.1
            return [
                *real_getaddrinfo("127.0.0.2", port, *args, **kwargs),
                *real_getaddrinfo("127.0.0.1", port, *args, **kwargs),
            ]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    info = await _connect_through_the_guard(asyncssh_server, "two-addresses.test")
    assert info.public_key == asyncssh_server.host_key_line


async def _connect_through_the_guard(server: AsyncsshServer, host: str) -> HostKeyInfo:
    """Connect to the in-process SSH server by the name host, as a guarded pool does."""
    target = replace(server.target(HostKeyPolicy.PIN, server.host_key_line), host=host)
    pool = SshPool(PoolSettings(connect_timeout=3), guard=SsrfGuard())
    try:
        connection, info = await pool.connect(target, server.password_credential())
        connection.close()
    finally:
        await pool.close()
    return info


def _create(personas: Personas, body: dict[str, Any]) -> dict[str, Any]:
    response = personas.client.post(
        "/api/v1/environments", json=body, headers=personas.admin.headers()
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _finished(personas: Personas, operation_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        body: dict[str, Any] = personas.client.get(
            f"/api/v1/operations/{operation_id}", headers=personas.admin.headers()
        ).json()
        if body["status"] not in {"pending", "running"} or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_networks_parse_as_the_configuration_does(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "ENVDECK_DATA_DIR": str(tmp_path),
            "ENVDECK_OUTBOUND__BLOCKED_NETWORKS": "100.100.100.200/32",
        }
    )
    assert settings.outbound.blocked_networks == [ipaddress.ip_network("100.100.100.200/32")]


def test_a_notification_webhook_on_the_metadata_address_is_refused(personas: Personas) -> None:
    created = personas.client.post(
        "/api/v1/notifications/channels",
        json={
            "name": "metadata hook",
            "url": "json://169.254.169.254/latest/meta-data",
            "events": ["environment.unhealthy"],
            "scope": {"kind": "all"},
        },
        headers=personas.admin.headers(),
    )
    assert created.status_code == 201, created.text
    tested = personas.client.post(
        f"/api/v1/notifications/channels/{created.json()['id']}/test",
        headers=personas.admin.headers(),
    )
    assert tested.status_code == 200, tested.text
    assert tested.json()["status"] == "failed"
    assert "link-local or cloud metadata address" in tested.json()["error"]


# --- cloud metadata outside link-local; notifications, redirects included ----------------------


@pytest.mark.parametrize("address", ["100.100.100.200", "168.63.129.16", "fd00:ec2::254"])
async def test_cloud_metadata_addresses_outside_link_local_are_refused(address: str) -> None:
    assert SsrfGuard().refusal(address) == "a link-local or cloud metadata address"
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(BlockedDestination):  # judged as a literal: nothing is sent there
        await SsrfGuard().check_url(f"http://{host}/latest/meta-data/")
    assert SsrfGuard(allowed_networks=[ipaddress.ip_network(address)]).refusal(address) is None


class TargetOn(Target):
    """A Target listening on another loopback address (127.0.0.2 stands for a refused host)."""

    def __init__(self, host: str) -> None:
        super().__init__()
        self.host = host

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    async def _open_site(self, port: int) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, self.host, port, reuse_address=True)
        await self._site.start()


@pytest.fixture
def refused_host() -> Iterator[TargetOn]:
    running = TargetOn("127.0.0.2").start()
    yield running
    running.stop()


@pytest.fixture
def refusing_personas(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """The app with 127.0.0.2 refused (outbound.blockedNetworks), and its admin's headers."""
    settings = make_settings(ENVDECK_OUTBOUND__BLOCKED_NETWORKS="127.0.0.2/32")
    with TestClient(create_app(settings, serve_ui=False), raise_server_exceptions=False) as app:
        setup = app.post(
            "/api/v1/setup",
            json={
                "token": (settings.data_dir / "setup_token").read_text().strip(),
                "username": "admin",
                "password": "quartz-lantern-orbit-91",
            },
        )
        assert setup.status_code == 201, setup.text
        app.headers["Authorization"] = f"Bearer {setup.json()['token']}"
        yield app


def _test_channel(app: TestClient, url: str) -> dict[str, Any]:
    created = app.post(
        "/api/v1/notifications/channels",
        json={"name": "hook", "url": url, "events": ["environment.unhealthy"]},
    )
    assert created.status_code == 201, created.text
    tested = app.post(f"/api/v1/notifications/channels/{created.json()['id']}/test")
    assert tested.status_code == 200, tested.text
    result: dict[str, Any] = tested.json()
    return result


def test_a_notification_webhook_that_redirects_to_a_refused_address_is_refused(
    refusing_personas: TestClient, target: Target, refused_host: TargetOn
) -> None:
    hidden = refused_host.reply("/internal")
    target.reply("/hook-redirect", redirect_to=hidden)
    result = _test_channel(refusing_personas, f"json://127.0.0.1:{target.port}/hook-redirect")
    assert target.stats_of("/hook-redirect").requests == 1  # the webhook itself is reachable
    assert refused_host.stats_of("/internal").requests == 0  # its redirect went nowhere
    assert result["status"] == "failed"
    assert "refused: 127.0.0.2 is in a refused network" in result["error"]


def test_every_notification_service_connects_through_the_guard(
    refusing_personas: TestClient, refused_host: TargetOn
) -> None:
    """Not only generic webhooks: ntfy (like gotify, matrix, mailto…) connects to a host the URL
    names, and that connection is judged as it is made."""
    result = _test_channel(refusing_personas, f"ntfy://127.0.0.2:{refused_host.port}/alerts")
    assert refused_host.stats_of("/alerts").requests == 0
    assert result["status"] == "failed"
    # The host is part of the channel's URL, which errors never quote.
    assert result["error"].startswith("refused: **** is in a refused network")
