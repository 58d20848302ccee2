"""Which versions an environment can be upgraded to, from its upgrade config's version list.

The list is fetched through the shared outbound client (secret values opened only at send
time, and scrubbed from what comes back), parsed with numbers kept as their exact text (`1.10`
stays "1.10", never 1.1), picked out with `jsonPathResponse` (RFC 9535) or taken whole when the
answer is a JSON array, and ordered newest first when every value is a version `packaging`
understands (otherwise as given). Lists are cached briefly per environment and configuration,
so a page of the Versions view or a burst of upgrade forms costs one request per environment.
Every way the upstream can fail becomes an UpstreamError whose message says which.
"""

import asyncio
import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import jsonpath
from cachetools import TTLCache
from packaging.version import InvalidVersion, Version

from envdeck.adapters.outbound_http import OutboundError, OutboundHttp
from envdeck.adapters.secret_box import SecretBox, SecretDecryptionError
from envdeck.domain.environment import Environment, EnvironmentListOptions, UpgradeConfig
from envdeck.domain.errors import UpstreamError, ValidationFailed
from envdeck.repositories.base import EnvironmentRepository
from envdeck.services.inventory.sealing import SecretScope
from envdeck.services.inventory.secret_fields import VERSION_LIST, RequestParts

CACHE_SECONDS = 60.0
CACHE_ENTRIES = 10_000
FETCH_TIMEOUT_SECONDS = 10.0
MAX_LIST_BYTES = 1_048_576
MAX_VERSIONS = 1000
# The Versions view: lists fetched at once for one page, and how long the set of environments
# that have a version (a scan of the inventory) is reused.
OVERVIEW_CONCURRENCY = 10
OVERVIEW_SECONDS = 5.0
SCAN_PAGE = 200


@dataclass(frozen=True)
class VersionList:
    """An environment's reported version and the versions it could run, newest first."""

    current_version: str | None
    available_versions: list[str]

    @property
    def latest_version(self) -> str | None:
        return self.available_versions[0] if self.available_versions else None

    @property
    def behind_by(self) -> int | None:
        return behind_by(self.current_version, self.available_versions)


def parse_version_document(text: str, json_path: str | None) -> list[str]:
    """Return the versions in a version-list answer, exactly as written, newest first if they
    all parse as versions. Raise UpstreamError when the answer holds no list."""
    try:
        # Numbers stay text: a float would turn "1.10" into 1.1 and lose the release.
        document = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        raise UpstreamError("the version list is not JSON") from None
    if json_path:
        matches = jsonpath.findall(json_path, document)
        if not matches:
            raise UpstreamError(f"the version list's JSONPath {json_path} matched nothing")
        # `$.versions` matches the array itself; `$.versions[*]` its items: accept both.
        values = matches[0] if len(matches) == 1 and isinstance(matches[0], list) else matches
    elif isinstance(document, list):
        values = document
    else:
        raise UpstreamError("the version list is not a JSON array; set jsonPathResponse")
    return order_versions(_clean(values))


def _clean(values: list[Any]) -> list[str]:
    versions: dict[str, None] = {}  # ordered and de-duplicated in linear time
    for value in values:
        # Booleans, nulls, objects and arrays are not versions; numbers arrive as text already.
        if not isinstance(value, str):
            continue
        text = value.strip()
        if text:
            versions[text] = None
            if len(versions) == MAX_VERSIONS:
                break
    return list(versions)


def order_versions(versions: list[str]) -> list[str]:
    """Return versions newest first when all are versions, else unchanged."""
    try:
        parsed = [(Version(v), v) for v in versions]
    except InvalidVersion:
        return list(versions)
    return [text for _, text in sorted(parsed, key=lambda pair: pair[0], reverse=True)]


def behind_by(current: str | None, versions: list[str]) -> int | None:
    """Count listed versions newer than current; None when either side does not compare."""
    if not current:
        return None
    try:
        now = Version(current)
        return sum(1 for v in versions if Version(v) > now)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class VersionRow:
    """One line of the Versions view."""

    environment_id: str
    environment_name: str
    current_version: str | None
    latest_version: str | None
    behind_by: int | None
    error: str | None


@dataclass(frozen=True)
class _Candidate:
    id: str
    name: str
    current_version: str | None
    upgrade_config: UpgradeConfig | None  # None: no version list configured
    scope: SecretScope


