package notifytest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"redline/internal/live"
	"redline/internal/notify"
)

// Directory is an in-memory notify.Directory and notify.Preferences.
type Directory struct {
	mu       sync.Mutex
	docs     map[string]notify.DocInfo
	accounts map[int64]notify.Account
	members  map[string]map[int64]*member
	authors  map[string]map[int64]int64
	threads  map[string]map[int64][]int64 // comment → authors in its thread
}

type member struct {
	topics notify.Topics
	mail   bool
}

var (
	_ notify.Directory   = (*Directory)(nil)
	_ notify.Preferences = (*Directory)(nil)
)

// NewDirectory returns an empty directory.
func NewDirectory() *Directory {
	return &Directory{docs: map[string]notify.DocInfo{}, accounts: map[int64]notify.Account{},
		members: map[string]map[int64]*member{}, authors: map[string]map[int64]int64{},
		threads: map[string]map[int64][]int64{}}
}

// AddDocument adds a document.
func (d *Directory) AddDocument(doc notify.DocInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.docs[doc.ID] = doc
	d.members[doc.ID] = map[int64]*member{}
}

// RemoveDocument deletes a document.
func (d *Directory) RemoveDocument(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.docs, id)
	delete(d.members, id)
}

// AddAccount adds or replaces an account.
func (d *Directory) AddAccount(a notify.Account) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.accounts[a.ID] = a
}

// Join makes user a reader of doc with topics, taking mail or not.
func (d *Directory) Join(doc string, user int64, topics notify.Topics, mail bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.members[doc][user] = &member{topics: topics, mail: mail}
}

// Leave removes user from doc.
func (d *Directory) Leave(doc string, user int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.members[doc], user)
}

// SetAuthor records who wrote proposal n of doc.
func (d *Directory) SetAuthor(doc string, n, user int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.authors[doc] == nil {
		d.authors[doc] = map[int64]int64{}
	}
	d.authors[doc][n] = user
}

// SetThread records the authors of the thread comment belongs to.
func (d *Directory) SetThread(doc string, comment int64, people ...int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.threads[doc] == nil {
		d.threads[doc] = map[int64][]int64{}
	}
	d.threads[doc][comment] = people
}

// Topics returns what user chose for doc.
func (d *Directory) Topics(doc string, user int64) notify.Topics {
	d.mu.Lock()
	defer d.mu.Unlock()
	if m := d.members[doc][user]; m != nil {
		return m.topics
	}
	return 0
}

// Document implements notify.Directory.
func (d *Directory) Document(_ context.Context, id string) (notify.DocInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	doc, ok := d.docs[id]
	if !ok {
		return notify.DocInfo{}, fmt.Errorf("document %s: %w", id, notify.ErrNotFound)
	}
	return doc, nil
}

func (d *Directory) recipient(doc string, user int64) (notify.Recipient, bool) {
	m := d.members[doc][user]
	a, ok := d.accounts[user]
	if m == nil || !ok {
		return notify.Recipient{}, false
	}
	return notify.Recipient{Account: a, Topics: m.topics, Mail: m.mail}, true
}

// Recipients implements notify.Directory.
func (d *Directory) Recipients(_ context.Context, doc string) ([]notify.Recipient, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.docs[doc]; !ok {
		return nil, fmt.Errorf("document %s: %w", doc, notify.ErrNotFound)
	}
	var out []notify.Recipient
	for user := range d.members[doc] {
		if r, ok := d.recipient(doc, user); ok {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Recipient implements notify.Directory.
func (d *Directory) Recipient(_ context.Context, doc string, user int64) (notify.Recipient, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.recipient(doc, user)
	return r, ok, nil
}

// Account implements notify.Directory.
func (d *Directory) Account(_ context.Context, id int64) (notify.Account, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.accounts[id]
	if !ok {
		return notify.Account{}, fmt.Errorf("account %d: %w", id, notify.ErrNotFound)
	}
	return a, nil
}

// ProposalAuthor implements notify.Directory.
func (d *Directory) ProposalAuthor(_ context.Context, doc string, n int64) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.authors[doc][n]
	if !ok {
		return 0, fmt.Errorf("proposal %d: %w", n, notify.ErrNotFound)
	}
	return a, nil
}

// ThreadPeople implements notify.Directory.
func (d *Directory) ThreadPeople(_ context.Context, doc string, comment int64) ([]int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.threads[doc][comment]
	if !ok {
		return nil, fmt.Errorf("comment %d: %w", comment, notify.ErrNotFound)
	}
	return slices.Clone(p), nil
}

// Unsubscribe implements notify.Preferences.
func (d *Directory) Unsubscribe(_ context.Context, user int64, doc string, topics notify.Topics) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.members[doc][user]
	if m == nil {
		// Not a member any more: nothing to turn off, and nothing to say.
		return nil
	}
	m.topics &^= topics
	return nil
}

// Log is an in-memory audit log across documents.
type Log struct {
	mu   sync.Mutex
	recs []live.Record
}

var _ notify.Log = (*Log)(nil)

// Add appends r with the next Seq and returns it.
func (l *Log) Add(r live.Record) live.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.Seq = int64(len(l.recs) + 1)
	l.recs = append(l.recs, r)
	return r
}

// Events implements notify.Log.
func (l *Log) Events(ctx context.Context, after int64, limit int) ([]live.Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []live.Record
	for _, r := range l.recs {
		if r.Seq > after && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, ctx.Err()
}
