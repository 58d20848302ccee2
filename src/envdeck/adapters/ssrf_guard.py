"""The SSRF guard: outbound requests never reach cloud metadata or other refused networks.

Envdeck calls URLs and hosts that admins type (health checks, HTTP commands, version lists, SSH
targets, notification channels). On a cloud VM, http://169.254.169.254/ (and fd00:ec2::254)
hands out the instance's credentials to whoever asks from inside: an environment pointed there
would turn Envdeck into a way to read them. So link-local addresses (169.254.0.0/16,
fe80::/10) and fd00:ec2::254 are refused unless `outbound.allowLinkLocal` is on or the address
falls in `outbound.allowedNetworks`; `outbound.blockedNetworks` refuses more. Loopback and
private networks stay allowed: that is where most environments live.

The addresses are what is checked, not the text of the URL: a hostname that resolves to
169.254.169.254, a decimal or IPv4-mapped spelling, a redirect to a refused address. For the
shared aiohttp client this happens inside the connection itself (`resolver()` filters what DNS
returns, `socket_factory` refuses a literal address), so there is no second DNS lookup and no
window between the check and the connection. The SSH pool connects to the addresses
`checked_addresses` returns, never to the name. Libraries that connect and follow redirects by
themselves (Apprise) run inside `connections_guarded()`, which judges each of their socket
connects through Python's audit hook for `socket.connect`; `check_url` / `check_host` refuse
early, before such a library starts.
"""

import asyncio
import contextlib
import contextvars
import ipaddress
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from envdeck.config import OutboundSettings
from envdeck.domain.errors import ValidationFailed

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

LINK_LOCAL_NETWORKS: tuple[IpNetwork, ...] = (
    ipaddress.ip_network("169.254.0.0/16"),  # IPv4 link-local: AWS, GCP, Azure, OpenStack metadata
    ipaddress.ip_network("fe80::/10"),  # IPv6 link-local
    # Cloud metadata services outside the link-local ranges:
    ipaddress.ip_network("fd00:ec2::254/128"),  # AWS's IPv6 metadata endpoint
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba Cloud's metadata service
    ipaddress.ip_network("168.63.129.16/32"),  # Azure's WireServer (platform and extension data)
)
SETTING_HINT = "outbound.allowLinkLocal or outbound.allowedNetworks"


