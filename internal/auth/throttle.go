package auth

import (
	"context"
	"sync"
	"time"
)

// Counter is the failed sign-ins of one key (an account "login:…" or a
// client address "ip:…") as a ThrottleStore keeps it.
type Counter struct {
	Key          string
	Failures     int       // failures within the current window
	First        time.Time // the window's first failure
	Last         time.Time // the latest failure
	BlockedUntil time.Time // attempts on the key are refused unjudged before this
}

// ThrottleStore keeps the counters in a place every replica shares (the
// database), so several instances enforce one limit.
type ThrottleStore interface {
	// UpdateCounters locks the counters of keys (a zero Counter with its
	// Key when there is none yet), passes them to fn in the order of keys
	// and stores what fn returns, all at once: concurrent updates of a key
	// take turns. Errors: unavailable, internal.
	UpdateCounters(ctx context.Context, keys []string, fn func([]Counter) []Counter) error
	// PurgeCounters removes counters whose last failure is before cutoff
	// (a lockout never outlasts its failure by more than the window, so
	// with cutoff a window ago, nothing still blocked goes).
	PurgeCounters(ctx context.Context, cutoff time.Time) error
}

// ThrottleOptions are the limits of sign-in throttling.
type ThrottleOptions struct {
	// Attempts failed sign-ins per account within Window are judged; after
	// that the account's attempts are refused unjudged for a wait that
	// grows with each further failure (5 when zero).
	Attempts int
	// Window is how long failures count (15 minutes when zero).
	Window time.Duration
	// AddressAttempts failed sign-ins per client address within Window are
	// allowed before every attempt from it is refused (300 when zero):
	// generous, since a conference hall or a proxy shares one address.
	AddressAttempts int
}

// Throttle decides, with its store, whether a sign-in is judged at all.
// An attempt is reserved as a failure before the password is checked, so a
// burst sent at once cannot get more attempts judged than the limit; a
// success gives the reservation back.
type Throttle struct {
	opt   ThrottleOptions
	store ThrottleStore
	now   func() time.Time

	mu        sync.Mutex
	lastPurge time.Time
}

// NewThrottle returns a throttle over store (a MemoryThrottle when nil).
func NewThrottle(store ThrottleStore, opt ThrottleOptions) *Throttle {
	if opt.Attempts <= 0 {
		opt.Attempts = 5
	}
	if opt.Window <= 0 {
		opt.Window = 15 * time.Minute
	}
	if opt.AddressAttempts <= 0 {
		opt.AddressAttempts = 300
	}
	if store == nil {
		store = NewMemoryThrottle()
	}
	return &Throttle{opt: opt, store: store, now: time.Now}
}

// Lockout is how long an account waits after its n-th failure within the
// window (n ≥ attempts): a minute (or the window, when shorter), doubling
// with each further failure, at most the window.
func (t *Throttle) Lockout(n int) time.Duration {
	base := min(time.Minute, t.opt.Window)
	d := base
	for i := t.opt.Attempts; i < n && d < t.opt.Window; i++ {
		d *= 2
	}
	return min(d, t.opt.Window)
}

// Refusal says why an attempt was not judged.
type Refusal struct {
	Scope string        // "account" or "address"
	Wait  time.Duration // until the next attempt is judged
}

// Reservation is an attempt Reserve recorded as a failure, for Succeed.
type Reservation struct {
	Account, Address string
	failures         int       // the account's failures, this one included
	at               time.Time // when it was reserved (microseconds, as stores keep it)
}

// Reserve records an attempt on the account and the address as a failure
// before it is judged. It returns a Refusal (and records nothing) when the
// account is locked out or the address is over its limit.
func (t *Throttle) Reserve(ctx context.Context, account, address string) (Reservation, *Refusal, error) {
	now := t.now().Round(0).Truncate(time.Microsecond)
	t.purge(ctx, now)
	res := Reservation{Account: account, Address: address, at: now}
	var refused *Refusal
	err := t.store.UpdateCounters(ctx, []string{account, address}, func(cs []Counter) []Counter {
		acc, addr := t.fresh(cs[0], cs[0].Last, now), t.fresh(cs[1], cs[1].First, now)
		refused = nil
		switch {
		case now.Before(acc.BlockedUntil):
			refused = &Refusal{Scope: "account", Wait: acc.BlockedUntil.Sub(now)}
			return cs
		case addr.Failures >= t.opt.AddressAttempts:
			refused = &Refusal{Scope: "address", Wait: addr.First.Add(t.opt.Window).Sub(now)}
			return cs
		}
		for _, c := range []*Counter{&acc, &addr} {
			if c.Failures == 0 {
				c.First = now
			}
			c.Failures++
			c.Last = now
		}
		if acc.Failures >= t.opt.Attempts {
			acc.BlockedUntil = now.Add(t.Lockout(acc.Failures))
		}
		res.failures = acc.Failures
		return []Counter{acc, addr}
	})
	if err != nil {
		return Reservation{}, nil, err
	}
	return res, refused, nil
}

