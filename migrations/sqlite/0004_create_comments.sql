-- +goose Up
-- Comments on a revision or on a proposal, general or anchored to a quote,
-- threaded by replies, and the earlier bodies of edited comments. Nothing
-- here is ever deleted. Timestamps are INTEGER unix nanoseconds, UTC, cut to
-- microseconds; booleans are 0/1.

CREATE TABLE comments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   TEXT    NOT NULL REFERENCES documents (id),
    -- Exactly one of revision and proposal: what the comment was made on.
    revision      INTEGER,
    proposal      INTEGER,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    -- NULL on a thread's first comment. thread is the first comment's id,
    -- the row's own on a first comment: the store picks the id before
    -- inserting (under the write lock), so both go in together.
    reply_to      INTEGER,
    thread        INTEGER NOT NULL,
    depth         INTEGER NOT NULL CHECK (depth >= 0),
    body          TEXT    NOT NULL CHECK (body <> ''),
    -- The anchor, in Unicode code points; all NULL on a general comment.
    anchor_start  INTEGER,
    anchor_end    INTEGER,
    anchor_quote  TEXT,
    anchor_prefix TEXT,
    anchor_suffix TEXT,
    edited        INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
    -- Set on a thread's first comment only; NULL resolved_by is the command
    -- line.
    resolved      INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)),
    resolved_by   INTEGER REFERENCES users (id),
    resolved_at   INTEGER,
    hidden        INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    hidden_by     INTEGER REFERENCES users (id),
    hidden_reason TEXT    NOT NULL DEFAULT '',
    hidden_at     INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    -- The target of the composite keys below: a reply and its thread are
    -- in the same document.
    UNIQUE (document_id, id),
    FOREIGN KEY (document_id, revision) REFERENCES revisions (document_id, number),
    FOREIGN KEY (document_id, proposal) REFERENCES proposals (document_id, number),
    FOREIGN KEY (document_id, reply_to) REFERENCES comments (document_id, id),
    FOREIGN KEY (document_id, thread) REFERENCES comments (document_id, id),
    CHECK ((revision IS NULL) <> (proposal IS NULL)),
    CHECK ((reply_to IS NULL) = (thread = id)),
    CHECK ((reply_to IS NULL) = (depth = 0)),
    CHECK ((anchor_start IS NULL) = (anchor_end IS NULL)
       AND (anchor_start IS NULL) = (anchor_quote IS NULL)
       AND (anchor_start IS NULL) = (anchor_prefix IS NULL)
       AND (anchor_start IS NULL) = (anchor_suffix IS NULL)),
    CHECK (anchor_start >= 0 AND anchor_end > anchor_start),
    CHECK (reply_to IS NULL OR anchor_start IS NULL),
    CHECK (resolved = (resolved_at IS NOT NULL)),
    CHECK (resolved OR resolved_by IS NULL),
    CHECK (NOT resolved OR reply_to IS NULL),
    CHECK (hidden = (hidden_at IS NOT NULL)),
    CHECK (hidden OR (hidden_by IS NULL AND hidden_reason = ''))
) STRICT;

-- Listing a document's comments, oldest first.
CREATE INDEX comments_document_id_idx ON comments (document_id, id);
CREATE INDEX comments_thread_idx ON comments (thread);
CREATE INDEX comments_author_id_idx ON comments (author_id);

-- Earlier bodies of edited comments, in the order they were replaced.
CREATE TABLE comment_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    body       TEXT    NOT NULL,
    edited_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX comment_versions_comment_id_idx ON comment_versions (comment_id, id);

-- A comment is never deleted and keeps what it was made on, by whom and
-- where; its body changes only once the old one is in comment_versions,
-- and edited and hidden, once set, stay set. The store keeps to this; the
-- triggers are the backstop for any other writer.
-- +goose StatementBegin
CREATE TRIGGER comments_no_update BEFORE UPDATE ON comments
WHEN NEW.id IS NOT OLD.id OR NEW.document_id IS NOT OLD.document_id
    OR NEW.revision IS NOT OLD.revision OR NEW.proposal IS NOT OLD.proposal
    OR NEW.author_id IS NOT OLD.author_id OR NEW.reply_to IS NOT OLD.reply_to
    OR NEW.thread IS NOT OLD.thread OR NEW.depth IS NOT OLD.depth
    OR NEW.anchor_start IS NOT OLD.anchor_start OR NEW.anchor_end IS NOT OLD.anchor_end
    OR NEW.anchor_quote IS NOT OLD.anchor_quote OR NEW.anchor_prefix IS NOT OLD.anchor_prefix
    OR NEW.anchor_suffix IS NOT OLD.anchor_suffix OR NEW.created_at IS NOT OLD.created_at
    OR (OLD.edited AND NOT NEW.edited) OR (OLD.hidden AND NOT NEW.hidden)
BEGIN
    SELECT RAISE(ABORT, 'comments are immutable but for their body, resolution and visibility');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_keep_body BEFORE UPDATE OF body ON comments
WHEN NEW.body IS NOT OLD.body AND NOT EXISTS (
    SELECT 1 FROM comment_versions v
    WHERE v.comment_id = OLD.id AND v.body = OLD.body AND v.edited_at = NEW.updated_at
)
BEGIN
    SELECT RAISE(ABORT, 'a comment''s old body must be kept in comment_versions first');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comments_no_delete BEFORE DELETE ON comments
BEGIN
    SELECT RAISE(ABORT, 'comments are never deleted');
END;
-- +goose StatementEnd

-- Versions are a record of what was said: refuse UPDATE and DELETE.
-- +goose StatementBegin
CREATE TRIGGER comment_versions_no_update BEFORE UPDATE ON comment_versions
BEGIN
    SELECT RAISE(ABORT, 'comment versions are immutable: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER comment_versions_no_delete BEFORE DELETE ON comment_versions
BEGIN
    SELECT RAISE(ABORT, 'comment versions are immutable: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE comment_versions;
DROP TABLE comments;
