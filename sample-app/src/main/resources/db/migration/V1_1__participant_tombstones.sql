-- A cancellation that finds nothing to cancel leaves a tombstone, so that the action it cancelled, arriving late,
-- is refused instead of taking effect after its compensation: a release before its reserve, a refund before its
-- charge.
ALTER TABLE stock_reservation ALTER COLUMN sku DROP NOT NULL, ALTER COLUMN quantity DROP NOT NULL;
ALTER TABLE payment_charge ALTER COLUMN amount_cents DROP NOT NULL;
