-- +goose Up
-- Access control: who holds which role on which document, the append-only
-- history of those grants, a policy version other instances poll, and
-- server-side browser sessions. Timestamps are INTEGER unix nanoseconds, UTC.

CREATE TABLE document_roles (
    document_id TEXT    NOT NULL REFERENCES documents (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT    NOT NULL CHECK (role IN ('chair', 'member', 'observer')),
    -- NULL when granted from the command line, which acts as nobody.
    granted_by  INTEGER REFERENCES users (id),
    granted_at  INTEGER NOT NULL,
    -- One role per user per document: granting another replaces it.
    PRIMARY KEY (document_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX document_roles_user_id_idx ON document_roles (user_id);

CREATE TABLE role_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT    NOT NULL REFERENCES documents (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    role        TEXT    NOT NULL CHECK (role IN ('chair', 'member', 'observer')),
    action      TEXT    NOT NULL CHECK (action IN ('grant', 'revoke')),
    -- NULL when the change came from the command line.
    actor_id    INTEGER REFERENCES users (id),
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX role_changes_document_id_idx ON role_changes (document_id, id);

-- The role history is an audit record: refuse UPDATE and DELETE outright,
-- as for revisions.
-- +goose StatementBegin
CREATE TRIGGER role_changes_no_update BEFORE UPDATE ON role_changes
BEGIN
    SELECT RAISE(ABORT, 'role changes are immutable: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER role_changes_no_delete BEFORE DELETE ON role_changes
BEGIN
    SELECT RAISE(ABORT, 'role changes are immutable: DELETE refused');
END;
-- +goose StatementEnd

-- A single row whose version grows with every role change, in the same
-- transaction. SQLite runs one instance, which needs no polling, but the
-- store behaves alike on both dialects.
CREATE TABLE policy_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL CHECK (version >= 0)
) STRICT;

INSERT INTO policy_version (id, version) VALUES (1, 0);

-- Browser sessions; only the SHA-256 of the cookie's secret is stored.
CREATE TABLE sessions (
    hash         TEXT    PRIMARY KEY NOT NULL CHECK (hash <> ''),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE policy_version;
DROP TABLE role_changes;
DROP TABLE document_roles;
