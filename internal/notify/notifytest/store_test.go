package notifytest_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"redline/internal/notify"
	"redline/internal/notify/notifytest"
)

func TestStore(t *testing.T) {
	notifytest.Run(t, func(t *testing.T) notify.Store { return notifytest.NewStore() })
}

func TestFileStore(t *testing.T) {
	notifytest.Run(t, func(t *testing.T) notify.Store {
		return &reopening{path: filepath.Join(t.TempDir(), "state.json")}
	})
}

// reopening loads the store from its file for every call, so the suite
// checks what survives a restart, not what a process remembers.
type reopening struct {
	mu   sync.Mutex
	path string
}

func (r *reopening) open() *notifytest.Store {
	s, err := notifytest.OpenStore(r.path)
	if err != nil {
		panic(err)
	}
	return s
}

func (r *reopening) Cursor(ctx context.Context) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Cursor(ctx)
}

func (r *reopening) AddItems(ctx context.Context, from, through int64, items []notify.Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().AddItems(ctx, from, through, items)
}

func (r *reopening) Pending(ctx context.Context, limit int) ([]notify.Item, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Pending(ctx, limit)
}

func (r *reopening) Skip(ctx context.Context, ids []int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Skip(ctx, ids)
}

func (r *reopening) Enqueue(ctx context.Context, m notify.Mail) (notify.Mail, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Enqueue(ctx, m)
}

func (r *reopening) Claim(ctx context.Context, now time.Time, n int, lease time.Duration) ([]notify.Mail, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Claim(ctx, now, n, lease)
}

func (r *reopening) Sent(ctx context.Context, id int64, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Sent(ctx, id, at)
}

func (r *reopening) Retry(ctx context.Context, id int64, next time.Time, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Retry(ctx, id, next, reason)
}

func (r *reopening) Fail(ctx context.Context, id int64, at time.Time, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Fail(ctx, id, at, reason)
}

func (r *reopening) Feed(ctx context.Context, user int64, limit int) ([]notify.Item, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open().Feed(ctx, user, limit)
}
