package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/drafting"
)

// Issue 13 on both dialects: the shared throttle counters, expiring
// idempotency keys, credentials gone with a disabled account.
func TestHarden(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Run("ThrottleCounters", func(t *testing.T) { testThrottleCounters(t, b) })
			t.Run("IdempotencyExpires", func(t *testing.T) { testIdempotencyExpires(t, b) })
			t.Run("DisableRevokes", func(t *testing.T) { testDisableRevokes(t, b) })
		})
	}
}

// testThrottleCounters: a burst of reservations on one account through the
// database judges exactly the limit, and counters round-trip and purge.
func testThrottleCounters(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	th := auth.NewThrottle(db, auth.ThrottleOptions{Attempts: 5, Window: time.Minute, AddressAttempts: 1000})
	var mu sync.Mutex
	judged := 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, r, err := th.Reserve(ctx, "login:anna", "ip:192.0.2.1")
			if err != nil {
				t.Error(err)
				return
			}
			if r == nil {
				mu.Lock()
				judged++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if judged != 5 {
		t.Fatalf("%d of 20 simultaneous attempts judged through the database, want 5", judged)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	err := db.UpdateCounters(ctx, []string{"x:b", "x:a"}, func(cs []auth.Counter) []auth.Counter {
		if cs[0].Key != "x:b" || cs[1].Key != "x:a" || cs[0].Failures != 0 {
			t.Errorf("new counters: %+v", cs)
		}
		return []auth.Counter{{Key: "x:b", Failures: 3, First: at, Last: at, BlockedUntil: at.Add(time.Minute)}, {Key: "x:a"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	db.UpdateCounters(ctx, []string{"x:b"}, func(cs []auth.Counter) []auth.Counter {
		if !cs[0].Last.Equal(at) || cs[0].Failures != 3 || !cs[0].BlockedUntil.Equal(at.Add(time.Minute)) {
			t.Errorf("stored counter: %+v", cs[0])
		}
		return cs
	})
	// A right password after failures judged one by one forgets them:
	// the reservation's time and count survive the database's round trip.
	th.Reserve(ctx, "login:boris", "ip:192.0.2.2")
	right, r, err := th.Reserve(ctx, "login:boris", "ip:192.0.2.2")
	if err != nil || r != nil {
		t.Fatal(r, err)
	}
	if err := th.Succeed(ctx, right); err != nil {
		t.Fatal(err)
	}
	db.UpdateCounters(ctx, []string{"login:boris"}, func(cs []auth.Counter) []auth.Counter {
		if cs[0].Failures != 0 || !cs[0].BlockedUntil.IsZero() {
			t.Errorf("a success after failures did not forget them: %+v", cs[0])
		}
		return nil
	})
	if err := db.PurgeCounters(ctx, at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	db.UpdateCounters(ctx, []string{"x:b", "login:anna"}, func(cs []auth.Counter) []auth.Counter {
		if cs[0].Failures != 0 || cs[1].Failures != 0 {
			t.Errorf("purged counters remain: %+v", cs)
		}
		return nil
	})
}

// testIdempotencyExpires: a key older than the TTL is reserved afresh,
// and purging deletes old keys only.
func testIdempotencyExpires(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	db.SetIdempotencyTTL(time.Hour)
	u := mustUser(t, db, "member")
	t0 := now().Add(-3 * time.Hour)
	if _, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "old", CreatedAt: t0}); err != nil || found {
		t.Fatal(found, err)
	}
	if err := db.CompleteIdempotencyKey(ctx, u.ID, "old", 201, "application/json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "old", CreatedAt: t0.Add(30 * time.Minute)}); err != nil || !found {
		t.Fatalf("within the TTL: found %v, %v", found, err)
	}
	if _, found, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "old", CreatedAt: t0.Add(2 * time.Hour)}); err != nil || found {
		t.Fatalf("past the TTL: found %v, %v; want a new reservation", found, err)
	}
	if _, _, err := db.ReserveIdempotencyKey(ctx, drafting.IdempotentResult{UserID: u.ID, Key: "new", CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgeIdempotencyKeys(ctx, now().Add(-30*time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want the one old key", n, err)
	}
}

// testDisableRevokes: disabling an account deletes its tokens and
// sessions, so enabling it revives none.
func testDisableRevokes(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "member")
	if _, err := db.CreateToken(ctx, drafting.Token{UserID: u.ID, Hash: sum("token"), CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, drafting.Session{Hash: sum("session"), UserID: u.ID, CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserDisabled(ctx, u.ID, true, ev("user.disable")); err != nil {
		t.Fatal(err)
	}
	if err := db.SetUserDisabled(ctx, u.ID, false, ev("user.enable")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UserByTokenHash(ctx, sum("token")); drafting.ErrorKind(err) != drafting.KindNotFound {
		t.Errorf("token after disable and enable: %v", err)
	}
}
