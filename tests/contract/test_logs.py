"""The LogRepository contract, on every backend."""

from datetime import timedelta

import pytest

from envdeck.domain.errors import AlreadyExists, LogNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.log import LogFilter, LogListOptions, LogType
from envdeck.repositories.base import Storage

from .factories import T0, T0_MS, make_log

ZERO_TYPES = {"health_check": 0, "action": 0, "system": 0, "error": 0, "auth": 0}
ZERO_LEVELS = {"info": 0, "warning": 0, "error": 0, "success": 0}


async def list_messages(storage: Storage, **options: object) -> list[str]:
    items, _ = await storage.logs.list(LogListOptions(limit=200, **options))
    return [item.message for item in items]


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


async def test_create_assigns_an_id_and_keeps_the_timestamp(storage: Storage) -> None:
    given = make_log(
        timestamp=T0,
        environment_id=new_id(),
        environment_name="staging",
        user_id=new_id(),
        username="alice",
        type="action",
        level="success",
        action="upgrade",
        details={"version": "2.4.1", "durationMs": 4200, "steps": ["stop", "start"]},
    )

    created = await storage.logs.create(given)

    assert is_valid_id(created.id)
    assert created.timestamp == T0_MS
    assert created == given.model_copy(update={"id": created.id})
    assert await storage.logs.get_by_id(created.id) == created


async def test_create_keeps_an_id_the_activity_log_gave(storage: Storage) -> None:
    # The activity service names entries when it records them, before they are written.
    named = [make_log(id=new_id()) for _ in range(3)]

    one = await storage.logs.create(named[0])
    batch = await storage.logs.create_many(named[1:])

    assert [entry.id for entry in [one, *batch]] == [entry.id for entry in named]
    for entry in named:
        assert await storage.logs.get_by_id(entry.id) == entry


async def test_create_many_stores_a_batch_and_returns_it_with_ids(storage: Storage) -> None:
    entries = [make_log(timestamp=T0 + minutes(i)) for i in range(5)]

    created = await storage.logs.create_many(entries)

    assert len({entry.id for entry in created}) == 5
    assert all(is_valid_id(entry.id) for entry in created)
    assert [e.model_copy(update={"id": ""}) for e in created] == entries
    for entry in created:
        assert await storage.logs.get_by_id(entry.id) == entry


async def test_rejects_an_id_that_is_taken(storage: Storage) -> None:
    taken = await storage.logs.create(make_log())

    with pytest.raises(AlreadyExists):
        await storage.logs.create(make_log(id=taken.id))

    assert await storage.logs.count(LogFilter()) == 1


async def test_create_many_skips_entries_already_stored(storage: Storage) -> None:
    # A retried batch must not fail, nor store its entries twice.
    batch = await storage.logs.create_many([make_log(message=f"m{i}") for i in range(2)])
    retried = [*batch, make_log(message="new")]

    await storage.logs.create_many(retried)

    assert sorted(await list_messages(storage)) == ["m0", "m1", "new"]


async def test_create_many_of_nothing_stores_nothing(storage: Storage) -> None:
    assert await storage.logs.create_many([]) == []
    assert await storage.logs.count(LogFilter()) == 0


@pytest.mark.parametrize(
    "missing_id", [new_id(), "nope", "z" * 24, ""], ids=["absent", "nope", "zzz", "empty"]
)
async def test_missing_and_malformed_ids_are_not_found(storage: Storage, missing_id: str) -> None:
    await storage.logs.create(make_log())

    with pytest.raises(LogNotFound):
        await storage.logs.get_by_id(missing_id)


async def test_lists_newest_first_then_by_id(storage: Storage) -> None:
    await storage.logs.create(make_log(message="old", timestamp=T0))
    await storage.logs.create(make_log(message="new", timestamp=T0 + minutes(2)))
    await storage.logs.create_many(
        [make_log(message=f"tie {i}", timestamp=T0 + minutes(1)) for i in range(3)]
    )

    assert await list_messages(storage) == ["new", "tie 2", "tie 1", "tie 0", "old"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "auth"),
        ("level", "warning"),
        ("action", "login"),
        ("environment_id", "64b7f0c2a1b2c3d4e5f60718"),
        ("user_id", "64b7f0c2a1b2c3d4e5f60719"),
    ],
)
async def test_filters_by_each_field(storage: Storage, field: str, value: str) -> None:
    await storage.logs.create(make_log(message="match", **{field: value}))
    await storage.logs.create(make_log(message="other"))

    assert await list_messages(storage, **{field: value}) == ["match"]
    assert await storage.logs.count(LogFilter(**{field: value})) == 1


