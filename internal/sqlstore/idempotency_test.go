package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"redline/internal/drafting"
)

func testIdempotency(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	raw := rawDB(t, driver, dsn)
	u := mustUser(t, db, "member")
	v := mustUser(t, db, "other")
	before := time.Now().Add(-time.Second)

	first := drafting.IdempotentResult{UserID: u.ID, Key: "key-1", Fingerprint: "POST /api/v1/documents sha256:aa",
		Done: true, Status: 201, Body: []byte("stale"), CreatedAt: now()} // the store clears what a reservation cannot have
	got, found, err := db.ReserveIdempotencyKey(ctx, first)
	if err != nil || found {
		t.Fatalf("first reservation: found %v, %v; want a new reservation", found, err)
	}
	want := drafting.IdempotentResult{UserID: u.ID, Key: "key-1", Fingerprint: first.Fingerprint, CreatedAt: got.CreatedAt}
	if diff := cmp.Diff(want, got); diff != "" || got.CreatedAt.Before(before) {
		t.Errorf("first reservation returned (-want +got):\n%s", diff)
	}

	// A retry while the first request runs sees it, not done.
	retry := first
	retry.Fingerprint = "another fingerprint"
	existing, found, err := db.ReserveIdempotencyKey(ctx, retry)
	if err != nil || !found {
		t.Fatalf("second reservation: found %v, %v; want the first one", found, err)
	}
	if diff := cmp.Diff(want, existing); diff != "" {
		t.Errorf("running reservation (-want +got):\n%s", diff)
	}
	// Keys are per user.
	if _, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: v.ID, Key: "key-1", CreatedAt: now()}); err != nil || found {
		t.Errorf("another user's key collided: found %v, %v", found, err)
	}

	body := []byte(`{"slug":"итог"}` + "\x00\xff")
	if err := db.CompleteIdempotencyKey(ctx, u.ID, "key-1", 201, "application/json", body); err != nil {
		t.Fatal(err)
	}
	existing, found, err = db.ReserveIdempotencyKey(ctx, retry)
	if err != nil || !found {
		t.Fatalf("reservation after completion: found %v, %v", found, err)
	}
	want.Done, want.Status, want.ContentType, want.Body = true, 201, "application/json", body
	if diff := cmp.Diff(want, existing); diff != "" {
		t.Errorf("completed reservation (-want +got):\n%s", diff)
	}

	refused(t, raw, drafting.KindConflict, "completing a done key", func() error {
		return db.CompleteIdempotencyKey(ctx, u.ID, "key-1", 500, "text/plain", []byte("other"))
	})
	refused(t, raw, drafting.KindConflict, "releasing a done key", func() error {
		return db.ReleaseIdempotencyKey(ctx, u.ID, "key-1")
	})
	refused(t, raw, drafting.KindNotFound, "completing a key never reserved", func() error {
		return db.CompleteIdempotencyKey(ctx, u.ID, "never", 200, "", nil)
	})
	refused(t, raw, drafting.KindInvalid, "reserving an empty key", func() error {
		_, _, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, CreatedAt: now()})
		return err
	})
	refused(t, raw, drafting.KindNotFound, "reserving for nobody", func() error {
		_, _, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID + 1000, Key: "k", CreatedAt: now()})
		return err
	})
	if err := db.ReleaseIdempotencyKey(ctx, u.ID, "never"); err != nil {
		t.Errorf("releasing a key never reserved: %v", err)
	}

	// A released key can be reserved afresh.
	if _, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "key-2", Fingerprint: "a", CreatedAt: now()}); err != nil || found {
		t.Fatalf("reserve key-2: found %v, %v", found, err)
	}
	if err := db.ReleaseIdempotencyKey(ctx, u.ID, "key-2"); err != nil {
		t.Fatal(err)
	}
	again, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "key-2", Fingerprint: "b", CreatedAt: now()})
	if err != nil || found || again.Fingerprint != "b" {
		t.Errorf("reserve key-2 after release: %+v, found %v, %v; want a new reservation", again, found, err)
	}
	// An empty answer reads back as no body.
	if err := db.CompleteIdempotencyKey(ctx, u.ID, "key-2", 204, "", nil); err != nil {
		t.Fatal(err)
	}
	done, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "key-2", CreatedAt: now()})
	if err != nil || !found || !done.Done || done.Status != 204 || done.Body != nil {
		t.Errorf("empty answer read back as %+v, found %v, %v", done, found, err)
	}
}

// testConcurrentReserve has 8 goroutines reserve one key at once: exactly
// one of them runs the request.
func testConcurrentReserve(t *testing.T, b backend) {
	const racers = 8
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "member")
	for round := range 5 {
		key := fmt.Sprintf("race-%d", round)
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			mu    sync.Mutex
			fresh []string
		)
		for r := range racers {
			wg.Go(func() {
				<-start
				fp := fmt.Sprint("racer ", r)
				got, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: key, Fingerprint: fp, CreatedAt: now()})
				if err != nil {
					t.Errorf("round %d racer %d: %v", round, r, err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if !found {
					fresh = append(fresh, got.Fingerprint)
				}
			})
		}
		close(start)
		wg.Wait()
		if len(fresh) != 1 {
			t.Fatalf("round %d: %d reservations got found=false (%v), want exactly 1", round, len(fresh), fresh)
		}
		stored, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: key, CreatedAt: now()})
		if err != nil || !found || stored.Fingerprint != fresh[0] {
			t.Errorf("round %d: stored %+v, found %v, %v; want the winner %q", round, stored, found, err, fresh[0])
		}
	}
}
