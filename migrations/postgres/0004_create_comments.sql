-- +goose Up
-- Comments on a revision or on a proposal, general or anchored to a quote,
-- threaded by replies, and the earlier bodies of edited comments. Nothing
-- here is ever deleted.

CREATE TABLE comments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id   TEXT        NOT NULL REFERENCES documents (id),
    -- Exactly one of revision and proposal: what the comment was made on.
    revision      BIGINT,
    proposal      BIGINT,
    author_id     BIGINT      NOT NULL REFERENCES users (id),
    -- NULL on a thread's first comment. thread is the first comment's id,
    -- the row's own on a first comment: the store draws the id from the
    -- identity's sequence before inserting, so both go in together.
    reply_to      BIGINT,
    thread        BIGINT      NOT NULL,
    depth         INTEGER     NOT NULL CHECK (depth >= 0),
    body          TEXT        NOT NULL CHECK (body <> ''),
    -- The anchor, in Unicode code points; all NULL on a general comment.
    anchor_start  INTEGER,
    anchor_end    INTEGER,
    anchor_quote  TEXT,
    anchor_prefix TEXT,
    anchor_suffix TEXT,
    edited        BOOLEAN     NOT NULL DEFAULT FALSE,
    -- Set on a thread's first comment only; NULL resolved_by is the command
    -- line.
    resolved      BOOLEAN     NOT NULL DEFAULT FALSE,
    resolved_by   BIGINT      REFERENCES users (id),
    resolved_at   TIMESTAMPTZ,
    hidden        BOOLEAN     NOT NULL DEFAULT FALSE,
    hidden_by     BIGINT      REFERENCES users (id),
    hidden_reason TEXT        NOT NULL DEFAULT '',
    hidden_at     TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
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
);

-- Listing a document's comments, oldest first.
CREATE INDEX comments_document_id_idx ON comments (document_id, id);
CREATE INDEX comments_thread_idx ON comments (thread);
CREATE INDEX comments_author_id_idx ON comments (author_id);

-- Earlier bodies of edited comments, in the order they were replaced.
CREATE TABLE comment_versions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id BIGINT      NOT NULL REFERENCES comments (id),
    body       TEXT        NOT NULL,
    edited_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX comment_versions_comment_id_idx ON comment_versions (comment_id, id);

-- A comment is never deleted and keeps what it was made on, by whom and
-- where; its body changes only once the old one is in comment_versions,
-- and edited and hidden, once set, stay set. The store keeps to this; the
-- trigger is the backstop for any other writer.
-- +goose StatementBegin
CREATE FUNCTION comments_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'comments are never deleted'
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (NEW.id, NEW.document_id, NEW.revision, NEW.proposal, NEW.author_id, NEW.reply_to, NEW.thread,
        NEW.depth, NEW.anchor_start, NEW.anchor_end, NEW.anchor_quote, NEW.anchor_prefix,
        NEW.anchor_suffix, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.document_id, OLD.revision, OLD.proposal, OLD.author_id, OLD.reply_to, OLD.thread,
        OLD.depth, OLD.anchor_start, OLD.anchor_end, OLD.anchor_quote, OLD.anchor_prefix,
        OLD.anchor_suffix, OLD.created_at) THEN
        RAISE EXCEPTION 'comment % is immutable but for its body, resolution and visibility', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (OLD.edited AND NOT NEW.edited) OR (OLD.hidden AND NOT NEW.hidden) THEN
        RAISE EXCEPTION 'comment %: edited and hidden cannot be undone', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.body IS DISTINCT FROM OLD.body AND NOT EXISTS (
        SELECT 1 FROM comment_versions v
        WHERE v.comment_id = OLD.id AND v.body = OLD.body AND v.edited_at = NEW.updated_at
    ) THEN
        RAISE EXCEPTION 'comment %: its old body must be kept in comment_versions first', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER comments_guard
    BEFORE UPDATE OR DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION comments_guard();

-- Versions are a record of what was said: refuse UPDATE and DELETE.
-- +goose StatementBegin
CREATE FUNCTION comment_versions_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'comment versions are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER comment_versions_immutable
    BEFORE UPDATE OR DELETE ON comment_versions
    FOR EACH ROW EXECUTE FUNCTION comment_versions_immutable();

-- +goose Down
DROP TABLE comment_versions;
DROP FUNCTION comment_versions_immutable();
DROP TABLE comments;
DROP FUNCTION comments_guard();
