"""Pooled, host-key-verified asyncssh connections, shared by every operation on a host.

A connection is reused only by requests with the same pool key: host, port, user, the
credential (its id and a keyed digest of its secret material, so a rotated secret gets a new
connection), the host-key policy and the expected host key. Each connection carries up to
`max_sessions_per_connection` concurrent sessions (OpenSSH's MaxSessions defaults to 10), and
a host gets at most `max_connections_per_host` connections, whatever the key; requests beyond
that wait for a free session. Idle connections close after `idle_timeout`; keepalives detect
dead peers between commands.

There is no global lock: connecting to one host happens outside every lock, so a slow or
dead host (bounded by `connect_timeout`) never delays another host's operations.
"""

import asyncio
import contextlib
import hashlib
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import asyncssh
import structlog
from asyncssh.saslprep import SASLPrepError

from envdeck.adapters.ssh.host_keys import HostKeyVerifier
from envdeck.adapters.ssrf_guard import BlockedDestination, SsrfGuard
from envdeck.domain.commands import HostKeyInfo
from envdeck.domain.environment import HostKeyPolicy
from envdeck.domain.errors import (
    EnvdeckError,
    HostKeyMismatch,
    SshAuthFailed,
    SshConnectTimeout,
    SshCredentialInvalid,
    SshFailure,
)

log = structlog.get_logger(__name__)

# A per-process key: the pool's digests of secrets are useless outside this process.
_DIGEST_KEY = os.urandom(32)


