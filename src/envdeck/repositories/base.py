"""One Protocol per repository: what services may ask of storage, whatever the backend.

Conventions every implementation keeps (the contract tests in tests/contract check them):
- `get_by_*` raises the entity's NotFound error; a malformed id is simply not found.
- A unique violation raises AlreadyExists; a storage failure raises StorageUnavailable.
- `create` assigns `id` (24-hex) and creation timestamps and returns the stored entity.
- `list` returns (items on the page, total matching) so callers can paginate.
"""

import builtins
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from envdeck.domain.alerting import AlertState, OutboxEntry, OutboxStatus
from envdeck.domain.credential import Credential, CredentialListOptions
from envdeck.domain.environment import (
    ActiveOperation,
    Environment,
    EnvironmentListOptions,
    OperationTimestamp,
    Status,
    SystemInfo,
)
from envdeck.domain.health import HealthPoint, HealthSample
from envdeck.domain.instance import Instance
from envdeck.domain.lease import Lease
from envdeck.domain.log import LogBatch, LogCounts, LogEntry, LogFilter, LogListOptions
from envdeck.domain.login_attempt import AttemptWindow
from envdeck.domain.maintenance import MaintenanceWindow, MaintenanceWindowListOptions
from envdeck.domain.notification import (
    Delivery,
    NotificationChannel,
    NotificationChannelListOptions,
)
from envdeck.domain.operation import (
    Operation,
    OperationError,
    OperationListOptions,
    OperationStatus,
)
from envdeck.domain.promotion import (
    Pipeline,
    PipelineListOptions,
    Promotion,
    PromotionListOptions,
    PromotionStatus,
)
from envdeck.domain.reservation import (
    CurrentAndNext,
    ExpiryState,
    Holder,
    Reservation,
    ReservationListOptions,
)
from envdeck.domain.status_page import StatusPage, StatusPageListOptions
from envdeck.domain.user import ApiToken, ApiTokenListOptions, User, UserListOptions


class EnvironmentRepository(Protocol):
    async def create(self, environment: Environment) -> Environment:
        """Store a new environment; its name must be unique."""

    async def get_by_id(self, environment_id: str) -> Environment:
        """Return the environment with this id."""

    async def get_by_name(self, name: str) -> Environment:
        """Return the environment with this exact name."""

    async def list_by_credential(self, credential_id: str) -> list[Environment]:
        """Return every environment whose credentials.keyId is credential_id, by name."""

    async def list(self, options: EnvironmentListOptions) -> tuple[list[Environment], int]:
        """Return one filtered, sorted page of environments and the total that match."""

    async def find(self, options: EnvironmentListOptions) -> builtins.list[Environment]:
        """Return the page list() would, without counting the total (a cheaper read)."""

    async def update(self, environment: Environment) -> Environment:
        """Replace an environment's configuration, keeping the status that update_status owns."""

    async def update_status(self, environment_id: str, status: Status) -> None:
        """Replace an environment's health status alone."""

    async def update_statuses(self, statuses: dict[str, Status]) -> None:
        """Replace the status of many environments in one write (the health engine's batch).

        A healthy status also sets timestamps.lastHealthyAt to its lastCheck. Ids of
        environments deleted meanwhile are ignored.
        """

    async def update_system_info(self, environment_id: str, system_info: SystemInfo) -> None:
        """Replace an environment's systemInfo alone (a discovered version, OS details)."""

    async def update_system_infos(self, system_infos: dict[str, SystemInfo]) -> None:
        """Replace the systemInfo of many environments in one write (discovered versions).

        Ids of environments deleted meanwhile are ignored.
        """

    async def set_active_operation(
        self, environment_id: str, active: ActiveOperation, expected: str | None = None
    ) -> bool:
        """Set activeOperation only while the stored one's id is expected (None: no operation).

        Atomic (a compare-and-set): of two concurrent claims with the same expectation, one
        wins. Return whether it was set; raise EnvironmentNotFound when there is no such
        environment.
        """

    async def clear_active_operation(self, environment_id: str, operation_id: str) -> bool:
        """Clear activeOperation if it is operation_id's; return whether it was cleared.

        An environment deleted meanwhile is ignored (False).
        """

    async def set_host_key(self, environment_id: str, host_key: str, expected: str = "") -> bool:
        """Set target.hostKey only while the stored one equals expected; return whether it was."""

    async def set_operation_timestamp(
        self, environment_id: str, name: OperationTimestamp, at: datetime
    ) -> None:
        """Set timestamps.lastRestartAt or lastUpgradeAt alone; a missing id is ignored."""

    async def delete(self, environment_id: str) -> None:
        """Delete an environment."""

    async def count(self) -> int:
        """Return how many environments there are."""

    async def count_by_health(self) -> dict[str, int]:
        """Return how many environments there are in each health state (all states present)."""

    async def count_by_tag(self) -> dict[str, int]:
        """Return how many environments carry each tag."""


