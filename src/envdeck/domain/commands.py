"""What running a configured command produces: output chunks, a result, its error codes.

These types are what the SSH runner (and, later, the HTTP command runner) hands to the
operation service, which turns a `RunResult` into an Operation record (DESIGN §4).
"""

from enum import StrEnum

from pydantic import Field

from envdeck.domain.base import DomainModel
from envdeck.domain.operation import OUTPUT_TAIL_LIMIT, OperationError


class OutputStream(StrEnum):
    STDOUT = "stdout"
    STDERR = "stderr"


class OutputChunk(DomainModel):
    """One piece of live output, numbered across both streams in arrival order from 1."""

    seq: int = Field(ge=1)
    stream: OutputStream
    chunk: str


class RunOutcome(StrEnum):
    """How a run ended; the values are the Operation statuses they become."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    # Asked to stop (cancel, timeout), but the remote side could not be confirmed gone.
    STOP_UNCONFIRMED = "stop_unconfirmed"


class RunErrorCode(StrEnum):
    """Stable codes of `RunResult.error` (and of the SSH errors in domain/errors.py)."""

    EXIT_STATUS = "EXIT_STATUS"  # the script ran and exited non-zero (or was killed by a signal)
    TIMED_OUT = "TIMED_OUT"
    CANCELLED = "CANCELLED"
    STOP_UNCONFIRMED = "STOP_UNCONFIRMED"  # the script may still run on the host
    SSH_CONNECT_FAILED = "SSH_CONNECT_FAILED"  # refused, unreachable, reset before login
    SSH_CONNECT_TIMEOUT = "SSH_CONNECT_TIMEOUT"
    SSH_AUTH_FAILED = "SSH_AUTH_FAILED"
    SSH_CREDENTIAL_INVALID = "SSH_CREDENTIAL_INVALID"  # key unreadable, wrong passphrase
    HOST_KEY_MISMATCH = "HOST_KEY_MISMATCH"
    HOST_KEY_INVALID = "HOST_KEY_INVALID"  # the configured (pinned) key is not a public key
    SSH_CONNECTION_LOST = "SSH_CONNECTION_LOST"  # the connection died while the script ran
    # HTTP commands (services/operations/http_commands.py)
    HTTP_STATUS = "HTTP_STATUS"  # the target answered, but not with a 2xx status
    HTTP_REQUEST_FAILED = "HTTP_REQUEST_FAILED"  # no response: refused, TLS, DNS, redirects
    COMMAND_INVALID = "COMMAND_INVALID"  # the configured command cannot be rendered
    SECRET_UNAVAILABLE = "SECRET_UNAVAILABLE"  # noqa: S105 (a code: a sealed header cannot be opened)


class HostKeyInfo(DomainModel):
    """The host key the server presented, as seen on this connection."""

    fingerprint: str  # SHA256:… as `ssh-keygen -lf` prints it
    public_key: str  # the OpenSSH line ("ssh-ed25519 AAAA…"), for recording under TOFU
    # Set under TOFU when no key was recorded yet: the caller stores `public_key` on the
    # environment (target.hostKey) so that the next connection must present the same key.
    learned: bool = False
    # Set under policy `off`: nothing was verified.
    insecure: bool = False


class RunResult(DomainModel):
    """The end of one run of a script: how it ended, what it printed, how long it took."""

    outcome: RunOutcome
    exit_code: int | None = None
    exit_signal: str | None = None
    duration_ms: int = 0
    # The last OUTPUT_TAIL_LIMIT characters of stdout and stderr, interleaved as they came.
    output: str = Field(default="", max_length=OUTPUT_TAIL_LIMIT)
    output_truncated: bool = False
    error: OperationError | None = None
    host_key: HostKeyInfo | None = None
    # HTTP commands: the status the target answered with (None when no response came).
    http_status: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome is RunOutcome.SUCCEEDED


class SystemProbe(DomainModel):
    """What `system_info` read on the host: the OS, the kernel, the uptime."""

    os_name: str = ""
    os_version: str = ""
    os_pretty_name: str = ""
    kernel: str = ""
    uptime_seconds: float | None = None

    @property
    def summary(self) -> str:
        """Return the text `systemInfo.osVersion` shows ("Debian GNU/Linux 12 (bookworm)")."""
        return self.os_pretty_name or " ".join(p for p in (self.os_name, self.os_version) if p)


class ConnectionTest(DomainModel):
    """What `test_connection` found: who we are there, the host key, how fast it answers."""

    remote_user: str
    host_key: HostKeyInfo
    connect_ms: float
    latency_ms: float  # one command round trip on the open connection
