"""The LogRepository contract, on every backend."""

from datetime import timedelta

import pytest

from envdeck.domain.errors import AlreadyExists, LogNotFound
from envdeck.domain.ids import is_valid_id, new_id
from envdeck.domain.log import LogCounts, LogEntry, LogFilter, LogListOptions, LogType
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


async def test_summarizes_by_type_and_level_with_every_value_present(storage: Storage) -> None:
    assert await storage.logs.summarize(LogFilter()) == LogCounts(
        total=0, by_type=ZERO_TYPES, by_level=ZERO_LEVELS
    )
    await storage.logs.create_many(
        [
            make_log(type="auth", level="info", action="login"),
            make_log(type="auth", level="warning", action="login"),
            make_log(type="action", level="success"),
            make_log(type="error", level="error", timestamp=T0 + minutes(5)),
        ]
    )

    counts = await storage.logs.summarize(LogFilter())

    assert counts.total == 4
    assert counts.by_type == {**ZERO_TYPES, "auth": 2, "action": 1, "error": 1}
    assert counts.by_level == {
        **ZERO_LEVELS,
        "info": 1,
        "warning": 1,
        "success": 1,
        "error": 1,
    }


async def test_summaries_respect_the_filter(storage: Storage) -> None:
    await storage.logs.create_many(
        [
            make_log(type="auth", level="info", action="login"),
            make_log(type="auth", level="warning", action="login", timestamp=T0 + minutes(5)),
            make_log(type="action", level="warning", message="restarted staging"),
        ]
    )

    auth = await storage.logs.summarize(LogFilter(type=LogType.AUTH))
    early = await storage.logs.summarize(LogFilter(end_date=T0 + minutes(1)))
    searched = await storage.logs.summarize(LogFilter(q="STAGING"))

    assert auth == LogCounts(
        total=2,
        by_type={**ZERO_TYPES, "auth": 2},
        by_level={**ZERO_LEVELS, "info": 1, "warning": 1},
    )
    assert early.by_type == {**ZERO_TYPES, "auth": 1, "action": 1}
    assert early.by_level == {**ZERO_LEVELS, "info": 1, "warning": 1}
    assert searched.total == 1
    assert searched.by_type == {**ZERO_TYPES, "action": 1}
    assert await storage.logs.count(LogFilter(type=LogType.AUTH)) == 2


async def test_excluded_actions_are_left_out_of_every_read(storage: Storage) -> None:
    me = new_id()
    await storage.logs.create_many(
        [
            make_log(message="failed sign-in as olivia", type="auth", action="login_failed"),
            make_log(message="olive signed in", type="auth", action="login"),
            make_log(message="olive restarted staging", user_id=me),
            make_log(
                message="password change failed", type="auth", action="password_change_failed"
            ),
        ]
    )
    hidden = ("login_failed", "password_change_failed")

    assert await list_messages(storage, exclude_actions=hidden) == [
        "olive restarted staging",
        "olive signed in",
    ]
    assert await list_messages(storage, q="oliv", exclude_actions=hidden) == [
        "olive restarted staging",
        "olive signed in",
    ]
    assert await list_messages(storage, action="login_failed", exclude_actions=hidden) == []
    assert await storage.logs.count(LogFilter(exclude_actions=hidden)) == 2
    assert await storage.logs.count(LogFilter(q="sign", exclude_actions=hidden)) == 1
    summary = await storage.logs.summarize(LogFilter(type=LogType.AUTH, exclude_actions=hidden))
    assert summary.total == 1
    exported = [
        e.message
        async for batch in storage.logs.iterate(LogFilter(exclude_actions=hidden), 1)
        for e in batch
    ]
    assert sorted(exported) == ["olive restarted staging", "olive signed in"]
    assert await storage.logs.count_unread(None, me, 1000, hidden) == 1
    assert await storage.logs.count_unread(None, me, 1000) == 3


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


