package drafting

import "context"

// BlobStore keeps revision texts under content-addressed keys. Keys are
// slash-separated ("documents/<id>/<sha256>").
type BlobStore interface {
	// Put stores data under key, create-only, having the backend verify that
	// the bytes it received have the SHA-256 sum (lowercase hex). A key that
	// already holds the same bytes is not an error. Errors: invalid (sum does
	// not match data), conflict (key holds other bytes), unavailable, internal.
	Put(ctx context.Context, key string, data []byte, sum string) error
	// Get returns the bytes stored under key. Callers verify the hash.
	// Errors: not_found (fs.ErrNotExist in the chain), unavailable, internal.
	Get(ctx context.Context, key string) ([]byte, error)
	// List calls fn with every key under prefix, in no particular order.
	// Errors: unavailable, internal, or whatever fn returns.
	List(ctx context.Context, prefix string, fn func(key string) error) error
	// Delete removes key; a missing key is not an error. Errors: unavailable,
	// internal.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the store is reachable. Errors: unavailable.
	Ping(ctx context.Context) error
}

// Store keeps Redline's metadata. Implementations translate their driver's
// errors into *Error kinds at the boundary.
type Store interface {
	// Ping reports whether the database is reachable. Errors: unavailable.
	Ping(ctx context.Context) error

	// CreateUser inserts u (ID and CreatedAt are set by the store) and
	// returns it. Errors: conflict (login taken).
	CreateUser(ctx context.Context, u User) (User, error)
	// UserByLogin returns the user. Errors: not_found.
	UserByLogin(ctx context.Context, login string) (User, error)
	// UserByID returns the user. Errors: not_found.
	UserByID(ctx context.Context, id int64) (User, error)
	// ListUsers returns every user ordered by login.
	ListUsers(ctx context.Context) ([]User, error)

	// CreateToken inserts t (ID and CreatedAt set by the store).
	// Errors: conflict (hash exists), not_found (no such user).
	CreateToken(ctx context.Context, t Token) (Token, error)
	// UserByTokenHash returns the token's owner. Errors: not_found.
	UserByTokenHash(ctx context.Context, hash string) (User, error)

	// CreateDocument inserts d and, when first is not nil, its revision 1 in
	// the same transaction. Errors: conflict (slug taken).
	CreateDocument(ctx context.Context, d Document, first *Revision) (Document, error)
	// DocumentBySlug returns the document. Errors: not_found.
	DocumentBySlug(ctx context.Context, slug string) (Document, error)
	// ListDocuments returns every document ordered by slug.
	ListDocuments(ctx context.Context) ([]Document, error)

	// CommitRevision inserts r as revision base+1 of its document, in one
	// transaction that first checks that base is the current head number (0
	// when the document has none). r.Number and r.Parent are set from base.
	// Errors: conflict with Details["head"] holding the current head number
	// when base is stale; not_found (no such document).
	CommitRevision(ctx context.Context, r Revision, base int64) (Revision, error)
	// Revision returns revision n of the document. Errors: not_found.
	Revision(ctx context.Context, documentID string, n int64) (Revision, error)
	// Head returns the newest revision. Errors: not_found (no revisions).
	Head(ctx context.Context, documentID string) (Revision, error)
	// ListRevisions returns up to limit revisions, newest first, with numbers
	// below before (before <= 0 means from the head).
	ListRevisions(ctx context.Context, documentID string, limit int, before int64) ([]Revision, error)
	// AllRevisions calls fn with every revision of every document, ordered
	// by document and number.
	AllRevisions(ctx context.Context, fn func(Revision) error) error
	// Close releases the database.
	Close() error
}
