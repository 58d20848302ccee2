"""Credentials of the vault: an SSH key or a password, stored encrypted."""

from pydantic import Field

from envdeck.domain.base import DomainModel, PageOptions, UtcDatetime
from envdeck.domain.environment import CredentialKind

CREDENTIAL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$"


class Credential(DomainModel):
    id: str = ""
    name: str = Field(pattern=CREDENTIAL_NAME_PATTERN)
    type: CredentialKind
    username: str = Field(default="", max_length=100)
    # Ciphertexts (AES-256-GCM); the plaintext never leaves the services layer.
    secret: str = Field(repr=False)
    passphrase: str | None = Field(default=None, repr=False)
    fingerprint: str = ""
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class CredentialListOptions(PageOptions):
    type: CredentialKind | None = None
