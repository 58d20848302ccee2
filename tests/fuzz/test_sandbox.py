"""The sandbox the fuzz servers run in lets nothing leave the machine, and loopback through."""

import socket

import pytest

from tests.fuzz.sandbox import is_loopback, loopback_only


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "::1", None])
def test_loopback_hosts_stay_on_the_machine(host: str | None) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["example.com", "169.254.169.254", "10.0.0.5", "fd00:ec2::254"])
def test_other_hosts_do_not(host: str) -> None:
    assert not is_loopback(host)


def test_it_refuses_lookups_and_connections_off_the_machine_and_counts_them() -> None:
    with loopback_only() as refusals:
        with pytest.raises(socket.gaierror):
            socket.getaddrinfo("example.com", 80)
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
            sock.connect(("192.0.2.1", 80))
        with socket.socket() as sock:
            assert sock.connect_ex(("192.0.2.1", 80)) != 0
        assert socket.getaddrinfo("localhost", 80)

    assert (refusals.lookups, refusals.connects) == (1, 2)


def test_it_lets_loopback_through_and_restores_the_socket_module() -> None:
    real = socket.getaddrinfo
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with loopback_only(), socket.create_connection(server.getsockname(), timeout=5):
            pass

    assert socket.getaddrinfo is real