@dataclass(frozen=True)
class SshTarget:
    """Where to connect and which host key to expect (from the environment's `target`)."""

    host: str
    username: str
    port: int = 22
    host_key_policy: HostKeyPolicy = HostKeyPolicy.TOFU
    # OpenSSH public key line: the pinned key, or the one TOFU recorded; "" when none.
    host_key: str = ""

    def __str__(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"


@dataclass(frozen=True)
class SshCredential:
    """Decrypted credential material handed in by the vault. Never logged or shown."""

    credential_id: str
    private_key: str | None = field(default=None, repr=False)
    passphrase: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if (self.private_key is None) == (self.password is None):
            raise SshCredentialInvalid("give exactly one of a private key or a password")

    @property
    def digest(self) -> str:
        """Return a keyed digest of the secret material (a rotated secret changes it)."""
        material = "\0".join(s or "" for s in (self.private_key, self.passphrase, self.password))
        return hashlib.blake2b(material.encode(), key=_DIGEST_KEY, digest_size=16).hexdigest()


@dataclass(frozen=True)
class PoolSettings:
    connect_timeout: float = 10.0
    keepalive_interval: float = 15.0
    keepalive_count_max: int = 3
    idle_timeout: float = 60.0
    max_connections_per_host: int = 4
    max_sessions_per_connection: int = 8


PoolKey = tuple[str, int, str, str, str, str, str]


def pool_key(target: SshTarget, credential: SshCredential) -> PoolKey:
    return (
        target.host,
        target.port,
        target.username,
        credential.credential_id,
        credential.digest,
        target.host_key_policy.value,
        target.host_key.strip(),
    )


class _Client(asyncssh.SSHClient):
    def __init__(self, verifier: HostKeyVerifier) -> None:
        self._verifier = verifier

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        return self._verifier.accept(key)


@dataclass(eq=False)
class PooledConnection:
    """One pooled connection and what its handshake established."""

    key: PoolKey
    connection: asyncssh.SSHClientConnection
    host_key: HostKeyInfo
    in_use: int = 0
    idle_handle: asyncio.TimerHandle | None = None

    @property
    def closed(self) -> bool:
        return bool(self.connection.is_closed())


@dataclass
class _Host:
    """The connections to one (host, port), and a condition to wait for a free session."""

    cond: asyncio.Condition = field(default_factory=asyncio.Condition)
    entries: list[PooledConnection] = field(default_factory=list)
    opening: int = 0


class SshPool:
    """Lend sessions on pooled SSH connections: `async with pool.lease(target, cred) as c`."""

    def __init__(
        self, settings: PoolSettings | None = None, *, guard: SsrfGuard | None = None
    ) -> None:
        self.settings = settings or PoolSettings()
        # Metadata and other refused addresses are refused for SSH too (docs/security.md).
        self.guard = guard
        self._hosts: dict[tuple[str, int], _Host] = {}
        self._keys: dict[str, asyncssh.SSHKey] = {}
        self.connections_opened = 0
        self._closed = False

    # ---- leasing -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lease(
        self, target: SshTarget, credential: SshCredential
    ) -> AsyncIterator[PooledConnection]:
        """Yield a connection with a session slot reserved for the caller; give it back after.

        Raises an SshFailure subclass (HostKeyMismatch, SshAuthFailed, SshConnectTimeout, …)
        when no connection can be made.
        """
        entry = await self._acquire(target, credential)
        try:
            yield entry
        finally:
            await self._release(entry)

    def discard(self, entry: PooledConnection) -> None:
        """Close a connection found broken, so that no one else is lent it."""
        entry.connection.close()

    def open_connections(self, target: SshTarget | None = None) -> int:
        """Return how many pooled connections are open (to target's host, or in all)."""
        hosts = [self._hosts.get((target.host, target.port))] if target else self._hosts.values()
        return sum(1 for host in hosts if host for e in host.entries if not e.closed)

    async def _acquire(self, target: SshTarget, credential: SshCredential) -> PooledConnection:
        if self._closed:
            raise SshFailure("the SSH pool is closed")
        key = pool_key(target, credential)
        host = self._hosts.setdefault((target.host, target.port), _Host())
        settings = self.settings
        async with host.cond:
            while True:
                host.entries = [e for e in host.entries if not e.closed]
                free = [
                    e
                    for e in host.entries
                    if e.key == key and e.in_use < settings.max_sessions_per_connection
                ]
                if free:
                    entry = min(free, key=lambda e: e.in_use)
                    self._take(entry)
                    return entry
                if len(host.entries) + host.opening >= settings.max_connections_per_host:
                    self._evict_idle_other(host, key)
                if len(host.entries) + host.opening < settings.max_connections_per_host:
                    host.opening += 1
                    break
                await host.cond.wait()
        # Connect outside the lock: others may use this host's open connections meanwhile.
        try:
            connection, info = await self.connect(target, credential)
        except BaseException:
            async with host.cond:
                host.opening -= 1
                host.cond.notify_all()
            raise
        entry = PooledConnection(key=key, connection=connection, host_key=info, in_use=1)
        async with host.cond:
            host.opening -= 1
            host.entries.append(entry)
            host.cond.notify_all()
        return entry

    def _take(self, entry: PooledConnection) -> None:
        entry.in_use += 1
        if entry.idle_handle is not None:
            entry.idle_handle.cancel()
            entry.idle_handle = None

    def _evict_idle_other(self, host: _Host, key: PoolKey) -> None:
        # The host is at its cap: an idle connection of another key gives way.
        for entry in host.entries:
            if entry.key != key and entry.in_use == 0:
                self._close_entry(host, entry)
                return

    async def _release(self, entry: PooledConnection) -> None:
        host = self._hosts.get(self._host_of(entry))
        if host is None:
            entry.connection.close()
            return
        async with host.cond:
            entry.in_use -= 1
            if entry.closed or self._closed:
                self._close_entry(host, entry)
            elif entry.in_use == 0:
                loop = asyncio.get_running_loop()
                entry.idle_handle = loop.call_later(
                    self.settings.idle_timeout, self._close_if_idle, host, entry
                )
            host.cond.notify_all()

    @staticmethod
    def _host_of(entry: PooledConnection) -> tuple[str, int]:
        return entry.key[0], entry.key[1]

    def _close_if_idle(self, host: _Host, entry: PooledConnection) -> None:
        if entry.in_use == 0:
            log.debug("ssh_connection_idle_closed", host=entry.key[0], port=entry.key[1])
            self._close_entry(host, entry)

    def _close_entry(self, host: _Host, entry: PooledConnection) -> None:
        if entry.idle_handle is not None:
            entry.idle_handle.cancel()
            entry.idle_handle = None
        if entry in host.entries:
            host.entries.remove(entry)
        entry.connection.close()

    async def close(self) -> None:
        """Close every connection; leases still out close theirs when given back."""
        self._closed = True
        connections = []
        for host in self._hosts.values():
            for entry in list(host.entries):
                if entry.in_use == 0:
                    self._close_entry(host, entry)
                    connections.append(entry.connection)
        for connection in connections:
            with contextlib.suppress(Exception):
                await connection.wait_closed()

    # ---- connecting ----------------------------------------------------------------------

    async def connect(
        self, target: SshTarget, credential: SshCredential
    ) -> tuple[asyncssh.SSHClientConnection, HostKeyInfo]:
        """Open a new, unpooled connection (the caller closes it) and verify its host key."""
        verifier = HostKeyVerifier(
            target.host_key_policy, target.host_key, target.host, target.port
        )
        addresses = await self._destinations(target)
        client_key = await self._client_key(credential)
        settings = self.settings

        async def open_one(address: str) -> asyncssh.SSHClientConnection:
            return await asyncssh.connect(
                address,
                target.port,
                username=target.username,
                client_factory=lambda: _Client(verifier),
                known_hosts=verifier.known_hosts,
                server_host_key_algs=verifier.server_host_key_algs,
                client_keys=[client_key] if client_key is not None else None,
                password=credential.password,
                # Nothing from this machine's ~/.ssh, agent or config takes part.
                config=None,
                agent_path=None,
                agent_forwarding=False,
                x509_trusted_certs=None,
                connect_timeout=settings.connect_timeout,
                login_timeout=settings.connect_timeout,
                keepalive_interval=settings.keepalive_interval,
                keepalive_count_max=settings.keepalive_count_max,
            )

        try:
            # The outer timeout is a backstop: asyncssh's own covers TCP, kex and auth.
            async with asyncio.timeout(settings.connect_timeout + 1):
                connection = await _first_that_answers(addresses, open_one)
        except BaseException as exc:
            error = self._translate(exc, target, verifier)
            if error is None:
                raise
            log.warning("ssh_connect_failed", target=str(target), code=error.code)
            raise error from None
        self.connections_opened += 1
        info = verifier.info(connection.get_server_host_key())
        if info.insecure:
            log.warning("ssh_host_key_unverified", target=str(target), fingerprint=info.fingerprint)
        return connection, info

    async def _destinations(self, target: SshTarget) -> list[str]:
        """The addresses to connect to: the ones the guard checked, so no second lookup can
        lead elsewhere; the name itself when there is no guard or it does not resolve."""
        if self.guard is None:
            return [target.host]
        try:
            return await self.guard.checked_addresses(target.host, target.port) or [target.host]
        except BlockedDestination as exc:
            raise SshFailure(exc.message, exc.details) from None

    async def _client_key(self, credential: SshCredential) -> asyncssh.SSHKey | None:
        if credential.private_key is None:
            return None
        digest = credential.digest
        key = self._keys.get(digest)
        if key is None:
            # Encrypted OpenSSH keys run bcrypt's KDF on load: off the event loop, once.
            key = await asyncio.to_thread(
                _import_key, credential.private_key, credential.passphrase
            )
            self._keys[digest] = key
        return key

    @staticmethod
    def _translate(
        exc: BaseException, target: SshTarget, verifier: HostKeyVerifier
    ) -> EnvdeckError | None:
        where = f"{target.host}:{target.port}"
        if isinstance(exc, asyncssh.HostKeyNotVerifiable):
            return verifier.mismatch()
        if isinstance(exc, asyncssh.KeyExchangeFailed) and verifier.expected is not None:
            # Typically "no matching host key type": the server lacks the expected key's type.
            return verifier.mismatch()
        if isinstance(exc, asyncssh.PermissionDenied):
            return SshAuthFailed(
                f"{where} refused the credentials for user {target.username!r}",
                {"host": target.host, "port": target.port},
            )
        if isinstance(exc, TimeoutError):
            return SshConnectTimeout(
                f"no SSH session with {where} within the connect timeout "
                "(the host is down, filtered, or not an SSH server)",
                {"host": target.host, "port": target.port},
            )
        if isinstance(exc, socket.gaierror):
            return SshFailure(f"cannot resolve host {target.host!r}: {exc.strerror}")
        if isinstance(exc, OSError):
            reason = exc.strerror or exc.__class__.__name__
            return SshFailure(f"cannot connect to {where}: {reason}", {"host": target.host})
        if isinstance(exc, asyncssh.DisconnectError):
            return SshFailure(f"{where} closed the SSH connection: {exc.reason}")
        if isinstance(exc, HostKeyMismatch):
            return exc
        if isinstance(exc, SASLPrepError):
            # asyncssh sends the username and password through SASLprep (RFC 4013), which
            # refuses unassigned and prohibited characters. Which one is not said: it may be
            # part of the password.
            return SshCredentialInvalid(
                "the username or the password holds characters SSH cannot send "
                "(unassigned or prohibited in SASLprep, RFC 4013)",
                {"host": target.host, "port": target.port},
            )
        return None


def _import_key(text: str, passphrase: str | None) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_private_key(text.strip(), passphrase or None)
    except asyncssh.KeyEncryptionError:
        raise SshCredentialInvalid("the key's passphrase is wrong or missing") from None
    except (asyncssh.KeyImportError, ValueError):
        raise SshCredentialInvalid("the credential is not a readable SSH private key") from None


async def _first_that_answers(
    addresses: list[str], open_one: Callable[[str], Awaitable[asyncssh.SSHClientConnection]]
) -> asyncssh.SSHClientConnection:
    """Open a connection to the first address that takes it, as a connect by name would.

    A refused or unreachable address moves on to the next (localhost is ::1 and 127.0.0.1);
    a timeout does not: it has used its time, and the caller's error says which host.
    """
    for address in addresses[:-1]:
        try:
            return await open_one(address)
        except TimeoutError:
            raise
        except OSError:
            continue
    return await open_one(addresses[-1])
