-- The outcome of each idempotent request whose handler wrote to this database, committed in the handler's own
-- transaction: a row exists exactly when the request's business writes committed. expires_at ends its retention.
CREATE TABLE ${table} (
    storage_key  VARCHAR(1024) PRIMARY KEY,
    state        VARCHAR(16)   NOT NULL,
    fingerprint  CHAR(64)      NOT NULL,
    response     BYTEA,
    expires_at   TIMESTAMPTZ   NOT NULL
);

CREATE INDEX ${table}_expires_at ON ${table} (expires_at);
