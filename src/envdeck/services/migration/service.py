"""Bring the original's documents into Envdeck's storage: planned first, then written.

Idempotent: Envdeck keeps the original's ids, so a second run finds every record the first one
wrote and changes only what differs (nothing, when the original did not change). Planning
validates everything before anything is written; each collection is then written all or
nothing (what a failed collection wrote is taken back, and the report says so). A dry run
plans and reports the same, and writes nothing.

What the migration never overwrites: a user's password once migrated (they may have changed
it in Envdeck), a host key Envdeck learned on first use, a credential an admin chose.
"""

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import ValidationError

from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.domain.auth import Principal
from envdeck.domain.clock import utc_now
from envdeck.domain.credential import Credential
from envdeck.domain.environment import Environment, EnvironmentListOptions, HostKeyPolicy
from envdeck.domain.errors import (
    CredentialNotFound,
    EnvdeckError,
    EnvironmentNotFound,
    UserNotFound,
    ValidationFailed,
)
from envdeck.domain.log import LogEntry, LogFilter, LogType
from envdeck.domain.user import User
from envdeck.repositories.base import Storage
from envdeck.services.inventory.credentials import credential_context
from envdeck.services.inventory.environments import SERVER_FIELDS, sealed
from envdeck.services.inventory.sealing import leaf_context
from envdeck.services.inventory.secret_fields import (
    Leaf,
    dotted,
    is_bound,
    leaves,
    map_environment,
    sealable,
)
from envdeck.services.inventory.seed_metadata import (
    SeedSsh,
    check_ssh_secret,
    save_credential,
    split_seed_metadata,
    vault_credential,
    with_credential,
)
from envdeck.services.migration.environments import translate_environment
from envdeck.services.migration.logs import translate_audit, translate_log
from envdeck.services.migration.report import MigrationReport
from envdeck.services.migration.source import OriginalData
from envdeck.services.migration.users import translate_user
from envdeck.services.migration.values import Document, object_id

T = TypeVar("T")
Announce = Callable[[Principal, str, Environment, Environment | None], Environment]
_UNOPENED = object()  # a stored secret the key does not open: never equal to anything
_PROFILE = ("username", "email", "role", "active")


@dataclass
class EnvironmentPlan:
    env: Environment  # secrets in clear
    stored: Environment | None
    credential: Credential | None = None  # sealed, to create or replace
    credential_outcome: str = "skipped"  # created, updated or skipped

    @property
    def credential_changed(self) -> bool:
        return self.credential_outcome != "skipped"


@dataclass
class Plan:
    environments: list[EnvironmentPlan] = field(default_factory=list)
    new_users: list[User] = field(default_factory=list)
    changed_users: list[User] = field(default_factory=list)
    new_logs: list[LogEntry] = field(default_factory=list)
    # (create | update, as stored, as it was) of each environment written.
    written: list[tuple[str, Environment, Environment | None]] = field(default_factory=list)


def _opened(env: Environment, box: SecretBox) -> Environment:
    """Return env with its sealed values opened (for comparing, never stored or shown)."""

    def open_leaf(leaf: Leaf) -> Any:
        if not is_bound(leaf.value):
            return leaf.value
        try:
            plain = box.open(leaf.value, leaf_context(env.id, leaf.path))
            return json.loads(plain) if leaf.json else plain
        except (SecretDecryptionError, ValueError):
            return _UNOPENED

    return map_environment(env, open_leaf)


def _config(env: Environment) -> Any:
    return env.model_dump(mode="json", by_alias=True, exclude=SERVER_FIELDS)


