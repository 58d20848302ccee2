"""Run a configured script over SSH as one script in one session, streaming its output.

How the script runs (docs/commands.md says why): one `exec` request per run, of

    /bin/sh -c 'set -e; eval "$(cat)"'

with the script written to the session's stdin, then EOF. So:

- the whole text is one POSIX `sh` script: a `cd` or a variable on one line holds on the
  next, and the first failing command ends it with its exit status (`set -e`, as CI systems
  do; a script that wants otherwise starts with `set +e`);
- the text never passes through the login shell's parser, whatever that shell is, and has no
  command-line length limit; the login shell only starts the fixed wrapper above;
- the script's commands read an empty stdin: a `read` or a `docker exec -i` cannot swallow
  the rest of the script, as it would under `sh -s`.

Cancel and timeout send SIGTERM through the SSH "signal" request (OpenSSH delivers it to the
session's whole process group), then SIGKILL after a grace period, then close the channel.
"""

import asyncio
import codecs
import contextlib
import shlex
import time
from collections import deque
from collections.abc import Awaitable, Callable

import asyncssh
import structlog

from envdeck.adapters.ssh.pool import PooledConnection, SshCredential, SshPool, SshTarget
from envdeck.domain.commands import (
    ConnectionTest,
    HostKeyInfo,
    OutputChunk,
    OutputStream,
    RunErrorCode,
    RunOutcome,
    RunResult,
    SystemProbe,
)
from envdeck.domain.errors import SshConnectionLost, SshFailure, UpstreamError
from envdeck.domain.operation import OUTPUT_TAIL_LIMIT, OperationError

log = structlog.get_logger(__name__)

SCRIPT_WRAPPER = "/bin/sh -c 'set -e; eval \"$(cat)\"'"
_READ_SIZE = 32 * 1024

OutputCallback = Callable[[OutputChunk], Awaitable[None]]


class _Output:
    """Numbered chunks to the callback, and the capped tail of both streams."""

    def __init__(self, on_output: OutputCallback | None, limit: int) -> None:
        self._on_output = on_output
        self._limit = limit
        self._parts: deque[str] = deque()
        self._size = 0
        self.truncated = False
        self.seq = 0

    async def add(self, stream: OutputStream, text: str) -> None:
        if not text:
            return
        self.seq += 1
        self._parts.append(text)
        self._size += len(text)
        while self._size - len(self._parts[0]) >= self._limit:
            self._size -= len(self._parts.popleft())
            self.truncated = True
        if self._on_output is not None:
            try:
                await self._on_output(OutputChunk(seq=self.seq, stream=stream, chunk=text))
            except Exception:
                log.exception("ssh_output_callback_failed")

    def tail(self) -> str:
        text = "".join(self._parts)
        if len(text) > self._limit:
            self.truncated = True
            text = text[-self._limit :]
        return text


