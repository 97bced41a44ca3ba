CREATE TABLE inventory (
    sku        VARCHAR(64) PRIMARY KEY,
    available  INT         NOT NULL CHECK (available >= 0)
);

-- A reservation is released at most once: the flag and the stock change commit together.
CREATE TABLE stock_reservation (
    id          VARCHAR(64)  PRIMARY KEY,
    sku         VARCHAR(64)  NOT NULL REFERENCES inventory (sku),
    quantity    INT          NOT NULL,
    released    BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- The fake payment provider's ledger.
CREATE TABLE payment_charge (
    id            VARCHAR(64)  PRIMARY KEY,
    amount_cents  BIGINT       NOT NULL,
    reference     VARCHAR(200),
    refunded      BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE TABLE customer_order (
    id                  UUID          PRIMARY KEY,
    owner               VARCHAR(100)  NOT NULL,
    sku                 VARCHAR(64)   NOT NULL,
    quantity            INT           NOT NULL,
    amount_cents        BIGINT        NOT NULL,
    reference           VARCHAR(200),
    status              VARCHAR(20)   NOT NULL,
    reservation_id      VARCHAR(64)   NOT NULL,
    charge_id           VARCHAR(64)   NOT NULL,
    confirmations_sent  INT           NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE INDEX customer_order_owner_reference ON customer_order (owner, reference);
