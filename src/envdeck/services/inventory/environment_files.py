"""Configuration as code: environments exported to YAML and imported back, with a dry run.

The file holds each environment's configuration as the API spells it, without server-set
fields. Secret header values are written as "********": importing onto an existing environment
keeps its stored secret, and a new environment must be given the real value. Credentials are
referenced by name (`credentials.keyName`), not by id, so a file moves between installations.
An import is checked whole before anything is written, and applied all-or-nothing.

A file is parsed within limits (`bounded_yaml.py`: its size, how deep it nests, how much its
aliases expand), and parsing and rendering run in a worker thread: a large file must not stall
the event loop, and with it every other request.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from envdeck.adapters.secret_box import SecretBox
from envdeck.domain.auth import Principal
from envdeck.domain.base import MAX_JSON_DEPTH
from envdeck.domain.credential import Credential
from envdeck.domain.environment import Environment, EnvironmentListOptions
from envdeck.domain.errors import (
    CredentialNotFound,
    EnvdeckError,
    EnvironmentNotFound,
    ValidationFailed,
)
from envdeck.domain.ids import new_id
from envdeck.domain.log import LogType
from envdeck.repositories.base import Storage
from envdeck.services.activity.writer import ActivityLog
from envdeck.services.inventory.bounded_yaml import YamlLimits, load_yaml
from envdeck.services.inventory.environments import (
    SERVER_FIELDS,
    EnvironmentService,
    configuration_diff,
    masked,
    sealed,
)
from envdeck.services.inventory.pipeline_files import PipelineFiles, PlannedPipeline
from envdeck.services.inventory.seed_metadata import unmask_seed_metadata

FILE_VERSION = "envdeck/v1"
FILE_KIND = "EnvironmentList"
MAX_ENVIRONMENTS = 10_000
MAX_PIPELINES = 1_000
MAX_FILE_BYTES = 5 * 1024 * 1024
YAML_LIMITS = YamlLimits(
    max_bytes=MAX_FILE_BYTES,
    # The file, its list and an environment's own fields wrap the free-form values (metadata,
    # bodies), which may nest MAX_JSON_DEPTH deep themselves.
    max_depth=MAX_JSON_DEPTH + 8,
    # Enough to share a health check or a command among thousands of environments.
    max_alias_nodes=50_000,
)
# libyaml's emitter when PyYAML has it: the same YAML, many times faster.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

Action = Literal["create", "update", "unchanged"]


@dataclass
class PlannedChange:
    name: str
    action: Action
    fields: list[str] = field(default_factory=list)
    config: Environment | None = None  # sealed, ready to store
    stored: Environment | None = None
    # The vault credential the original's SSH secret in metadata becomes (seed_metadata.py).
    credential: Credential | None = None


@dataclass
class ImportPlan:
    environments: list[PlannedChange]
    pipelines: list[PlannedPipeline] = field(default_factory=list)


class EnvironmentFiles:
    def __init__(
        self,
        storage: Storage,
        environments: EnvironmentService,
        activity: ActivityLog,
        box: SecretBox,
    ) -> None:
        self._storage = storage
        self._service = environments
        self._activity = activity
        self._box = box
        self._pipelines = PipelineFiles(storage)

    async def export_yaml(self, options: EnvironmentListOptions) -> str:
        """Return the matching environments as a YAML document, secrets masked."""
        documents = []
        page = options.model_copy(update={"page": 1, "limit": 200})
        names: dict[str, str] = {}
        env_names: dict[str, str] = {}
        while True:
            items, total = await self._storage.environments.list(page)
            for env in items:
                documents.append(await self._document(env, names))
                env_names[env.id] = env.name
            if page.page * page.limit >= total:
                break
            page = page.model_copy(update={"page": page.page + 1})
        body: dict[str, Any] = {
            "apiVersion": FILE_VERSION,
            "kind": FILE_KIND,
            "environments": documents,
        }
        # Pipelines only with every environment: a filtered file could not name their stages'.
        unfiltered = options.status is None and options.tag is None and options.q is None
        if unfiltered:
            pipelines = await self._pipelines.export(env_names)
            if pipelines:
                body["pipelines"] = pipelines
        return await asyncio.to_thread(_dump, body)

    async def _document(self, env: Environment, names: dict[str, str]) -> dict[str, Any]:
        document = masked(env).model_dump(by_alias=True, mode="json", exclude=SERVER_FIELDS)
        key_id = env.credentials.key_id
        credentials = document["credentials"]
        del credentials["keyId"]
        if key_id is not None:
            if key_id not in names:
                try:
                    names[key_id] = (await self._storage.credentials.get_by_id(key_id)).name
                except CredentialNotFound:
                    names[key_id] = ""
            credentials["keyName"] = names[key_id] or None
        return document

    async def plan(self, text: str) -> ImportPlan:
        """Check a YAML document whole and return what importing it would change."""
        documents, pipelines = await asyncio.to_thread(_parse, text)
        problems: list[dict[str, Any]] = []
        changes: list[PlannedChange] = []
        seen: set[str] = set()
        for index, document in enumerate(documents):
            name = str(document.get("name", f"#{index + 1}"))
            try:
                if name in seen:
                    raise ValidationFailed(f"{name} appears twice in the file")
                seen.add(name)
                changes.append(await self._plan_one(document))
            except ValidationError as exc:
                problems.append({"environment": name, "errors": _errors(exc)})
            except EnvdeckError as exc:
                problems.append({"environment": name, "errors": [exc.message]})
        if problems:
            raise ValidationFailed(
                f"the file has problems in {len(problems)} environment(s); nothing was imported",
                {"environments": problems},
            )
        known = seen | {name async for name in self._stored_names(pipelines)}
        planned, pipeline_problems = await self._pipelines.plan(pipelines, known)
        if pipeline_problems:
            raise ValidationFailed(
                f"the file has problems in {len(pipeline_problems)} pipeline(s);"
                " nothing was imported",
                {"pipelines": pipeline_problems},
            )
        return ImportPlan(changes, planned)

    async def _stored_names(self, pipelines: list[dict[str, Any]]) -> AsyncIterator[str]:
        """Yield the names the pipelines' stages give that name stored environments."""
        wanted = {
            str(name)
            for pipeline in pipelines
            for stage in pipeline.get("stages") or []
            if isinstance(stage, dict)
            for name in stage.get("environmentNames") or []
        }
        for name in sorted(wanted):
            try:
                yield (await self._storage.environments.get_by_name(name)).name
            except EnvironmentNotFound:
                continue

    async def _plan_one(self, document: dict[str, Any]) -> PlannedChange:
        document = dict(document)
        credentials = dict(document.get("credentials") or {})
        key_name = credentials.pop("keyName", None)
        if key_name:
            try:
                credentials["keyId"] = (await self._storage.credentials.get_by_name(key_name)).id
            except CredentialNotFound:
                raise ValidationFailed(f"credentials.keyName: no credential {key_name!r}") from None
        document["credentials"] = credentials
        config = Environment.model_validate(
            {k: v for k, v in document.items() if k not in _SERVER_KEYS}
        )
        try:
            stored = await self._storage.environments.get_by_name(config.name)
        except EnvironmentNotFound:
            fresh = config.model_copy(update={"id": new_id()})  # its secrets are bound to it
            fresh, credential = await self._service.take_seed_metadata(fresh)
            ready = sealed(fresh, None, self._box)
            return PlannedChange(config.name, "create", config=ready, credential=credential)
        kept = stored.model_dump(include=SERVER_FIELDS)
        incoming = Environment.model_validate(config.model_dump(exclude=SERVER_FIELDS) | kept)
        incoming, credential = await self._service.take_seed_metadata(
            unmask_seed_metadata(incoming, stored, self._box)
        )
        ready = sealed(incoming, stored, self._box)
        fields = list(configuration_diff(stored, ready))
        action: Action = "update" if fields else "unchanged"
        return PlannedChange(config.name, action, fields, ready, stored, credential)

    async def apply(self, actor: Principal, plan: ImportPlan) -> None:
        """Write a checked plan; if storage fails part-way, undo what was written."""
        changes = plan.environments
        done: list[PlannedChange] = []
        try:
            for change in changes:
                if change.credential is not None and change.config is not None:
                    await self._service.save_seed_credential(
                        actor, change.credential, change.config
                    )
                if change.action == "create" and change.config is not None:
                    change.config = await self._storage.environments.create(change.config)
                elif change.action == "update" and change.config is not None:
                    await self._storage.environments.update(change.config)
                done.append(change)
            ids = {c.config.name: c.config.id for c in changes if c.config is not None}
            ids |= {c.stored.name: c.stored.id for c in changes if c.stored is not None}
            missing = {
                name
                for p in plan.pipelines
                for stage in p.document.get("stages") or []
                for name in stage.get("environmentNames") or []
                if name not in ids
            }
            for name in missing:
                ids[name] = (await self._storage.environments.get_by_name(name)).id
            await self._pipelines.apply(plan.pipelines, ids)
        except EnvdeckError:
            await self._pipelines.undo(plan.pipelines)
            await self._undo(done)
            raise
        for change in done:
            if change.action != "unchanged" and change.config is not None:
                self._service.announce(actor, change.action, change.config, change.stored)
        created = sum(c.action == "create" for c in changes)
        updated = sum(c.action == "update" for c in changes)
        piped = sum(p.action != "unchanged" for p in plan.pipelines)
        self._activity.record_by(
            actor.user,
            type=LogType.ACTION,
            action="import",
            message=f"{actor.username} imported environments: {created} created, {updated} updated"
            + (f"; {piped} pipelines written" if piped else ""),
            details={
                "created": created,
                "updated": updated,
                "total": len(changes),
                "pipelines": piped,
            },
        )

    async def _undo(self, done: list[PlannedChange]) -> None:
        for change in reversed(done):
            if change.action == "create" and change.config is not None:
                await self._storage.environments.delete(change.config.id)
            elif change.action == "update" and change.stored is not None:
                await self._storage.environments.update(change.stored)


_SERVER_KEYS = {"id", "status", "systemInfo", "timestamps", "activeOperation"}


def _dump(body: dict[str, Any]) -> str:
    return yaml.dump(body, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)


def _parse(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    body = load_yaml(text, YAML_LIMITS)
    if not isinstance(body, dict) or body.get("apiVersion") != FILE_VERSION:
        raise ValidationFailed(f"not an Envdeck file: expected apiVersion: {FILE_VERSION}")
    environments = body.get("environments")
    if not isinstance(environments, list) or not all(isinstance(e, dict) for e in environments):
        raise ValidationFailed("environments: expected a list of environments")
    if len(environments) > MAX_ENVIRONMENTS:
        raise ValidationFailed(f"at most {MAX_ENVIRONMENTS} environments per file")
    pipelines = body.get("pipelines") or []
    if not isinstance(pipelines, list) or not all(isinstance(p, dict) for p in pipelines):
        raise ValidationFailed("pipelines: expected a list of pipelines")
    if len(pipelines) > MAX_PIPELINES:
        raise ValidationFailed(f"at most {MAX_PIPELINES} pipelines per file")
    return environments, pipelines


def _errors(exc: ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
    ]
