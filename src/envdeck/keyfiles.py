"""The secrets Envdeck generates for itself and keeps in the data dir (mode 0600)."""

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from envdeck.config import Settings

JWT_SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name)
ENCRYPTION_KEY_FILE = "encryption.key"


@dataclass(frozen=True)
class RuntimeSecrets:
    jwt_secret: str
    encryption_key: bytes  # 32 bytes, for AES-256-GCM


def read_or_create(path: Path, *, value: str) -> str:
    """Return the content of path, creating it (0600) with value if it does not exist yet.

    O_EXCL makes two processes starting at once agree on one value: the loser reads the winner's.
    """
    # The data dir holds the database and these keys: nobody else needs to read it.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def _decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except ValueError as exc:
        raise ValueError(f"{source} is not base64") from exc
    if len(key) != 32:
        raise ValueError(f"{source} must hold 32 bytes (256 bits), found {len(key)}")
    return key


def load_runtime_secrets(settings: Settings) -> RuntimeSecrets:
    """Return the configured secrets, generating the missing ones into the data dir."""
    jwt_secret = settings.jwt.secret or read_or_create(
        settings.data_dir / JWT_SECRET_FILE, value=secrets.token_urlsafe(48)
    )
    if settings.encryption.key:
        key = _decode_key(settings.encryption.key, "encryption.key")
    else:
        path = settings.data_dir / ENCRYPTION_KEY_FILE
        text = read_or_create(path, value=base64.urlsafe_b64encode(os.urandom(32)).decode())
        key = _decode_key(text, str(path))
    return RuntimeSecrets(jwt_secret=jwt_secret, encryption_key=key)