class SshRunner:
    """Run scripts on hosts through a pool; see the module docstring for the semantics."""

    def __init__(
        self, pool: SshPool, *, kill_grace: float = 2.0, tail_limit: int = OUTPUT_TAIL_LIMIT
    ) -> None:
        self.pool = pool
        self.kill_grace = kill_grace
        self.tail_limit = tail_limit

    async def run_script(
        self,
        target: SshTarget,
        credential: SshCredential,
        script: str,
        *,
        timeout: float,  # noqa: ASYNC109 (a time limit that yields a TIMED_OUT result)
        on_output: OutputCallback | None = None,
        cancel: asyncio.Event | None = None,
    ) -> RunResult:
        """Run script once on target and return how it ended; never raise for remote failures.

        `timeout` covers connecting and running. Setting `cancel` stops the run (outcome
        `cancelled`); cancelling the calling task also kills the remote side, then re-raises.
        Output reaches `on_output` in order as it arrives; a slow callback slows the reading.
        """
        started = time.monotonic()
        output = _Output(on_output, self.tail_limit)
        run = _Run(self, target, credential, script, output, cancel or asyncio.Event())
        try:
            async with asyncio.timeout(timeout):
                result = await run.execute()
        except TimeoutError:
            await run.stop_remote()
            run.discard_if_unresponsive()
            result = _result(
                RunOutcome.TIMED_OUT, RunErrorCode.TIMED_OUT, f"timed out after {timeout:g} s"
            )
        except SshFailure as exc:
            result = _result(RunOutcome.FAILED, exc.code, exc.message)
        except asyncio.CancelledError:
            await asyncio.shield(run.stop_remote())
            run.discard_if_unresponsive()
            raise
        result.duration_ms = round((time.monotonic() - started) * 1000)
        result.output = output.tail()
        result.output_truncated = output.truncated
        result.host_key = run.host_key
        # The operation service logs the operation; this is the transport's detail.
        log.debug(
            "ssh_run_finished",
            target=str(target),
            outcome=result.outcome.value,
            exit_code=result.exit_code,
            duration_ms=result.duration_ms,
        )
        return result

    async def run_capture(
        self,
        target: SshTarget,
        credential: SshCredential,
        script: str,
        *,
        timeout: float,  # noqa: ASYNC109
    ) -> str:
        """Run a short probe script and return its output; raise UpstreamError if it fails."""
        result = await self.run_script(target, credential, script, timeout=timeout)
        if not result.succeeded:
            message = result.error.message if result.error else result.outcome.value
            code = result.error.code if result.error else RunErrorCode.EXIT_STATUS.value
            raise UpstreamError(f"{target}: {message}", {"code": code})
        return result.output

    async def system_info(
        self,
        target: SshTarget,
        credential: SshCredential,
        *,
        timeout: float = 30.0,  # noqa: ASYNC109
    ) -> SystemProbe:
        """Return the host's OS (from /etc/os-release), kernel (`uname -r`) and uptime."""
        text = await self.run_capture(target, credential, PROBE_SCRIPT, timeout=timeout)
        return parse_system_probe(text)

    async def test_connection(
        self,
        target: SshTarget,
        credential: SshCredential,
        *,
        timeout: float = 30.0,  # noqa: ASYNC109
    ) -> ConnectionTest:
        """Open a fresh (unpooled) connection; return its host key, remote user and latency.

        Raises an SshFailure (HOST_KEY_MISMATCH, SSH_AUTH_FAILED, …) when it cannot connect.
        """
        started = time.perf_counter()
        async with asyncio.timeout(timeout):
            connection, host_key = await self.pool.connect(target, credential)
            connect_ms = (time.perf_counter() - started) * 1000
            try:
                sent = time.perf_counter()
                done = await connection.run("id -un", check=False)
                latency_ms = (time.perf_counter() - sent) * 1000
            finally:
                connection.close()
        user = str(done.stdout or "").strip()
        if done.exit_status != 0 or not user:
            raise UpstreamError(f"{target}: `id -un` failed (exit status {done.exit_status})")
        return ConnectionTest(
            remote_user=user,
            host_key=host_key,
            connect_ms=round(connect_ms, 1),
            latency_ms=round(latency_ms, 1),
        )


def _result(outcome: RunOutcome, code: str, message: str) -> RunResult:
    return RunResult(outcome=outcome, error=OperationError(code=code, message=message))