async def test_searches_message_environment_name_and_username_ignoring_case(
    storage: Storage,
) -> None:
    await storage.logs.create(make_log(message="Restarted STAGING", timestamp=T0 + minutes(3)))
    await storage.logs.create(
        make_log(message="a", environment_name="staging-eu", timestamp=T0 + minutes(2))
    )
    await storage.logs.create(
        make_log(message="b", username="Staging_Bot", timestamp=T0 + minutes(1))
    )
    await storage.logs.create(make_log(message="unrelated"))

    assert await list_messages(storage, q="staging") == ["Restarted STAGING", "a", "b"]
    assert await list_messages(storage, q="g_b") == ["b"]
    assert await list_messages(storage, q="g%b") == []
    assert await list_messages(storage, q="g.b") == []


async def test_date_range_is_inclusive_at_both_ends(storage: Storage) -> None:
    for i in range(5):
        await storage.logs.create(make_log(message=f"m{i}", timestamp=T0 + minutes(i)))

    start, end = T0 + minutes(1), T0 + minutes(3)

    assert await list_messages(storage, start_date=start, end_date=end) == ["m3", "m2", "m1"]
    assert await list_messages(storage, start_date=start) == ["m4", "m3", "m2", "m1"]
    assert await list_messages(storage, end_date=start) == ["m1", "m0"]
    assert await list_messages(storage, start_date=end, end_date=end) == ["m3"]
    assert await storage.logs.count(LogFilter(start_date=start, end_date=end)) == 3


async def test_combines_filters(storage: Storage) -> None:
    env = new_id()
    await storage.logs.create(make_log(message="hit", environment_id=env, level="error"))
    await storage.logs.create(make_log(message="wrong level", environment_id=env))
    await storage.logs.create(make_log(message="wrong env", level="error"))
    await storage.logs.create(
        make_log(message="too late", environment_id=env, level="error", timestamp=T0 + minutes(9))
    )

    assert await list_messages(
        storage, environment_id=env, level="error", end_date=T0 + minutes(1)
    ) == ["hit"]


async def test_counts_by_type_and_level_with_every_value_present(storage: Storage) -> None:
    assert await storage.logs.count_by_type(LogFilter()) == ZERO_TYPES
    assert await storage.logs.count_by_level(LogFilter()) == ZERO_LEVELS
    await storage.logs.create_many(
        [
            make_log(type="auth", level="info", action="login"),
            make_log(type="auth", level="warning", action="login"),
            make_log(type="action", level="success"),
            make_log(type="error", level="error", timestamp=T0 + minutes(5)),
        ]
    )

    assert await storage.logs.count(LogFilter()) == 4
    assert await storage.logs.count_by_type(LogFilter()) == {
        **ZERO_TYPES,
        "auth": 2,
        "action": 1,
        "error": 1,
    }
    assert await storage.logs.count_by_level(LogFilter()) == {
        **ZERO_LEVELS,
        "info": 1,
        "warning": 1,
        "success": 1,
        "error": 1,
    }


async def test_counts_by_type_and_level_respect_the_filter(storage: Storage) -> None:
    await storage.logs.create_many(
        [
            make_log(type="auth", level="info", action="login"),
            make_log(type="auth", level="warning", action="login", timestamp=T0 + minutes(5)),
            make_log(type="action", level="warning"),
        ]
    )
    auth = LogFilter(type=LogType.AUTH)
    early = LogFilter(end_date=T0 + minutes(1))

    assert await storage.logs.count_by_level(auth) == {**ZERO_LEVELS, "info": 1, "warning": 1}
    assert await storage.logs.count_by_type(auth) == {**ZERO_TYPES, "auth": 2}
    assert await storage.logs.count_by_type(early) == {**ZERO_TYPES, "auth": 1, "action": 1}
    assert await storage.logs.count_by_level(early) == {**ZERO_LEVELS, "info": 1, "warning": 1}
    assert await storage.logs.count(auth) == 2


async def test_delete_before_removes_only_older_entries(storage: Storage) -> None:
    await storage.logs.create_many(
        [make_log(message=f"m{i}", timestamp=T0 + minutes(i)) for i in range(5)]
    )

    deleted = await storage.logs.delete_before(T0 + minutes(2))

    assert deleted == 2
    assert await list_messages(storage) == ["m4", "m3", "m2"]
    assert await storage.logs.delete_before(T0) == 0


async def test_pages_of_the_largest_size(storage: Storage) -> None:
    await storage.logs.create_many(
        [make_log(message=f"m{i:03d}", timestamp=T0 + minutes(i)) for i in range(201)]
    )

    first, total = await storage.logs.list(LogListOptions(limit=200))
    second, _ = await storage.logs.list(LogListOptions(limit=200, page=2))
    past, past_total = await storage.logs.list(LogListOptions(limit=200, page=3))

    assert total == 201
    assert len(first) == 200
    assert first[0].message == "m200"
    assert [e.message for e in second] == ["m000"]
    assert (past, past_total) == ([], 201)


async def test_an_empty_log_lists_as_an_empty_page(storage: Storage) -> None:
    assert await storage.logs.list(LogListOptions()) == ([], 0)
    assert await storage.logs.list(LogListOptions(page=2, limit=1)) == ([], 0)
