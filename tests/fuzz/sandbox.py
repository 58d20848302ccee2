"""Loopback only: while the fuzz servers run, no socket of this process leaves the machine.

The fuzzer writes hosts and URLs of its own into environments, health-check tests and
notification channels, and the server (running in this process, see tests/support/live_app.py)
would try to reach them. Name lookups other than loopback names fail as unknown hosts and
connections to other addresses are refused, so such cases fail as the product reports an
unreachable target (a result, or a 4xx/502), never by touching the internet.
"""

import errno
import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_NAMES = {"localhost", "localhost.", "ip6-localhost", "ip6-loopback"}


def is_loopback(host: Any) -> bool:
    """Return whether host (a name or an address) stays on this machine."""
    if host is None:
        return True  # a passive lookup: the wildcard address for a server socket
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class Refusals:
    """Counts the destinations refused, for the run's summary."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.lookups = 0
        self.connects = 0

    def count(self, kind: str) -> None:
        with self._lock:
            setattr(self, kind, getattr(self, kind) + 1)


@contextmanager
def loopback_only() -> Iterator[Refusals]:
    """Refuse every name lookup and connection that is not to loopback, until exit."""
    refusals = Refusals()
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            refusals.count("lookups")
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (fuzz sandbox)")
        return real_getaddrinfo(host, *args, **kwargs)

    def allowed(sock: socket.socket, address: Any) -> bool:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True
        return is_loopback(address[0])

    def connect(sock: socket.socket, address: Any) -> None:
        if not allowed(sock, address):
            refusals.count("connects")
            raise ConnectionRefusedError(errno.ECONNREFUSED, "refused by the fuzz sandbox")
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        if not allowed(sock, address):
            refusals.count("connects")
            return errno.ECONNREFUSED
        return real_connect_ex(sock, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield refusals
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
