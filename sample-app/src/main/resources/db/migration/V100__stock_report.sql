-- One row per run of the scheduled stock report, with the token of the lock it ran under.
CREATE TABLE stock_report (
    id          BIGSERIAL    PRIMARY KEY,
    taken_at    TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    skus        INT          NOT NULL,
    units       BIGINT       NOT NULL,
    lock_token  BIGINT       NOT NULL
);