async def test_search_finds_any_substring_and_handles_quotes_and_short_texts(
    storage: Storage,
) -> None:
    await storage.logs.create(make_log(message='olive said "restart it" twice', timestamp=T0))
    await storage.logs.create(make_log(message="ab", username="zed", timestamp=T0 + minutes(1)))
    await storage.logs.create(make_log(message="nothing here", timestamp=T0 + minutes(2)))

    assert await list_messages(storage, q="ESTAR") == ['olive said "restart it" twice']
    assert await list_messages(storage, q='"restart it"') == ['olive said "restart it" twice']
    assert await list_messages(storage, q='d "r') == ['olive said "restart it" twice']
    assert await list_messages(storage, q="b") == ["ab"]
    assert await list_messages(storage, q="ze") == ["ab"]
    assert await list_messages(storage, q="AND") == []
    assert await list_messages(storage, q="*") == []


async def test_search_follows_deletes_and_ignores_retried_batches(storage: Storage) -> None:
    old = make_log(message="purged staging entry", timestamp=T0)
    kept = make_log(message="kept staging entry", timestamp=T0 + minutes(5))
    stored = await storage.logs.create_many([old, kept])
    await storage.logs.create_many(stored)  # a retried batch

    assert await list_messages(storage, q="staging") == [
        "kept staging entry",
        "purged staging entry",
    ]
    await storage.logs.delete_before(T0 + minutes(1))

    assert await list_messages(storage, q="staging") == ["kept staging entry"]
    assert await storage.logs.count(LogFilter(q="purged")) == 0


async def collect(storage: Storage, log_filter: LogFilter, batch_size: int) -> list[list[str]]:
    return [
        [entry.message for entry in batch]
        async for batch in storage.logs.iterate(log_filter, batch_size)
    ]


