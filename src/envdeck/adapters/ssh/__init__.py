"""SSH for operations: a pool of verified connections and a runner of one-script sessions.

`SshPool` (pool.py) lends sessions on pooled asyncssh connections, checking host keys by the
environment's policy (host_keys.py); `SshRunner` (runner.py) runs a configured script as one
script in one session and streams its output. The operation service builds an `SshTarget`
from the environment and an `SshCredential` from the vault, and stores the `RunResult`.
"""

from envdeck.adapters.ssh.pool import PoolSettings, SshCredential, SshPool, SshTarget
from envdeck.adapters.ssh.runner import SCRIPT_WRAPPER, OutputCallback, SshRunner

__all__ = [
    "SCRIPT_WRAPPER",
    "OutputCallback",
    "PoolSettings",
    "SshCredential",
    "SshPool",
    "SshRunner",
    "SshTarget",
]