class Migration:
    def __init__(
        self,
        storage: Storage,
        box: SecretBox,
        retention_days: int | None = None,
        announce: Announce | None = None,
    ) -> None:
        self._storage = storage
        self._box = box
        self._retention_days = retention_days
        # In a running Envdeck: each environment written is audited and published, as the
        # API's are (EnvironmentService.announce), so dashboards show it at once.
        self._announce = announce

    async def run(
        self, data: OriginalData, *, dry_run: bool, actor: Principal | None = None
    ) -> MigrationReport:
        """Migrate the original's documents (or, with dry_run, only say what would change)."""
        report = MigrationReport(dry_run=dry_run)
        plan = Plan()
        await self._plan_environments(data, plan, report)
        await self._plan_users(data, plan, report)
        await self._plan_logs(data, plan, report)
        if not dry_run:
            await self._write(plan, report)
            if actor is not None and self._announce is not None:
                for action, env, before in plan.written:
                    self._announce(actor, action, env, before)
        return report

    # ---- environments --------------------------------------------------------------------

    async def _existing_environments(self) -> dict[str, Environment]:
        found: dict[str, Environment] = {}
        page = 1
        while True:
            options = EnvironmentListOptions(page=page, limit=200)
            items, total = await self._storage.environments.list(options)
            found |= {env.id: env for env in items}
            if not items or len(found) >= total:
                return found
            page += 1

    async def _plan_environments(
        self, data: OriginalData, plan: Plan, report: MigrationReport
    ) -> None:
        existing = await self._existing_environments()
        ids = {object_id(doc.get("_id")) for doc in data.environments}
        # Names held by Envdeck's own environments; the original's are taken as they come.
        taken = {env.name.lower() for env in existing.values() if env.id not in ids}
        for doc in data.environments:
            env = guarded(
                "environment", doc, report, lambda d, r: translate_environment(d, taken, r)
            )
            if env is None:
                report.count("environments", "skipped")
                continue
            if not env.id:
                report.not_carried.append(f"environment {env.name}: no ObjectId")
                report.count("environments", "skipped")
                continue
            entry = await self._plan_environment(env, existing.get(env.id), report)
            if entry is None:
                report.count("environments", "skipped")
                continue
            plan.environments.append(entry)
        count_environment_outcomes(plan, self._box, report)

    async def _plan_environment(
        self, env: Environment, stored: Environment | None, report: MigrationReport
    ) -> EnvironmentPlan | None:
        where = f"environment {env.name}"
        env, seed = split_seed_metadata(env)
        self._note_seed(where, env, seed, report)
        entry = EnvironmentPlan(env=env, stored=stored)
        if seed.secret is not None:
            try:
                fingerprint = await check_ssh_secret(seed.secret)
            except ValidationFailed as exc:
                report.not_carried.append(f"{where}.{exc.message}: no SSH credential made")
            else:
                credential = vault_credential(env, seed.secret, fingerprint, self._box)
                source = "password" if seed.secret.kind == "password" else "privateKey"
                report.secrets.append(
                    f"{where}: metadata.{source} -> vault credential {credential.name!r}"
                )
                entry.credential = credential
                entry.env = with_credential(env, credential.id)
                entry.credential_outcome = await self._credential_outcome(credential, seed)
        if stored is not None:
            entry.env = _keep_from_envdeck(entry.env, stored)
        for path, leaf in leaves(entry.env).items():
            if leaf.secret and sealable(leaf.value, json=leaf.json):
                report.secrets.append(f"{where}: {dotted(path)} sealed (encrypted at rest)")
        try:
            sealed(entry.env, stored, self._box)  # every rule of saving, before any write
        except ValidationFailed as exc:
            report.not_carried.append(f"{where}: {exc.message}; environment not migrated")
            return None
        return entry

    @staticmethod
    def _note_seed(where: str, env: Environment, seed: SeedSsh, report: MigrationReport) -> None:
        if seed.host_key and not seed.skip_host_key:
            report.secrets.append(f"{where}: metadata.hostKey -> target.hostKey (policy pin)")
        for name in seed.dropped:
            report.not_carried.append(
                f"{where}.metadata.{name}: credentials.type is {env.credentials.type}; only"
                " that secret was moved"
            )
        if seed.skip_host_key:
            report.warnings.append(
                f"{where}: metadata.insecureSkipHostKeyVerification -> host key policy off:"
                " SSH host keys are not verified (choose tofu or pin)"
            )

    async def _credential_outcome(self, credential: Credential, seed: SeedSsh) -> str:
        try:
            stored = await self._storage.credentials.get_by_id(credential.id)
        except CredentialNotFound:
            return "created"
        try:
            secret = self._box.open(stored.secret, credential_context(stored.id, "secret"))
        except SecretDecryptionError:
            return "updated"
        assert seed.secret is not None
        same = (stored.type, stored.username, secret) == (
            credential.type,
            credential.username,
            seed.secret.secret,
        )
        return "skipped" if same else "updated"

    # ---- users -----------------------------------------------------------------------------

    async def _plan_users(self, data: OriginalData, plan: Plan, report: MigrationReport) -> None:
        for doc in data.users:
            user = guarded("user", doc, report, translate_user)
            if user is None:
                report.count("users", "skipped")
                continue
            try:
                stored = await self._storage.users.get_by_id(user.id)
            except UserNotFound:
                stored = None
            if stored is None:
                clash = await self._clash(user)
                if clash:
                    report.not_carried.append(f"user {user.username}: {clash}; not migrated")
                    report.count("users", "skipped")
                else:
                    plan.new_users.append(user)
                    report.count("users", "created")
                continue
            profile = {name: getattr(user, name) for name in _PROFILE}
            if all(getattr(stored, name) == value for name, value in profile.items()):
                report.count("users", "skipped")
            else:
                plan.changed_users.append(stored.model_copy(update=profile))
                report.count("users", "updated")

    async def _clash(self, user: User) -> str:
        """Return why another Envdeck user keeps this one out ("" if none does)."""
        lookups: list[tuple[str, Callable[[str], Awaitable[User]], str | None]] = [
            ("username", self._storage.users.get_by_username, user.username),
            ("email", self._storage.users.get_by_email, user.email),
        ]
        for what, find, value in lookups:
            if not value:
                continue
            try:
                other = await find(value)
            except UserNotFound:
                continue
            if other.id != user.id:
                return f"Envdeck already has a user with this {what}"
        return ""

    # ---- logs ------------------------------------------------------------------------------

    async def _plan_logs(self, data: OriginalData, plan: Plan, report: MigrationReport) -> None:
        entries = [e for doc in data.logs if (e := guarded("log", doc, report, translate_log))]
        skipped = len(data.logs) - len(entries)
        entries += [e for doc in data.audit if (e := guarded("log", doc, report, translate_audit))]
        entries.sort(key=lambda e: (e.timestamp, e.id))
        existing: set[str] = set()
        if entries:
            window = LogFilter(start_date=entries[0].timestamp, end_date=entries[-1].timestamp)
            async for batch in self._storage.logs.iterate(window, 1000):
                existing.update(entry.id for entry in batch)
        plan.new_logs = [e for e in entries if e.id not in existing]
        if self._retention_days is not None:
            cutoff = utc_now() - timedelta(days=self._retention_days)
            expired = sum(1 for e in plan.new_logs if e.timestamp < cutoff)
            if expired:
                report.warnings.append(
                    f"logs: {expired} entries are older than logs.retentionDays"
                    f" ({self._retention_days}): Envdeck deletes them at its next purge; to keep"
                    " them, raise logs.retentionDays (ENVDECK_LOGS__RETENTION_DAYS) first"
                )
        report.count("logs", "created", len(plan.new_logs))
        report.count("logs", "skipped", skipped + len(entries) - len(plan.new_logs))

    # ---- writing ---------------------------------------------------------------------------

    async def _write(self, plan: Plan, report: MigrationReport) -> None:
        await self._all_or_nothing("environments", self._write_environments, plan, report)
        await self._all_or_nothing("users", self._write_users, plan, report)
        if plan.new_logs:
            try:
                await self._storage.logs.create_many(plan.new_logs)
            except EnvdeckError as exc:
                report.failed.append(f"logs: {exc.message} (run again: written entries are kept)")
        if any(c.created or c.updated for c in report.counts.values()):
            await self._storage.logs.create(_summary_entry(report))

    async def _all_or_nothing(
        self,
        collection: str,
        write: Callable[[Plan, list[Callable[[], Awaitable[None]]]], Awaitable[None]],
        plan: Plan,
        report: MigrationReport,
    ) -> None:
        undo: list[Callable[[], Awaitable[None]]] = []
        try:
            await write(plan, undo)
        except EnvdeckError as exc:
            for step in reversed(undo):
                # As much is taken back as storage allows; the report says what failed.
                with contextlib.suppress(EnvdeckError):
                    await step()
            report.failed.append(f"{collection}: {exc.message}; none of them was written")

    async def _write_environments(
        self, plan: Plan, undo: list[Callable[[], Awaitable[None]]]
    ) -> None:
        repo, credentials = self._storage.environments, self._storage.credentials
        written: list[tuple[str, Environment, Environment | None]] = []
        for entry in plan.environments:
            if entry.credential is not None and entry.credential_changed:
                credential = entry.credential
                try:
                    before: Credential | None = await credentials.get_by_id(credential.id)
                except CredentialNotFound:
                    before = None
                await save_credential(credentials, credential)
                undo.append(_restore_credential(self._storage, credential.id, before))
            if entry.stored is None:
                created = await repo.create(sealed(entry.env, None, self._box))
                undo.append(_delete_environment(self._storage, entry.env.id))
                written.append(("create", created, None))
            elif _config(entry.env) != _config(_opened(entry.stored, self._box)):
                kept = entry.stored.model_dump(include=SERVER_FIELDS)
                incoming = Environment.model_validate(
                    entry.env.model_dump(exclude=SERVER_FIELDS) | kept
                )
                updated = await repo.update(sealed(incoming, entry.stored, self._box))
                undo.append(_restore_environment(self._storage, entry.stored))
                written.append(("update", updated, entry.stored))
        plan.written = written

    async def _write_users(self, plan: Plan, undo: list[Callable[[], Awaitable[None]]]) -> None:
        for user in plan.new_users:
            await self._storage.users.create(user)
            undo.append(_delete_user(self._storage, user.id))
        for user in plan.changed_users:
            before = await self._storage.users.get_by_id(user.id)
            await self._storage.users.update(user)
            undo.append(_restore_user(self._storage, before))


