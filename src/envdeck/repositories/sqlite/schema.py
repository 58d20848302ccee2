"""The SQLite schema: each entity is a JSON document plus generated columns for its indexes.

Documents hold the entity exactly as the API spells it (camelCase, fixed-width UTC times), so a
read is one `model_validate_json`. Every filter and sort the API offers reads a generated,
indexed column. The log's filter columns are STORED: a query combining two filters checks the
second on rows the first index found, and a stored column spares parsing each row's JSON to do
so. Each log index ends in (timestamp DESC, id DESC), so every filtered page is read newest
first straight off an index, and so is every batch of an export (keyset on timestamp, id).

The log's text search (`q`) goes through `logs_fts`, an FTS5 index with the trigram tokenizer
(any substring of three characters or more, ignoring case) over message, environment name and
username. It is an external-content table over `logs` (the text is not stored twice), kept in
step by triggers. `log_counts` is an hourly rollup of the log by type, level and action, also
kept by triggers, so that counting a large log (a page's total, GET /logs/count) reads a few
thousand rollup rows rather than every entry.

Health samples (version 5) are plain columns, not documents: a check writes one every few
seconds per environment, and charts group them by time in SQL. Each batch of samples also
adds to `health_rollups` (environment, hour), which serves uptime and the long-range charts.

Maintenance windows (version 7) are documents in `maintenance_windows`; a version-6 file gains
the table when it is opened (SCHEMA is idempotent), and has nothing else to migrate.

Notification channels (version 8) are documents in `notification_channels`, unique by name;
their URL is sealed inside the document. An older file gains the table the same way.

The instance registry (version 9) is documents in `instances`, one per `envdeck serve` process
start, read and purged by when they were last seen. An older file gains the table the same way.

Recent failed sign-ins (version 10) are documents in `login_attempts`, one per key, rewritten
by compare-and-set on their version and purged once expired. An older file gains the table the
same way.

Alerting's state (version 11) is documents in `alert_states`, one per environment, rewritten by
compare-and-set on their revision and read by when they are due; `notification_outbox` holds
one document per message and channel, its id (the announcement's key and the channel) unique,
so that of instances deciding one announcement one records it. An older file gains both tables
the same way.

Reservations (version 12) are documents in `reservations`, indexed by environment (with whether
they are released, and their start), by start, by holder and by expiry. Storing one checks for
an overlapping reservation and inserts it in one `BEGIN IMMEDIATE` transaction. An older file
gains the table the same way.

Status pages (version 13) are documents in `status_pages`, unique by slug (a few rows). An
older file gains the table the same way.

Pipelines and promotions (version 14) are documents in `pipelines` (unique by name) and
`promotions`. A promotion's `open_key` is its pipeline and stage while it is open (awaiting
approval or running) and NULL after; a unique index on it lets one open promotion per stage be
stored, whichever process writes. An older file gains both tables the same way.
"""

SCHEMA_VERSION = 14

# Columns added to a table after it first shipped, as (version, table, column, definition). A new
# database gets them from SCHEMA; an older one gets them by ALTER TABLE before SCHEMA runs, since
# SCHEMA's indexes need them.
ADDED_COLUMNS = (
    (
        3,
        "environments",
        "credential_id",
        "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.credentials.keyId')) VIRTUAL",
    ),
    # The text columns that logs_fts indexes (VIRTUAL: read from the JSON when needed).
    (4, "logs", "message", "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.message')) VIRTUAL"),
    (
        4,
        "logs",
        "environment_name",
        "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.environmentName')) VIRTUAL",
    ),
    (4, "logs", "username", "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.username')) VIRTUAL"),
    # The operation list's `userId` filter (version 6).
    (
        6,
        "operations",
        "user_id",
        "TEXT GENERATED ALWAYS AS (json_extract(doc, '$.requestedBy.userId')) VIRTUAL",
    ),
)

