"""The SQLite schema: each entity is a JSON document plus generated columns for its indexes.

Documents hold the entity exactly as the API spells it (camelCase, fixed-width UTC times), so a
read is one `model_validate_json`. Every filter and sort the API offers reads a generated,
indexed column. The log's columns are STORED: a query combining two filters checks the second
on rows the first index found, and a stored column spares parsing each row's JSON to do so.
"""

SCHEMA_VERSION = 3

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
    action TEXT GENERATED ALWAYS AS (json_extract(doc, '$.action')) STORED
);
CREATE INDEX IF NOT EXISTS logs_timestamp ON logs (timestamp DESC, id DESC);
CREATE INDEX IF NOT EXISTS logs_environment ON logs (environment_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS logs_user ON logs (user_id, timestamp DESC);
CREATE INDEX IF NOT EXISTS logs_type_level ON logs (type, level, timestamp DESC);
CREATE INDEX IF NOT EXISTS logs_level ON logs (level, timestamp DESC);
CREATE INDEX IF NOT EXISTS logs_action ON logs (action, timestamp DESC);

CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    environment_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.environmentId')) VIRTUAL,
    status TEXT GENERATED ALWAYS AS (json_extract(doc, '$.status')) VIRTUAL,
    type TEXT GENERATED ALWAYS AS (json_extract(doc, '$.type')) VIRTUAL,
    created_at TEXT GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS operations_created_at ON operations (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS operations_environment ON operations (environment_id, created_at DESC);
CREATE INDEX IF NOT EXISTS operations_status ON operations (status, created_at DESC);

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
"""
