-- Placeholders: ${outbox_table} and ${inbox_table} are unqualified table names; Flyway runs this script with the
-- configured schema as its search path. Teams that own their DDL run it themselves with the placeholders replaced.

CREATE TABLE ${outbox_table} (
    id           uuid        NOT NULL PRIMARY KEY,
    -- Assigned while the writer holds its key's advisory lock, so per key it follows commit order.
    -- CACHE 1 keeps values handed out in the order they are asked for across sessions.
    seq          bigint      GENERATED ALWAYS AS IDENTITY (CACHE 1) NOT NULL,
    destination  text        NOT NULL,
    message_key  text        NOT NULL,
    type         text        NOT NULL,
    payload      text        NOT NULL,
    headers      jsonb       NOT NULL DEFAULT '{}',
    dedupe_key   text,
    status       text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PUBLISHED', 'PARKED')),
    attempts     integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    available_at timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    claim_token  uuid,
    published_at timestamptz,
    last_error   text
);

CREATE UNIQUE INDEX ${outbox_table}_seq_uk ON ${outbox_table} (seq);

CREATE UNIQUE INDEX ${outbox_table}_dedupe_uk ON ${outbox_table} (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- The relay scans pending rows in sequence order.
CREATE INDEX ${outbox_table}_pending_idx ON ${outbox_table} (seq) WHERE status = 'PENDING';

-- "Is there an earlier pending message of this key?" and the run of a key's next messages. Its predicate is the
-- claim's own, so the planner finds it a better fit than the pending index however stale the statistics are.
CREATE INDEX ${outbox_table}_key_idx ON ${outbox_table} (message_key, seq) WHERE status = 'PENDING';

-- "Is there an earlier parked message of this key?"; parked messages are few, listing them sorts them.
CREATE INDEX ${outbox_table}_parked_idx ON ${outbox_table} (message_key, seq) WHERE status = 'PARKED';

CREATE INDEX ${outbox_table}_published_idx ON ${outbox_table} (published_at) WHERE status = 'PUBLISHED';

CREATE TABLE ${inbox_table} (
    consumer     text        NOT NULL,
    message_id   text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);

CREATE INDEX ${inbox_table}_processed_idx ON ${inbox_table} (processed_at);
