package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/sqlstore"
)

// TestSQLiteWritersQueue checks that the writers of one process never see
// SQLITE_BUSY, however long they wait for one another: SQLite's own wait
// (busy_timeout) polls rather than queues, and under load a writer can lose
// every poll until it runs out (CI failed ConcurrentCommits that way at
// 10 s). The database here gives SQLite's wait 5 ms, far less than a burst
// of 16 writers keeps the lock (each unit of work holds it 10 ms), so the
// verdict does not depend on how loaded the machine is: every unit of work, session write and token insert must
// succeed because the store queues its writers itself, and the history
// must hold each commit once.
func TestSQLiteWritersQueue(t *testing.T) {
	const (
		workers = 16
		each    = 6
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := mustOpen(t, "sqlite://"+filepath.Join(t.TempDir(), "busy.db"))
	if err := sqlstore.ShortenSQLiteWait(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	admin := mustUser(t, db, "admin")
	d, err := db.CreateDocument(ctx, newDoc("queued", admin.ID), ptr(rev("", admin.ID, "v1")), ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, workers)
	)
	for w := range workers {
		wg.Go(func() {
			<-start
			hash := fmt.Sprintf("session-%02d", w)
			for i := range each {
				var err error
				switch i % 3 {
				case 0:
					// A unit of work that keeps the write lock 10 ms, twice
					// SQLite's wait, as a slow request on a loaded machine
					// does: the other writers must queue behind it.
					err = db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
						head, err := tx.Head(ctx)
						if err != nil {
							return err
						}
						time.Sleep(10 * time.Millisecond)
						r := rev(d.ID, admin.ID, fmt.Sprintf("w%d i%d", w, i))
						r.Number, r.Parent = head.Number+1, head.Number
						if _, err := tx.InsertRevision(ctx, r); err != nil {
							return err
						}
						_, err = tx.AppendEvent(ctx, ev("revision.commit"))
						return err
					})
				case 1:
					if i == 1 {
						err = db.CreateSession(ctx, drafting.Session{Hash: hash, UserID: admin.ID, CreatedAt: time.Now()})
					} else {
						err = db.TouchSession(ctx, hash, time.Now())
					}
				case 2:
					_, err = db.CreateToken(ctx, drafting.Token{UserID: admin.ID, Label: "t", Hash: fmt.Sprintf("token-%02d-%d", w, i),
						CreatedAt: time.Now()})
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
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
	n := 0
	if err := db.AllRevisions(ctx, func(drafting.Revision) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if want := 1 + workers*each/3; n != want {
		t.Errorf("history has %d revisions, want %d", n, want)
	}
	mustChain(t, db)
}
