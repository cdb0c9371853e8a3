-- +goose Up
-- The workflow: proposals (amendments), approvals bound to a revision's hash,
-- adoptions with their archive outbox, the hash-chained audit log, and the
-- remembered answers of requests sent with an Idempotency-Key.

-- A revision made by merging a proposal names it and the chair who merged
-- it; both are NULL on any other revision. Adding nullable columns rewrites
-- no row, so the immutability trigger on revisions is not in the way.
ALTER TABLE revisions ADD COLUMN proposal BIGINT CHECK (proposal >= 1);
ALTER TABLE revisions ADD COLUMN merged_by BIGINT REFERENCES users (id);

-- Amendments, numbered per document. A proposal is open until it is merged,
-- rejected or withdrawn, and then never changes again.
CREATE TABLE proposals (
    document_id     TEXT        NOT NULL REFERENCES documents (id),
    number          BIGINT      NOT NULL CHECK (number >= 1),
    base            BIGINT      NOT NULL,
    author_id       BIGINT      NOT NULL REFERENCES users (id),
    title           TEXT        NOT NULL DEFAULT '',
    rationale       TEXT        NOT NULL DEFAULT '',
    sha256          CHAR(64)    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size            BIGINT      NOT NULL CHECK (size >= 0),
    state           TEXT        NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'merged', 'rejected', 'withdrawn')),
    merged_revision BIGINT,
    -- NULL while open, or when closed from the command line.
    closed_by       BIGINT      REFERENCES users (id),
    close_reason    TEXT        NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    closed_at       TIMESTAMPTZ,
    PRIMARY KEY (document_id, number),
    FOREIGN KEY (document_id, base) REFERENCES revisions (document_id, number),
    FOREIGN KEY (document_id, merged_revision) REFERENCES revisions (document_id, number),
    CHECK ((state = 'open') = (closed_at IS NULL)),
    CHECK ((state = 'merged') = (merged_revision IS NOT NULL))
);

CREATE INDEX proposals_author_id_idx ON proposals (author_id);

-- A merged revision points at its proposal (PostgreSQL only: SQLite cannot
-- add a table constraint to an existing table).
ALTER TABLE revisions ADD FOREIGN KEY (document_id, proposal) REFERENCES proposals (document_id, number);

-- A proposal only ever leaves the open state, once, and keeps its content;
-- none is deleted. The store updates with WHERE state = 'open'; this is the
-- backstop for any other writer.
-- +goose StatementBegin
CREATE FUNCTION proposals_guard() RETURNS trigger
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

CREATE TRIGGER proposals_guard
    BEFORE UPDATE OR DELETE ON proposals
    FOR EACH ROW EXECUTE FUNCTION proposals_guard();

-- A chair's sign-off on one revision, bound to its hash; one per chair.
CREATE TABLE approvals (
    document_id TEXT        NOT NULL,
    revision    BIGINT      NOT NULL,
    chair_id    BIGINT      NOT NULL REFERENCES users (id),
    sha256      CHAR(64)    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    note        TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, revision, chair_id),
    FOREIGN KEY (document_id, revision) REFERENCES revisions (document_id, number)
);

CREATE INDEX approvals_chair_id_idx ON approvals (chair_id);

-- Approvals are a record of what was signed: refuse UPDATE and DELETE.
-- +goose StatementBegin
CREATE FUNCTION approvals_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'approvals are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER approvals_immutable
    BEFORE UPDATE OR DELETE ON approvals
    FOR EACH ROW EXECUTE FUNCTION approvals_immutable();

-- Adoptions. archived_at IS NULL is the outbox: the adopted text still has
-- to be copied to write-once storage.
CREATE TABLE adoptions (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id     TEXT        NOT NULL,
    revision        BIGINT      NOT NULL,
    sha256          CHAR(64)    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size            BIGINT      NOT NULL CHECK (size >= 0),
    stage           TEXT        NOT NULL CHECK (stage IN ('basis', 'final')),
    note            TEXT        NOT NULL DEFAULT '',
    override_reason TEXT        NOT NULL DEFAULT '',
    chair_id        BIGINT      NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    archived_at     TIMESTAMPTZ,
    FOREIGN KEY (document_id, revision) REFERENCES revisions (document_id, number)
);

CREATE INDEX adoptions_document_id_idx ON adoptions (document_id, id);
CREATE INDEX adoptions_pending_idx ON adoptions (id) WHERE archived_at IS NULL;

-- An adoption is never deleted nor rewritten; the only change is setting
-- archived_at, once.
-- +goose StatementBegin
CREATE FUNCTION adoptions_guard() RETURNS trigger
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

CREATE TRIGGER adoptions_guard
    BEFORE UPDATE OR DELETE ON adoptions
    FOR EACH ROW EXECUTE FUNCTION adoptions_guard();

-- The audit log: one hash chain over every state change,
-- hash = sha256(prev_hash || canonical event). seq and prev_hash are unique
-- and every event must link to the one before it, so the chain cannot fork
-- even if the store's lock were bypassed. document_id and actor_id carry no
-- foreign key: the log records what happened and never blocks a change.
CREATE TABLE events (
    seq         BIGINT      PRIMARY KEY CHECK (seq >= 1),
    document_id TEXT,
    kind        TEXT        NOT NULL CHECK (kind <> ''),
    -- NULL for the command line or the system.
    actor_id    BIGINT,
    -- The JSON object of the event's data, as encoding/json wrote it; TEXT,
    -- not jsonb, so the bytes the hash covered are kept.
    data        TEXT        NOT NULL DEFAULT '{}',
    at          TIMESTAMPTZ NOT NULL,
    prev_hash   TEXT        NOT NULL UNIQUE,
    hash        TEXT        NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    CHECK ((seq = 1) = (prev_hash = ''))
);

CREATE INDEX events_document_id_idx ON events (document_id, seq);

-- +goose StatementBegin
CREATE FUNCTION events_link() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq > 1 AND NOT EXISTS (
        SELECT 1 FROM events WHERE seq = NEW.seq - 1 AND hash = NEW.prev_hash
    ) THEN
        RAISE EXCEPTION 'event % does not link to event %', NEW.seq, NEW.seq - 1
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_link
    BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_link();

-- +goose StatementBegin
CREATE FUNCTION events_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_immutable
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_immutable();

-- Remembered answers to requests sent with an Idempotency-Key, per user.
-- body is NULL until the first request completes.
CREATE TABLE idempotency_keys (
    user_id      BIGINT      NOT NULL REFERENCES users (id),
    key          TEXT        NOT NULL CHECK (key <> ''),
    fingerprint  TEXT        NOT NULL DEFAULT '',
    done         BOOLEAN     NOT NULL DEFAULT FALSE,
    status       INTEGER     NOT NULL DEFAULT 0,
    content_type TEXT        NOT NULL DEFAULT '',
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- For expiring old keys.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP FUNCTION events_immutable();
DROP FUNCTION events_link();
DROP TABLE adoptions;
DROP FUNCTION adoptions_guard();
DROP TABLE approvals;
DROP FUNCTION approvals_immutable();
ALTER TABLE revisions DROP COLUMN merged_by;
ALTER TABLE revisions DROP COLUMN proposal;
DROP TABLE proposals;
DROP FUNCTION proposals_guard();