def guarded(
    what: str,
    doc: Document,
    report: MigrationReport,
    translate: Callable[[Document, MigrationReport], T | None],
) -> T | None:
    """Return translate(doc, report), or None (reported as not carried) for a document it
    cannot take (another shape than the original's, nesting too deep): one such document never
    stops the migration."""
    try:
        return translate(doc, report)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        reason = f"{where}: {error['msg']}" if where else str(error["msg"])
    except (ValueError, TypeError, RecursionError) as exc:
        reason = str(exc)[:200] or type(exc).__name__
    name = doc.get("name") or doc.get("username") or doc.get("_id")
    report.not_carried.append(f"{what} {str(name)[:80]}: {reason}; not migrated")
    return None


def count_environment_outcomes(plan: Plan, box: SecretBox, report: MigrationReport) -> None:
    """Count each planned environment and credential as created, updated or skipped."""
    for entry in plan.environments:
        if entry.credential is not None:
            report.count("credentials", entry.credential_outcome)
        if entry.stored is None:
            report.count("environments", "created")
        elif _config(entry.env) != _config(_opened(entry.stored, box)):
            report.count("environments", "updated")
        else:
            report.count("environments", "skipped")


def _keep_from_envdeck(env: Environment, stored: Environment) -> Environment:
    """Return env with what Envdeck set since the last run and the original has no say in:
    a host key learned on first use, a credential an admin chose."""
    target, credentials = env.target, env.credentials
    if target.host_key_policy is HostKeyPolicy.TOFU and not target.host_key:
        target = target.model_copy(update={"host_key": stored.target.host_key})
    if credentials.key_id is None and stored.credentials.key_id is not None:
        credentials = credentials.model_copy(update={"key_id": stored.credentials.key_id})
    return env.model_copy(update={"target": target, "credentials": credentials})


