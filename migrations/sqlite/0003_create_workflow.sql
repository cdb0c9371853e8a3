-- +goose Up
-- The workflow: proposals (amendments), approvals bound to a revision's hash,
-- adoptions with their archive outbox, the hash-chained audit log, and the
-- remembered answers of requests sent with an Idempotency-Key. Timestamps are
-- INTEGER unix nanoseconds, UTC, cut to microseconds; booleans are 0/1.

-- A revision made by merging a proposal names it and the chair who merged
-- it; both are NULL on any other revision. Adding nullable columns rewrites
-- no row, so the immutability triggers on revisions are not in the way.
-- (SQLite cannot add the table constraint tying proposal to proposals that
-- PostgreSQL has; the store sets both in the merge's transaction.)
ALTER TABLE revisions ADD COLUMN proposal INTEGER CHECK (proposal >= 1);
ALTER TABLE revisions ADD COLUMN merged_by INTEGER REFERENCES users (id);

-- Amendments, numbered per document. A proposal is open until it is merged,
-- rejected or withdrawn, and then never changes again.
CREATE TABLE proposals (
    document_id     TEXT    NOT NULL REFERENCES documents (id),
    number          INTEGER NOT NULL CHECK (number >= 1),
    base            INTEGER NOT NULL,
    author_id       INTEGER NOT NULL REFERENCES users (id),
    title           TEXT    NOT NULL DEFAULT '',
    rationale       TEXT    NOT NULL DEFAULT '',
    sha256          TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    size            INTEGER NOT NULL CHECK (size >= 0),
    state           TEXT    NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'merged', 'rejected', 'withdrawn')),
    merged_revision INTEGER,
    -- NULL while open, or when closed from the command line.
    closed_by       INTEGER REFERENCES users (id),
    close_reason    TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER,
    PRIMARY KEY (document_id, number),
    FOREIGN KEY (document_id, base) REFERENCES revisions (document_id, number),
    FOREIGN KEY (document_id, merged_revision) REFERENCES revisions (document_id, number),
    CHECK ((state = 'open') = (closed_at IS NULL)),
    CHECK ((state = 'merged') = (merged_revision IS NOT NULL))
) STRICT, WITHOUT ROWID;

CREATE INDEX proposals_author_id_idx ON proposals (author_id);

-- A proposal only ever leaves the open state, once, and keeps its content;
-- none is deleted. The store updates with WHERE state = 'open'; this is the
-- backstop for any other writer.
-- +goose StatementBegin
CREATE TRIGGER proposals_no_update BEFORE UPDATE ON proposals
WHEN OLD.state <> 'open'
    OR NEW.document_id IS NOT OLD.document_id OR NEW.number IS NOT OLD.number
    OR NEW.base IS NOT OLD.base OR NEW.author_id IS NOT OLD.author_id
    OR NEW.title IS NOT OLD.title OR NEW.rationale IS NOT OLD.rationale
    OR NEW.sha256 IS NOT OLD.sha256 OR NEW.size IS NOT OLD.size
    OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'proposals are immutable once closed, and but for their state while open');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
BEGIN
    SELECT RAISE(ABORT, 'proposals are never deleted');
END;
-- +goose StatementEnd

-- A chair's sign-off on one revision, bound to its hash; one per chair.
CREATE TABLE approvals (
    document_id TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    chair_id    INTEGER NOT NULL REFERENCES users (id),
    sha256      TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    note        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (document_id, revision, chair_id),
    FOREIGN KEY (document_id, revision) REFERENCES revisions (document_id, number)
) STRICT, WITHOUT ROWID;

CREATE INDEX approvals_chair_id_idx ON approvals (chair_id);

