"""Faults to put between Envdeck and what it talks to, on loopback.

`TcpProxy` forwards a local port to an upstream one in a thread of its own and breaks the path
on demand, the way networks and hosts break:

- `blackhole()`: connections stay open but nothing more passes either way (a partition, a host
  that froze); new connections are accepted and then hear nothing. `heal()` ends it: the
  frozen connections are closed (they are of no use to anyone after a partition) and new ones
  forward again.
- `reset()`: every open connection is aborted with a TCP RST (a crashed peer, a firewall
  dropping state); new connections forward as before. `drop()` closes them all quietly.

`stop_process(pid)` / `continue_process(pid)` freeze and thaw a process (SIGSTOP/SIGCONT): a
host that stops answering mid-command, with its sockets still open. `descendants(pid)` finds
the per-connection processes a daemon such as sshd forks.
"""

import asyncio
import contextlib
import os
import signal
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(eq=False)
class _Pipe:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter | None = None
    tasks: list["asyncio.Task[None]"] = field(default_factory=list)

    def writers(self) -> list[asyncio.StreamWriter]:
        return [w for w in (self.client, self.upstream) if w is not None]


class TcpProxy:
    """127.0.0.1:port → upstream_host:upstream_port, with faults on demand (module docstring).

    `upstream` may be changed at any time (a server that came back elsewhere): new connections
    go there.
    """

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self.connections = 0  # accepted so far
        self._blackholed = False
        self._pipes: set[_Pipe] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)

    # ---- faults (called from any thread) --------------------------------------------------

    def blackhole(self) -> None:
        """Let nothing through any more, without closing anything."""
        self._call(self._set_blackholed, True)

    def heal(self) -> None:
        """End a blackhole: close the frozen connections, forward new ones again."""
        self._call(self._set_blackholed, False)
        self._call(self._abort_all, False)

    def reset(self) -> None:
        """Abort every open connection with a TCP RST."""
        self._call(self._abort_all, True)

    def drop(self) -> None:
        """Close every open connection (both sides), staying blackholed if it was."""
        self._call(self._abort_all, False)

    @property
    def open_connections(self) -> int:
        return len(self._pipes)

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "TcpProxy":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            self._call(self._abort_all, False)
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    def __enter__(self) -> "TcpProxy":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ---- inside the proxy's loop -----------------------------------------------------------

    def _call(self, function: object, *args: object) -> None:
        assert self._loop is not None

        async def run() -> None:
            function(*args)  # type: ignore[operator]

        asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=10)

    def _set_blackholed(self, value: bool) -> None:
        self._blackholed = value

    def _abort_all(self, rst: bool) -> None:
        for pipe in list(self._pipes):
            for writer in pipe.writers():
                if rst:
                    _abort_with_rst(writer)
                else:
                    writer.transport.abort()
            for task in pipe.tasks:
                task.cancel()
        self._pipes.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        pipe = _Pipe(writer)
        self._pipes.add(pipe)
        if self._blackholed:
            return  # accepted, and never answered
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            _abort_with_rst(writer)  # as a refused connection looks to the client
            self._pipes.discard(pipe)
            return
        pipe.upstream = up_writer
        pipe.tasks = [
            asyncio.create_task(self._pump(reader, up_writer, pipe)),
            asyncio.create_task(self._pump(up_reader, writer, pipe)),
        ]

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pipe: _Pipe
    ) -> None:
        try:
            while data := await reader.read(65536):
                if self._blackholed:
                    # Swallowed: the sender believes it went out, the peer never hears it.
                    continue
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            if not self._blackholed and pipe in self._pipes:
                self._pipes.discard(pipe)
                for other in pipe.writers():
                    other.close()

    def _serve(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)

        asyncio.run(main())


def _abort_with_rst(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


# ---- processes ------------------------------------------------------------------------------


def descendants(root: int) -> list[int]:
    """Return the pids of every process below root (children, their children, …)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces and parentheses: split after the last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def process_name(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text().strip()
    return ""


@contextlib.contextmanager
def frozen(pids: list[int]) -> Iterator[None]:
    """SIGSTOP the processes for the block, SIGCONT them after (whatever happened)."""
    stopped: list[int] = []
    try:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
        yield
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