async def test_iterates_every_entry_newest_first_in_batches(storage: Storage) -> None:
    # Ties on the timestamp straddle the batch boundaries: the keyset must use the id too.
    entries = [make_log(message=f"m{i:02d}", timestamp=T0 + minutes(i // 3)) for i in range(10)]
    await storage.logs.create_many(entries)

    batches = await collect(storage, LogFilter(), 4)

    assert [len(batch) for batch in batches] == [4, 4, 2]
    assert [m for batch in batches for m in batch] == [f"m{i:02d}" for i in reversed(range(10))]
    # The ids break timestamp ties the same way the pages do.
    page, _ = await storage.logs.list(LogListOptions(limit=10))
    assert [m for batch in batches for m in batch] == [entry.message for entry in page]


async def test_iterates_only_what_the_filter_selects(storage: Storage) -> None:
    env = new_id()
    await storage.logs.create_many(
        [
            make_log(message=f"env {i}", environment_id=env, timestamp=T0 + minutes(i))
            for i in range(5)
        ]
        + [make_log(message="other", timestamp=T0 + minutes(2))]
    )

    batches = await collect(storage, LogFilter(environment_id=env, start_date=T0 + minutes(1)), 2)

    assert batches == [["env 4", "env 3"], ["env 2", "env 1"]]
    assert await collect(storage, LogFilter(q="nowhere"), 2) == []
    assert await collect(storage, LogFilter(q="other"), 2) == [["other"]]


async def test_entries_stored_while_iterating_neither_repeat_nor_shift_the_rest(
    storage: Storage,
) -> None:
    await storage.logs.create_many(
        [make_log(message=f"m{i}", timestamp=T0 + minutes(i)) for i in range(6)]
    )
    seen: list[str] = []
    async for batch in storage.logs.iterate(LogFilter(), 2):
        seen += [entry.message for entry in batch]
        await storage.logs.create(
            make_log(message=f"new after {len(seen)}", timestamp=T0 + minutes(60))
        )

    assert seen == ["m5", "m4", "m3", "m2", "m1", "m0"]


async def test_counts_unread_entries_of_other_users_since_a_time(storage: Storage) -> None:
    me, other = new_id(), new_id()
    await storage.logs.create_many(
        [
            make_log(message="before", user_id=other, timestamp=T0),
            make_log(message="mine", user_id=me, timestamp=T0 + minutes(2)),
            make_log(message="theirs", user_id=other, timestamp=T0 + minutes(3)),
            make_log(message="system", timestamp=T0 + minutes(4)),
        ]
    )

    assert await storage.logs.count_unread(T0 + minutes(1), me, 1000) == 2
    assert await storage.logs.count_unread(T0, me, 1000) == 2  # strictly after the marker
    assert await storage.logs.count_unread(None, me, 1000) == 3
    assert await storage.logs.count_unread(None, other, 1000) == 2
    assert await storage.logs.count_unread(None, me, 2) == 2
    assert await storage.logs.count_unread(T0 + minutes(4), me, 1000) == 0


def _attention_mix() -> list[LogEntry]:
    """Entries a person needs to see (named "!…") among routine ones, each a minute apart."""
    kinds = [
        ("!unhealthy", "health_check", "check_health", "error"),
        ("healthy", "health_check", "check_health", "success"),
        ("!failed upgrade", "action", "upgrade", "error"),
        ("upgraded", "action", "upgrade", "success"),
        ("restart started", "action", "restart", "info"),
        ("!reservation ended", "action", "reservation_ended", "info"),
        ("!reservation broken", "action", "reservation_broken", "warning"),
        ("reserved", "action", "reservation_created", "info"),
        ("signed in", "auth", "login", "info"),
        ("created", "action", "create", "error"),
    ]
    return [
        make_log(message=m, type=t, action=a, level=lvl, timestamp=T0 + minutes(n))
        for n, (m, t, a, lvl) in enumerate(kinds)
    ]


async def test_counts_and_lists_only_what_needs_a_person_when_asked(storage: Storage) -> None:
    me = new_id()
    await storage.logs.create_many(_attention_mix())

    assert await storage.logs.count_unread(None, me, 1000) == 10
    assert await storage.logs.count_unread(None, me, 1000, attention=True) == 4
    assert await storage.logs.count_unread(T0 + minutes(2), me, 1000, attention=True) == 2
    assert await storage.logs.count_unread(None, me, 3, attention=True) == 3
    found, total = await storage.logs.list(LogListOptions(attention=True))
    assert total == 4
    assert [e.message for e in found] == [
        "!reservation broken",
        "!reservation ended",
        "!failed upgrade",
        "!unhealthy",
    ]
    counts = await storage.logs.summarize(LogFilter(attention=True, type=LogType.ACTION))
    assert counts.total == 3
    found, _ = await storage.logs.list(LogListOptions(attention=True, q="reservation"))
    assert [e.message for e in found] == ["!reservation broken", "!reservation ended"]


async def test_delete_before_purges_in_chunks(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("envdeck.repositories.sqlite.logs.PURGE_CHUNK", 3)
    await storage.logs.create_many(
        [make_log(message=f"m{i}", timestamp=T0 + minutes(i)) for i in range(10)]
    )

    assert await storage.logs.delete_before(T0 + minutes(7)) == 7
    assert await list_messages(storage) == ["m9", "m8", "m7"]


async def test_expire_after_tells_whether_storage_expires_entries_itself(storage: Storage) -> None:
    expires = await storage.logs.expire_after(timedelta(days=90))

    assert expires is (storage.backend == "mongodb")
    # Changing the retention later (a new logs.retentionDays) is accepted too.
    assert await storage.logs.expire_after(timedelta(days=7)) is expires


def expected_counts(entries: list[LogEntry], log_filter: LogFilter) -> LogCounts:
    def matches(entry: LogEntry) -> bool:
        return (
            (log_filter.type is None or entry.type == log_filter.type)
            and (log_filter.level is None or entry.level == log_filter.level)
            and (log_filter.action is None or entry.action == log_filter.action)
            and (log_filter.start_date is None or entry.timestamp >= log_filter.start_date)
            and (log_filter.end_date is None or entry.timestamp <= log_filter.end_date)
            and entry.action not in log_filter.exclude_actions
        )

    groups: dict[tuple[str, str], int] = {}
    for entry in filter(matches, entries):
        key = (entry.type.value, entry.level.value)
        groups[key] = groups.get(key, 0) + 1
    return LogCounts.of(groups)


HOUR = timedelta(hours=1)
MS = timedelta(milliseconds=1)
# T0 is 12:30:45.123; these bounds fall on, just before and just after whole hours.
ON_THE_HOUR = T0.replace(minute=0, second=0, microsecond=0)
BOUNDS = [
    None,
    T0,
    ON_THE_HOUR + 2 * HOUR,
    ON_THE_HOUR + 2 * HOUR - MS,
    ON_THE_HOUR + 2 * HOUR + MS,
    T0 + 5 * HOUR + minutes(7),
    ON_THE_HOUR + 20 * HOUR,
    T0 + 30 * HOUR,
]


async def test_counts_over_many_hours_match_the_entries_at_every_edge(storage: Storage) -> None:
    # Counts over a date range come from whole hours plus the partial hours at both ends:
    # every way a bound can fall on an hour must count exactly what is in the range.
    kinds = [("auth", "error", "login_failed"), ("action", "success", "restart")]
    kinds += [("action", "info", "update"), ("health_check", "error", "check_health")]
    entries = [
        make_log(
            timestamp=T0 + minutes(29 * i) + timedelta(milliseconds=i % 3 - 1),
            type=kinds[i % 4][0],
            level=kinds[i % 4][1],
            action=kinds[i % 4][2],
        )
        for i in range(80)
    ]
    # The entries at exactly the bounds count too (the range is inclusive at both ends).
    entries += [make_log(timestamp=bound, type="system") for bound in BOUNDS if bound is not None]
    stored = await storage.logs.create_many(entries)
    await storage.logs.create_many(stored[:10])  # a retried batch counts once

    filters = [
        LogFilter(start_date=start, end_date=end, **extra)
        for start in BOUNDS
        for end in BOUNDS
        if start is None or end is None or start <= end
        for extra in (
            {},
            {"type": "action"},
            {"level": "error"},
            {"action": "restart"},
            {"exclude_actions": ("login_failed",)},
            {"type": "auth", "exclude_actions": ("login_failed", "restart")},
        )
    ]
    for log_filter in filters:
        expected = expected_counts(stored, log_filter)
        assert await storage.logs.summarize(log_filter) == expected, log_filter
        assert await storage.logs.count(log_filter) == expected.total, log_filter
    _, total = await storage.logs.list(LogListOptions(start_date=BOUNDS[2], limit=1))
    assert total == expected_counts(stored, LogFilter(start_date=BOUNDS[2])).total


async def test_counts_follow_the_retention_purge(storage: Storage) -> None:
    entries = [make_log(timestamp=T0 + minutes(45 * i)) for i in range(20)]
    await storage.logs.create_many(entries)
    cutoff = T0 + minutes(45 * 7)

    await storage.logs.delete_before(cutoff)

    assert await storage.logs.count(LogFilter()) == 13
    assert (await storage.logs.summarize(LogFilter())).by_type["action"] == 13
    assert await storage.logs.count(LogFilter(end_date=T0 + minutes(45 * 9))) == 3


@pytest.mark.parametrize("few", [0, 10_000], ids=["many-matches", "few-matches"])
async def test_search_pages_alike_however_many_entries_match(
    storage: Storage, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    # SQLite pages a search one of two ways depending on how many entries match.
    monkeypatch.setattr("envdeck.repositories.sqlite.logs.FEW_MATCHES", few)
    env = new_id()
    await storage.logs.create_many(
        [
            make_log(
                message=f"{'restarted' if i % 3 else 'stopped'} shop {i:02d}",
                environment_id=env if i % 2 else None,
                timestamp=T0 + minutes(i // 2),
            )
            for i in range(30)
        ]
    )
    restarted = [f"restarted shop {i:02d}" for i in reversed(range(30)) if i % 3]

    first, total = await storage.logs.list(LogListOptions(q="restarted", limit=7))
    second, _ = await storage.logs.list(LogListOptions(q="restarted", limit=7, page=2))
    in_env, env_total = await storage.logs.list(
        LogListOptions(q="RESTARTED", environment_id=env, limit=50)
    )

    assert total == 20
    assert [e.message for e in first + second] == restarted[:14]
    assert env_total == 10
    assert [e.message for e in in_env] == [m for m in restarted if int(m[-2:]) % 2]