class _Run:
    """One run: lease a connection, start the wrapper, pump output, wait, judge."""

    def __init__(
        self,
        runner: SshRunner,
        target: SshTarget,
        credential: SshCredential,
        script: str,
        output: _Output,
        cancel: asyncio.Event,
    ) -> None:
        self.runner = runner
        self.target = target
        self.credential = credential
        self.script = script
        self.output = output
        self.cancel = cancel
        self.process: asyncssh.SSHClientProcess[bytes] | None = None
        self.host_key: HostKeyInfo | None = None
        self.entry: PooledConnection | None = None
        # The remote side acknowledged the end of the session (closed its channel).
        self.closed_remotely = False

    async def execute(self) -> RunResult:
        for attempt in (1, 2):
            async with self.runner.pool.lease(self.target, self.credential) as entry:
                self.entry = entry
                self.host_key = entry.host_key
                try:
                    self.process = await self._start(entry)
                except SshConnectionLost:
                    # A pooled connection that died while idle: nothing ran, so retry once.
                    if attempt == 2:
                        raise
                    continue
                return await self._supervise(entry)
        raise AssertionError("unreachable")

    async def _start(self, entry: PooledConnection) -> "asyncssh.SSHClientProcess[bytes]":
        try:
            process = await entry.connection.create_process(SCRIPT_WRAPPER, encoding=None)
        except (asyncssh.Error, OSError) as exc:
            self.runner.pool.discard(entry)
            raise SshConnectionLost(f"{self.target}: cannot open a session: {exc}") from None
        process.stdin.write(self.script.encode("utf-8"))
        process.stdin.write_eof()
        return process

    async def _supervise(self, entry: PooledConnection) -> RunResult:
        process = self.process
        assert process is not None
        pumps = asyncio.gather(
            self._pump(process.stdout, OutputStream.STDOUT),
            self._pump(process.stderr, OutputStream.STDERR),
        )
        closed = asyncio.ensure_future(process.wait_closed())
        cancelled = asyncio.ensure_future(self.cancel.wait())
        try:
            await asyncio.wait({closed, cancelled}, return_when=asyncio.FIRST_COMPLETED)
            if not closed.done():
                await self.stop_remote()
                await _settle(pumps)
                return _result(RunOutcome.CANCELLED, RunErrorCode.CANCELLED, "cancelled")
            await _settle(pumps)
        finally:
            cancelled.cancel()
            closed.cancel()
            pumps.cancel()
            # Retrieve the outcome so that a cancelled gather is not reported as unhandled.
            pumps.add_done_callback(lambda future: future.cancelled() or future.exception())
        return self._judge(entry, process)

    async def _pump(self, reader: "asyncssh.SSHReader[bytes]", stream: OutputStream) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        while True:
            try:
                data = await reader.read(_READ_SIZE)
            except (asyncssh.Error, OSError):
                data = b""
            if not data:
                await self.output.add(stream, decoder.decode(b"", final=True))
                return
            await self.output.add(stream, decoder.decode(data))

    def _judge(
        self, entry: PooledConnection, process: "asyncssh.SSHClientProcess[bytes]"
    ) -> RunResult:
        status = process.exit_status
        signal = process.exit_signal
        if signal is not None:
            name = str(signal[0])
            return RunResult(
                outcome=RunOutcome.FAILED,
                exit_signal=name,
                error=OperationError(
                    code=RunErrorCode.EXIT_STATUS, message=f"the script was killed by SIG{name}"
                ),
            )
        if status is None or status < 0:
            self.runner.pool.discard(entry)
            return _result(
                RunOutcome.FAILED,
                RunErrorCode.SSH_CONNECTION_LOST,
                f"the SSH connection to {self.target.host}:{self.target.port} was lost while "
                "the script was running; its outcome on the host is unknown",
            )
        if status != 0:
            return RunResult(
                outcome=RunOutcome.FAILED,
                exit_code=status,
                error=OperationError(
                    code=RunErrorCode.EXIT_STATUS, message=f"the script exited with status {status}"
                ),
            )
        return RunResult(outcome=RunOutcome.SUCCEEDED, exit_code=0)

    async def stop_remote(self) -> None:
        """Stop the remote script: SIGTERM to its process group, SIGKILL after the grace."""
        process = self.process
        if process is None:
            return
        for signal in ("TERM", "KILL"):
            with contextlib.suppress(Exception):
                process.send_signal(signal)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.runner.kill_grace):
                    await process.wait_closed()
                    self.closed_remotely = True
                    return
        process.close()
        with contextlib.suppress(TimeoutError, Exception):
            async with asyncio.timeout(self.runner.kill_grace):
                await process.wait_closed()
                self.closed_remotely = True

    def discard_if_unresponsive(self) -> None:
        """Close the pooled connection when the host never answered the end of the session.

        A host that froze (or a session stuck while opening) ignores the signals and the close;
        its connection looks open, and lent again it would hang the next run the same way.
        """
        if self.entry is not None and not self.closed_remotely:
            log.info("ssh_connection_discarded", target=str(self.target), reason="unresponsive")
            self.runner.pool.discard(self.entry)


async def _settle(pumps: "asyncio.Future[tuple[None, None]]") -> None:
    # After the channel closes the readers hit EOF at once; bounded in case they do not.
    with contextlib.suppress(TimeoutError, Exception):
        async with asyncio.timeout(5):
            await pumps


# ---- system info probe ------------------------------------------------------------------

_SEPARATOR = "@@envdeck-probe@@"
PROBE_SCRIPT = f"""set +e
cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
echo {_SEPARATOR}
uname -r
echo {_SEPARATOR}
cat /proc/uptime 2>/dev/null
"""


def parse_system_probe(text: str) -> SystemProbe:
    """Return the SystemProbe the probe script's output describes."""
    parts = [*text.split(_SEPARATOR), "", "", ""]
    release: dict[str, str] = {}
    for line in parts[0].splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip().isidentifier():
            try:
                words = shlex.split(value)
            except ValueError:
                words = [value]
            release[name.strip()] = " ".join(words)
    uptime: float | None = None
    with contextlib.suppress(ValueError, IndexError):
        uptime = float(parts[2].split()[0])
    return SystemProbe(
        os_name=release.get("NAME", ""),
        os_version=release.get("VERSION_ID", release.get("VERSION", "")),
        os_pretty_name=release.get("PRETTY_NAME", ""),
        kernel=parts[1].strip(),
        uptime_seconds=uptime,
    )
