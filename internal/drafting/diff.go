package drafting

import (
	"container/list"
	"context"
	"sync"

	"redline/internal/textdiff"
)

// DiffView is a redline between two revisions of a document.
type DiffView struct {
	From, To Revision
	Result   *textdiff.Result
}

// DiffETag identifies a redline of two immutable revisions: the two hashes
// and the engine's cache key (mode, budgets, engine version), which decide
// the redline, degraded or not, byte for byte; a client that holds it can be
// answered 304 without computing anything.
func DiffETag(from, to Revision, mode textdiff.Mode) string {
	return from.SHA256[:16] + "-" + to.SHA256[:16] + "-" + textdiff.Options{Mode: mode}.CacheKey()
}

// DiffRevisions returns the two revisions a redline would compare, checking
// that the actor may read them, without computing the redline.
func (s *Documents) DiffRevisions(ctx context.Context, actor *User, slug string, from, to int64) (Revision, Revision, error) {
	const op = "diff"
	d, err := s.c.documentFor(ctx, op, actor, slug, ObjRevision, ActRead)
	if err != nil {
		return Revision{}, Revision{}, err
	}
	a, err := s.c.revision(ctx, op, d, from)
	if err != nil {
		return Revision{}, Revision{}, err
	}
	b, err := s.c.revision(ctx, op, d, to)
	if err != nil {
		return Revision{}, Revision{}, err
	}
	return a, b, nil
}

// Diff returns the redline between revisions from and to (either order; the
// same revision twice gives an empty redline). Redlines of immutable
// revisions are cached, keyed by the two hashes and the mode.
func (s *Documents) Diff(ctx context.Context, actor *User, slug string, from, to int64, mode textdiff.Mode) (DiffView, error) {
	a, b, err := s.DiffRevisions(ctx, actor, slug, from, to)
	if err != nil {
		return DiffView{}, err
	}
	r, err := s.c.diffHashes(ctx, a.DocumentID, a.SHA256, b.SHA256, mode)
	if err != nil {
		return DiffView{}, err
	}
	return DiffView{From: a, To: b, Result: r}, nil
}

type diffKey struct {
	from, to string
	opts     string // textdiff.Options.CacheKey
}

// diffCache is a least-recently-used cache of redlines bounded by the bytes
// of text they cover, a fair proxy for their size in memory.
type diffCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recent
	items map[diffKey]*list.Element
}

type diffEntry struct {
	key  diffKey
	r    *textdiff.Result
	size int
}

func newDiffCache(maxBytes int) *diffCache {
	return &diffCache{max: maxBytes, order: list.New(), items: make(map[diffKey]*list.Element)}
}

func (c *diffCache) get(k diffKey) (*textdiff.Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*diffEntry).r, true
}

func (c *diffCache) put(k diffKey, r *textdiff.Result, size int) {
	if size > c.max/4 {
		return // one huge redline would flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.order.PushFront(&diffEntry{key: k, r: r, size: size})
	c.size += size
	for c.size > c.max {
		last := c.order.Back()
		e := last.Value.(*diffEntry)
		c.order.Remove(last)
		delete(c.items, e.key)
		c.size -= e.size
	}
}