class VersionLists:
    def __init__(
        self,
        environments: EnvironmentRepository,
        http: OutboundHttp,
        box: SecretBox,
        *,
        ttl: float = CACHE_SECONDS,
        timeout: float = FETCH_TIMEOUT_SECONDS,
    ) -> None:
        self._environments = environments
        self._http = http
        self._box = box
        self._timeout = timeout
        self._cache: TTLCache[Hashable, list[str]] = TTLCache(CACHE_ENTRIES, ttl)
        self._fetching: dict[Hashable, asyncio.Future[list[str]]] = {}
        self._candidates: TTLCache[Hashable, list[_Candidate]] = TTLCache(64, OVERVIEW_SECONDS)

    async def versions_for(self, environment_id: str) -> VersionList:
        """Return one environment's version and version list (EnvironmentNotFound if none)."""
        return await self.versions_of(await self._environments.get_by_id(environment_id))

    async def overview(
        self, *, q: str | None, tag: str | None, page: int, limit: int, behind: bool = False
    ) -> tuple[list[VersionRow], int]:
        """Return one page of the Versions view and how many rows it has in all.

        A row per environment that reports a version or has a version list; one
        environment's failing list becomes that row's error, never the page's. With behind,
        only the rows behind their newest listed version: which those are takes every
        candidate's list (cached like the others), not only the page's.
        """
        candidates = await self._candidates_for(q, tag)
        if behind:
            comparable = [c for c in candidates if c.upgrade_config and c.current_version]
            rows = [row for row in await self._rows(comparable) if row.behind_by]
            return rows[(page - 1) * limit : page * limit], len(rows)
        return await self._rows(candidates[(page - 1) * limit : page * limit]), len(candidates)

    async def _rows(self, candidates: list[_Candidate]) -> list[VersionRow]:
        room = asyncio.Semaphore(OVERVIEW_CONCURRENCY)

        async def row(candidate: _Candidate) -> VersionRow:
            async with room:
                return await self._row(candidate)

        return list(await asyncio.gather(*(row(c) for c in candidates)))

    async def _row(self, candidate: _Candidate) -> VersionRow:
        versions: list[str] = []
        error = None
        if candidate.upgrade_config is not None:
            try:
                versions = await self._cached(candidate.scope, candidate.upgrade_config)
            except UpstreamError as exc:
                error = exc.message
        return VersionRow(
            environment_id=candidate.id,
            environment_name=candidate.name,
            current_version=candidate.current_version,
            latest_version=versions[0] if versions else None,
            behind_by=behind_by(candidate.current_version, versions) if versions else None,
            error=error,
        )

    async def _candidates_for(self, q: str | None, tag: str | None) -> list[_Candidate]:
        # Which environments have a version is not indexed: the inventory is scanned in name
        # order, keeping only the few fields needed, and the result reused for a few seconds.
        key = (q, tag)
        cached = self._candidates.get(key)
        if cached is not None:
            return cached
        found: list[_Candidate] = []
        options = EnvironmentListOptions(q=q, tag=tag, sort="name", page=1, limit=SCAN_PAGE)
        while True:
            items, total = await self._environments.list(options)
            for env in items:
                config = env.upgrade_config
                listed = config if config.version_list_url is not None else None
                current = env.system_info.app_version or None
                if listed is not None or current is not None:
                    scope = SecretScope.of(env)
                    found.append(_Candidate(env.id, env.name, current, listed, scope))
            if options.page * options.limit >= total or not items:
                break
            options = options.model_copy(update={"page": options.page + 1})
        self._candidates[key] = found
        return found

    async def versions_of(self, env: Environment) -> VersionList:
        """Return env's reported version and its version list (UpstreamError on failure)."""
        config = env.upgrade_config
        if config.version_list_url is None:
            raise ValidationFailed(
                "no version list configured", {"field": "upgradeConfig.versionListURL"}
            )
        return VersionList(env.system_info.app_version or None, await self.fetch(env))

    async def fetch(self, env: Environment) -> list[str]:
        """Return the versions env's upgrade configuration lists, from the cache when fresh."""
        return await self._cached(SecretScope.of(env), env.upgrade_config)

    async def _cached(self, scope: SecretScope, config: UpgradeConfig) -> list[str]:
        # The configuration is part of the key: an edited URL or path is fetched anew.
        key = (scope.environment_id, config.model_dump_json())
        cached = self._cache.get(key)
        if cached is not None:
            return list(cached)
        pending = self._fetching.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(scope, config))
            self._fetching[key] = pending
            pending.add_done_callback(lambda done: self._fetched(key, done))
        # Shielded: a caller that gives up must not cancel the fetch others wait for.
        return list(await asyncio.shield(pending))

    def _fetched(self, key: Hashable, done: asyncio.Future[list[str]]) -> None:
        self._fetching.pop(key, None)
        if not done.cancelled() and done.exception() is None:
            self._cache[key] = done.result()

    async def _fetch(self, scope: SecretScope, config: UpgradeConfig) -> list[str]:
        """Fetch and parse a list; its errors and values are scrubbed of the environment's
        secrets (a list that echoes the request must not show them)."""
        try:
            versions = await self._fetch_once(scope, config)
        except UpstreamError as exc:
            raise UpstreamError(scope.scrubber(self._box).scrub(exc.message)) from None
        if not scope.secrets:
            return versions
        scrubber = scope.scrubber(self._box)
        return list(dict.fromkeys(scrubber.scrub(version) for version in versions))

    async def _fetch_once(self, scope: SecretScope, config: UpgradeConfig) -> list[str]:
        try:
            request = scope.open_request(
                self._box, VERSION_LIST, RequestParts.of(VERSION_LIST, config)
            )
        except SecretDecryptionError:
            raise UpstreamError("version list: a secret value cannot be decrypted") from None
        try:
            response = await self._http.request(
                config.version_list_method.value,
                request.url or str(config.version_list_url),
                headers=request.headers,
                json_body=request.body,
                timeout=self._timeout,
                max_body_bytes=MAX_LIST_BYTES,
            )
        except OutboundError as exc:
            raise UpstreamError(f"version list: {exc.message}") from None
        if not 200 <= response.status < 300:
            raise UpstreamError(f"the version list answered HTTP {response.status}")
        if response.truncated:
            raise UpstreamError(f"the version list is larger than {MAX_LIST_BYTES} bytes")
        return parse_version_document(response.text(), config.json_path_response)