class UserRepository(Protocol):
    async def create(self, user: User) -> User:
        """Store a new user; username and (when given) email must be unique."""

    async def get_by_id(self, user_id: str) -> User:
        """Return the user with this id."""

    async def get_by_username(self, username: str) -> User:
        """Return the user with this username (case-insensitive)."""

    async def get_by_email(self, email: str) -> User:
        """Return the user with this email (case-insensitive)."""

    async def list(self, options: UserListOptions) -> tuple[list[User], int]:
        """Return one page of users ordered by username, and the total that match."""

    async def update(self, user: User) -> User:
        """Replace a user's profile (role, active, email, lastLogin), keeping the password
        and logsReadAt."""

    async def create_first(self, user: User) -> User:
        """Store user only while no user exists at all, else raise Conflict.

        Atomic across processes sharing the storage: of two concurrent calls, one wins.
        """

    async def record_login(self, user_id: str, at: datetime) -> None:
        """Set lastLogin alone (a login must never write back a stale role or flag)."""

    async def update_password(self, user_id: str, password_hash: str) -> None:
        """Replace a user's password hash and bump its sessionVersion (atomically)."""

    async def end_sessions(self, user_id: str) -> None:
        """Bump a user's sessionVersion alone (atomically): every login token issued until now
        stops working."""

    async def set_logs_read_at(self, user_id: str, at: datetime) -> None:
        """Set logsReadAt alone: the user has read the activity log up to this time."""

    async def delete(self, user_id: str) -> None:
        """Delete a user."""

    async def count(self) -> int:
        """Return how many users there are."""


class LogRepository(Protocol):
    async def create(self, entry: LogEntry) -> LogEntry:
        """Store one entry, keeping its id if it has one (the activity log names entries)."""

    async def create_many(self, entries: list[LogEntry]) -> list[LogEntry]:
        """Store a batch in one write, keeping ids that are set.

        Idempotent: an entry whose id is already stored is skipped, so a batch retried after
        a failure whose outcome was unknown is never stored twice.
        """

    async def get_by_id(self, log_id: str) -> LogEntry:
        """Return the entry with this id."""

    async def list(self, options: LogListOptions) -> tuple[list[LogEntry], int]:
        """Return one page of matching entries, newest first, and the total that match."""

    async def count(self, log_filter: LogFilter) -> int:
        """Return how many entries match."""

    def iterate(self, log_filter: LogFilter, batch_size: int) -> AsyncIterator[LogBatch]:
        """Yield every matching entry, newest first, in batches of at most batch_size.

        Each batch is one query continuing after the last entry of the one before (keyset on
        timestamp and id, never an offset), so memory stays at one batch and entries stored
        meanwhile neither repeat nor shift the rest.
        """

    async def summarize(self, log_filter: LogFilter) -> LogCounts:
        """Return how many entries match: in all, by type and by level."""

    async def count_unread(
        self,
        since: datetime | None,
        user_id: str,
        cap: int,
        exclude_actions: tuple[str, ...] = (),
        *,
        attention: bool = False,
    ) -> int:
        """Return how many entries newer than since (all if None) were not made by user_id,
        leaving out exclude_actions (and, with attention, those no rule of domain/attention.py
        matches), counting no further than cap."""

    async def delete_before(self, cutoff: datetime) -> int:
        """Delete entries older than cutoff (retention); return how many went."""

    async def expire_after(self, retention: timedelta) -> bool:
        """Have storage expire entries older than retention by itself, if it can.

        Return True when it does (MongoDB: a TTL index), False when the caller must purge
        with delete_before (SQLite).
        """