# Statements run once, after SCHEMA, on a database older than their version.
MIGRATIONS = (
    (
        4,
        """
        -- Replaced by the *_time indexes, which end in id too.
        DROP INDEX IF EXISTS logs_environment;
        DROP INDEX IF EXISTS logs_user;
        DROP INDEX IF EXISTS logs_type_level;
        DROP INDEX IF EXISTS logs_level;
        DROP INDEX IF EXISTS logs_action;
        -- Index the text, and count the entries, stored before logs_fts and log_counts.
        INSERT INTO logs_fts (logs_fts) VALUES ('rebuild');
        -- (Idempotent, as is the rebuild: two processes may both upgrade the same file.)
        INSERT OR REPLACE INTO log_counts (hour, type, level, action, n)
        SELECT substr(timestamp, 1, 13), type, level, action, count(*) FROM logs
        GROUP BY 1, 2, 3, 4;
        """,
    ),
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS environments (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL,
    health TEXT GENERATED ALWAYS AS (json_extract(doc, '$.status.health')) VIRTUAL,
    health_rank INTEGER GENERATED ALWAYS AS (
        CASE json_extract(doc, '$.status.health')
            WHEN 'unhealthy' THEN 0 WHEN 'unknown' THEN 1 ELSE 2 END) VIRTUAL,
    last_check TEXT GENERATED ALWAYS AS (json_extract(doc, '$.status.lastCheck')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.timestamps.createdAt')) VIRTUAL,
    credential_id {ADDED_COLUMNS[0][3]}
);
CREATE UNIQUE INDEX IF NOT EXISTS environments_name ON environments (name);
CREATE INDEX IF NOT EXISTS environments_health ON environments (health, name);
CREATE INDEX IF NOT EXISTS environments_health_rank ON environments (health_rank, name);
CREATE INDEX IF NOT EXISTS environments_last_check ON environments (last_check);
CREATE INDEX IF NOT EXISTS environments_created_at ON environments (created_at);
-- Added in version 3 (the credentials vault refuses to delete a credential in use).
CREATE INDEX IF NOT EXISTS environments_credential ON environments (credential_id, name);

CREATE TABLE IF NOT EXISTS environment_tags (
    tag TEXT NOT NULL,
    environment_id TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, environment_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS environment_tags_environment ON environment_tags (environment_id);

CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    username_key TEXT GENERATED ALWAYS AS (lower(json_extract(doc, '$.username'))) VIRTUAL,
    email_key TEXT GENERATED ALWAYS AS (lower(json_extract(doc, '$.email'))) VIRTUAL,
    role TEXT GENERATED ALWAYS AS (json_extract(doc, '$.role')) VIRTUAL,
    active INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.active')) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users (username_key);
-- NULLs are distinct in a unique index: any number of users may have no email.
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (email_key);
CREATE INDEX IF NOT EXISTS users_role ON users (role, username_key);

CREATE TABLE IF NOT EXISTS logs (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    timestamp TEXT GENERATED ALWAYS AS (json_extract(doc, '$.timestamp')) STORED,
    environment_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.environmentId')) STORED,
    user_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.userId')) STORED,
    type TEXT GENERATED ALWAYS AS (json_extract(doc, '$.type')) STORED,
    level TEXT GENERATED ALWAYS AS (json_extract(doc, '$.level')) STORED,
    action TEXT GENERATED ALWAYS AS (json_extract(doc, '$.action')) STORED,
    message {ADDED_COLUMNS[1][3]},
    environment_name {ADDED_COLUMNS[2][3]},
    username {ADDED_COLUMNS[3][3]}
);
CREATE INDEX IF NOT EXISTS logs_timestamp ON logs (timestamp DESC, id DESC);
-- These two also hold type, level and action: an environment's or a user's entries are
-- counted under those filters, and by type and level, from the index alone.
CREATE INDEX IF NOT EXISTS logs_environment_time
    ON logs (environment_id, timestamp DESC, id DESC, type, level, action);
CREATE INDEX IF NOT EXISTS logs_user_time
    ON logs (user_id, timestamp DESC, id DESC, type, level, action);
CREATE INDEX IF NOT EXISTS logs_type_time ON logs (type, timestamp DESC, id DESC);
-- Also serves the counts by type and level (a covering scan of the filtered range).
CREATE INDEX IF NOT EXISTS logs_type_level_time ON logs (type, level, timestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS logs_level_time ON logs (level, timestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS logs_action_time ON logs (action, timestamp DESC, id DESC);

-- Added in version 4: the activity-log counts (per hour, type, level and action) ...
CREATE TABLE IF NOT EXISTS log_counts (
    hour TEXT NOT NULL,
    type TEXT NOT NULL,
    level TEXT NOT NULL,
    action TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, type, level, action)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS log_counts_insert AFTER INSERT ON logs BEGIN
    INSERT INTO log_counts (hour, type, level, action, n)
    VALUES (substr(new.timestamp, 1, 13), new.type, new.level, new.action, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS log_counts_delete AFTER DELETE ON logs BEGIN
    UPDATE log_counts SET n = n - 1
    WHERE hour = substr(old.timestamp, 1, 13)
        AND type = old.type AND level = old.level AND action = old.action;
END;
CREATE TRIGGER IF NOT EXISTS log_counts_update AFTER UPDATE OF doc ON logs BEGIN
    UPDATE log_counts SET n = n - 1
    WHERE hour = substr(old.timestamp, 1, 13)
        AND type = old.type AND level = old.level AND action = old.action;
    INSERT INTO log_counts (hour, type, level, action, n)
    VALUES (substr(new.timestamp, 1, 13), new.type, new.level, new.action, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- ... and the activity-log search.
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5 (
    message, environment_name, username,
    content = 'logs', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER IF NOT EXISTS logs_fts_insert AFTER INSERT ON logs BEGIN
    INSERT INTO logs_fts (rowid, message, environment_name, username)
    VALUES (new.rowid, new.message, new.environment_name, new.username);
END;
-- An external-content FTS5 table forgets a row given the text it indexed for it.
CREATE TRIGGER IF NOT EXISTS logs_fts_delete AFTER DELETE ON logs BEGIN
    INSERT INTO logs_fts (logs_fts, rowid, message, environment_name, username)
    VALUES ('delete', old.rowid, old.message, old.environment_name, old.username);
END;
CREATE TRIGGER IF NOT EXISTS logs_fts_update AFTER UPDATE OF doc ON logs BEGIN
    INSERT INTO logs_fts (logs_fts, rowid, message, environment_name, username)
    VALUES ('delete', old.rowid, old.message, old.environment_name, old.username);
    INSERT INTO logs_fts (rowid, message, environment_name, username)
    VALUES (new.rowid, new.message, new.environment_name, new.username);
END;

CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    environment_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.environmentId')) VIRTUAL,
    status TEXT GENERATED ALWAYS AS (json_extract(doc, '$.status')) VIRTUAL,
    type TEXT GENERATED ALWAYS AS (json_extract(doc, '$.type')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL,
    user_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.requestedBy.userId')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS operations_created_at ON operations (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS operations_environment ON operations (environment_id, created_at DESC);
CREATE INDEX IF NOT EXISTS operations_status ON operations (status, created_at DESC);
CREATE INDEX IF NOT EXISTS operations_type ON operations (type, created_at DESC);
CREATE INDEX IF NOT EXISTS operations_user ON operations (user_id, created_at DESC);

CREATE TABLE IF NOT EXISTS credentials (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL,
    type TEXT GENERATED ALWAYS AS (json_extract(doc, '$.type')) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS credentials_name ON credentials (name);

-- Added in version 2 (authentication).
CREATE TABLE IF NOT EXISTS api_tokens (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    hash TEXT GENERATED ALWAYS AS (json_extract(doc, '$.hash')) VIRTUAL,
    user_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.userId')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_hash ON api_tokens (hash);
CREATE INDEX IF NOT EXISTS api_tokens_created_at ON api_tokens (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens (user_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS revocations (
    jti TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS revocations_expires_at ON revocations (expires_at);

-- Added in version 5: health samples (raw, kept days) and their hourly rollups (kept a year
-- and more). Times are integer epoch milliseconds, so charts bucket by integer division. Both
-- are clustered by (environment, time): every read and the retention purge are ranges of one
-- environment, and no second index is kept up to date at a thousand samples a second.
CREATE TABLE IF NOT EXISTS health_samples (
    environment_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    health TEXT NOT NULL,
    response_time REAL,
    status_code INTEGER,
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (environment_id, ts)
) WITHOUT ROWID;
-- The average response time is sum / count of the checks that measured one.
CREATE TABLE IF NOT EXISTS health_rollups (
    environment_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    checks INTEGER NOT NULL,
    healthy_checks INTEGER NOT NULL,
    response_time_sum REAL NOT NULL,
    response_time_count INTEGER NOT NULL,
    response_time_max REAL,
    PRIMARY KEY (environment_id, hour)
) WITHOUT ROWID;

-- Added in version 7: maintenance windows (a few rows; scope lookups read the JSON arrays).
CREATE TABLE IF NOT EXISTS maintenance_windows (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL,
    enabled INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.enabled')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS maintenance_windows_name ON maintenance_windows (name, id);

-- Added in version 8: notification channels (a few rows; the URL inside is sealed).
CREATE TABLE IF NOT EXISTS notification_channels (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL,
    enabled INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.enabled')) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS notification_channels_name ON notification_channels (name);

-- Added in version 9: the instance registry (a heartbeat rewrites its row every few seconds).
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    last_seen TEXT GENERATED ALWAYS AS (json_extract(doc, '$.lastSeen')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS instances_last_seen ON instances (last_seen);

-- Added in version 10: recent failed sign-ins, the login limiter's windows (one per key).
CREATE TABLE IF NOT EXISTS login_attempts (
    key TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    account TEXT GENERATED ALWAYS AS (json_extract(doc, '$.account')) VIRTUAL,
    version INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.version')) VIRTUAL,
    expires_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.expiresAt')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS login_attempts_account ON login_attempts (account);
CREATE INDEX IF NOT EXISTS login_attempts_expires_at ON login_attempts (expires_at);

-- Added in version 11: alerting's state per environment (the tick reads those due) ...
CREATE TABLE IF NOT EXISTS alert_states (
    environment_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    revision INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.revision')) VIRTUAL,
    due_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.dueAt')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS alert_states_due_at ON alert_states (due_at, environment_id);

-- ... and the notification outbox: messages recorded before they are sent.
CREATE TABLE IF NOT EXISTS notification_outbox (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    status TEXT GENERATED ALWAYS AS (json_extract(doc, '$.status')) VIRTUAL,
    owner TEXT GENERATED ALWAYS AS (json_extract(doc, '$.owner')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS notification_outbox_status
    ON notification_outbox (status, created_at, id);
CREATE INDEX IF NOT EXISTS notification_outbox_created_at ON notification_outbox (created_at);

-- Added in version 12: reservations (an overlap check reads one environment's not released).
CREATE TABLE IF NOT EXISTS reservations (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    environment_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.environmentId')) VIRTUAL,
    holder_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.holder.userId')) VIRTUAL,
    holder_name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.holder.username')) VIRTUAL,
    start_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.start')) VIRTUAL,
    end_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.end')) VIRTUAL,
    released INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.releasedAt') IS NOT NULL) VIRTUAL,
    expiry TEXT GENERATED ALWAYS AS (json_extract(doc, '$.expiry')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS reservations_environment
    ON reservations (environment_id, released, start_at);
CREATE INDEX IF NOT EXISTS reservations_start ON reservations (start_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS reservations_holder ON reservations (holder_id, start_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS reservations_holder_name
    ON reservations (holder_name, start_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS reservations_expiry ON reservations (released, expiry, end_at);

-- Added in version 13: status pages (a few rows, read by slug).
CREATE TABLE IF NOT EXISTS status_pages (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    slug TEXT GENERATED ALWAYS AS (json_extract(doc, '$.slug')) VIRTUAL,
    public INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.public')) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS status_pages_slug ON status_pages (slug);

-- Added in version 14: pipelines and their promotions (one open per pipeline stage).
CREATE TABLE IF NOT EXISTS pipelines (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.name')) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS pipelines_name ON pipelines (name);
CREATE TABLE IF NOT EXISTS promotions (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    pipeline_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.pipelineId')) VIRTUAL,
    stage TEXT GENERATED ALWAYS AS (json_extract(doc, '$.stage')) VIRTUAL,
    status TEXT GENERATED ALWAYS AS (json_extract(doc, '$.status')) VIRTUAL,
    version TEXT GENERATED ALWAYS AS (json_extract(doc, '$.version')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL,
    open_key TEXT GENERATED ALWAYS AS (
        CASE WHEN json_extract(doc, '$.status') IN ('awaiting_approval', 'running')
        THEN json_extract(doc, '$.pipelineId') || '/' || json_extract(doc, '$.stage') END
    ) VIRTUAL
);
CREATE UNIQUE INDEX IF NOT EXISTS promotions_open ON promotions (open_key);
CREATE INDEX IF NOT EXISTS promotions_created ON promotions (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS promotions_pipeline
    ON promotions (pipeline_id, stage, status, created_at DESC);
"""  # noqa: S608 (constant DDL, no input)
