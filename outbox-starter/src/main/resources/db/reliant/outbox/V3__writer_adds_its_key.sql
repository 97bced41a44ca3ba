-- Placeholders as in V1; like V2, this script creates a trigger function that keeps Flyway's search path.

-- The writer's own statement adds its key row, in the same round trip as its message, and marks the message keyed.
-- The statement trigger of V2 ran once per writing statement (a function call over a transition table), which cost
-- the writers about a tenth of their commits; the row trigger below is skipped for keyed rows before it is queued,
-- and still gives every row inserted by other means its key row.
ALTER TABLE ${outbox_table} ADD COLUMN keyed boolean NOT NULL DEFAULT false;

DROP TRIGGER ${outbox_table}_add_keys ON ${outbox_table};

DROP FUNCTION ${outbox_table}_add_keys();

CREATE FUNCTION ${outbox_table}_add_key() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO ${outbox_table}_keys (message_key) VALUES (NEW.message_key)
    ON CONFLICT (message_key) DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ${outbox_table}_add_key AFTER INSERT ON ${outbox_table}
    FOR EACH ROW WHEN (NOT NEW.keyed) EXECUTE FUNCTION ${outbox_table}_add_key();

-- Every insert maintained these two besides the primary key and the key index. No statement reads rows by seq
-- alone: the relay reads a key's pending run through the key index, which also serves every look at pending rows
-- (its predicate is theirs), and the identity column hands out each seq once.
DROP INDEX ${outbox_table}_seq_uk;

DROP INDEX ${outbox_table}_pending_idx;
