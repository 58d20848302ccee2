"""Stopping a script's process group on the host through a second SSH channel.

The SSH "signal" request is refused by OpenSSH for some logins (root among them), so a stop
runs `kill -<signal> -- -<group>` itself, on the script's own connection or, when that one is
gone or stuck, on a fresh one, and reads back whether any process of the group still runs.
"""

import asyncio
import contextlib

import asyncssh

from envdeck.adapters.ssh.pool import SshCredential, SshPool, SshTarget


class GroupKiller:
    """Signals one process group on one host and reports whether it still runs."""

    def __init__(
        self,
        pool: SshPool,
        target: SshTarget,
        credential: SshCredential,
        own: asyncssh.SSHClientConnection,
        group: int,
        *,
        timeout: float,
    ) -> None:
        self._pool = pool
        self._target = target
        self._credential = credential
        self._own: asyncssh.SSHClientConnection | None = own
        self._group = group
        self._timeout = timeout
        self._fresh_failed = False

    async def kill(self, signal: str) -> str:
        """Send signal ("TERM", "KILL", or "0" for none) to the group; return "alive" or
        "gone" as the host saw it afterwards, or "" when no channel could be opened."""
        command = f"kill -{signal} -- -{self._group} 2>/dev/null; {group_check(self._group)}"
        if self._own is not None:
            answer = await self._control(self._own, command)
            if answer:
                return answer
            self._own = None  # it did not answer: do not wait on it again
        if self._fresh_failed:
            return ""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self._timeout):
                fresh, _key = await self._pool.connect(self._target, self._credential)
            try:
                answer = await self._control(fresh, command)
            finally:
                fresh.close()
            if answer:
                return answer
        self._fresh_failed = True
        return ""

    async def _control(self, connection: asyncssh.SSHClientConnection, command: str) -> str:
        with contextlib.suppress(asyncssh.Error, OSError, TimeoutError):
            async with asyncio.timeout(self._timeout):
                done = await connection.run(command, check=False)
            return str(done.stdout or "").strip()
        return ""


def group_check(group: int) -> str:
    """Return a script printing "alive" while a process of group runs, else "gone".

    Not `kill -0`: it also finds zombies, and on hosts (or containers) whose init is slow to
    reap orphans, a killed script's processes stay zombies for long. The command name in
    /proc/<pid>/stat may hold spaces, so the fields are read after its last ") ".
    """
    return (
        "found=gone; for f in /proc/[0-9]*/stat; do "
        'read -r line 2>/dev/null <"$f" || continue; '
        'set -- ${line##*") "}; '
        f'if [ "$3" = {group} ] && [ "$1" != Z ]; then found=alive; fi; '
        'done; echo "$found"'
    )
