-- +goose Up
-- The session, live (issue 17). The audit log (events) stays the one source
-- of truth for what pages hear; this migration only makes every committed
-- row wake the other instances, and adds what notifications keep: people's
-- addresses and choices, the planner's cursor over the log, the planned
-- items and the mail outbox.

-- Every audit row notifies 'redline_events' with "<document_id> <seq>" at
-- commit (PostgreSQL delivers NOTIFY only then, and in commit order), so a
-- stream on another instance wakes at once; the payload is a hint, the rows
-- are read from the table.
-- +goose StatementBegin
CREATE FUNCTION events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('redline_events', COALESCE(NEW.document_id, '') || ' ' || NEW.seq);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_notify
    AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

-- A person's address and language for mail, and the generation their feed
-- link carries (raised to revoke a leaked link).
CREATE TABLE notify_accounts (
    user_id  BIGINT  PRIMARY KEY REFERENCES users (id),
    email    TEXT    NOT NULL DEFAULT '',
    lang     TEXT    NOT NULL DEFAULT 'ru' CHECK (lang IN ('ru', 'en')),
    feed_gen INTEGER NOT NULL DEFAULT 0 CHECK (feed_gen >= 0)
);

-- What a person chose to hear about in a document (a bit set, see
-- notify.Topics), and whether by mail; no row means the defaults.
CREATE TABLE notify_settings (
    user_id     BIGINT   NOT NULL REFERENCES users (id),
    document_id TEXT     NOT NULL REFERENCES documents (id),
    topics      SMALLINT NOT NULL CHECK (topics BETWEEN 0 AND 15),
    mail        BOOLEAN  NOT NULL DEFAULT TRUE,
    PRIMARY KEY (user_id, document_id)
);

-- The planner's cursor: the seq of the last audit row planned.
CREATE TABLE notify_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT  NOT NULL CHECK (seq >= 0)
);
INSERT INTO notify_cursor (id, seq) VALUES (1, 0);

-- The mail outbox: a finished message, sent as it is on every attempt.
CREATE TABLE notify_mails (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key           TEXT        NOT NULL UNIQUE CHECK (key <> ''),
    user_id       BIGINT      NOT NULL REFERENCES users (id),
    document_id   TEXT        NOT NULL,
    sender        TEXT        NOT NULL,
    recipient     TEXT        NOT NULL,
    message       BYTEA       NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    next_at       TIMESTAMPTZ NOT NULL,
    claimed_until TIMESTAMPTZ,
    attempts      INTEGER     NOT NULL DEFAULT 0,
    sent_at       TIMESTAMPTZ,
    failed_at     TIMESTAMPTZ,
    last_error    TEXT        NOT NULL DEFAULT ''
);

CREATE INDEX notify_mails_due_idx ON notify_mails (next_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- One event one person is to hear about; event is the live event as JSON.
CREATE TABLE notify_items (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    document_id TEXT        NOT NULL,
    topic       SMALLINT    NOT NULL,
    event_id    BIGINT      NOT NULL,
    event       TEXT        NOT NULL,
    mail        BOOLEAN     NOT NULL,
    planned_at  TIMESTAMPTZ NOT NULL,
    mail_id     BIGINT      REFERENCES notify_mails (id),
    skipped     BOOLEAN     NOT NULL DEFAULT FALSE,
    UNIQUE (user_id, event_id)
);

CREATE INDEX notify_items_pending_idx ON notify_items (planned_at, id) WHERE mail AND mail_id IS NULL AND NOT skipped;

-- The key that signs unsubscribe and feed links, made at the first start
-- and shared by every instance.
CREATE TABLE notify_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BYTEA NOT NULL
);

-- +goose Down
DROP TABLE notify_key;
DROP TABLE notify_items;
DROP TABLE notify_mails;
DROP TABLE notify_cursor;
DROP TABLE notify_settings;
DROP TABLE notify_accounts;
DROP TRIGGER events_notify ON events;
DROP FUNCTION events_notify();
