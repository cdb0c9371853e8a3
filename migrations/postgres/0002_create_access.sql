-- +goose Up
-- Access control: who holds which role on which document, the append-only
-- history of those grants, a policy version other instances poll, and
-- server-side browser sessions.

CREATE TABLE document_roles (
    document_id TEXT        NOT NULL REFERENCES documents (id),
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    role        TEXT        NOT NULL CHECK (role IN ('chair', 'member', 'observer')),
    -- NULL when granted from the command line, which acts as nobody.
    granted_by  BIGINT      REFERENCES users (id),
    granted_at  TIMESTAMPTZ NOT NULL,
    -- One role per user per document: granting another replaces it.
    PRIMARY KEY (document_id, user_id)
);

CREATE INDEX document_roles_user_id_idx ON document_roles (user_id);

CREATE TABLE role_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id TEXT        NOT NULL REFERENCES documents (id),
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    role        TEXT        NOT NULL CHECK (role IN ('chair', 'member', 'observer')),
    action      TEXT        NOT NULL CHECK (action IN ('grant', 'revoke')),
    -- NULL when the change came from the command line.
    actor_id    BIGINT      REFERENCES users (id),
    at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX role_changes_document_id_idx ON role_changes (document_id, id);

-- The role history is an audit record: refuse UPDATE and DELETE outright,
-- as for revisions.
-- +goose StatementBegin
CREATE FUNCTION role_changes_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'role changes are immutable: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER role_changes_immutable
    BEFORE UPDATE OR DELETE ON role_changes
    FOR EACH ROW EXECUTE FUNCTION role_changes_immutable();

-- A single row whose version grows with every role change, in the same
-- transaction, so an instance that missed a notification finds out by
-- polling it.
CREATE TABLE policy_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL CHECK (version >= 0)
);

INSERT INTO policy_version (id, version) VALUES (1, 0);

-- Browser sessions; only the SHA-256 of the cookie's secret is stored.
CREATE TABLE sessions (
    hash         TEXT        PRIMARY KEY CHECK (hash <> ''),
    user_id      BIGINT      NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE policy_version;
DROP TABLE role_changes;
DROP FUNCTION role_changes_immutable();
DROP TABLE document_roles;
