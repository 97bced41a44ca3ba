-- Placeholders as in V1. This script creates a trigger function; Flyway runs it with the configured schema as its
-- search path, and the function keeps that search path (SET search_path FROM CURRENT).

-- One row per key that has, or may have, pending messages. The relay finds due keys here by index, so a claim costs
-- the same whatever backlog waits behind keys that are backing off, leased or held back by a parked message.
-- available_at is when the key may be claimed next: its head's due time, the end of its lease while it is claimed,
-- or 'infinity' while a parked message holds it back. claim_token fences every write of the claim's relay;
-- claimed_by names the relaying instance, so that its claims are taken over as soon as it stops renewing its
-- liveness.
CREATE TABLE ${outbox_table}_keys (
    message_key  text        NOT NULL PRIMARY KEY,
    available_at timestamptz NOT NULL DEFAULT now(),
    claim_token  uuid,
    claimed_by   uuid
);

CREATE INDEX ${outbox_table}_keys_due_idx ON ${outbox_table}_keys (available_at);

CREATE INDEX ${outbox_table}_keys_claimed_idx ON ${outbox_table}_keys (claimed_by) WHERE claimed_by IS NOT NULL;

-- Relaying instances and how long each counts as alive; each renews its row by a heartbeat.
CREATE TABLE ${outbox_table}_instances (
    id          uuid        NOT NULL PRIMARY KEY,
    alive_until timestamptz NOT NULL
);

-- Every inserted message has a key row, whoever inserts it. A key row that exists already is left as it is: a new
-- message never changes its key's head.
CREATE FUNCTION ${outbox_table}_add_keys() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO ${outbox_table}_keys (message_key)
    SELECT DISTINCT message_key FROM new_messages
    ON CONFLICT (message_key) DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ${outbox_table}_add_keys AFTER INSERT ON ${outbox_table}
    REFERENCING NEW TABLE AS new_messages FOR EACH STATEMENT EXECUTE FUNCTION ${outbox_table}_add_keys();

INSERT INTO ${outbox_table}_keys (message_key)
SELECT DISTINCT message_key FROM ${outbox_table} WHERE status = 'PENDING';
