package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"redline/internal/drafting"
	"redline/internal/sqlstore"
	"redline/internal/testenv"
)

// backend opens a fresh, migrated, empty store and reports how to reach the
// same database with a plain database/sql driver.
type backend struct {
	name string
	open func(t testing.TB) (db *sqlstore.DB, driver, dsn string)
}

var backends = []backend{
	{"sqlite", func(t testing.TB) (*sqlstore.DB, string, string) {
		path := filepath.Join(t.TempDir(), "redline.db")
		return mustOpen(t, "sqlite://"+path), "sqlite", path
	}},
	{"postgres", func(t testing.TB) (*sqlstore.DB, string, string) {
		u := testenv.PostgresURL(t)
		return mustOpen(t, u), "pgx", u
	}},
}

func mustOpen(t testing.TB, url string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// TestStore runs the conformance suite against every backend.
func TestStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Run("Migrate", func(t *testing.T) { testMigrate(t, b) })
			t.Run("Users", func(t *testing.T) { testUsers(t, b) })
			t.Run("Tokens", func(t *testing.T) { testTokens(t, b) })
			t.Run("Documents", func(t *testing.T) { testDocuments(t, b) })
			t.Run("Revisions", func(t *testing.T) { testRevisions(t, b) })
			t.Run("Immutable", func(t *testing.T) { testImmutable(t, b) })
			t.Run("ConcurrentCommits", func(t *testing.T) { testConcurrentCommits(t, b) })
			t.Run("UnitOfWork", func(t *testing.T) { testUnitOfWork(t, b) })
			t.Run("Roles", func(t *testing.T) { testRoles(t, b) })
			t.Run("ConcurrentRoleChanges", func(t *testing.T) { testConcurrentRoleChanges(t, b) })
			t.Run("RolesImmutable", func(t *testing.T) { testRolesImmutable(t, b) })
			t.Run("Sessions", func(t *testing.T) { testSessions(t, b) })
			t.Run("TokenManagement", func(t *testing.T) { testTokenManagement(t, b) })
			t.Run("Disabled", func(t *testing.T) { testDisabled(t, b) })
			t.Run("Events", func(t *testing.T) { testEvents(t, b) })
			t.Run("EventsInTransaction", func(t *testing.T) { testEventsInTransaction(t, b) })
			t.Run("Proposals", func(t *testing.T) { testProposals(t, b) })
			t.Run("Merge", func(t *testing.T) { testMerge(t, b) })
			t.Run("ApprovalsAndAdoptions", func(t *testing.T) { testApprovalsAndAdoptions(t, b) })
			t.Run("WorkflowImmutable", func(t *testing.T) { testWorkflowImmutable(t, b) })
			t.Run("ConcurrentChain", func(t *testing.T) { testConcurrentChain(t, b) })
			t.Run("Idempotency", func(t *testing.T) { testIdempotency(t, b) })
			t.Run("ConcurrentReserve", func(t *testing.T) { testConcurrentReserve(t, b) })
			t.Run("Comments", func(t *testing.T) { testComments(t, b) })
			t.Run("CommentsNotFound", func(t *testing.T) { testCommentsNotFound(t, b) })
			t.Run("CommentsImmutable", func(t *testing.T) { testCommentsImmutable(t, b) })
			t.Run("ConcurrentComments", func(t *testing.T) { testConcurrentComments(t, b) })
			t.Run("ManyComments", func(t *testing.T) { testManyComments(t, b) })
		})
	}
}

func wantKind(t testing.TB, err error, kind drafting.Kind) {
	t.Helper()
	if got := drafting.ErrorKind(err); got != kind {
		t.Fatalf("error kind = %q, want %q (err: %v)", got, kind, err)
	}
}

// ev is an event of kind with no actor, document nor data, as the tests of
// the changes that carry one pass it.
func ev(kind string) drafting.Event {
	return drafting.NewEvent(kind, nil, "", time.Now(), nil)
}

