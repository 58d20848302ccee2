"""The fault-injection suite: the real app, real storage, real targets, and something broken.

Each test breaks one dependency the way it breaks in production, then checks two things: the
failure ends in a clear error (a status, a code, a message a person understands), and the state
left behind is consistent (nothing lost, nothing stuck, the next request works).
"""

from pathlib import Path

from envdeck.config import Settings, load_settings


def fault_settings(data_dir: Path, **environ: str) -> Settings:
    """Settings for a live app under faults: cheap bcrypt, quick flushes, warnings only."""
    base = {
        "ENVDECK_DATA_DIR": str(data_dir),
        "ENVDECK_AUTH__BCRYPT_COST": "4",
        "ENVDECK_LOG__LEVEL": "warning",
        "ENVDECK_OPERATIONS__VERIFY_POLL_INTERVAL": "200ms",
        "ENVDECK_OPERATIONS__OUTPUT_FLUSH_INTERVAL": "200ms",
    }
    return load_settings(environ=base | environ)
