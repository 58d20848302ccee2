"""Pipelines in the configuration file: written after the environments, read back with them.

A stage's listed environments are written by name (`environmentNames`), as credentials are, so a
file moves between installations; importing resolves them against the stored environments and
those the same file creates. Pipelines are matched by name: created, updated or unchanged.
"""

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from envdeck.domain.errors import EnvironmentNotFound, ValidationFailed
from envdeck.domain.promotion import Pipeline, PipelineListOptions, PipelineNotFound
from envdeck.repositories.base import Storage

Action = Literal["create", "update", "unchanged"]
_COMPARED = {"name", "description", "stages"}


@dataclass
class PlannedPipeline:
    name: str
    action: Action
    # Stages still naming environments; ids are resolved once the environments are written.
    document: dict[str, Any]
    stored: Pipeline | None = None
    written: Pipeline | None = None


class PipelineFiles:
    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    async def export(self, names: dict[str, str]) -> list[dict[str, Any]]:
        """Return every pipeline as the file holds it; `names` maps environment ids to names."""
        documents: list[dict[str, Any]] = []
        page = PipelineListOptions(page=1, limit=200)
        while True:
            items, total = await self._storage.pipelines.list(page)
            for pipeline in items:
                documents.append(_document(pipeline, names))
            if page.page * page.limit >= total:
                return documents
            page = page.model_copy(update={"page": page.page + 1})

    async def plan(
        self, documents: list[dict[str, Any]], known: set[str]
    ) -> tuple[list[PlannedPipeline], list[dict[str, Any]]]:
        """Check the file's pipelines against the environment names known (stored or created
        by the same file); return the plan and the problems found."""
        plans: list[PlannedPipeline] = []
        problems: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, document in enumerate(documents):
            name = str(document.get("name", f"#{index + 1}"))
            try:
                if name in seen:
                    raise ValidationFailed(f"pipeline {name} appears twice in the file")
                seen.add(name)
                plans.append(await self._plan_one(document, known))
            except ValidationError as exc:
                errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
                problems.append({"pipeline": name, "errors": errors})
            except ValidationFailed as exc:
                problems.append({"pipeline": name, "errors": [exc.message]})
        return plans, problems

    async def _plan_one(self, document: dict[str, Any], known: set[str]) -> PlannedPipeline:
        missing = sorted(_names_in(document) - known)
        if missing:
            raise ValidationFailed(f"stages name unknown environments: {', '.join(missing[:5])}")
        # Names of environments the file creates get a placeholder id: they differ from any
        # stored pipeline's, and are resolved when written.
        ids = {}
        for env_name in sorted(known & _names_in(document)):
            try:
                ids[env_name] = (await self._storage.environments.get_by_name(env_name)).id
            except EnvironmentNotFound:
                ids[env_name] = "0" * 24
        pipeline = Pipeline.model_validate(_with_ids(document, ids.__getitem__))
        try:
            stored = await self._storage.pipelines.get_by_name(pipeline.name)
        except PipelineNotFound:
            return PlannedPipeline(pipeline.name, "create", document)
        same = pipeline.model_dump(include=_COMPARED) == stored.model_dump(include=_COMPARED)
        return PlannedPipeline(pipeline.name, "unchanged" if same else "update", document, stored)

    async def apply(self, plans: list[PlannedPipeline], ids: dict[str, str]) -> None:
        """Write the planned pipelines, `ids` mapping environment names to ids."""
        for plan in plans:
            pipeline = Pipeline.model_validate(_with_ids(plan.document, ids.__getitem__))
            if plan.stored is None:
                plan.written = await self._storage.pipelines.create(pipeline)
                continue
            if plan.action == "unchanged":
                continue
            pipeline.id = plan.stored.id
            plan.written = await self._storage.pipelines.update(pipeline)

    async def undo(self, plans: list[PlannedPipeline]) -> None:
        for plan in reversed(plans):
            if plan.written is None:
                continue
            if plan.stored is None:
                await self._storage.pipelines.delete(plan.written.id)
            else:
                await self._storage.pipelines.update(plan.stored)


def _document(pipeline: Pipeline, names: dict[str, str]) -> dict[str, Any]:
    document = pipeline.model_dump(by_alias=True, mode="json", include=_COMPARED)
    for stage in document["stages"]:
        ids = stage.pop("environmentIds")
        stage["environmentNames"] = [names[i] for i in ids if i in names]
    return document


def _names_in(document: dict[str, Any]) -> set[str]:
    return {
        str(name)
        for stage in document.get("stages") or []
        if isinstance(stage, dict)
        for name in stage.get("environmentNames") or []
    }


def _with_ids(document: dict[str, Any], id_of: Any) -> dict[str, Any]:
    resolved = dict(document)
    stages = []
    for stage in document.get("stages") or []:
        if not isinstance(stage, dict):
            stages.append(stage)
            continue
        stage = dict(stage)
        stage["environmentIds"] = [id_of(name) for name in stage.pop("environmentNames", [])]
        stages.append(stage)
    resolved["stages"] = stages
    return resolved
