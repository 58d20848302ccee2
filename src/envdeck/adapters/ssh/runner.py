"""Run a configured script over SSH as one script in one session, streaming its output.

How the script runs (docs/commands.md says why): one `exec` request per run, of

    /bin/sh -c '<report the process group>; set -e; eval "$(cat)"'

with the script written to the session's stdin, then EOF. So:

- the whole text is one POSIX `sh` script: a `cd` or a variable on one line holds on the
  next, and the first failing command ends it with its exit status (`set -e`, as CI systems
  do; a script that wants otherwise starts with `set +e`);
- the text never passes through the login shell's parser, whatever that shell is, and has no
  command-line length limit; the login shell only starts the fixed wrapper above;
- the script's commands read an empty stdin: a `read` or a `docker exec -i` cannot swallow
  the rest of the script, as it would under `sh -s`.

Stopping (cancel, timeout, shutdown) does not rely on the SSH "signal" request: OpenSSH
refuses it for some logins (root among them). The wrapper first reports its process group (read
from /proc, on stderr, a line the runner takes out of the output); a stop then runs
`kill -TERM -- -<group>` through a second channel, `kill -KILL` after a grace period, and
confirms with `kill -0` that the group is gone. A stop that cannot be confirmed (the host froze,
no second channel opens, the group survives) is reported as such (`stop_unconfirmed`), never as
cancelled. Hosts without /proc fall back to the signal request.
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
from envdeck.adapters.ssh.process_group import GroupKiller
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

GROUP_MARK = "@@envdeck-process-group@@"
# Field 5 of /proc/<pid>/stat is the process group; the command name (field 2) of sh has no
# space. Errors go nowhere: without /proc the mark carries no group.
SCRIPT_WRAPPER = (
    "/bin/sh -c '"
    "read -r _ _ _ _ group _ 2>/dev/null </proc/$$/stat; "
    f'echo "{GROUP_MARK} $group" >&2; '
    'set -e; eval "$(cat)"\''
)
_MARK_LIMIT = 128
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
            stopped = await run.stop_remote()
            run.discard_if_unresponsive()
            result = _result(
                RunOutcome.TIMED_OUT, RunErrorCode.TIMED_OUT, f"timed out after {timeout:g} s"
            )
            if not stopped:
                result = _unconfirmed(f"timed out after {timeout:g} s", run.stop_problem)
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


def _unconfirmed(what: str, problem: str) -> RunResult:
    return _result(
        RunOutcome.STOP_UNCONFIRMED,
        RunErrorCode.STOP_UNCONFIRMED,
        f"{what}, but the script could not be confirmed stopped ({problem}): it may still run "
        "on the host",
    )


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
        # The script's process group on the host, as the wrapper reported it (None: unknown).
        self.group: int | None = None
        self.killer: GroupKiller | None = None
        self._mark_pending = True
        # Why the last stop could not be confirmed; second channels that did not answer.
        self.stop_problem = ""

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
                stopped = await self.stop_remote()
                await _settle(pumps)
                if not stopped:
                    return _unconfirmed("cancelled", self.stop_problem)
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
        head = b""
        while True:
            try:
                data = await reader.read(_READ_SIZE)
            except (asyncssh.Error, OSError):
                data = b""
            if stream is OutputStream.STDERR and self._mark_pending and data:
                head += data
                if b"\n" not in head and len(head) < _MARK_LIMIT:
                    continue
                data = self._take_mark(head)
                if not data:
                    continue  # the mark alone: nothing to show yet
            if not data:
                if head and self._mark_pending:  # ended before a whole first line
                    await self.output.add(stream, decoder.decode(head))
                await self.output.add(stream, decoder.decode(b"", final=True))
                return
            await self.output.add(stream, decoder.decode(data))

    def _take_mark(self, head: bytes) -> bytes:
        """Read the wrapper's first stderr line (the process group); return what follows it."""
        self._mark_pending = False
        line, newline, rest = head.partition(b"\n")
        text = line.decode("utf-8", errors="replace")
        if not newline or not text.startswith(GROUP_MARK):
            return head  # not the wrapper's line: output as any other
        group = text.removeprefix(GROUP_MARK).strip()
        if group.isdigit() and int(group) > 1 and self.entry is not None:
            self.group = int(group)
            self.killer = GroupKiller(
                self.runner.pool,
                self.target,
                self.credential,
                self.entry.connection,
                self.group,
                timeout=self.runner.kill_grace + 2,
            )
        return rest

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

    async def stop_remote(self) -> bool:
        """Stop the remote script (TERM, then KILL after the grace) and return True once it is
        confirmed gone; `stop_problem` says why when it is not."""
        process = self.process
        if process is None:
            return True
        for signal in ("TERM", "KILL"):
            # Refused by OpenSSH for some logins; the kill below does not depend on it.
            with contextlib.suppress(Exception):
                process.send_signal(signal)
            if self.killer is not None:
                await self.killer.kill(signal)
            if await self._closed_within(self.runner.kill_grace):
                return await self._confirm_gone()
        process.close()
        await self._closed_within(self.runner.kill_grace)
        return await self._confirm_gone()

    async def _closed_within(self, seconds: float) -> bool:
        assert self.process is not None
        with contextlib.suppress(TimeoutError, Exception):
            async with asyncio.timeout(seconds):
                await self.process.wait_closed()
                self.closed_remotely = True
        return self.closed_remotely

    async def _confirm_gone(self) -> bool:
        if self.killer is None:
            # No group was reported (a host without /proc): the closed channel is all we have.
            self.stop_problem = "" if self.closed_remotely else "the host did not end the session"
            return self.closed_remotely
        answer = await self.killer.kill("0")  # signal 0: only the check
        if answer == "gone":
            return True
        self.stop_problem = (
            f"process group {self.group} is still running"
            if answer == "alive"
            else "no second SSH channel could be opened to check"
        )
        return False

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
