-- +goose Up
-- The procedure: a document's state (drafting → basis → final), the
-- reopenings of final documents, and the decision recorded on a revision
-- made by merging a proposal. The drafting package decides every
-- transition; this schema keeps what it decided and refuses rewriting it.

ALTER TABLE documents ADD COLUMN state TEXT NOT NULL DEFAULT 'drafting'
    CHECK (state IN ('drafting', 'basis', 'final'));

-- Documents adopted before the state existed stand where their newest
-- adoption put them.
UPDATE documents d SET state = a.stage
FROM (SELECT DISTINCT ON (document_id) document_id, stage FROM adoptions ORDER BY document_id, id DESC) a
WHERE a.document_id = d.id;

-- accepted: the proposal applied as it was; accepted_with_changes: the
-- merging chair supplied the text (the author and the chair are both on the
-- revision). NULL on a revision not made by a merge, and on merges made
-- before this column (read as accepted). Adding a column rewrites no row, so
-- the immutability trigger on revisions is not in the way.
ALTER TABLE revisions ADD COLUMN decision TEXT
    CHECK (decision IN ('accepted', 'accepted_with_changes'));
ALTER TABLE revisions ADD CHECK (decision IS NULL OR proposal IS NOT NULL);

-- An administrator's reopening of a document adopted as a whole: which
-- final adoption it reopens, why, who and when. Never changed nor deleted.
CREATE TABLE reopenings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id TEXT        NOT NULL REFERENCES documents (id),
    adoption_id BIGINT      NOT NULL REFERENCES adoptions (id),
    reason      TEXT        NOT NULL CHECK (reason <> ''),
    actor_id    BIGINT      NOT NULL REFERENCES users (id),
    at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX reopenings_document_id_idx ON reopenings (document_id, id);

-- +goose StatementBegin
CREATE FUNCTION reopenings_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reopenings are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER reopenings_immutable
    BEFORE UPDATE OR DELETE ON reopenings
    FOR EACH ROW EXECUTE FUNCTION reopenings_immutable();

-- +goose Down
DROP TABLE reopenings;
DROP FUNCTION reopenings_immutable();
ALTER TABLE revisions DROP COLUMN decision;
ALTER TABLE documents DROP COLUMN state;
