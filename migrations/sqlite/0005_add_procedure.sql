-- +goose Up
-- The procedure: a document's state (drafting → basis → final), the
-- reopenings of final documents, and the decision recorded on a revision
-- made by merging a proposal. The drafting package decides every
-- transition; this schema keeps what it decided and refuses rewriting it.

ALTER TABLE documents ADD COLUMN state TEXT NOT NULL DEFAULT 'drafting'
    CHECK (state IN ('drafting', 'basis', 'final'));

-- Documents adopted before the state existed stand where their newest
-- adoption put them.
UPDATE documents SET state = (
    SELECT a.stage FROM adoptions a WHERE a.document_id = documents.id ORDER BY a.id DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM adoptions a WHERE a.document_id = documents.id);

-- accepted: the proposal applied as it was; accepted_with_changes: the
-- merging chair supplied the text (the author and the chair are both on the
-- revision). NULL on a revision not made by a merge, and on merges made
-- before this column (read as accepted). Adding a column rewrites no row, so
-- the immutability triggers on revisions are not in the way. (SQLite cannot
-- add PostgreSQL's table CHECK that only merges carry a decision; the store
-- writes both together.)
ALTER TABLE revisions ADD COLUMN decision TEXT
    CHECK (decision IN ('accepted', 'accepted_with_changes'));

-- An administrator's reopening of a document adopted as a whole: which
-- final adoption it reopens, why, who and when. Never changed nor deleted.
CREATE TABLE reopenings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT    NOT NULL REFERENCES documents (id),
    adoption_id INTEGER NOT NULL REFERENCES adoptions (id),
    reason      TEXT    NOT NULL CHECK (reason <> ''),
    actor_id    INTEGER NOT NULL REFERENCES users (id),
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX reopenings_document_id_idx ON reopenings (document_id, id);

-- +goose StatementBegin
CREATE TRIGGER reopenings_no_update BEFORE UPDATE ON reopenings
BEGIN
    SELECT RAISE(ABORT, 'reopenings are immutable: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER reopenings_no_delete BEFORE DELETE ON reopenings
BEGIN
    SELECT RAISE(ABORT, 'reopenings are immutable: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE reopenings;
ALTER TABLE revisions DROP COLUMN decision;
ALTER TABLE documents DROP COLUMN state;
