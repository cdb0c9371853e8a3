// Package notifytest holds in-memory implementations of notify's ports for
// tests (a Store that can also persist to a file, so a test can kill the
// process using it), and the conformance suite of notify.Store.
package notifytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"redline/internal/notify"
)

type storedItem struct {
	notify.Item
	MailID  int64
	Skipped bool
}

type storedMail struct {
	notify.Mail
	ClaimedUntil time.Time
}

type state struct {
	Cursor   int64
	NextItem int64
	NextMail int64
	Items    []*storedItem
	Mails    []*storedMail
}

// Store is an in-memory notify.Store. Opened with a path, it writes its
// whole state to that file after every change (a temporary file, fsync,
// rename, fsync of the folder), so each method is atomic and durable
// across a SIGKILL, as a database transaction is.
type Store struct {
	mu   sync.Mutex
	s    state
	path string
}

var _ notify.Store = (*Store)(nil)

// NewStore returns an empty in-memory store.
func NewStore() *Store { return &Store{} }

// OpenStore returns a store persisted at path, loading it when it exists.
func OpenStore(path string) (*Store, error) {
	st := &Store{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &st.s); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return st, nil
}

func (st *Store) save() error {
	if st.path == "" {
		return nil
	}
	b, err := json.Marshal(&st.s)
	if err != nil {
		return err
	}
	tmp := st.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, st.path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(st.path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// commit saves the state, or restores before on failure, so a method
// either happens whole or not at all.
func (st *Store) commit(before state) error {
	if err := st.save(); err != nil {
		st.s = before
		return err
	}
	return nil
}

// snapshot deep-copies the state.
func (st *Store) snapshot() state {
	s := st.s
	s.Items = make([]*storedItem, len(st.s.Items))
	for i, it := range st.s.Items {
		c := *it
		s.Items[i] = &c
	}
	s.Mails = make([]*storedMail, len(st.s.Mails))
	for i, m := range st.s.Mails {
		c := *m
		c.Items = slices.Clone(m.Items)
		c.Message = slices.Clone(m.Message)
		s.Mails[i] = &c
	}
	return s
}

// Cursor implements notify.Store.
func (st *Store) Cursor(ctx context.Context) (int64, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.s.Cursor, ctx.Err()
}

// AddItems implements notify.Store.
func (st *Store) AddItems(ctx context.Context, from, through int64, items []notify.Item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.s.Cursor != from {
		return fmt.Errorf("cursor at %d, not %d: %w", st.s.Cursor, from, notify.ErrConflict)
	}
	if through < from {
		return fmt.Errorf("move the cursor back from %d to %d", from, through)
	}
	before := st.snapshot()
	for _, it := range items {
		if slices.ContainsFunc(st.s.Items, func(s *storedItem) bool { return s.User == it.User && s.Event.ID == it.Event.ID }) {
			continue
		}
		st.s.NextItem++
		it.ID = st.s.NextItem
		st.s.Items = append(st.s.Items, &storedItem{Item: it})
	}
	st.s.Cursor = through
	return st.commit(before)
}

// Pending implements notify.Store.
func (st *Store) Pending(ctx context.Context, limit int) ([]notify.Item, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []notify.Item
	for _, it := range st.s.Items {
		if it.Mail && it.MailID == 0 && !it.Skipped {
			out = append(out, it.Item)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].PlannedAt.Equal(out[j].PlannedAt) {
			return out[i].PlannedAt.Before(out[j].PlannedAt)
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, ctx.Err()
}

// Skip implements notify.Store.
func (st *Store) Skip(ctx context.Context, ids []int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	before := st.snapshot()
	for _, it := range st.s.Items {
		if slices.Contains(ids, it.ID) && it.MailID == 0 {
			it.Skipped = true
		}
	}
	return st.commit(before)
}

// Enqueue implements notify.Store.
func (st *Store) Enqueue(ctx context.Context, m notify.Mail) (notify.Mail, error) {
	if err := ctx.Err(); err != nil {
		return notify.Mail{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, o := range st.s.Mails {
		if o.Key == m.Key {
			return notify.Mail{}, fmt.Errorf("mail %s exists: %w", m.Key, notify.ErrConflict)
		}
	}
	var items []*storedItem
	for _, id := range m.Items {
		i := slices.IndexFunc(st.s.Items, func(s *storedItem) bool { return s.ID == id })
		if i < 0 {
			return notify.Mail{}, fmt.Errorf("no item %d", id)
		}
		if st.s.Items[i].MailID != 0 || st.s.Items[i].Skipped {
			return notify.Mail{}, fmt.Errorf("item %d is mailed or skipped: %w", id, notify.ErrConflict)
		}
		items = append(items, st.s.Items[i])
	}
	before := st.snapshot()
	st.s.NextMail++
	m.ID = st.s.NextMail
	m.NextAt, m.Attempts, m.SentAt, m.FailedAt, m.LastError = m.CreatedAt, 0, time.Time{}, time.Time{}, ""
	m.Message, m.Items = slices.Clone(m.Message), slices.Clone(m.Items)
	st.s.Mails = append(st.s.Mails, &storedMail{Mail: m})
	for _, it := range items {
		it.MailID = m.ID
	}
	if err := st.commit(before); err != nil {
		return notify.Mail{}, err
	}
	return m, nil
}

// Claim implements notify.Store.
func (st *Store) Claim(ctx context.Context, now time.Time, n int, lease time.Duration) ([]notify.Mail, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	before := st.snapshot()
	var out []notify.Mail
	for _, m := range st.s.Mails {
		if len(out) == n {
			break
		}
		if !m.SentAt.IsZero() || !m.FailedAt.IsZero() || m.NextAt.After(now) || m.ClaimedUntil.After(now) {
			continue
		}
		m.ClaimedUntil = now.Add(lease)
		m.Attempts++
		c := m.Mail
		c.Message, c.Items = slices.Clone(m.Message), slices.Clone(m.Items)
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := st.commit(before); err != nil {
		return nil, err
	}
	return out, nil
}

func (st *Store) update(id int64, f func(m *storedMail)) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	before := st.snapshot()
	i := slices.IndexFunc(st.s.Mails, func(m *storedMail) bool { return m.ID == id })
	if i < 0 {
		return fmt.Errorf("no mail %d: %w", id, notify.ErrNotFound)
	}
	f(st.s.Mails[i])
	return st.commit(before)
}

// Sent implements notify.Store.
func (st *Store) Sent(ctx context.Context, id int64, at time.Time) error {
	return st.update(id, func(m *storedMail) { m.SentAt, m.ClaimedUntil = at, time.Time{} })
}

// Retry implements notify.Store.
func (st *Store) Retry(ctx context.Context, id int64, next time.Time, reason string) error {
	return st.update(id, func(m *storedMail) { m.NextAt, m.LastError, m.ClaimedUntil = next, reason, time.Time{} })
}

// Fail implements notify.Store.
func (st *Store) Fail(ctx context.Context, id int64, at time.Time, reason string) error {
	return st.update(id, func(m *storedMail) { m.FailedAt, m.LastError, m.ClaimedUntil = at, reason, time.Time{} })
}

// Feed implements notify.Store.
func (st *Store) Feed(ctx context.Context, user int64, limit int) ([]notify.Item, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []notify.Item
	for _, it := range st.s.Items {
		if it.User == user {
			out = append(out, it.Item)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Event.ID > out[j].Event.ID })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, ctx.Err()
}

// Mails returns every mail in the outbox, for tests to inspect.
func (st *Store) Mails() []notify.Mail {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]notify.Mail, len(st.s.Mails))
	for i, m := range st.s.Mails {
		out[i] = m.Mail
	}
	return out
}
