CREATE TABLE ${saga_table} (
    id                UUID PRIMARY KEY,
    name              VARCHAR(200) NOT NULL,
    state             VARCHAR(16)  NOT NULL,
    owner_id          VARCHAR(200) NOT NULL,
    generation        BIGINT       NOT NULL,
    lease_until       TIMESTAMPTZ  NOT NULL,
    parallel          BOOLEAN      NOT NULL,
    continue_on_error BOOLEAN      NOT NULL,
    failure           TEXT,
    created_at        TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- the recovery worker's scan: only sagas that still have an owner to lose
CREATE INDEX ${saga_table}_lease_idx ON ${saga_table} (lease_until) WHERE state IN ('RUNNING', 'COMPENSATING');

CREATE INDEX ${saga_table}_state_idx ON ${saga_table} (state, updated_at);

CREATE TABLE ${step_table} (
    saga_id    UUID         NOT NULL REFERENCES ${saga_table} (id) ON DELETE CASCADE,
    seq        INT          NOT NULL,
    name       VARCHAR(200) NOT NULL,
    handler    VARCHAR(200) NOT NULL,
    args       JSONB        NOT NULL,
    state      VARCHAR(16)  NOT NULL,
    result     JSONB,
    attempts   INT          NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (saga_id, seq),
    UNIQUE (saga_id, name)
);
