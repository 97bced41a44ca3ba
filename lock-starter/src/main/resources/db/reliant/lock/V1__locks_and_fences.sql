-- One row per lock name, kept after release: token is the name's counter, so it only ever rises. A lock is held
-- while holder is set and expires_at (database clock) lies ahead.
CREATE TABLE ${lock_table} (
    name         VARCHAR(255) PRIMARY KEY,
    holder       VARCHAR(255),
    token        BIGINT       NOT NULL,
    acquired_at  TIMESTAMPTZ  NOT NULL,
    expires_at   TIMESTAMPTZ  NOT NULL
);

-- One row per fenced resource: the highest token that wrote to it, and the holder that wrote with it.
CREATE TABLE ${fence_table} (
    resource    VARCHAR(255) PRIMARY KEY,
    token       BIGINT       NOT NULL,
    holder      VARCHAR(255) NOT NULL,
    updated_at  TIMESTAMPTZ  NOT NULL
);
