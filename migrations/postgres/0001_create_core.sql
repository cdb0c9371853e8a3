-- +goose Up
-- Core metadata: accounts, API tokens, documents and their immutable revisions.
-- Timestamps are timestamptz and always written as UTC by the store.

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         TEXT        NOT NULL UNIQUE CHECK (login <> ''),
    display_name  TEXT        NOT NULL DEFAULT '',
    password_hash TEXT        NOT NULL DEFAULT '',
    admin         BOOLEAN     NOT NULL DEFAULT FALSE,
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    label      TEXT        NOT NULL DEFAULT '',
    hash       TEXT        NOT NULL UNIQUE CHECK (hash <> ''),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

CREATE TABLE documents (
    id                 TEXT        PRIMARY KEY CHECK (id <> ''),
    slug               TEXT        NOT NULL UNIQUE CHECK (slug <> ''),
    title              TEXT        NOT NULL,
    language           TEXT        NOT NULL DEFAULT 'ru',
    approvals_required INTEGER     NOT NULL DEFAULT 1 CHECK (approvals_required >= 1),
    created_by         BIGINT      NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE revisions (
    document_id TEXT        NOT NULL REFERENCES documents (id),
    number      BIGINT      NOT NULL CHECK (number >= 1),
    parent      BIGINT      NOT NULL,
    author_id   BIGINT      NOT NULL REFERENCES users (id),
    message     TEXT        NOT NULL DEFAULT '',
    sha256      CHAR(64)    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        BIGINT      NOT NULL CHECK (size >= 0),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, number),
    -- The chain is linear: revision n always descends from n-1.
    CHECK (parent = number - 1)
);

CREATE INDEX revisions_author_id_idx ON revisions (author_id);

-- Revisions are immutable and never lost: refuse UPDATE and DELETE outright,
-- so that no code path (or hand-written fix) can rewrite history.
-- +goose StatementBegin
CREATE FUNCTION revisions_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'revisions are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER revisions_immutable
    BEFORE UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION revisions_immutable();

-- +goose Down
DROP TABLE revisions;
DROP FUNCTION revisions_immutable();
DROP TABLE documents;
DROP TABLE api_tokens;
DROP TABLE users;
