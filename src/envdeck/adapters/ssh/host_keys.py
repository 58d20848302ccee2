"""Host-key policy: what a connection accepts as the server's identity (DESIGN §4 target).

- `tofu` (trust on first use): with no key recorded, the first key seen is accepted and
  handed back (`HostKeyInfo.learned`) for the caller to record on the environment; once a
  key is recorded, only that key is accepted.
- `pin`: only the configured key is accepted; there must be one.
- `off`: anything is accepted and the result is flagged `insecure` (admins only, upstream).

A refused key fails the connection with HOST_KEY_MISMATCH naming both fingerprints. The
expected key's algorithms are offered to the server first, so a host holding several keys
presents the one we know; a host without a key of that type presents another, which is then
refused by name (rather than the server hanging up on an algorithm list it cannot meet).
"""

import asyncssh
from asyncssh.public_key import get_default_public_key_algs

from envdeck.domain.commands import HostKeyInfo
from envdeck.domain.environment import HostKeyPolicy
from envdeck.domain.errors import HostKeyInvalid, HostKeyMismatch

# asyncssh reads known_hosts as (trusted keys, trusted CA keys, revoked keys); an empty
# tuple-of-lists keeps it from falling back to ~/.ssh/known_hosts.
KnownHosts = tuple[list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]] | None


def parse_host_key(line: str) -> asyncssh.SSHKey:
    """Return the public key of an OpenSSH line ("ssh-ed25519 AAAA… comment")."""
    try:
        return asyncssh.import_public_key(line.strip())
    except (asyncssh.KeyImportError, ValueError):
        raise HostKeyInvalid(
            "the host key must be one OpenSSH public key line, such as the content of "
            "/etc/ssh/ssh_host_ed25519_key.pub",
            {"field": "target.hostKey"},
        ) from None


def fingerprint(key: asyncssh.SSHKey) -> str:
    """Return `SHA256:…` as `ssh-keygen -lf` prints it."""
    return str(key.get_fingerprint("sha256"))


def public_line(key: asyncssh.SSHKey) -> str:
    """Return the key as an OpenSSH line without comment, the form recorded on environments."""
    return bytes(key.export_public_key("openssh")).decode("ascii").strip()


class HostKeyVerifier:
    """The host-key decision for one connection attempt under one policy."""

    def __init__(self, policy: HostKeyPolicy, expected_line: str, host: str, port: int) -> None:
        self.policy = policy
        self.host = host
        self.port = port
        self.seen: asyncssh.SSHKey | None = None
        self.expected: asyncssh.SSHKey | None = None
        if policy is HostKeyPolicy.PIN and not expected_line.strip():
            raise HostKeyInvalid(
                "host-key policy 'pin' needs the server's public key in target.hostKey",
                {"field": "target.hostKey"},
            )
        if policy is not HostKeyPolicy.OFF and expected_line.strip():
            self.expected = parse_host_key(expected_line)

    @property
    def known_hosts(self) -> KnownHosts:
        """Return the `known_hosts` argument of asyncssh.connect for this policy.

        Nothing is trusted up front, so every key reaches `accept`, which decides.
        """
        return None if self.policy is HostKeyPolicy.OFF else ([], [], [])

    @property
    def server_host_key_algs(self) -> list[str] | str:
        """Return the host-key algorithms to offer: the expected key's first."""
        if self.expected is None:
            return "default"
        preferred = [alg.decode() for alg in self.expected.sig_algorithms]
        rest = [alg.decode() for alg in get_default_public_key_algs()]
        return preferred + [alg for alg in rest if alg not in preferred]

    def accept(self, key: asyncssh.SSHKey) -> bool:
        """Decide on the server's key (the client's validate callback)."""
        self.seen = key
        if self.expected is not None:
            return bool(key == self.expected)
        return self.policy is HostKeyPolicy.TOFU

    def mismatch(self) -> HostKeyMismatch:
        """Return the error for a refused key, naming what was expected and what was seen."""
        expected = fingerprint(self.expected) if self.expected is not None else "none"
        if self.seen is not None:
            seen = fingerprint(self.seen)
            what = f"the server presented {seen} ({self.seen.algorithm.decode()})"
        else:
            seen = None
            algorithm = self.expected.algorithm.decode() if self.expected is not None else "?"
            what = f"the server offered no acceptable host key (expected type {algorithm})"
        recorded = "recorded on first use" if self.policy is HostKeyPolicy.TOFU else "pinned"
        return HostKeyMismatch(
            f"host key mismatch for {self.host}:{self.port}: expected {expected} ({recorded}), "
            f"but {what}. If the server was legitimately re-keyed, update the environment's "
            "host key; otherwise someone may be intercepting the connection.",
            {"expected": expected, "seen": seen, "policy": self.policy.value},
        )

    def info(self, server_key: asyncssh.SSHKey | None) -> HostKeyInfo:
        """Return what the caller learns about the accepted key of an open connection."""
        key = server_key or self.seen
        if key is None:  # asyncssh always has the key after the handshake; be explicit anyway
            raise self.mismatch()
        return HostKeyInfo(
            fingerprint=fingerprint(key),
            public_key=public_line(key),
            learned=self.policy is HostKeyPolicy.TOFU and self.expected is None,
            insecure=self.policy is HostKeyPolicy.OFF,
        )
