-- +goose Up
-- The session, live (issue 17): what notifications keep. One process uses a
-- SQLite database, so new audit rows wake its streams in process (no
-- trigger); see the PostgreSQL twin for the rest. Timestamps are INTEGER
-- unix nanoseconds, UTC; booleans 0/1.

CREATE TABLE notify_accounts (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id),
    email    TEXT    NOT NULL DEFAULT '',
    lang     TEXT    NOT NULL DEFAULT 'ru' CHECK (lang IN ('ru', 'en')),
    feed_gen INTEGER NOT NULL DEFAULT 0 CHECK (feed_gen >= 0)
) STRICT;

CREATE TABLE notify_settings (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    document_id TEXT    NOT NULL REFERENCES documents (id),
    topics      INTEGER NOT NULL CHECK (topics BETWEEN 0 AND 15),
    mail        INTEGER NOT NULL DEFAULT 1 CHECK (mail IN (0, 1)),
    PRIMARY KEY (user_id, document_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE notify_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL CHECK (seq >= 0)
) STRICT;
INSERT INTO notify_cursor (id, seq) VALUES (1, 0);

CREATE TABLE notify_mails (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT    NOT NULL UNIQUE CHECK (key <> ''),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    document_id   TEXT    NOT NULL,
    sender        TEXT    NOT NULL,
    recipient     TEXT    NOT NULL,
    message       BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    next_at       INTEGER NOT NULL,
    claimed_until INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    sent_at       INTEGER,
    failed_at     INTEGER,
    last_error    TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE notify_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    document_id TEXT    NOT NULL,
    topic       INTEGER NOT NULL,
    event_id    INTEGER NOT NULL,
    event       TEXT    NOT NULL,
    mail        INTEGER NOT NULL CHECK (mail IN (0, 1)),
    planned_at  INTEGER NOT NULL,
    mail_id     INTEGER REFERENCES notify_mails (id),
    skipped     INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    UNIQUE (user_id, event_id)
) STRICT;

CREATE INDEX notify_items_pending_idx ON notify_items (planned_at, id) WHERE mail = 1 AND mail_id IS NULL AND skipped = 0;

-- The key that signs unsubscribe and feed links, made at the first start
-- and shared by every instance.
CREATE TABLE notify_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB NOT NULL
) STRICT;

-- +goose Down
DROP TABLE notify_key;
DROP TABLE notify_items;
DROP TABLE notify_mails;
DROP TABLE notify_cursor;
DROP TABLE notify_settings;
DROP TABLE notify_accounts;
