"""The instance registry in memory: records by id, read and purged by when last seen."""

import builtins
from datetime import datetime

from envdeck.domain.instance import Instance, InstanceNotFound
from tests.fakes.documents import FakeRepository, to_ms


class FakeInstanceRepository(FakeRepository[Instance]):
    not_found = InstanceNotFound

    async def upsert_heartbeat(self, instance: Instance) -> None:
        # A stop is final: a heartbeat that lands after it keeps it.
        stopped_at = self.docs.get(instance.id).stopped_at if self.docs.has(instance.id) else None
        self.docs.put(instance.id, instance.model_copy(update={"stopped_at": stopped_at}))

    async def mark_stopped(self, instance_id: str, at: datetime) -> bool:
        self.outage.check()
        if not self.docs.has(instance_id):
            return False
        stored = self.docs.get(instance_id)
        self.docs.put(instance_id, stored.model_copy(update={"stopped_at": at, "last_seen": at}))
        return True

    async def list_seen_since(self, since: datetime) -> builtins.list[Instance]:
        seen = [i for i in self.docs.all() if to_ms(i.last_seen) >= to_ms(since)]
        return sorted(seen, key=lambda i: (i.started_at, i.id), reverse=True)

    async def purge_seen_before(self, cutoff: datetime) -> int:
        return self.docs.delete_where(lambda i: to_ms(i.last_seen) < to_ms(cutoff))
