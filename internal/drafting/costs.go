package drafting

import (
	"container/list"
	"context"
	"sync"

	"redline/internal/textdiff"
)

// Issue 13: every request has a bounded cost. Work that many requests ask
// for at once (the same redline, the same proposal's paragraphs) is done
// once, by singleflight, and what it found is kept in bounded caches.

// flightKey names one computation shared by concurrent callers.
func (k diffKey) flightKey() string {
	return "diff\x00" + k.from + "\x00" + k.to + "\x00" + k.opts
}

// sharedDiff computes the redline of key once for all concurrent callers.
func (c *core) sharedDiff(key diffKey, compute func() (*textdiff.Result, error)) (*textdiff.Result, error) {
	v, err, _ := c.flight.Do(key.flightKey(), func() (any, error) {
		if r, ok := c.diffs.get(key); ok {
			return r, nil
		}
		return compute()
	})
	if err != nil {
		return nil, err
	}
	return v.(*textdiff.Result), nil
}

// touchedKey is a proposal's text against its base: what touched depends
// on.
type touchedKey struct{ base, proposal string }

// touchedCache keeps the paragraphs each proposal touches, bounded by the
// bytes of their text, so collisions compare sets instead of diffing every
// open proposal on every request.
type touchedCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List
	items map[touchedKey]*list.Element
}

type touchedEntry struct {
	key  touchedKey
	set  map[string]bool
	size int
}

func newTouchedCache(maxBytes int) *touchedCache {
	return &touchedCache{max: maxBytes, order: list.New(), items: map[touchedKey]*list.Element{}}
}

func (c *touchedCache) get(k touchedKey) (map[string]bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*touchedEntry).set, true
}

func (c *touchedCache) put(k touchedKey, set map[string]bool) {
	size := 64
	for p := range set {
		size += len(p) + 16
	}
	if size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.order.PushFront(&touchedEntry{key: k, set: set, size: size})
	c.size += size
	for c.size > c.max {
		last := c.order.Back()
		e := last.Value.(*touchedEntry)
		c.order.Remove(last)
		delete(c.items, e.key)
		c.size -= e.size
	}
}

// touchedOnce is touched, computed once per proposal text and cached.
func (c *core) touchedOnce(ctx context.Context, d Document, p Proposal) (map[string]bool, error) {
	base, err := c.revision(ctx, "find collisions", d, p.Base)
	if err != nil {
		return nil, err
	}
	key := touchedKey{base: base.SHA256, proposal: p.SHA256}
	if set, ok := c.touchedSets.get(key); ok {
		return set, nil
	}
	v, err, _ := c.flight.Do("touched\x00"+key.base+"\x00"+key.proposal, func() (any, error) {
		if set, ok := c.touchedSets.get(key); ok {
			return set, nil
		}
		set, err := c.touched(ctx, d, p)
		if err != nil {
			return nil, err
		}
		c.touchedSets.put(key, set)
		return set, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]bool), nil
}

// Collisions are answered with at most maxCollisionParagraphs paragraphs
// each, every one cut at maxCollisionRunes characters: a dozen proposals
// rewriting a long text would otherwise make an answer of megabytes.
const (
	maxCollisionParagraphs = 50
	maxCollisionRunes      = 300
)

// boundParagraphs cuts a collision's shared paragraphs to the bounds above.
func boundParagraphs(shared []string) []string {
	if len(shared) > maxCollisionParagraphs {
		shared = shared[:maxCollisionParagraphs]
	}
	out := make([]string, len(shared))
	for i, p := range shared {
		if r := []rune(p); len(r) > maxCollisionRunes {
			p = string(r[:maxCollisionRunes]) + "…"
		}
		out[i] = p
	}
	return out
}
