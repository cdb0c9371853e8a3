package auth

import (
	"sync"
	"time"
)

// Throttle counts failed sign-ins per key (an account, a client address)
// and refuses further attempts on a key once it reaches the limit within the
// window, until the window has passed since its last failure.
type Throttle struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

// NewThrottle allows limit failures per key within window.
func NewThrottle(limit int, window time.Duration) *Throttle {
	return &Throttle{limit: limit, window: window, now: time.Now, keys: make(map[string]*failures)}
}

// Allowed reports whether every key may try again now, and if not, how long
// until the first refused one may.
func (t *Throttle) Allowed(keys ...string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	for _, k := range keys {
		f := t.keys[k]
		if f == nil {
			continue
		}
		if now.Sub(f.last) >= t.window {
			delete(t.keys, k)
			continue
		}
		if f.n >= t.limit {
			wait = max(wait, t.window-now.Sub(f.last))
		}
	}
	return wait == 0, wait
}

// Fail records a failed attempt on every key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.keys) > 100_000 {
		t.sweep(now) // keep memory bounded under a spray of addresses
	}
	for _, k := range keys {
		f := t.keys[k]
		if f == nil || now.Sub(f.last) >= t.window {
			f = &failures{}
			t.keys[k] = f
		}
		f.n++
		f.last = now
	}
}

// Succeed forgets the failures of a key (the account, on a good sign-in).
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

func (t *Throttle) sweep(now time.Time) {
	for k, f := range t.keys {
		if now.Sub(f.last) >= t.window {
			delete(t.keys, k)
		}
	}
}
