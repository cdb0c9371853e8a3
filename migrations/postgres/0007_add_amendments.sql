-- +goose Up
-- Amendments item by item (issue 14): the items a proposal touches, and the
-- votes of decisions and adoptions. A vote is three counts, all set or all
-- NULL (no vote recorded). The guards are replaced to cover the new columns.

-- The keys of the base's paragraphs the proposal touches, a JSON array of
-- strings, set when it is made.
ALTER TABLE proposals ADD COLUMN items JSONB NOT NULL DEFAULT '[]'
    CHECK (jsonb_typeof(items) = 'array');
-- The vote on the proposal's decision (merge or rejection), set as it closes.
ALTER TABLE proposals ADD COLUMN vote_for INTEGER CHECK (vote_for >= 0);
ALTER TABLE proposals ADD COLUMN vote_against INTEGER CHECK (vote_against >= 0);
ALTER TABLE proposals ADD COLUMN vote_abstained INTEGER CHECK (vote_abstained >= 0);
ALTER TABLE proposals ADD CONSTRAINT proposals_whole_vote
    CHECK ((vote_for IS NULL) = (vote_against IS NULL) AND (vote_for IS NULL) = (vote_abstained IS NULL));

ALTER TABLE adoptions ADD COLUMN vote_for INTEGER CHECK (vote_for >= 0);
ALTER TABLE adoptions ADD COLUMN vote_against INTEGER CHECK (vote_against >= 0);
ALTER TABLE adoptions ADD COLUMN vote_abstained INTEGER CHECK (vote_abstained >= 0);
ALTER TABLE adoptions ADD CONSTRAINT adoptions_whole_vote
    CHECK ((vote_for IS NULL) = (vote_against IS NULL) AND (vote_for IS NULL) = (vote_abstained IS NULL));

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION proposals_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'proposals are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.state <> 'open' THEN
        RAISE EXCEPTION 'proposal % is %: it cannot change', OLD.number, OLD.state
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.document_id, NEW.number, NEW.base, NEW.author_id, NEW.title, NEW.rationale,
        NEW.sha256, NEW.size, NEW.created_at, NEW.items)
       IS DISTINCT FROM
       (OLD.document_id, OLD.number, OLD.base, OLD.author_id, OLD.title, OLD.rationale,
        OLD.sha256, OLD.size, OLD.created_at, OLD.items) THEN
        RAISE EXCEPTION 'proposal % is immutable but for its state and vote', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adoptions_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'adoptions are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.archived_at IS NOT NULL OR
       (NEW.id, NEW.document_id, NEW.revision, NEW.sha256, NEW.size, NEW.stage, NEW.note,
        NEW.override_reason, NEW.chair_id, NEW.created_at, NEW.vote_for, NEW.vote_against, NEW.vote_abstained)
       IS DISTINCT FROM
       (OLD.id, OLD.document_id, OLD.revision, OLD.sha256, OLD.size, OLD.stage, OLD.note,
        OLD.override_reason, OLD.chair_id, OLD.created_at, OLD.vote_for, OLD.vote_against, OLD.vote_abstained) THEN
        RAISE EXCEPTION 'adoption % is immutable but for archived_at, set once', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adoptions_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'adoptions are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.archived_at IS NOT NULL OR
       (NEW.id, NEW.document_id, NEW.revision, NEW.sha256, NEW.size, NEW.stage, NEW.note,
        NEW.override_reason, NEW.chair_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.document_id, OLD.revision, OLD.sha256, OLD.size, OLD.stage, OLD.note,
        OLD.override_reason, OLD.chair_id, OLD.created_at) THEN
        RAISE EXCEPTION 'adoption % is immutable but for archived_at, set once', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION proposals_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'proposals are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.state <> 'open' THEN
        RAISE EXCEPTION 'proposal % is %: it cannot change', OLD.number, OLD.state
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.document_id, NEW.number, NEW.base, NEW.author_id, NEW.title, NEW.rationale,
        NEW.sha256, NEW.size, NEW.created_at)
       IS DISTINCT FROM
       (OLD.document_id, OLD.number, OLD.base, OLD.author_id, OLD.title, OLD.rationale,
        OLD.sha256, OLD.size, OLD.created_at) THEN
        RAISE EXCEPTION 'proposal % is immutable but for its state', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
ALTER TABLE adoptions DROP CONSTRAINT adoptions_whole_vote;
ALTER TABLE adoptions DROP COLUMN vote_abstained;
ALTER TABLE adoptions DROP COLUMN vote_against;
ALTER TABLE adoptions DROP COLUMN vote_for;
ALTER TABLE proposals DROP CONSTRAINT proposals_whole_vote;
ALTER TABLE proposals DROP COLUMN vote_abstained;
ALTER TABLE proposals DROP COLUMN vote_against;
ALTER TABLE proposals DROP COLUMN vote_for;
ALTER TABLE proposals DROP COLUMN items;
