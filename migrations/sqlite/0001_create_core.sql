-- +goose Up
-- Core metadata: accounts, API tokens, documents and their immutable revisions.
-- STRICT tables so a wrong type is an error, not a silent conversion.
-- Timestamps are INTEGER unix nanoseconds, UTC; booleans are 0/1.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT    NOT NULL UNIQUE CHECK (login <> ''),
    display_name  TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL DEFAULT '',
    admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    label      TEXT    NOT NULL DEFAULT '',
    hash       TEXT    NOT NULL UNIQUE CHECK (hash <> ''),
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE documents (
    id                 TEXT    PRIMARY KEY NOT NULL CHECK (id <> ''),
    slug               TEXT    NOT NULL UNIQUE CHECK (slug <> ''),
    title              TEXT    NOT NULL,
    language           TEXT    NOT NULL DEFAULT 'ru',
    approvals_required INTEGER NOT NULL DEFAULT 1 CHECK (approvals_required >= 1),
    created_by         INTEGER NOT NULL REFERENCES users (id),
    created_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE revisions (
    document_id TEXT    NOT NULL REFERENCES documents (id),
    number      INTEGER NOT NULL CHECK (number >= 1),
    parent      INTEGER NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    message     TEXT    NOT NULL DEFAULT '',
    sha256      TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    size        INTEGER NOT NULL CHECK (size >= 0),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (document_id, number),
    -- The chain is linear: revision n always descends from n-1.
    CHECK (parent = number - 1)
) STRICT, WITHOUT ROWID;

CREATE INDEX revisions_author_id_idx ON revisions (author_id);

-- Revisions are immutable and never lost: refuse UPDATE and DELETE outright,
-- so that no code path (or hand-written fix) can rewrite history.
-- +goose StatementBegin
CREATE TRIGGER revisions_no_update BEFORE UPDATE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER revisions_no_delete BEFORE DELETE ON revisions
BEGIN
    SELECT RAISE(ABORT, 'revisions are immutable: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE revisions;
DROP TABLE documents;
DROP TABLE api_tokens;
DROP TABLE users;