func mustUser(t testing.TB, db *sqlstore.DB, login string) drafting.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), drafting.User{Login: login, DisplayName: "User " + login, PasswordHash: "$argon2id$x",
		CreatedAt: now()}, ev("user.create"))
	if err != nil {
		t.Fatalf("create user %s: %v", login, err)
	}
	return u
}

var docSeq atomic.Int64

func newDoc(slug string, by int64) drafting.Document {
	return drafting.Document{
		ID:                fmt.Sprintf("%032x", docSeq.Add(1)),
		Slug:              slug,
		Title:             "Итоговый документ " + slug,
		Language:          "ru",
		ApprovalsRequired: 1,
		State:             drafting.StateDrafting,
		CreatedBy:         by,
		CreatedAt:         now(),
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func rev(docID string, author int64, text string) drafting.Revision {
	return drafting.Revision{DocumentID: docID, AuthorID: author, Message: text, SHA256: sum(text), Size: int64(len(text)),
		CreatedAt: now()}
}

func testMigrate(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	if got := db.Dialect(); got != b.name {
		t.Errorf("Dialect() = %q, want %q", got, b.name)
	}
	v1, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 < 1 {
		t.Fatalf("schema version after Migrate = %d, want >= 1", v1)
	}
	u := mustUser(t, db, "keeper")
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	v2, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v2 != v1 {
		t.Errorf("schema version moved from %d to %d on a second Migrate", v1, v2)
	}
	if _, err := db.UserByID(ctx, u.ID); err != nil {
		t.Errorf("data lost by a second Migrate: %v", err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}

func testUsers(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	before := time.Now().Add(-time.Second)
	in := drafting.User{Login: "chair", DisplayName: "Председатель", PasswordHash: "$argon2id$v=19$abc", Admin: true, CreatedAt: now()}
	u, err := db.CreateUser(ctx, in, ev("user.create"))
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.CreatedAt.Before(before) || u.CreatedAt.Location() != time.UTC {
		t.Errorf("created user has ID %d, CreatedAt %v; want an id and a current UTC time", u.ID, u.CreatedAt)
	}
	if _, err := db.CreateUser(ctx, drafting.User{Login: "timeless"}, ev("user.create")); drafting.ErrorKind(err) != drafting.KindInvalid {
		t.Errorf("a user without a time (the store has no clock): %v", err)
	}
	in.ID, in.CreatedAt = u.ID, u.CreatedAt
	if diff := cmp.Diff(in, u); diff != "" {
		t.Errorf("CreateUser returned (-want +got):\n%s", diff)
	}
	for name, get := range map[string]func() (drafting.User, error){
		"by login": func() (drafting.User, error) { return db.UserByLogin(ctx, "chair") },
		"by id":    func() (drafting.User, error) { return db.UserByID(ctx, u.ID) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("%s (-created +read):\n%s", name, diff)
		}
	}

	_, err = db.CreateUser(ctx, drafting.User{Login: "chair", CreatedAt: now()}, ev("user.create"))
	wantKind(t, err, drafting.KindConflict)
	if msg := drafting.ErrorMessage(err); msg != "login already taken" {
		t.Errorf("duplicate login message = %q", msg)
	}
	_, err = db.CreateUser(ctx, drafting.User{Login: "", CreatedAt: now()}, ev("user.create"))
	wantKind(t, err, drafting.KindInvalid)

	_, err = db.UserByLogin(ctx, "nobody")
	wantKind(t, err, drafting.KindNotFound)
	_, err = db.UserByID(ctx, u.ID+1000)
	wantKind(t, err, drafting.KindNotFound)

	disabled, err := db.CreateUser(ctx, drafting.User{Login: "alice", Disabled: true, CreatedAt: now()}, ev("user.create"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.User{disabled, u}, all); diff != "" {
		t.Errorf("ListUsers, ordered by login (-want +got):\n%s", diff)
	}
}

func testTokens(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "member")
	tok, err := db.CreateToken(ctx, drafting.Token{UserID: u.ID, Label: "cli", Hash: sum("secret"), CreatedAt: now()})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || tok.CreatedAt.IsZero() || tok.Label != "cli" || tok.UserID != u.ID {
		t.Errorf("CreateToken returned %+v", tok)
	}
	got, err := db.UserByTokenHash(ctx, sum("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("UserByTokenHash (-want +got):\n%s", diff)
	}
	_, err = db.UserByTokenHash(ctx, sum("other"))
	wantKind(t, err, drafting.KindNotFound)

	_, err = db.CreateToken(ctx, drafting.Token{UserID: u.ID, Hash: sum("secret"), CreatedAt: now()})
	wantKind(t, err, drafting.KindConflict)
	_, err = db.CreateToken(ctx, drafting.Token{UserID: u.ID + 1000, Hash: sum("orphan"), CreatedAt: now()})
	wantKind(t, err, drafting.KindNotFound)
	if _, err := db.UserByTokenHash(ctx, sum("orphan")); drafting.ErrorKind(err) != drafting.KindNotFound {
		t.Errorf("a token for a missing user was stored: %v", err)
	}
}

func testDocuments(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "admin")

	empty, err := db.ListDocuments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if empty == nil || len(empty) != 0 {
		t.Errorf("ListDocuments on an empty store = %#v, want an empty, non-nil list", empty)
	}

	// Without a first revision.
	bare := newDoc("zeta", u.ID)
	gotBare, err := db.CreateDocument(ctx, bare, nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	bare.CreatedByLogin, bare.CreatedAt = "admin", gotBare.CreatedAt
	if diff := cmp.Diff(bare, gotBare); diff != "" {
		t.Errorf("CreateDocument (-want +got):\n%s", diff)
	}
	_, err = db.Head(ctx, bare.ID)
	wantKind(t, err, drafting.KindNotFound)

	// With revision 1 in the same transaction.
	withText := newDoc("alpha", u.ID)
	first := rev("", u.ID, "Проект итогового документа")
	gotWith, err := db.CreateDocument(ctx, withText, &first, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	head, err := db.Head(ctx, withText.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := first
	want.DocumentID, want.Number, want.Parent, want.AuthorLogin, want.CreatedAt = withText.ID, 1, 0, "admin", gotWith.CreatedAt
	if diff := cmp.Diff(want, head); diff != "" {
		t.Errorf("revision 1 stored with the document (-want +got):\n%s", diff)
	}

	read, err := db.DocumentBySlug(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(gotWith, read); diff != "" {
		t.Errorf("DocumentBySlug (-created +read):\n%s", diff)
	}
	_, err = db.DocumentBySlug(ctx, "missing")
	wantKind(t, err, drafting.KindNotFound)

	// A duplicate slug stores nothing, not even the revision.
	dup := newDoc("alpha", u.ID)
	dupFirst := rev(dup.ID, u.ID, "другой текст")
	_, err = db.CreateDocument(ctx, dup, &dupFirst, ev("document.create"))
	wantKind(t, err, drafting.KindConflict)
	if msg := drafting.ErrorMessage(err); msg != "slug already taken" {
		t.Errorf("duplicate slug message = %q", msg)
	}
	// A duplicate id is a conflict too, with its own message.
	sameID := newDoc("beta", u.ID)
	sameID.ID = withText.ID
	_, err = db.CreateDocument(ctx, sameID, nil, ev("document.create"))
	wantKind(t, err, drafting.KindConflict)
	if msg := drafting.ErrorMessage(err); msg != "document id already exists" {
		t.Errorf("duplicate id message = %q", msg)
	}

	// The document row goes in before the revision; a revision the database
	// refuses must take the document with it.
	for name, bad := range map[string]struct {
		slug  string
		first drafting.Revision
		kind  drafting.Kind
	}{
		"unknown author": {"rollback-author", rev("", u.ID+1000, "x"), drafting.KindNotFound},
		"bad sha256":     {"rollback-sha", drafting.Revision{AuthorID: u.ID, SHA256: "NOT-HEX", Size: 1}, drafting.KindInvalid},
	} {
		d := newDoc(bad.slug, u.ID)
		_, err := db.CreateDocument(ctx, d, &bad.first, ev("document.create"))
		if drafting.ErrorKind(err) != bad.kind {
			t.Errorf("%s: error kind = %q, want %q (%v)", name, drafting.ErrorKind(err), bad.kind, err)
		}
		if _, err := db.DocumentBySlug(ctx, d.Slug); drafting.ErrorKind(err) != drafting.KindNotFound {
			t.Errorf("%s: document stored although its revision failed: %v", name, err)
		}
	}

	_, err = db.CreateDocument(ctx, newDoc("orphan", u.ID+1000), nil, ev("document.create"))
	wantKind(t, err, drafting.KindNotFound)
	zero := newDoc("zero-approvals", u.ID)
	zero.ApprovalsRequired = 0
	_, err = db.CreateDocument(ctx, zero, nil, ev("document.create"))
	wantKind(t, err, drafting.KindInvalid)
	mismatched := rev("another-document", u.ID, "x")
	_, err = db.CreateDocument(ctx, newDoc("mismatch", u.ID), &mismatched, ev("document.create"))
	wantKind(t, err, drafting.KindInvalid)

	docs, err := db.ListDocuments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.Document{gotWith, gotBare}, docs); diff != "" {
		t.Errorf("ListDocuments, ordered by slug (-want +got):\n%s", diff)
	}
	var all []drafting.Revision
	if err := db.AllRevisions(ctx, func(r drafting.Revision) error { all = append(all, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].DocumentID != withText.ID {
		t.Errorf("revisions stored: %+v, want only alpha's revision 1", all)
	}
}

func testRevisions(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "chair")
	v := mustUser(t, db, "vice")
	d, err := db.CreateDocument(ctx, newDoc("resolution", u.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}

	const n = 7
	var chain []drafting.Revision
	for i := range n {
		author := []int64{u.ID, v.ID}[i%2]
		r, err := commitRevision(ctx, db, rev(d.ID, author, fmt.Sprintf("text %d", i+1)), int64(i), ev("revision.commit"))
		if err != nil {
			t.Fatalf("commit on base %d: %v", i, err)
		}
		if r.Number != int64(i+1) || r.Parent != int64(i) || r.AuthorLogin == "" || r.CreatedAt.IsZero() {
			t.Fatalf("commit on base %d returned %+v", i, r)
		}
		chain = append(chain, r)
	}

	// Stale and ahead-of-head bases conflict and carry the current head.
	for _, base := range []int64{0, 3, n - 1, n + 1, n + 5} {
		_, err := commitRevision(ctx, db, rev(d.ID, u.ID, "late"), base, ev("revision.commit"))
		wantKind(t, err, drafting.KindConflict)
		if head := drafting.ErrorDetails(err)["head"]; head != int64(n) {
			t.Errorf("base %d: conflict details head = %#v, want int64 %d", base, head, n)
		}
	}
	_, err = commitRevision(ctx, db, rev(d.ID, u.ID, "neg"), -1, ev("revision.commit"))
	wantKind(t, err, drafting.KindInvalid)
	_, err = commitRevision(ctx, db, rev("no-such-document", u.ID, "x"), 0, ev("revision.commit"))
	wantKind(t, err, drafting.KindNotFound)
	_, err = commitRevision(ctx, db, rev(d.ID, u.ID+1000, "x"), n, ev("revision.commit"))
	wantKind(t, err, drafting.KindNotFound)
	bad := rev(d.ID, u.ID, "x")
	bad.SHA256 = sum("x")[:63] + "G"
	_, err = commitRevision(ctx, db, bad, n, ev("revision.commit"))
	wantKind(t, err, drafting.KindInvalid)

	for _, want := range chain {
		got, err := db.Revision(ctx, d.ID, want.Number)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Revision %d (-committed +read):\n%s", want.Number, diff)
		}
	}
	_, err = db.Revision(ctx, d.ID, n+1)
	wantKind(t, err, drafting.KindNotFound)
	head, err := db.Head(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(chain[n-1], head); diff != "" {
		t.Errorf("Head (-want +got):\n%s", diff)
	}

	numbers := func(rs []drafting.Revision) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.Number)
		}
		return out
	}
	for _, tc := range []struct {
		limit  int
		before int64
		want   []int64
	}{
		{100, 0, []int64{7, 6, 5, 4, 3, 2, 1}},
		{3, 0, []int64{7, 6, 5}},
		{3, -1, []int64{7, 6, 5}},
		{3, 5, []int64{4, 3, 2}},
		{3, 3, []int64{2, 1}},
		{3, 1, []int64{}},
		{1, 100, []int64{7}},
	} {
		got, err := db.ListRevisions(ctx, d.ID, tc.limit, tc.before)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, numbers(got)); diff != "" {
			t.Errorf("ListRevisions(limit %d, before %d) (-want +got):\n%s", tc.limit, tc.before, diff)
		}
	}
	if got, _ := db.ListRevisions(ctx, d.ID, 2, 0); len(got) == 2 {
		if diff := cmp.Diff(chain[n-1], got[0]); diff != "" {
			t.Errorf("ListRevisions row (-want +got):\n%s", diff)
		}
	}
	_, err = db.ListRevisions(ctx, d.ID, 0, 0)
	wantKind(t, err, drafting.KindInvalid)
	none, err := db.ListRevisions(ctx, "no-such-document", 10, 0)
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("ListRevisions of an unknown document = %#v, %v; want an empty list", none, err)
	}

	// AllRevisions walks documents in id order, each by number.
	other, err := db.CreateDocument(ctx, newDoc("other", u.ID), ptr(rev("", v.ID, "other 1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := commitRevision(ctx, db, rev(other.ID, v.ID, "other 2"), 1, ev("revision.commit")); err != nil {
		t.Fatal(err)
	}
	type key struct {
		doc string
		n   int64
	}
	var got []key
	if err := db.AllRevisions(ctx, func(r drafting.Revision) error {
		got = append(got, key{r.DocumentID, r.Number})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var wantKeys []key
	for i := range n {
		wantKeys = append(wantKeys, key{d.ID, int64(i + 1)})
	}
	wantKeys = append(wantKeys, key{other.ID, 1}, key{other.ID, 2})
	// newDoc ids increase, so d sorts before other.
	if diff := cmp.Diff(wantKeys, got, cmp.AllowUnexported(key{})); diff != "" {
		t.Errorf("AllRevisions order (-want +got):\n%s", diff)
	}
	stop := errors.New("stop")
	calls := 0
	err = db.AllRevisions(ctx, func(drafting.Revision) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("AllRevisions with a failing fn: %d calls, err %v; want 1 call and fn's error", calls, err)
	}
}

func ptr[T any](v T) *T { return &v }

// testImmutable checks that the schema itself refuses to rewrite history,
// whoever asks.
func testImmutable(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	u := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("fixed", u.ID), ptr(rev("", u.ID, "original")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		"UPDATE revisions SET message = 'rewritten' WHERE document_id = '" + d.ID + "'",
		"DELETE FROM revisions WHERE document_id = '" + d.ID + "'",
	} {
		_, err := raw.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "revisions are immutable") {
			t.Errorf("%s: %v; want the trigger to refuse it", stmt, err)
		}
	}
	r, err := db.Revision(ctx, d.ID, 1)
	if err != nil || r.Message != "original" {
		t.Errorf("revision 1 after the refused writes: %+v, %v", r, err)
	}
}

// testConcurrentCommits has many writers commit to one document at once,
// each reading the head inside its unit of work and writing head+1, as
// drafting does: the document's lock must queue them, so that none fails
// (without the lock two would read one head and collide on its number) and
// the history is one chain holding every writer's revisions exactly once.
func testConcurrentCommits(t *testing.T, b backend) {
	const (
		writers = 32
		each    = 5
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("contended", u.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}

	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, writers)
	)
	for w := range writers {
		wg.Go(func() {
			<-start
			for i := range each {
				msg := fmt.Sprintf("writer %02d edit %d", w, i)
				err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
					head := int64(0)
					if h, err := tx.Head(ctx); err == nil {
						head = h.Number
					} else if drafting.ErrorKind(err) != drafting.KindNotFound {
						return err
					}
					r := rev(d.ID, u.ID, msg)
					r.Number, r.Parent = head+1, head
					if _, err := tx.InsertRevision(ctx, r); err != nil {
						return err
					}
					_, err := tx.AppendEvent(ctx, ev("revision.commit"))
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d edit %d: %w", w, i, err)
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	seen := map[string]int{}
	var next int64 = 1
	err = db.AllRevisions(ctx, func(r drafting.Revision) error {
		if r.Number != next || r.Parent != r.Number-1 {
			return fmt.Errorf("revision %d (parent %d) where %d was due", r.Number, r.Parent, next)
		}
		next++
		seen[r.Message]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := next - 1; got != writers*each {
		t.Errorf("history has %d revisions, want %d", got, writers*each)
	}
	for w := range writers {
		for i := range each {
			if c := seen[fmt.Sprintf("writer %02d edit %d", w, i)]; c != 1 {
				t.Errorf("writer %d edit %d stored %d times, want once", w, i, c)
			}
		}
	}
	mustChain(t, db)
}

// TestOpenURLs checks the forms a SQLite database may be named by and that
// an unusable one is refused with the right kind.
func TestOpenURLs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Chdir(dir)
	for _, u := range []string{
		"sqlite://" + filepath.Join(dir, "abs.db"),
		"sqlite://relative.db",
		"file:" + filepath.Join(dir, "uri.db") + "?cache=private",
		filepath.Join(dir, "plain.db"),
		"plain-relative.db",
	} {
		db, err := sqlstore.Open(ctx, u)
		if err != nil {
			t.Errorf("open %s: %v", u, err)
			continue
		}
		if err := db.Migrate(ctx); err != nil {
			t.Errorf("migrate %s: %v", u, err)
		}
		if db.Dialect() != sqlstore.DialectSQLite {
			t.Errorf("%s: dialect %q", u, db.Dialect())
		}
		// The pragmas must hold on every pooled connection.
		if _, err := db.CreateUser(ctx, drafting.User{Login: "x", CreatedAt: now()}, ev("user.create")); err != nil {
			t.Errorf("%s: create user: %v", u, err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", u, err)
		}
	}
	for _, f := range []string{"abs.db", "relative.db", "uri.db", "plain.db", "plain-relative.db"} {
		raw, err := sql.Open("sqlite", filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		err = raw.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		_ = raw.Close()
		if err != nil || mode != "wal" {
			t.Errorf("%s: journal_mode = %q, %v; want wal", f, mode, err)
		}
	}

	for _, u := range []string{"sqlite://", ":memory:", "file::memory:", "file:x?mode=memory"} {
		_, err := sqlstore.Open(ctx, u)
		wantKind(t, err, drafting.KindInvalid)
	}
	_, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "no", "such", "dir", "x.db"))
	wantKind(t, err, drafting.KindUnavailable)

	// Nothing listens on port 1: a connection failure is unavailable, not internal.
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = sqlstore.Open(short, "postgres://postgres@127.0.0.1:1/redline?sslmode=disable&connect_timeout=2")
	wantKind(t, err, drafting.KindUnavailable)
	_, err = sqlstore.Open(ctx, "postgres://a:b@[bad")
	wantKind(t, err, drafting.KindInvalid)
}
