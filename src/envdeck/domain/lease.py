"""Leases: a named piece of work that one instance at a time holds, until a time it renews.

Several instances on one MongoDB share work out through leases (docs/operations.md): a shard
of the health checks, a singleton job. A lease is held by the instance named in it until
`expires_at`; past that, any instance may take it. Times are each instance's own clock, kept
in sync by NTP, as for the instance registry.
"""

from envdeck.domain.base import DomainModel, UtcDatetime


class Lease(DomainModel):
    name: str
    holder: str  # an instance id
    expires_at: UtcDatetime
