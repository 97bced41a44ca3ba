-- One row per idempotency key. expires_at is the end of the lease while IN_PROGRESS and the end of the retention
-- afterwards; a row past it counts as absent and is deleted by the cleanup.
CREATE TABLE ${table} (
    storage_key  VARCHAR(1024) PRIMARY KEY,
    state        VARCHAR(16)   NOT NULL,
    owner_token  CHAR(32)      NOT NULL,
    fingerprint  CHAR(64)      NOT NULL,
    expires_at   TIMESTAMPTZ   NOT NULL,
    response     BYTEA
);

CREATE INDEX ${table}_expires_at ON ${table} (expires_at);
