package convert

import (
	"container/list"
	"sync"
)

// cache keeps recently rendered files by entity tag, least recently used
// first out, within a bound of bytes: the public PDF of an adopted text is
// asked for many times over.
type cache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recent
	items map[string]*list.Element
}

type cacheEntry struct {
	tag  string
	body []byte
}

func newCache(max int) *cache {
	return &cache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *cache) get(tag string) ([]byte, bool) {
	if tag == "" {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[tag]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).body, true
}

func (c *cache) put(tag string, body []byte) {
	// One file may take a quarter of the cache, so that a few large ones do
	// not flush everything else.
	if tag == "" || len(body) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[tag]; ok {
		return
	}
	c.items[tag] = c.order.PushFront(&cacheEntry{tag: tag, body: body})
	c.size += len(body)
	for c.size > c.max {
		last := c.order.Back()
		e := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.items, e.tag)
		c.size -= len(e.body)
	}
}
