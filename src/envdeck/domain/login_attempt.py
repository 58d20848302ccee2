"""Recent failed sign-ins, kept per key so that every instance counts the same attempts.

A window is the list of recent attempts under one key: an account and a client together, an
account from every client, or a client across every account (services/identity/login_limiter.py
says which rule each one follows). Attempts are reserved before a password is checked and given
back when it was right, so a window holds failures and attempts still being checked.
"""

from pydantic import Field

from envdeck.domain.base import DomainModel, UtcDatetime

# The account or client of a window that spans all of them.
ANY = "*"


class AttemptWindow(DomainModel):
    """The recent attempts under one key, newest first, and the version of this record.

    `version` counts the writes: a write of version n succeeds only over version n - 1 (none
    stored counts as 0), which makes each change a compare-and-set across instances.
    """

    key: str = Field(min_length=1, max_length=1000)
    account: str = Field(max_length=500)
    client: str = Field(max_length=500)
    attempts: list[UtcDatetime] = Field(default_factory=list)
    version: int = Field(ge=1)
    # When the newest attempt leaves the window: the record may be deleted from then on.
    expires_at: UtcDatetime