class BlockedDestination(ValidationFailed):
    """An outbound request to a refused address; `address` and `host` say which."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        shown = host if host == address else f"{host} ({address})"
        super().__init__(
            f"refused: {shown} is {reason}; Envdeck does not connect there "
            f"(allow it with {SETTING_HINT})",
            {"host": host, "address": address},
        )
        self.host = host
        self.address = address


class BlockedConnection(OSError):
    """BlockedDestination, as the OSError aiohttp expects from its resolver or socket factory."""

    def __init__(self, blocked: BlockedDestination) -> None:
        super().__init__(blocked.message)
        self.blocked = blocked


class SsrfGuard:
    """Decide which addresses outbound requests may reach."""

    def __init__(
        self,
        *,
        allow_link_local: bool = False,
        allowed_networks: Iterable[IpNetwork] = (),
        blocked_networks: Iterable[IpNetwork] = (),
    ) -> None:
        self.allowed_networks = tuple(allowed_networks)
        self.blocked_networks = tuple(blocked_networks)
        self._link_local = () if allow_link_local else LINK_LOCAL_NETWORKS

    @classmethod
    def from_settings(cls, settings: OutboundSettings) -> "SsrfGuard":
        return cls(
            allow_link_local=settings.allow_link_local,
            allowed_networks=settings.allowed_networks,
            blocked_networks=settings.blocked_networks,
        )

    # --- addresses -----------------------------------------------------------------------------

    def refusal(self, address: str | IpAddress) -> str | None:
        """Return why an address is refused (a phrase), or None when it may be reached."""
        ip = _normalise(address)
        if any(ip in network for network in self.allowed_networks if _same_family(ip, network)):
            return None
        for network in self._link_local:
            if _same_family(ip, network) and ip in network:
                return "a link-local or cloud metadata address"
        for network in self.blocked_networks:
            if _same_family(ip, network) and ip in network:
                return f"in a refused network ({network}, outbound.blockedNetworks)"
        return None

    def check_address(self, address: str | IpAddress, host: str | None = None) -> None:
        """Raise BlockedDestination if this IP address is refused."""
        reason = self.refusal(address)
        if reason is not None:
            raise BlockedDestination(host or str(address), str(address), reason)

    # --- for callers that connect by themselves ------------------------------------------------

    async def check_host(self, host: str, port: int = 0) -> None:
        """Raise BlockedDestination if host is, or resolves to any, refused address."""
        await self.checked_addresses(host, port)

    async def checked_addresses(self, host: str, port: int = 0) -> list[str]:
        """Resolve host once and return its addresses, every one checked.

        Connect to these rather than to the name: a second lookup could answer differently
        (DNS rebinding). A literal address is checked as it is. A name that does not resolve
        gives []: the caller's own connection attempt will fail and say so. Raises
        BlockedDestination if any address is refused.
        """
        literal = _literal(host)
        if literal is not None:
            self.check_address(literal, host)
            return [host]
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError):
            return []
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            self.check_address(address, host)
        return addresses

    async def check_url(self, url: str) -> None:
        """Raise BlockedDestination if the URL's host is, or resolves to, a refused address.

        URLs without a host (mailto:, a file path) pass: there is nothing to connect to.
        """
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port or 0
        except ValueError:
            return
        if host:
            await self.check_host(host, port)

    @contextlib.contextmanager
    def connections_guarded(self) -> Iterator[list["BlockedDestination"]]:
        """Refuse every connection to a refused address made inside this block.

        For libraries that connect by themselves and follow redirects by themselves (Apprise,
        through requests, smtplib…): each `socket.connect` made in this context (and in the
        threads that copy it, as Apprise's workers do) is judged by its address, the one DNS
        answered and the one a redirect leads to alike. A refused connect raises
        BlockedConnection (an OSError, as a refused connection would) and is added to the list
        this yields, so the caller can say why its library failed.
        """
        _install_connect_hook()
        scope = _GuardScope(self)
        token = _scope.set(scope)
        try:
            yield scope.refused
        finally:
            _scope.reset(token)

    # --- inside the shared aiohttp client ------------------------------------------------------

    def resolver(self, inner: AbstractResolver | None = None) -> AbstractResolver:
        """Return an aiohttp resolver that drops refused addresses from DNS answers."""
        return GuardedResolver(self, inner or DefaultResolver())

    def socket_factory(self, addr_info: tuple[Any, ...]) -> socket.socket:
        """aiohttp's socket_factory: refuse to open a socket towards a refused address.

        Literal addresses in URLs (redirects included) skip the resolver; this sees them.
        """
        family, type_, proto, _, address = addr_info
        host = str(address[0])
        reason = self.refusal(host)
        if reason is not None:
            raise BlockedConnection(BlockedDestination(host, host, reason))
        return socket.socket(family=family, type=type_, proto=proto)


class GuardedResolver(AbstractResolver):
    """Wrap a resolver: refused addresses are removed; none left is a BlockedConnection."""

    def __init__(self, guard: SsrfGuard, inner: AbstractResolver) -> None:
        self._guard = guard
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        allowed = [answer for answer in answers if self._guard.refusal(answer["host"]) is None]
        if not allowed and answers:
            address = answers[0]["host"]
            reason = self._guard.refusal(address) or "refused"
            raise BlockedConnection(BlockedDestination(host, address, reason))
        return allowed

    async def close(self) -> None:
        await self._inner.close()


@dataclass
class _GuardScope:
    guard: SsrfGuard
    refused: list[BlockedDestination] = field(default_factory=list)


_scope: contextvars.ContextVar[_GuardScope | None] = contextvars.ContextVar(
    "envdeck_ssrf_scope", default=None
)
_hook_lock = threading.Lock()
_hook_installed = False


def _judge_connect(event: str, args: tuple[Any, ...]) -> None:
    # An audit hook (PEP 578) sees every audited event of the process: leave at once unless this
    # is a connect made inside connections_guarded().
    if event != "socket.connect":
        return
    scope = _scope.get()
    if scope is None:
        return
    sock, address = args
    if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
        return
    host = str(address[0])
    reason = scope.guard.refusal(host)
    if reason is not None:
        blocked = BlockedDestination(host, host, reason)
        scope.refused.append(blocked)
        raise BlockedConnection(blocked)


def _install_connect_hook() -> None:
    """Add the audit hook once per process (audit hooks cannot be removed; it is idle outside
    connections_guarded)."""
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_judge_connect)
            _hook_installed = True


def blocked_cause(exc: BaseException) -> BlockedDestination | None:
    """Return the BlockedDestination behind an aiohttp connection error, if that is the cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, BlockedDestination):
            return current
        if isinstance(current, BlockedConnection):
            return current.blocked
        nested = getattr(current, "os_error", None)
        current = nested if isinstance(nested, BaseException) else current.__cause__
    return None


def _normalise(address: str | IpAddress) -> IpAddress:
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:169.254.169.254 reaches the IPv4 address; judge it as such.
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.scope_id:
            return ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    return ip


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _same_family(ip: IpAddress, network: IpNetwork) -> bool:
    return ip.version == network.version
