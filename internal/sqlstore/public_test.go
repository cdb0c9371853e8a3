package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/sqlstore"
	"redline/internal/testenv"
)

// publicWatcher runs WatchPublic in the background and passes on its calls.
type publicWatcher struct {
	calls chan string
	stop  context.CancelFunc
	done  chan error
}

func startPublicWatcher(t *testing.T, db *sqlstore.DB, interval time.Duration) *publicWatcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &publicWatcher{calls: make(chan string, 64), stop: cancel, done: make(chan error, 1)}
	go func() { w.done <- db.WatchPublic(ctx, interval, func(slug string) { w.calls <- slug }) }()
	t.Cleanup(func() {
		w.stop()
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("WatchPublic returned %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("WatchPublic did not return within 5 s of its context ending")
		}
	})
	return w
}

// next waits for a call.
func (w *publicWatcher) next(t *testing.T, within time.Duration, what string) string {
	t.Helper()
	select {
	case s := <-w.calls:
		return s
	case <-time.After(within):
		t.Fatalf("%s: no call within %v", what, within)
		return ""
	}
}

// already returns a call that must have come before now: no wait.
func (w *publicWatcher) already(t *testing.T, what string) string {
	t.Helper()
	select {
	case s := <-w.calls:
		return s
	default:
		t.Fatalf("%s: not handled before the committing call returned", what)
		return ""
	}
}

// none checks that no call comes for a while.
func (w *publicWatcher) none(t *testing.T, wait time.Duration, what string) {
	t.Helper()
	select {
	case s := <-w.calls:
		t.Errorf("%s: called with %q, want no call", what, s)
	case <-time.After(wait):
	}
}