// Succeed gives a reservation back after a right password. The address's
// reservation is returned, so the address counts failures only. The
// account's failures are forgotten when no attempt was reserved on it
// since this one; otherwise they are kept, lockout and all: the attempts
// reserved after it are being judged or were, and forgetting them would let
// a burst that holds the right password have more than the limit judged.
func (t *Throttle) Succeed(ctx context.Context, r Reservation) error {
	now := t.now()
	return t.store.UpdateCounters(ctx, []string{r.Account, r.Address}, func(cs []Counter) []Counter {
		acc, addr := cs[0], t.fresh(cs[1], cs[1].First, now)
		if addr.Failures > 0 {
			addr.Failures--
		}
		if acc.Failures == r.failures && !acc.Last.After(r.at) {
			acc = Counter{Key: r.Account}
		}
		return []Counter{acc, addr}
	})
}

// Count counts one event on key in a fixed window and refuses it (counting
// nothing) once limit were counted within the window: a rate limit in the
// shared counters, e.g. comments per minute.
func (t *Throttle) Count(ctx context.Context, key string, limit int, window time.Duration) (*Refusal, error) {
	now := t.now()
	var refused *Refusal
	err := t.store.UpdateCounters(ctx, []string{key}, func(cs []Counter) []Counter {
		c := cs[0]
		refused = nil
		if !c.First.IsZero() && now.Sub(c.First) >= window {
			c = Counter{Key: key}
		}
		if c.Failures >= limit {
			refused = &Refusal{Scope: "rate", Wait: c.First.Add(window).Sub(now)}
			return cs
		}
		if c.Failures == 0 {
			c.First = now
		}
		c.Failures++
		c.Last = now
		return []Counter{c}
	})
	if err != nil {
		return nil, err
	}
	return refused, nil
}

// fresh is c, or a new counter when the window that began at since (an
// account's latest failure, an address's first) has passed and nothing is
// blocked.
func (t *Throttle) fresh(c Counter, since, now time.Time) Counter {
	if now.Before(c.BlockedUntil) || since.IsZero() || now.Sub(since) < t.opt.Window {
		return c
	}
	return Counter{Key: c.Key}
}

// purge removes stale counters now and then, so a spray of logins or
// addresses does not grow the store without bound.
func (t *Throttle) purge(ctx context.Context, now time.Time) {
	t.mu.Lock()
	due := now.Sub(t.lastPurge) >= time.Minute
	if due {
		t.lastPurge = now
	}
	t.mu.Unlock()
	if due {
		_ = t.store.PurgeCounters(ctx, now.Add(-t.opt.Window)) // best effort: the next purge retries
	}
}

// MemoryThrottle keeps counters in this process: for one instance and
// tests. It holds at most 100 000 counters, dropping stale ones first.
type MemoryThrottle struct {
	mu   sync.Mutex
	keys map[string]Counter
}

// NewMemoryThrottle returns an empty in-process store.
func NewMemoryThrottle() *MemoryThrottle { return &MemoryThrottle{keys: map[string]Counter{}} }

// UpdateCounters implements ThrottleStore.
func (m *MemoryThrottle) UpdateCounters(_ context.Context, keys []string, fn func([]Counter) []Counter) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cs := make([]Counter, len(keys))
	for i, k := range keys {
		c, ok := m.keys[k]
		if !ok {
			c = Counter{Key: k}
		}
		cs[i] = c
	}
	for _, c := range fn(cs) {
		if c.Failures == 0 && c.BlockedUntil.IsZero() {
			delete(m.keys, c.Key)
			continue
		}
		if len(m.keys) >= 100_000 {
			m.sweep()
		}
		m.keys[c.Key] = c
	}
	return nil
}

// PurgeCounters implements ThrottleStore.
func (m *MemoryThrottle) PurgeCounters(_ context.Context, cutoff time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, c := range m.keys {
		if c.Last.Before(cutoff) {
			delete(m.keys, k)
		}
	}
	return nil
}

// sweep drops half the counters when full: only a flood of made-up logins
// fills it, and the database store, which replicas share, has no such
// bound to defend.
func (m *MemoryThrottle) sweep() {
	n := 0
	for k := range m.keys {
		delete(m.keys, k)
		if n++; n >= len(m.keys) {
			break
		}
	}
}
