-- +goose Up
-- Amendments item by item (issue 14): the items a proposal touches, and the
-- votes of decisions and adoptions. A vote is three counts, all set or all
-- NULL (no vote recorded). Adding nullable columns rewrites no row; the
-- immutability triggers are recreated to cover the new columns.

-- The keys of the base's paragraphs the proposal touches, a JSON array of
-- strings, set when it is made.
ALTER TABLE proposals ADD COLUMN items TEXT NOT NULL DEFAULT '[]';
-- The vote on the proposal's decision (merge or rejection), set as it closes.
ALTER TABLE proposals ADD COLUMN vote_for INTEGER CHECK (vote_for >= 0);
ALTER TABLE proposals ADD COLUMN vote_against INTEGER CHECK (vote_against >= 0);
ALTER TABLE proposals ADD COLUMN vote_abstained INTEGER CHECK (vote_abstained >= 0);

ALTER TABLE adoptions ADD COLUMN vote_for INTEGER CHECK (vote_for >= 0);
ALTER TABLE adoptions ADD COLUMN vote_against INTEGER CHECK (vote_against >= 0);
ALTER TABLE adoptions ADD COLUMN vote_abstained INTEGER CHECK (vote_abstained >= 0);

DROP TRIGGER proposals_no_update;
-- +goose StatementBegin
CREATE TRIGGER proposals_no_update BEFORE UPDATE ON proposals
WHEN OLD.state <> 'open'
    OR NEW.document_id IS NOT OLD.document_id OR NEW.number IS NOT OLD.number
    OR NEW.base IS NOT OLD.base OR NEW.author_id IS NOT OLD.author_id
    OR NEW.title IS NOT OLD.title OR NEW.rationale IS NOT OLD.rationale
    OR NEW.sha256 IS NOT OLD.sha256 OR NEW.size IS NOT OLD.size
    OR NEW.created_at IS NOT OLD.created_at OR NEW.items IS NOT OLD.items
    OR (NEW.vote_for IS NULL) <> (NEW.vote_against IS NULL)
    OR (NEW.vote_for IS NULL) <> (NEW.vote_abstained IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'proposals are immutable once closed, and but for their state and vote while open');
END;
-- +goose StatementEnd

DROP TRIGGER adoptions_no_update;
-- +goose StatementBegin
CREATE TRIGGER adoptions_no_update BEFORE UPDATE ON adoptions
WHEN OLD.archived_at IS NOT NULL
    OR NEW.id IS NOT OLD.id OR NEW.document_id IS NOT OLD.document_id
    OR NEW.revision IS NOT OLD.revision OR NEW.sha256 IS NOT OLD.sha256
    OR NEW.size IS NOT OLD.size OR NEW.stage IS NOT OLD.stage OR NEW.note IS NOT OLD.note
    OR NEW.override_reason IS NOT OLD.override_reason OR NEW.chair_id IS NOT OLD.chair_id
    OR NEW.created_at IS NOT OLD.created_at
    OR NEW.vote_for IS NOT OLD.vote_for OR NEW.vote_against IS NOT OLD.vote_against
    OR NEW.vote_abstained IS NOT OLD.vote_abstained
BEGIN
    SELECT RAISE(ABORT, 'adoptions are immutable but for archived_at, set once');
END;
-- +goose StatementEnd

-- A vote is whole or absent.
-- +goose StatementBegin
CREATE TRIGGER adoptions_whole_vote BEFORE INSERT ON adoptions
WHEN (NEW.vote_for IS NULL) <> (NEW.vote_against IS NULL)
    OR (NEW.vote_for IS NULL) <> (NEW.vote_abstained IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a vote has all three counts or none');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER adoptions_whole_vote;
DROP TRIGGER adoptions_no_update;
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
DROP TRIGGER proposals_no_update;
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
ALTER TABLE adoptions DROP COLUMN vote_abstained;
ALTER TABLE adoptions DROP COLUMN vote_against;
ALTER TABLE adoptions DROP COLUMN vote_for;
ALTER TABLE proposals DROP COLUMN vote_abstained;
ALTER TABLE proposals DROP COLUMN vote_against;
ALTER TABLE proposals DROP COLUMN vote_for;
ALTER TABLE proposals DROP COLUMN items;