// adopt adopts revision 1 of d as a basis.
func adopt(ctx context.Context, t *testing.T, db *sqlstore.DB, d drafting.Document, chair int64) drafting.Adoption {
	t.Helper()
	a, err := createAdoption(ctx, db, drafting.Adoption{DocumentID: d.ID, Revision: 1, SHA256: sum("text"), Size: 4,
		Stage: drafting.StageBasis, ChairID: chair}, ev("adoption.create"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// reopen reopens a; with fail, the unit of work fails after the insert and
// rolls back.
func reopen(ctx context.Context, db *sqlstore.DB, d drafting.Document, a drafting.Adoption, chair int64, fail bool) error {
	return db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
		if _, err := tx.InsertReopening(ctx, drafting.Reopening{Adoption: a.ID, Reason: "поправки", ActorID: chair, At: now()}); err != nil {
			return err
		}
		if fail {
			return errors.New("injected: the unit of work fails after the insert")
		}
		_, err := tx.AppendEvent(ctx, ev("document.reopen"))
		return err
	})
}

// TestWatchPublic (issue 18), on the real PostgreSQL: an instance hears of
// an adoption and a reopening committed through another, by the document's
// slug, and has handled it before the committing call returns to its
// caller when the committing instance listens too (an order, checked
// without waiting: every listener acknowledges what it handled); a unit of work that rolled back is not
// announced; a listener whose connection was cut says everything may have
// changed and hears the next change; a change it did not hear (its
// notification lost) is caught by the count check.
func TestWatchPublic(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	reader, writer := mustOpen(t, url), mustOpen(t, url)
	chair := mustUser(t, writer, "chair")
	d, err := writer.CreateDocument(ctx, newDoc("public", chair.ID), ptr(rev("", chair.ID, "text")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createApproval(ctx, writer, drafting.Approval{DocumentID: d.ID, Revision: 1, SHA256: sum("text"), ChairID: chair.ID}, ev("approval.create")); err != nil {
		t.Fatal(err)
	}

	r := startPublicWatcher(t, reader, time.Hour)
	if s := r.next(t, heardWithin, "start listening"); s != "" {
		t.Fatalf("first call %q, want \"\" (anything before was missed)", s)
	}
	// The writer listens too, so its unit of work waits until every
	// listener has handled the change: by the time it returns, the reader
	// has been called.
	w := startPublicWatcher(t, writer, time.Hour)
	w.next(t, heardWithin, "the writer starts listening")

	a := adopt(ctx, t, writer, d, chair.ID)
	if s := r.already(t, "the adoption"); s != d.Slug {
		t.Fatalf("adoption announced as %q, want %q", s, d.Slug)
	}
	if s := w.already(t, "the writer's echo"); s != d.Slug {
		t.Fatalf("echo %q", s)
	}

	if err := reopen(ctx, writer, d, a, chair.ID, true); err == nil {
		t.Fatal("the failing unit of work committed")
	}
	r.none(t, 500*time.Millisecond, "a reopening rolled back")

	start := time.Now()
	if err := reopen(ctx, writer, d, a, chair.ID, false); err != nil {
		t.Fatal(err)
	}
	t.Logf("the reopening's call took %v, every listener's handling included", time.Since(start))
	if s := r.already(t, "the reopening"); s != d.Slug {
		t.Fatalf("reopening announced as %q", s)
	}
	w.next(t, heardWithin, "the writer's echo of the reopening")

	// Cut the reader's listening connection.
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'redline public listener'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("terminate the public listeners: %d, %v", n, err)
	}
	if s := r.next(t, heardWithin, "listening again"); s != "" {
		t.Fatalf("after the reconnect: %q, want \"\"", s)
	}
	w.next(t, heardWithin, "the writer listens again")
	adopt(ctx, t, writer, d, chair.ID)
	if s := r.already(t, "the adoption after the reconnect"); s != d.Slug {
		t.Fatalf("adoption after the reconnect: %q", s)
	}

	// An adoption whose notification never came (inserted behind the
	// store's back): the count check finds it.
	checked := startPublicWatcher(t, reader, 200*time.Millisecond)
	checked.next(t, heardWithin, "the checking listener starts")
	if _, err := raw.ExecContext(ctx, `INSERT INTO adoptions (document_id, revision, sha256, size, stage, chair_id, created_at)
VALUES ($1, 1, $2, 4, 'basis', $3, now())`, d.ID, sum("text"), chair.ID); err != nil {
		t.Fatal(err)
	}
	if s := checked.next(t, heardWithin, "an unannounced adoption"); s != "" {
		t.Fatalf("an unannounced adoption: %q, want \"\"", s)
	}
}

// TestWatchPublicSQLite: on SQLite the unit of work tells this process's
// watchers after its commit, before it returns, and a rolled-back one does
// not.
func TestWatchPublicSQLite(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, "sqlite://"+filepath.Join(t.TempDir(), "redline.db"))
	chair := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("public", chair.ID), ptr(rev("", chair.ID, "text")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createApproval(ctx, db, drafting.Approval{DocumentID: d.ID, Revision: 1, SHA256: sum("text"), ChairID: chair.ID}, ev("approval.create")); err != nil {
		t.Fatal(err)
	}
	w := startPublicWatcher(t, db, time.Hour)
	// Registered once WatchPublic runs: wait until an adoption is heard.
	deadline := time.Now().Add(heardWithin)
	var a drafting.Adoption
	for heard := false; !heard; {
		a = adopt(ctx, t, db, d, chair.ID)
		select {
		case s := <-w.calls:
			if s != d.Slug {
				t.Fatalf("adoption announced as %q", s)
			}
			heard = true
		default:
			if time.Now().After(deadline) {
				t.Fatal("adoptions not announced")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := reopen(ctx, db, d, a, chair.ID, true); err == nil {
		t.Fatal("the failing unit of work committed")
	}
	if err := reopen(ctx, db, d, a, chair.ID, false); err != nil {
		t.Fatal(err)
	}
	// Called on the committing goroutine: already there.
	select {
	case s := <-w.calls:
		if s != d.Slug {
			t.Fatalf("reopening announced as %q", s)
		}
	default:
		t.Fatal("the reopening was not announced before its unit of work returned")
	}
	w.none(t, 100*time.Millisecond, "after the reopening")
}
