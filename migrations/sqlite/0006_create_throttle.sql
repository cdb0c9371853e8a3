-- +goose Up
-- Counters of failed sign-ins (and other per-caller limits) that every
-- replica shares: key is "login:<login>", "ip:<address>" or a limit's own
-- prefix. Rows go once their last failure is a window old. Times are unix
-- nanoseconds.
CREATE TABLE throttle_counters (
    key           TEXT    PRIMARY KEY CHECK (key <> ''),
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    first_at      INTEGER,
    last_at       INTEGER,
    blocked_until INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX throttle_counters_last_at_idx ON throttle_counters (last_at);

-- +goose Down
DROP TABLE throttle_counters;