class HealthSampleRepository(Protocol):
    """Raw check samples (kept days) and their hourly rollups (kept a year and more)."""

    async def record(self, samples: list[HealthSample]) -> None:
        """Store samples and add each to its environment's hourly rollup, all in one write."""

    async def history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        """Return raw samples in [start, end) merged into buckets, oldest first, empty omitted."""

    async def rollup_history(
        self, environment_id: str, start: datetime, end: datetime, bucket: timedelta
    ) -> list[HealthPoint]:
        """Return hourly rollups in [start, end) merged into buckets (whole hours), oldest first."""

    async def recent(
        self, environment_ids: list[str], since: datetime, bucket: timedelta
    ) -> dict[str, list[HealthPoint]]:
        """Return each environment's raw samples since `since` in buckets (card sparklines)."""

    async def latest(self, environment_id: str, limit: int) -> list[HealthSample]:
        """Return the environment's newest raw samples, newest first."""

    async def uptime(self, environment_id: str, since: datetime) -> tuple[int, int]:
        """Return (checks, healthy checks) from the rollups of the hours since `since`."""

    async def delete_before(self, raw_cutoff: datetime, rollup_cutoff: datetime) -> int:
        """Delete raw samples before raw_cutoff and rollups before rollup_cutoff; return count."""

    async def delete_for_environment(self, environment_id: str) -> None:
        """Forget every sample and rollup of a deleted environment."""

    async def expire_after(self, raw_retention: timedelta, rollup_retention: timedelta) -> bool:
        """Have storage expire old samples and rollups by itself, if it can.

        Return True when it does (MongoDB: TTL indexes), False when the caller must purge
        with delete_before (SQLite).
        """


class OperationRepository(Protocol):
    async def create(self, operation: Operation) -> Operation:
        """Store a new operation, keeping its id when one is set."""

    async def get_by_id(self, operation_id: str) -> Operation:
        """Return the operation with this id."""

    async def list(self, options: OperationListOptions) -> tuple[list[Operation], int]:
        """Return one page of matching operations, newest first, and the total."""

    async def update(self, operation: Operation) -> Operation:
        """Replace a stored operation and return it; an unfinished one (pending, running)
        never replaces a finished one: the stored record is returned unchanged."""

    async def list_unfinished(self) -> builtins.list[Operation]:
        """Return every `pending` or `running` operation, oldest first."""

    async def close_unfinished(
        self,
        operation_ids: Sequence[str],
        status: OperationStatus,
        error: OperationError,
        finished_at: datetime,
    ) -> builtins.list[Operation]:
        """Give those of operation_ids still `pending` or `running` this final status, error
        and finish time, each atomically; return the ones this call closed. Of callers racing
        (instances sweeping, a cancel), exactly one closes each operation."""


class CredentialRepository(Protocol):
    async def create(self, credential: Credential) -> Credential:
        """Store a new credential; its name must be unique."""

    async def get_by_id(self, credential_id: str) -> Credential:
        """Return the credential with this id."""

    async def get_by_name(self, name: str) -> Credential:
        """Return the credential with this exact name."""

    async def list(self, options: CredentialListOptions) -> tuple[list[Credential], int]:
        """Return one page of credentials ordered by name, and the total."""

    async def update(self, credential: Credential) -> Credential:
        """Replace a stored credential; its name must stay unique."""

    async def delete(self, credential_id: str) -> None:
        """Delete a credential."""


class ApiTokenRepository(Protocol):
    async def create(self, token: ApiToken) -> ApiToken:
        """Store a new API token (its hash, never the secret)."""

    async def get_by_id(self, token_id: str) -> ApiToken:
        """Return the token with this id."""

    async def get_by_hash(self, token_hash: str) -> ApiToken:
        """Return the token whose secret hashes to token_hash."""

    async def list(self, options: ApiTokenListOptions) -> tuple[list[ApiToken], int]:
        """Return one page of tokens (of one user, or all), newest first, and the total."""

    async def touch(self, token_id: str, used_at: datetime) -> None:
        """Record when a token was last used; a missing token is ignored."""

    async def delete(self, token_id: str) -> None:
        """Delete (revoke) a token."""

    async def delete_for_user(self, user_id: str) -> int:
        """Delete every token of a user; return how many went."""


class RevocationRepository(Protocol):
    """Revoked login tokens (by jti), kept until the token would have expired anyway."""

    async def revoke(self, jti: str, expires_at: datetime) -> None:
        """Mark a token revoked; revoking twice is harmless."""

    async def is_revoked(self, jti: str) -> bool:
        """Tell whether a token was revoked."""

    async def purge_expired(self, now: datetime) -> int:
        """Forget revocations of tokens expired by now; return how many went."""