-- Approvals are a record of what was signed: refuse UPDATE and DELETE.
-- +goose StatementBegin
CREATE TRIGGER approvals_no_update BEFORE UPDATE ON approvals
BEGIN
    SELECT RAISE(ABORT, 'approvals are immutable: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals
BEGIN
    SELECT RAISE(ABORT, 'approvals are immutable: DELETE refused');
END;
-- +goose StatementEnd

-- Adoptions. archived_at IS NULL is the outbox: the adopted text still has
-- to be copied to write-once storage.
CREATE TABLE adoptions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id     TEXT    NOT NULL,
    revision        INTEGER NOT NULL,
    sha256          TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    size            INTEGER NOT NULL CHECK (size >= 0),
    stage           TEXT    NOT NULL CHECK (stage IN ('basis', 'final')),
    note            TEXT    NOT NULL DEFAULT '',
    override_reason TEXT    NOT NULL DEFAULT '',
    chair_id        INTEGER NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    archived_at     INTEGER,
    FOREIGN KEY (document_id, revision) REFERENCES revisions (document_id, number)
) STRICT;

CREATE INDEX adoptions_document_id_idx ON adoptions (document_id, id);
CREATE INDEX adoptions_pending_idx ON adoptions (id) WHERE archived_at IS NULL;

-- An adoption is never deleted nor rewritten; the only change is setting
-- archived_at, once.
-- +goose StatementBegin
CREATE TRIGGER adoptions_no_update BEFORE UPDATE ON adoptions
WHEN OLD.archived_at IS NOT NULL
    OR NEW.id IS NOT OLD.id OR NEW.document_id IS NOT OLD.document_id
    OR NEW.revision IS NOT OLD.revision OR NEW.sha256 IS NOT OLD.sha256
    OR NEW.size IS NOT OLD.size OR NEW.stage IS NOT OLD.stage OR NEW.note IS NOT OLD.note
    OR NEW.override_reason IS NOT OLD.override_reason OR NEW.chair_id IS NOT OLD.chair_id
    OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'adoptions are immutable but for archived_at, set once');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER adoptions_no_delete BEFORE DELETE ON adoptions
BEGIN
    SELECT RAISE(ABORT, 'adoptions are never deleted');
END;
-- +goose StatementEnd

-- The audit log: one hash chain over every state change,
-- hash = sha256(prev_hash || canonical event). seq and prev_hash are unique
-- and every event must link to the one before it, so the chain cannot fork
-- even if the store's lock were bypassed. document_id and actor_id carry no
-- foreign key: the log records what happened and never blocks a change.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY CHECK (seq >= 1),
    document_id TEXT,
    kind        TEXT    NOT NULL CHECK (kind <> ''),
    -- NULL for the command line or the system.
    actor_id    INTEGER,
    -- The JSON object of the event's data, as encoding/json wrote it.
    data        TEXT    NOT NULL DEFAULT '{}',
    at          INTEGER NOT NULL,
    prev_hash   TEXT    NOT NULL UNIQUE,
    hash        TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
    CHECK ((seq = 1) = (prev_hash = ''))
) STRICT;

CREATE INDEX events_document_id_idx ON events (document_id, seq);

-- +goose StatementBegin
CREATE TRIGGER events_link BEFORE INSERT ON events
WHEN NEW.seq > 1 AND NOT EXISTS (
    SELECT 1 FROM events WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash
)
BEGIN
    SELECT RAISE(ABORT, 'event does not link to the one before it');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are immutable: DELETE refused');
END;
-- +goose StatementEnd

-- Remembered answers to requests sent with an Idempotency-Key, per user.
-- body is NULL until the first request completes.
CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL REFERENCES users (id),
    key          TEXT    NOT NULL CHECK (key <> ''),
    fingerprint  TEXT    NOT NULL DEFAULT '',
    done         INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT    NOT NULL DEFAULT '',
    body         BLOB,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;

-- For expiring old keys.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP TABLE adoptions;
DROP TABLE approvals;
DROP TABLE proposals;
ALTER TABLE revisions DROP COLUMN merged_by;
ALTER TABLE revisions DROP COLUMN proposal;
