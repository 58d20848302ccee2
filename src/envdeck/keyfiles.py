"""The secrets Envdeck generates for itself and keeps in the data dir (mode 0600)."""

import base64
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from envdeck.config import Settings

JWT_SECRET_FILE = "jwt_secret"  # noqa: S105 (a file name)
ENCRYPTION_KEY_FILE = "encryption.key"
# Written by `envdeck secrets rotate-key` before it re-seals anything, renamed over
# encryption.key once everything is re-sealed: while it exists, values may be under either key.
NEXT_ENCRYPTION_KEY_FILE = "encryption.key.next"


@dataclass(frozen=True)
class RuntimeSecrets:
    jwt_secret: str
    encryption_key: bytes  # 32 bytes, for AES-256-GCM
    next_encryption_key: bytes | None = None  # a key rotation is under way

    @property
    def encryption_keys(self) -> tuple[bytes, ...]:
        """Return the keys a SecretBox needs: the one to seal with first."""
        if self.next_encryption_key is None:
            return (self.encryption_key,)
        return (self.next_encryption_key, self.encryption_key)


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


def new_key_text() -> str:
    """Return a fresh 256-bit key as stored in a key file."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _read_key(path: Path) -> bytes | None:
    if not path.exists():
        return None
    return _decode_key(path.read_text(encoding="utf-8").strip(), str(path))


def load_runtime_secrets(settings: Settings) -> RuntimeSecrets:
    """Return the configured secrets, generating the missing ones into the data dir."""
    jwt_secret = settings.jwt.secret or read_or_create(
        settings.data_dir / JWT_SECRET_FILE, value=secrets.token_urlsafe(48)
    )
    if settings.encryption.key:
        key = _decode_key(settings.encryption.key, "encryption.key")
        return RuntimeSecrets(jwt_secret=jwt_secret, encryption_key=key)
    path = settings.data_dir / ENCRYPTION_KEY_FILE
    key = _decode_key(read_or_create(path, value=new_key_text()), str(path))
    next_key = _read_key(settings.data_dir / NEXT_ENCRYPTION_KEY_FILE)
    return RuntimeSecrets(jwt_secret=jwt_secret, encryption_key=key, next_encryption_key=next_key)


def begin_key_rotation(data_dir: Path) -> bytes:
    """Return the key a rotation re-seals under, writing it as encryption.key.next (0600).

    An interrupted rotation left its key behind: it is reused, since values may already be
    sealed under it. A new key reaches its final name only once written and synced, so the file
    is never half a key.
    """
    path = data_dir / NEXT_ENCRYPTION_KEY_FILE
    existing = _read_key(path)
    if existing is not None:
        return existing
    text = new_key_text()
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    _sync_dir(data_dir)
    return _decode_key(text, str(path))


def finish_key_rotation(data_dir: Path) -> None:
    """Make the rotation's key the key (call once everything is re-sealed under it)."""
    os.replace(data_dir / NEXT_ENCRYPTION_KEY_FILE, data_dir / ENCRYPTION_KEY_FILE)
    _sync_dir(data_dir)


def _sync_dir(directory: Path) -> None:
    # A rename is durable only once its directory is synced.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