class LoginAttemptRepository(Protocol):
    """Recent failed sign-ins by key, shared by every instance (the login limiter's counts)."""

    async def get(self, key: str) -> AttemptWindow | None:
        """Return the window stored under key (expired or not), or None."""

    async def save(self, window: AttemptWindow) -> bool:
        """Store window if the stored one is its previous version (none stored: version 1).

        Atomic (a compare-and-set): of two writes of the same version, one is stored. Return
        whether this one was.
        """

    async def delete_for_account(self, account: str) -> int:
        """Delete every window of an account (with any client, or all); return how many went."""

    async def purge_expired(self, now: datetime) -> int:
        """Delete the windows that expired by now; return how many went."""


class MaintenanceWindowRepository(Protocol):
    async def create(self, window: MaintenanceWindow) -> MaintenanceWindow:
        """Store a new window; assign its id and times."""

    async def get_by_id(self, window_id: str) -> MaintenanceWindow:
        """Return the window with this id."""

    async def list(
        self, options: MaintenanceWindowListOptions
    ) -> tuple[builtins.list[MaintenanceWindow], int]:
        """Return one page of windows ordered by name, and the total."""

    async def list_covering(
        self, environment_id: str, tags: builtins.list[str]
    ) -> builtins.list[MaintenanceWindow]:
        """Return the enabled windows whose scope names this environment or one of its tags."""

    async def update(self, window: MaintenanceWindow) -> MaintenanceWindow:
        """Replace a window, keeping its creation time and creator."""

    async def delete(self, window_id: str) -> None:
        """Delete a window."""


class StatusPageRepository(Protocol):
    async def create(self, page: StatusPage) -> StatusPage:
        """Store a new page; assign its id and times. Its slug must be unique."""

    async def get_by_id(self, page_id: str) -> StatusPage:
        """Return the page with this id."""

    async def get_by_slug(self, slug: str) -> StatusPage:
        """Return the page with this slug."""

    async def list(self, options: StatusPageListOptions) -> tuple[builtins.list[StatusPage], int]:
        """Return one page of status pages ordered by slug, and the total."""

    async def update(self, page: StatusPage) -> StatusPage:
        """Replace a page, keeping its creation time and creator; its slug must stay unique."""

    async def delete(self, page_id: str) -> None:
        """Delete a page."""


class ReservationRepository(Protocol):
    """Reservations of environments (domain/reservation.py).

    Of the reservations of one environment that are not released, no two overlap: `create` and
    `set_end` check and write in one atomic step, so of concurrent writers (in this process or
    another instance) the later one is refused, never both stored.
    """

    async def create(self, reservation: Reservation) -> Reservation:
        """Store a new reservation (assigning its id and createdAt) unless a not-released
        reservation of its environment overlaps [start, end): then raise Reserved naming it."""

    async def get_by_id(self, reservation_id: str) -> Reservation:
        """Return the reservation with this id."""

    async def list(self, options: ReservationListOptions) -> tuple[builtins.list[Reservation], int]:
        """Return one filtered page of reservations, newest start first, and the total."""

    async def set_end(self, reservation_id: str, end: datetime) -> Reservation:
        """Move a not-released reservation's end unless another not-released reservation of
        its environment overlaps the new span (raise Reserved); return it as stored. Its expiry
        starts again (pending): a reservation extended is reminded again before its new end.

        A released one (or none) is ReservationNotFound.
        """

    async def release(
        self, reservation_id: str, at: datetime, by: Holder, reason: str | None = None
    ) -> Reservation | None:
        """Set releasedAt, releasedBy (and breakReason when reason is given) of a reservation
        not released yet and return it; return None when it was released already."""

    async def current_and_next(
        self, environment_ids: Sequence[str], now: datetime
    ) -> dict[str, CurrentAndNext]:
        """Return, for each of these environments that has one, the not-released reservation
        holding it at `now` and the next one starting after `now`."""

    async def reserved_between(self, start: datetime, end: datetime) -> set[str]:
        """Return the ids of environments with a not-released reservation overlapping
        [start, end)."""

    async def add_watcher(self, reservation_id: str, watcher: Holder) -> Reservation:
        """Add watcher (once) to those told when the reservation stops holding."""

    async def list_expiring(self, cutoff: datetime, limit: int) -> builtins.list[Reservation]:
        """Return not-released reservations whose expiry is not ended and whose end is at or
        before cutoff, earliest end first."""

    async def advance_expiry(
        self, reservation_id: str, expected: ExpiryState, new: ExpiryState
    ) -> bool:
        """Set expiry to new while it is expected (a compare-and-set); tell whether it was."""


