package auth

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	th := NewThrottle(nil, ThrottleOptions{Attempts: 3, Window: 15 * time.Minute, AddressAttempts: 10})
	th.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if _, r, _ := th.Reserve(ctx, "login:a", "ip:1"); r != nil {
			t.Fatalf("attempt %d refused: %+v", i, r)
		}
	}
	// The fourth attempt on the account is refused unjudged, from any
	// address, with the wait; other accounts from the address go on.
	if _, r, _ := th.Reserve(ctx, "login:a", "ip:2"); r == nil || r.Scope != "account" || r.Wait != time.Minute {
		t.Fatalf("fourth attempt on the account: %+v", r)
	}
	res, r, _ := th.Reserve(ctx, "login:b", "ip:1")
	if r != nil {
		t.Fatalf("another account from the same address refused: %+v", r)
	}
	if err := th.Succeed(ctx, res); err != nil {
		t.Fatal(err)
	}
	// The wait grows with each failure after it, up to the window; once a
	// window has passed since the last failure, the account starts afresh.
	var waits []time.Duration
	wait := time.Minute
	for range 4 {
		now = now.Add(wait)
		if _, r, _ := th.Reserve(ctx, "login:a", "ip:3"); r != nil {
			t.Fatalf("refused after the lockout: %+v", r)
		}
		_, r, _ := th.Reserve(ctx, "login:a", "ip:3")
		if r == nil {
			t.Fatal("not locked out again")
		}
		wait = r.Wait
		waits = append(waits, wait)
	}
	want := []time.Duration{2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 15 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	now = now.Add(wait)
	for i := 0; i < 3; i++ {
		if _, r, _ := th.Reserve(ctx, "login:a", "ip:3"); r != nil {
			t.Fatalf("a window after the last failure, attempt %d refused: %+v", i, r)
		}
	}
	if _, r, _ := th.Reserve(ctx, "login:a", "ip:3"); r == nil || r.Wait != time.Minute {
		t.Fatalf("afresh, the fourth attempt: %+v", r)
	}
	// A right password forgets the account's failures.
	now = now.Add(time.Hour / 4)
	res, r, _ = th.Reserve(ctx, "login:a", "ip:4")
	if r != nil {
		t.Fatal(r)
	}
	th.Succeed(ctx, res)
	for i := 0; i < 2; i++ {
		if _, r, _ := th.Reserve(ctx, "login:a", "ip:4"); r != nil {
			t.Fatalf("after a success, attempt %d refused", i)
		}
	}
	// The address limit counts failures only and refuses every account.
	for i := 0; i < 10; i++ {
		res, _, _ := th.Reserve(ctx, "login:x"+string(rune('a'+i)), "ip:hall")
		th.Succeed(ctx, res)
	}
	for i := 0; i < 10; i++ {
		if _, r, _ := th.Reserve(ctx, "login:y"+string(rune('a'+i)), "ip:hall"); r != nil {
			t.Fatalf("failure %d from the hall refused: %+v", i, r)
		}
	}
	if _, r, _ := th.Reserve(ctx, "login:z", "ip:hall"); r == nil || r.Scope != "address" {
		t.Fatalf("past the address limit: %+v", r)
	}
	now = now.Add(15 * time.Minute)
	if _, r, _ := th.Reserve(ctx, "login:z", "ip:hall"); r != nil {
		t.Fatalf("the address is still refused after the window: %+v", r)
	}
}

// TestThrottleBurst: attempts sent at once are reserved one by one, so no
// more than the limit are judged.
func TestThrottleBurst(t *testing.T) {
	ctx := context.Background()
	th := NewThrottle(nil, ThrottleOptions{Attempts: 5})
	var mu sync.Mutex
	judged := 0
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, r, err := th.Reserve(ctx, "login:a", "ip:1"); err == nil && r == nil {
				mu.Lock()
				judged++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if judged != 5 {
		t.Fatalf("%d of 30 simultaneous attempts judged, want 5", judged)
	}
}

// TestSuccessInABurst: a right password judged while later attempts on the
// account are reserved does not forget them, so the burst still has no more
// than the limit judged; a right password after failures judged one by one
// forgets them.
func TestSuccessInABurst(t *testing.T) {
	ctx := context.Background()
	th := NewThrottle(nil, ThrottleOptions{Attempts: 5})
	right, r, _ := th.Reserve(ctx, "login:a", "ip:1")
	if r != nil {
		t.Fatal(r)
	}
	for i := range 4 {
		if _, r, _ := th.Reserve(ctx, "login:a", "ip:1"); r != nil {
			t.Fatalf("attempt %d refused: %+v", i+2, r)
		}
	}
	if err := th.Succeed(ctx, right); err != nil {
		t.Fatal(err)
	}
	if _, r, _ := th.Reserve(ctx, "login:a", "ip:1"); r == nil || r.Scope != "account" {
		t.Fatalf("after a success amid four later reservations, a sixth attempt is judged: %+v", r)
	}

	for range 4 {
		th.Reserve(ctx, "login:b", "ip:1")
	}
	right, _, _ = th.Reserve(ctx, "login:b", "ip:1")
	if err := th.Succeed(ctx, right); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, r, _ := th.Reserve(ctx, "login:b", "ip:1"); r != nil {
			t.Fatalf("after four failures and a success, attempt %d refused: %+v", i+1, r)
		}
	}
}

func TestHasherBounded(t *testing.T) {
	h := NewHasher(HasherOptions{Concurrency: 1, Queue: 1, Wait: time.Second, Params: Params{Time: 1, Memory: 8 * 1024, Threads: 1}})
	release, err := h.turn(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	// One waits; the next finds the queue full and is refused at once.
	done := make(chan error, 1)
	go func() { _, err := h.Hash(context.Background(), "password-1"); done <- err }()
	for h.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := h.Hash(context.Background(), "password-2"); err == nil {
		t.Fatal("a caller beyond the queue was not refused")
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("the waiting caller: %v", err)
	}
	// A caller whose turn does not come within Wait is refused.
	release, _ = h.turn(context.Background(), "test")
	defer release()
	if err := h.Check(context.Background(), "x", "y"); err == nil {
		t.Fatal("a caller who waited too long was not refused")
	}
}

func TestSessionExpired(t *testing.T) {
	c := time.Unix(1_700_000_000, 0)
	if SessionExpired(c, c, c.Add(time.Hour)) {
		t.Error("fresh session expired")
	}
	if !SessionExpired(c, c, c.Add(SessionIdleTimeout+time.Second)) {
		t.Error("idle session not expired")
	}
	if !SessionExpired(c, c.Add(SessionAbsoluteTimeout), c.Add(SessionAbsoluteTimeout+time.Second)) {
		t.Error("old but active session not expired")
	}
}
