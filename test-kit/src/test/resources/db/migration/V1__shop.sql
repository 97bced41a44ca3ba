CREATE TABLE purchase (
    id    uuid PRIMARY KEY,
    item  text NOT NULL,
    route text NOT NULL
);

-- every compensation that took effect, one row per call
CREATE TABLE released (
    item text NOT NULL
);
