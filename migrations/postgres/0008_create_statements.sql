-- +goose Up
-- Signed adoption statements (issue 16): one per adoption, numbered per
-- document (1, 2, 3 …), each naming the hash of the one before, so the
-- chain of a document's adoptions cannot be rewritten. The statement's
-- canonical bytes and its SSHSIG signature are kept here and copied to
-- write-once storage beside the adopted text; archived_at IS NULL is the
-- copy still to be made. A row is written once: only archived_at is ever
-- set, once, and nothing is deleted.
CREATE TABLE adoption_statements (
    adoption_id  BIGINT      PRIMARY KEY REFERENCES adoptions (id),
    document_id  TEXT        NOT NULL REFERENCES documents (id),
    number       BIGINT      NOT NULL CHECK (number >= 1),
    statement    BYTEA       NOT NULL,
    signature    BYTEA       NOT NULL,
    sha256       CHAR(64)    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    previous     TEXT        NOT NULL DEFAULT '' CHECK (previous = '' OR previous ~ '^[0-9a-f]{64}$'),
    key          TEXT        NOT NULL CHECK (key <> ''),
    signed_at    TIMESTAMPTZ NOT NULL,
    signed_later BOOLEAN     NOT NULL,
    archived_at  TIMESTAMPTZ,
    UNIQUE (document_id, number),
    CHECK ((number = 1) = (previous = ''))
);

CREATE INDEX adoption_statements_pending_idx ON adoption_statements (adoption_id) WHERE archived_at IS NULL;

-- +goose StatementBegin
CREATE FUNCTION adoption_statements_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'adoption statements are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.archived_at IS NOT NULL OR
       (NEW.adoption_id, NEW.document_id, NEW.number, NEW.statement, NEW.signature, NEW.sha256, NEW.previous,
        NEW.key, NEW.signed_at, NEW.signed_later)
       IS DISTINCT FROM
       (OLD.adoption_id, OLD.document_id, OLD.number, OLD.statement, OLD.signature, OLD.sha256, OLD.previous,
        OLD.key, OLD.signed_at, OLD.signed_later) THEN
        RAISE EXCEPTION 'adoption statement % is immutable but for archived_at, set once', OLD.adoption_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER adoption_statements_guard
    BEFORE UPDATE OR DELETE ON adoption_statements
    FOR EACH ROW EXECUTE FUNCTION adoption_statements_guard();

-- +goose Down
DROP TABLE adoption_statements;
DROP FUNCTION adoption_statements_guard();
