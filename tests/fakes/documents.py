"""What every in-memory repository shares: a dict of copies, unique keys, pages, an outage switch.

Stored entities are validated copies (times cut to the millisecond both backends keep), and
reads hand out copies again, so a caller that changes an entity it got changes nothing stored:
as with a real database, only a write does.
"""

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from envdeck.domain.base import PageOptions
from envdeck.domain.clock import utc_now
from envdeck.domain.errors import AlreadyExists, NotFound, StorageUnavailable
from envdeck.domain.ids import new_id

M = TypeVar("M", bound=BaseModel)
Clock = Callable[[], datetime]


class Outage:
    """An outage switch: while `down`, every call raises StorageUnavailable (as the breaker
    and both backends do when storage is unreachable)."""

    def __init__(self) -> None:
        self.down = False

    def check(self) -> None:
        if self.down:
            raise StorageUnavailable(details={"backend": "memory"})


class Documents(Generic[M]):
    """One collection of entities, by id, with the unique keys a backend's indexes enforce.

    `unique` maps a field name (as AlreadyExists names it) to the key an entity has for it;
    a key of None is not indexed (any number of users may have no email).
    """

    def __init__(
        self,
        not_found: type[NotFound],
        outage: Outage,
        unique: dict[str, Callable[[M], Hashable | None]] | None = None,
    ) -> None:
        self.not_found = not_found
        self.outage = outage
        self._unique = unique or {}
        self._items: dict[str, M] = {}

    def __len__(self) -> int:
        return len(self._items)

    def all(self) -> list[M]:
        """Return copies of every stored entity, in insertion order."""
        self.outage.check()
        return [item.model_copy(deep=True) for item in self._items.values()]

    def get(self, item_id: str) -> M:
        self.outage.check()
        item = self._items.get(item_id)
        if item is None:
            raise self.not_found()
        return item.model_copy(deep=True)

    def find(self, match: Callable[[M], bool]) -> M:
        """Return the first stored entity that matches, or raise the entity's NotFound."""
        for item in self.all():
            if match(item):
                return item
        raise self.not_found()

    def has(self, item_id: str) -> bool:
        return item_id in self._items

    def put(self, item_id: str, item: M) -> M:
        """Store item under item_id (insert or replace) once its unique keys are free."""
        self.outage.check()
        # A round trip, as through a backend: validated again, times to the millisecond.
        stored = item.model_validate(item.model_dump())
        self._check_unique(item_id, stored)
        self._items[item_id] = stored
        return stored.model_copy(deep=True)

    def insert(self, item_id: str, item: M) -> M:
        """Store a new item; an id already stored is AlreadyExists, as a primary key is."""
        self.outage.check()
        if item_id in self._items:
            raise AlreadyExists("id already exists", details={"field": "id"})
        return self.put(item_id, item)

    def delete(self, item_id: str) -> None:
        self.outage.check()
        if self._items.pop(item_id, None) is None:
            raise self.not_found()

    def delete_where(self, match: Callable[[M], bool]) -> int:
        self.outage.check()
        gone = [item_id for item_id, item in self._items.items() if match(item)]
        for item_id in gone:
            del self._items[item_id]
        return len(gone)

    def _check_unique(self, item_id: str, item: M) -> None:
        for field, key_of in self._unique.items():
            key = key_of(item)
            if key is None:
                continue
            for other_id, other in self._items.items():
                if other_id != item_id and key_of(other) == key:
                    raise AlreadyExists(f"{field} already exists", details={"field": field})


class FakeRepository(Generic[M]):
    """What an in-memory repository of one entity starts from: its collection (`docs`), the
    storage's outage switch and clock, and the reads and writes every protocol has alike."""

    not_found: ClassVar[type[NotFound]]
    # (field name, its key) pairs, as the backends' unique indexes have them.
    unique: ClassVar[tuple[tuple[str, Callable[[Any], Hashable | None]], ...]] = ()

    def __init__(self, outage: Outage | None = None, clock: Clock | None = None) -> None:
        self.outage = outage or Outage()
        self._now = now_from(clock)
        self.docs: Documents[M] = Documents(self.not_found, self.outage, dict(self.unique))

    def insert_new(self, item: M, *stamped: str, keep_id: bool = False) -> M:
        """Store item under a fresh id (or its own, when keep_id and it has one), with the
        named time fields set to now."""
        now = self._now()
        given = item.id if keep_id else ""  # type: ignore[attr-defined]
        stored = item.model_copy(update={"id": given or new_id(), **dict.fromkeys(stamped, now)})
        return self.docs.insert(stored.id, stored)  # type: ignore[attr-defined]

    async def get_by_id(self, item_id: str) -> M:
        return self.docs.get(item_id)

    async def delete(self, item_id: str) -> None:
        self.docs.delete(item_id)


def page(items: Iterable[M], options: PageOptions) -> tuple[list[M], int]:
    """Return the page of already filtered and sorted items, and how many there are."""
    matching = list(items)
    return matching[options.offset : options.offset + options.limit], len(matching)


def now_from(clock: Clock | None) -> Clock:
    return clock or utc_now


def to_ms(at: datetime) -> datetime:
    """Return a time cut to the millisecond, as both backends compare stored times."""
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
