"""SSH servers for tests: a real OpenSSH `sshd` and asyncssh's in-process server, on loopback.

`OpenSshServer` starts `/usr/sbin/sshd -D` with its own sshd_config, host key and authorized
keys in a private directory, on a free port of 127.0.0.1. As root (CI, and these machines) it
creates a dedicated local account `envdeck-t<hex>` with a random password, so key, passphrase
key and password logins are all real, and removes the account afterwards. As any other user,
sshd can only log that user in, by key: password tests skip there.

When CI=true, tests that need `/usr/sbin/sshd` fail instead of skipping if it is missing
(.ci/run installs openssh-server).

`AsyncsshServer` is asyncssh's server in this process: it runs each exec request's command
with `/bin/sh -c` in a new process group, relays stdin/stdout/stderr, delivers SSH "signal"
requests to the whole group and reports the exit status, as sshd does.
"""

import asyncio
import contextlib
import functools
import getpass
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import pytest
import pytest_asyncio

from envdeck.adapters.ssh import PoolSettings, SshCredential, SshPool, SshTarget
from envdeck.domain.environment import HostKeyPolicy
from tests.support.faults import descendants

SSHD = Path("/usr/sbin/sshd")
IS_ROOT = os.geteuid() == 0


def require_sshd() -> None:
    """Skip without sshd; fail instead under CI, where its absence is a broken setup."""
    if SSHD.exists():
        return
    message = f"{SSHD} is not installed (apt-get install openssh-server)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _public_line(key: asyncssh.SSHKey) -> str:
    return bytes(key.export_public_key("openssh")).decode().strip()


@dataclass
class ClientKeys:
    """The test account's keys: one plain, one protected by a passphrase."""

    plain: asyncssh.SSHKey = field(
        default_factory=lambda: asyncssh.generate_private_key("ssh-ed25519")
    )
    protected: asyncssh.SSHKey = field(
        default_factory=lambda: asyncssh.generate_private_key("ssh-rsa", key_size=2048)
    )
    passphrase: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    @property
    def authorized_keys(self) -> str:
        return f"{_public_line(self.plain)}\n{_public_line(self.protected)}\n"

    def key_credential(self) -> SshCredential:
        text = bytes(self.plain.export_private_key("openssh")).decode()
        return SshCredential(credential_id="c" * 24, private_key=text)

    def passphrase_credential(self) -> SshCredential:
        return SshCredential(
            credential_id="d" * 24, private_key=self._protected_text, passphrase=self.passphrase
        )

    @functools.cached_property
    def _protected_text(self) -> str:
        # Encrypting runs bcrypt's KDF (about a second): once per session, not per test.
        return bytes(self.protected.export_private_key("openssh", self.passphrase)).decode()


@dataclass
class SshAccount:
    """Who logs in: a dedicated local user as root, else the current user (no password)."""

    username: str
    password: str | None
    home: Path
    keys: ClientKeys
    created: bool = False

    def password_credential(self) -> SshCredential:
        if self.password is None:
            pytest.skip("password login needs root to create a test account")
        return SshCredential(credential_id="e" * 24, password=self.password)

    def remove(self) -> None:
        if self.created:
            subprocess.run(["userdel", "-f", self.username], check=False, capture_output=True)


def _run_with_retry(command: list[str], stdin: str | None = None) -> None:
    # useradd/chpasswd lock /etc/passwd; another test session may hold it for a moment.
    for attempt in range(20):
        done = subprocess.run(command, input=stdin, text=True, capture_output=True, check=False)
        if done.returncode == 0:
            return
        if "lock" not in done.stderr or attempt == 19:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()}")
        time.sleep(0.25)


def create_account(base: Path) -> SshAccount:
    """Return the account tests log in as (created when running as root)."""
    keys = ClientKeys()
    if not IS_ROOT:
        return SshAccount(getpass.getuser(), None, Path.home(), keys)
    username = f"envdeck-t{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    home = base / "home"
    _run_with_retry(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", username]
    )
    _run_with_retry(["chpasswd"], stdin=f"{username}:{password}\n")
    return SshAccount(username, password, home, keys, created=True)


