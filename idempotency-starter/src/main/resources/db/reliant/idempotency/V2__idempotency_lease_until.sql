-- expires_at becomes the end of a row's life in every state: for an IN_PROGRESS row the retention counted from its
-- claim, not its lease. The lease end moves to lease_until (IN_PROGRESS rows only), so that a row whose owner
-- stopped renewing stays until its retention ends and the next claim knows it takes that row over.
ALTER TABLE ${table} ADD COLUMN lease_until TIMESTAMPTZ;

-- Whether the claim that made this IN_PROGRESS row took over a lapsed one: lets the claim statement report it.
ALTER TABLE ${table} ADD COLUMN taken_over BOOLEAN NOT NULL DEFAULT false;

-- Rows claimed before this migration were given a life of one lease and no retention: they keep that life, and
-- lapse (free, not taken over) when they would have before.
UPDATE ${table} SET lease_until = expires_at WHERE state = 'IN_PROGRESS';

ALTER TABLE ${table} ADD CONSTRAINT ${table}_lease_until CHECK (state <> 'IN_PROGRESS' OR lease_until IS NOT NULL);
