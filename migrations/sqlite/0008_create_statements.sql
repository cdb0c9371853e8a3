-- +goose Up
-- Signed adoption statements (issue 16): one per adoption, numbered per
-- document (1, 2, 3 …), each naming the hash of the one before, so the
-- chain of a document's adoptions cannot be rewritten. The statement's
-- canonical bytes and its SSHSIG signature are kept here and copied to
-- write-once storage beside the adopted text; archived_at IS NULL is the
-- copy still to be made. A row is written once: only archived_at is ever
-- set, once, and nothing is deleted.
CREATE TABLE adoption_statements (
    adoption_id  INTEGER PRIMARY KEY REFERENCES adoptions (id),
    document_id  TEXT    NOT NULL REFERENCES documents (id),
    number       INTEGER NOT NULL CHECK (number >= 1),
    statement    BLOB    NOT NULL,
    signature    BLOB    NOT NULL,
    sha256       TEXT    NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    previous     TEXT    NOT NULL DEFAULT ''
        CHECK (previous = '' OR (length(previous) = 64 AND previous NOT GLOB '*[^0-9a-f]*')),
    key          TEXT    NOT NULL CHECK (key <> ''),
    signed_at    INTEGER NOT NULL,
    signed_later INTEGER NOT NULL CHECK (signed_later IN (0, 1)),
    archived_at  INTEGER,
    UNIQUE (document_id, number),
    CHECK ((number = 1) = (previous = ''))
) STRICT;

CREATE INDEX adoption_statements_pending_idx ON adoption_statements (adoption_id) WHERE archived_at IS NULL;

-- +goose StatementBegin
CREATE TRIGGER adoption_statements_no_update BEFORE UPDATE ON adoption_statements
WHEN OLD.archived_at IS NOT NULL
    OR NEW.adoption_id IS NOT OLD.adoption_id OR NEW.document_id IS NOT OLD.document_id
    OR NEW.number IS NOT OLD.number OR NEW.statement IS NOT OLD.statement
    OR NEW.signature IS NOT OLD.signature OR NEW.sha256 IS NOT OLD.sha256
    OR NEW.previous IS NOT OLD.previous OR NEW.key IS NOT OLD.key
    OR NEW.signed_at IS NOT OLD.signed_at OR NEW.signed_later IS NOT OLD.signed_later
BEGIN
    SELECT RAISE(ABORT, 'adoption statements are immutable but for archived_at, set once');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER adoption_statements_no_delete BEFORE DELETE ON adoption_statements
BEGIN
    SELECT RAISE(ABORT, 'adoption statements are never deleted');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE adoption_statements;