def private_dir(prefix: str) -> Path:
    """Return a new directory every user can traverse (sshd reads keys as the test user)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


class OpenSshServer:
    """A real OpenSSH sshd on 127.0.0.1, for one test module or one test."""

    def __init__(self, account: SshAccount, workdir: Path, *, allow_root: bool = False) -> None:
        self.account = account
        self.workdir = workdir
        # Root may log in with the account's keys (as root, OpenSSH refuses signal requests).
        self.allow_root = allow_root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.host_key: asyncssh.SSHKey = asyncssh.generate_private_key("ssh-ed25519")
        self.log_path = workdir / "sshd.log"

    @property
    def host_key_line(self) -> str:
        return _public_line(self.host_key)

    def target(self, policy: HostKeyPolicy = HostKeyPolicy.TOFU, host_key: str = "") -> SshTarget:
        return SshTarget(
            host="127.0.0.1",
            port=self.port,
            username=self.account.username,
            host_key_policy=policy,
            host_key=host_key,
        )

    def pinned(self) -> SshTarget:
        return self.target(HostKeyPolicy.PIN, self.host_key_line)

    def _write_config(self) -> Path:
        key_path = self.workdir / "ssh_host_ed25519_key"
        key_path.write_bytes(bytes(self.host_key.export_private_key("openssh")))
        key_path.chmod(0o600)
        authorized = self.workdir / "authorized_keys"
        authorized.write_text(self.account.keys.authorized_keys)
        authorized.chmod(0o644)
        password = "yes" if self.account.password else "no"
        config = self.workdir / "sshd_config"
        config.write_text(
            f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {key_path}
PidFile {self.workdir}/sshd.pid
AuthorizedKeysFile {authorized}
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication {password}
KbdInteractiveAuthentication no
PermitRootLogin {"prohibit-password" if self.allow_root else "no"}
AllowUsers {self.account.username}{" root" if self.allow_root else ""}
PrintMotd no
PrintLastLog no
MaxStartups 200:30:400
MaxSessions 20
LogLevel VERBOSE
"""
        )
        return config

    def start(self) -> None:
        """Start sshd (writing a fresh config and the current host key) and wait for it."""
        if IS_ROOT:
            # Debian's sshd refuses to start without its privilege-separation directory.
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        config = self._write_config()
        log = self.log_path.open("ab")
        # Its own session: kill() takes the per-connection sshd processes down with it.
        self.process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited at start:\n{self.log_path.read_text()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                if sock.recv(64).startswith(b"SSH-"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"sshd did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """Kill sshd and every process it started at once (a crash, not a shutdown).

        sshd puts each connection in a session of its own, so its process group is not
        enough: the per-connection processes are found as descendants in /proc.
        """
        if self.process is None or self.process.poll() is not None:
            return
        for pid in [self.process.pid, *descendants(self.process.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop sshd and end its open connections (restarting a host drops them too)."""
        if self.process is not None and self.process.poll() is None:
            for pid in [self.process.pid, *descendants(self.process.pid)]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, new_host_key: bool = False) -> None:
        """Stop sshd and start it again on the same port, with a new host key if asked."""
        self.stop()
        if new_host_key:
            self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.start()


@contextlib.contextmanager
def running_sshd(account: SshAccount, *, allow_root: bool = False) -> Iterator[OpenSshServer]:
    """Run an sshd for the account (and root, if allowed) for the duration of the block."""
    require_sshd()
    workdir = private_dir("envdeck-sshd-")
    server = OpenSshServer(account, workdir, allow_root=allow_root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# ---- asyncssh in-process server ---------------------------------------------------------


class _ExecSession(asyncssh.SSHServerSession[bytes]):
    """Run an exec request's command with /bin/sh -c, as sshd does, in its own process group."""

    def __init__(self) -> None:
        self._chan: asyncssh.SSHServerChannel[bytes] | None = None
        self._command = ""
        self._proc: asyncio.subprocess.Process | None = None
        self._pending: list[bytes] = []
        self._eof = False

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:  # type: ignore[override]
        self._chan = chan

    def exec_requested(self, command: str) -> bool:
        self._command = command
        return True

    def session_started(self) -> None:
        asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._chan is not None
        chan = self._chan
        self._proc = proc = await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            self._command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        assert proc.stdin is not None
        for data in self._pending:
            proc.stdin.write(data)
        if self._eof:
            proc.stdin.close()

        async def pump(reader: asyncio.StreamReader | None, stderr: bool) -> None:
            assert reader is not None
            while data := await reader.read(32768):
                if stderr:
                    chan.write_stderr(data)
                else:
                    chan.write(data)

        await asyncio.gather(pump(proc.stdout, False), pump(proc.stderr, True))
        code = await proc.wait()
        if code < 0:
            chan.exit_with_signal(signal.Signals(-code).name.removeprefix("SIG"))
        else:
            chan.exit(code)

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self._proc is None or self._proc.stdin is None:
            self._pending.append(data)
        else:
            self._proc.stdin.write(data)

    def eof_received(self) -> bool:
        self._eof = True
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.close()
        return True

    def signal_received(self, signal_name: str) -> None:
        self._signal_group(getattr(signal, f"SIG{signal_name}", signal.SIGTERM))

    def connection_lost(self, exc: Exception | None) -> None:
        self._signal_group(signal.SIGKILL)

    def _signal_group(self, signum: int) -> None:
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signum)


class _Server(asyncssh.SSHServer):
    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def session_requested(self) -> _ExecSession:
        return _ExecSession()

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._username and secrets.compare_digest(password, self._password)


class AsyncsshServer:
    """asyncssh's SSH server in this process, running commands as the current user."""

    def __init__(self, keys: ClientKeys) -> None:
        self.keys = keys
        self.username = getpass.getuser()
        self.password = secrets.token_urlsafe(16)
        self.host_key = asyncssh.generate_private_key("ssh-ed25519")
        self.port = 0
        self._acceptor: asyncssh.SSHAcceptor | None = None

    async def start(self) -> None:
        self._acceptor = await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[self.host_key],
            authorized_client_keys=asyncssh.import_authorized_keys(self.keys.authorized_keys),
            server_factory=lambda: _Server(self.username, self.password),
            encoding=None,
        )
        self.port = self._acceptor.get_port()

    async def stop(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()

    @property
    def host_key_line(self) -> str:
        return _public_line(self.host_key)

    def target(self, policy: HostKeyPolicy = HostKeyPolicy.TOFU, host_key: str = "") -> SshTarget:
        return SshTarget(
            host="127.0.0.1",
            port=self.port,
            username=self.username,
            host_key_policy=policy,
            host_key=host_key,
        )

    def password_credential(self) -> SshCredential:
        return SshCredential(credential_id="f" * 24, password=self.password)


class SilentServer:
    """A TCP server that accepts connections and never says a word (a hung host)."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._writers.append(writer)

        self._server = await asyncio.start_server(hold, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


# ---- pytest fixtures (import them into a test module) -----------------------------------


@pytest.fixture(scope="session")
def ssh_account() -> Iterator[SshAccount]:
    """The account every SSH test logs in as (a dedicated local user when root)."""
    base = private_dir("envdeck-account-")
    account = create_account(base)
    try:
        yield account
    finally:
        account.remove()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def sshd(ssh_account: SshAccount) -> Iterator[OpenSshServer]:
    """A real OpenSSH sshd shared by the session (tests must not restart or kill it)."""
    with running_sshd(ssh_account) as server:
        yield server


@pytest.fixture
def own_sshd(ssh_account: SshAccount) -> Iterator[OpenSshServer]:
    """A real OpenSSH sshd for one test, which may restart it with a new key or kill it."""
    with running_sshd(ssh_account) as server:
        yield server


@pytest_asyncio.fixture(scope="session")
async def asyncssh_server(ssh_account: SshAccount) -> AsyncIterator[AsyncsshServer]:
    """asyncssh's in-process SSH server, accepting the account's keys and its own password."""
    server = AsyncsshServer(ssh_account.keys)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture
async def ssh_pool() -> AsyncIterator[SshPool]:
    """A fresh connection pool, closed after the test."""
    pool = SshPool(PoolSettings(connect_timeout=5, idle_timeout=30))
    try:
        yield pool
    finally:
        await pool.close()