def _summary_entry(report: MigrationReport) -> LogEntry:
    counts = {
        name: {"created": c.created, "updated": c.updated, "skipped": c.skipped}
        for name, c in report.counts.items()
    }
    envs = report.counts["environments"]
    users = report.counts["users"]
    return LogEntry(
        timestamp=utc_now(),
        type=LogType.SYSTEM,
        action="migrate",
        message=(
            "migrated from environment-manager: "
            f"{envs.created} environments created, {envs.updated} updated; "
            f"{users.created} users created, {users.updated} updated; "
            f"{report.counts['logs'].created} log entries"
        ),
        details={"counts": counts, "renamed": report.renamed, "failed": report.failed},
    )


def _delete_environment(storage: Storage, environment_id: str) -> Callable[[], Awaitable[None]]:
    async def step() -> None:
        with contextlib.suppress(EnvironmentNotFound):
            await storage.environments.delete(environment_id)

    return step


def _restore_environment(storage: Storage, before: Environment) -> Callable[[], Awaitable[None]]:
    async def step() -> None:
        await storage.environments.update(before)

    return step


def _restore_credential(
    storage: Storage, credential_id: str, before: Credential | None
) -> Callable[[], Awaitable[None]]:
    async def step() -> None:
        if before is None:
            await storage.credentials.delete(credential_id)
        else:
            await storage.credentials.update(before)

    return step


def _delete_user(storage: Storage, user_id: str) -> Callable[[], Awaitable[None]]:
    async def step() -> None:
        await storage.users.delete(user_id)

    return step


def _restore_user(storage: Storage, before: User) -> Callable[[], Awaitable[None]]:
    async def step() -> None:
        await storage.users.update(before)

    return step