class PipelineRepository(Protocol):
    async def create(self, pipeline: Pipeline) -> Pipeline:
        """Store a new pipeline (assigning id and times); its name must be unique."""

    async def get_by_id(self, pipeline_id: str) -> Pipeline:
        """Return the pipeline with this id."""

    async def get_by_name(self, name: str) -> Pipeline:
        """Return the pipeline with this exact name."""

    async def list(self, options: PipelineListOptions) -> tuple[builtins.list[Pipeline], int]:
        """Return one page of pipelines by name and the total."""

    async def update(self, pipeline: Pipeline) -> Pipeline:
        """Replace a pipeline's name, description and stages (the name stays unique)."""

    async def delete(self, pipeline_id: str) -> None:
        """Delete a pipeline (its promotions stay)."""


class PromotionRepository(Protocol):
    """Promotions (domain/promotion.py).

    Of the promotions of one pipeline stage at most one is open (awaiting approval or running):
    `create` refuses another atomically (PromotionOpen naming the open one), also across
    instances, and `replace` moves a promotion on only from the status its writer read.
    """

    async def create(self, promotion: Promotion) -> Promotion:
        """Store a new open promotion (assigning id and createdAt) unless another promotion of
        its pipeline stage is open: then raise PromotionOpen naming it."""

    async def get_by_id(self, promotion_id: str) -> Promotion:
        """Return the promotion with this id."""

    async def list(self, options: PromotionListOptions) -> tuple[builtins.list[Promotion], int]:
        """Return one filtered page of promotions, newest first, and the total."""

    async def list_open(self, pipeline_id: str | None = None) -> builtins.list[Promotion]:
        """Return the open promotions (of one pipeline, or all), newest first."""

    async def replace(self, promotion: Promotion, expected: PromotionStatus) -> bool:
        """Store promotion in place of the stored one if that one's status is still expected
        (a compare-and-set); tell whether it was. A promotion closed this way frees its stage."""


class NotificationChannelRepository(Protocol):
    async def create(self, channel: NotificationChannel) -> NotificationChannel:
        """Store a new channel; assign its id and times. Its name must be unique."""

    async def get_by_id(self, channel_id: str) -> NotificationChannel:
        """Return the channel with this id."""

    async def list(
        self, options: NotificationChannelListOptions
    ) -> tuple[builtins.list[NotificationChannel], int]:
        """Return one page of channels ordered by name, and the total."""

    async def list_enabled(self) -> builtins.list[NotificationChannel]:
        """Return every enabled channel, by name (alerting picks from these)."""

    async def update(self, channel: NotificationChannel) -> NotificationChannel:
        """Replace a channel, keeping its creation time, creator and last delivery."""

    async def set_last_delivery(self, channel_id: str, delivery: Delivery) -> None:
        """Set lastDelivery alone; a channel deleted meanwhile is ignored."""

    async def delete(self, channel_id: str) -> None:
        """Delete a channel."""


class AlertStateRepository(Protocol):
    """What alerting remembers per environment (domain/alerting.py), shared by every instance."""

    async def get(self, environment_id: str) -> AlertState | None:
        """Return the environment's alert state, or None when none is stored."""

    async def save(self, state: AlertState) -> bool:
        """Store state if the stored one is its previous revision (none stored: revision 1).

        Atomic (a compare-and-set): of two writes of the same revision, one is stored. Return
        whether this one was.
        """

    async def list_due(
        self, now: datetime, limit: int, after: tuple[datetime, str] | None = None
    ) -> builtins.list[AlertState]:
        """Return states due at `now` (dueAt at or before it), by (dueAt, environmentId),
        starting after the `after` pair when given (keyset paging)."""

    async def delete(self, environment_id: str) -> None:
        """Forget an environment's alert state (a missing one is ignored)."""

    async def count(self) -> int:
        """Return how many alert states are stored."""


