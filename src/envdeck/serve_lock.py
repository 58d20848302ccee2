"""One `envdeck serve` per SQLite database: the embedded mode is one instance by design.

The lock is an advisory `flock` on a file beside the database, held for the life of the
process (the kernel drops it when the process ends, kill -9 included, so a crash never leaves
a stale lock). Its content names the holder (host, pid) for the refusal message. Other commands
(`envdeck users …`, `envdeck backup`) do not take it: SQLite serialises their writes itself.
"""

import fcntl
import json
import os
import socket
from pathlib import Path


class ServeLockHeld(Exception):
    """Another process serves this database."""

    def __init__(self, path: Path, host: str, pid: int | None) -> None:
        super().__init__(f"{path} is held by host {host}, pid {pid}")
        self.path = path
        self.host = host
        self.pid = pid


class ServeLock:
    """The held lock; released when the process ends (or by release())."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".serve-lock")


def acquire_serve_lock(database: Path) -> ServeLock:
    """Take the serve lock of database, or raise ServeLockHeld naming who holds it."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise ServeLockHeld(path, str(holder.get("host", "?")), _pid(holder)) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"host": socket.gethostname(), "pid": os.getpid()}).encode(), 0)
    return ServeLock(path, fd)


def _read_holder(fd: int) -> dict[str, object]:
    try:
        found = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _pid(holder: dict[str, object]) -> int | None:
    pid = holder.get("pid")
    return pid if isinstance(pid, int) else None