class NotificationOutboxRepository(Protocol):
    """Messages recorded before they are sent, one per key and channel (domain/alerting.py)."""

    async def claim(self, entries: Sequence[OutboxEntry]) -> set[str]:
        """Store each entry unless one with its id is stored; return the ids stored now.

        Of callers racing to store one id, exactly one stores it.
        """

    async def finish(self, entry_id: str, status: OutboxStatus, at: datetime) -> bool:
        """Mark a pending entry sent or failed at `at`; tell whether it was pending."""

    async def list_pending(
        self, live_owners: Sequence[str], limit: int
    ) -> builtins.list[OutboxEntry]:
        """Return pending entries whose owner is none of live_owners, oldest first."""

    async def take_over(self, entry_id: str, previous_owner: str, owner: str) -> bool:
        """Make owner the owner of a pending entry still owned by previous_owner; tell whether
        it was (of survivors racing for one entry, exactly one gets it)."""

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete the entries created before cutoff; return how many went."""


class InstanceRepository(Protocol):
    """The instance registry: one record per `envdeck serve` process start, by its id."""

    async def upsert_heartbeat(self, instance: Instance) -> None:
        """Store instance as it is now (insert or replace), keeping a stop already recorded."""

    async def mark_stopped(self, instance_id: str, at: datetime) -> bool:
        """Record that the instance stopped at `at` (also its last sighting); tell whether
        there was such an instance."""

    async def list_seen_since(self, since: datetime) -> builtins.list[Instance]:
        """Return the instances last seen at or after since, the latest started first."""

    async def purge_seen_before(self, cutoff: datetime) -> int:
        """Delete the instances last seen before cutoff; return how many went."""


class LeaseRepository(Protocol):
    """Named leases, each held by one instance at a time (domain/lease.py)."""

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold lease `name` for holder until `until` when it is free, expired at `now`, or
        already holder's; tell whether holder holds it now. Of racing holders one wins."""

    async def renew(
        self, names: Sequence[str], holder: str, now: datetime, until: datetime
    ) -> set[str]:
        """Extend to `until` those of names that holder still holds (expired too, when nobody
        took them since); return them."""

    async def release(self, names: Sequence[str], holder: str) -> None:
        """Give up those of names that holder holds (others may take them at once)."""

    async def list_all(self) -> builtins.list[Lease]:
        """Return every lease on record (expired ones too), by name."""


class EventStream(Protocol):
    """An append-only stream of event documents that every instance follows."""

    async def append(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """Append documents, in order."""

    def follow(
        self, on_open: Callable[[], object] | None = None, skip_origin: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield every document appended from now on, in the order appended, for ever
        (reconnecting after an outage, resuming where it was when the stream allows), but
        those whose `origin` is skip_origin (left out by the server, not read at all);
        on_open is called once the stream is open (what is appended after it is yielded)."""


class ClusterStore(Protocol):
    """What several instances share beyond the repositories (a MongoDB replica set)."""

    @property
    def leases(self) -> LeaseRepository: ...

    @property
    def events(self) -> EventStream: ...


class ClusterUnsupported(Exception):
    """This storage cannot carry several instances; the message says why, in one line."""


class Storage(Protocol):
    """One opened backend: its repositories and its lifecycle.

    The repositories are read-only properties, so a backend (or a wrapper) may hold each as its
    own concrete class: nothing replaces a storage's repositories after construction.
    """

    backend: str

    @property
    def environments(self) -> EnvironmentRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def logs(self) -> LogRepository: ...

    @property
    def operations(self) -> OperationRepository: ...

    @property
    def credentials(self) -> CredentialRepository: ...

    @property
    def tokens(self) -> ApiTokenRepository: ...

    @property
    def revocations(self) -> RevocationRepository: ...

    @property
    def health_samples(self) -> HealthSampleRepository: ...

    @property
    def maintenance_windows(self) -> MaintenanceWindowRepository: ...

    @property
    def notification_channels(self) -> NotificationChannelRepository: ...

    @property
    def instances(self) -> InstanceRepository: ...

    @property
    def login_attempts(self) -> LoginAttemptRepository: ...

    @property
    def alert_states(self) -> AlertStateRepository: ...

    @property
    def notification_outbox(self) -> NotificationOutboxRepository: ...

    @property
    def reservations(self) -> ReservationRepository: ...

    @property
    def status_pages(self) -> StatusPageRepository: ...

    @property
    def pipelines(self) -> PipelineRepository: ...

    @property
    def promotions(self) -> PromotionRepository: ...

    async def open(self) -> None:
        """Connect and create indexes/migrations; safe to call on an existing database."""

    async def cluster_store(self) -> ClusterStore:
        """Return what several instances share through this (opened) storage; raise
        ClusterUnsupported when it cannot run several instances."""

    async def ping(self) -> None:
        """Return when storage answers; raise StorageUnavailable when it does not."""

    async def close(self) -> None:
        """Release connections."""
