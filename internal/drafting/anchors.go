package drafting

import (
	"context"
	"sort"
	"sync"

	"redline/internal/textdiff"
)

type mappedAnchor struct {
	status string
	anchor Anchor
}

// mapAnchors carries the anchors of comments into revision n, one revision
// at a time. A comment's mapping into a revision never changes (both are
// immutable), so results are cached per comment and target revision.
func (c *core) mapAnchors(ctx context.Context, d Document, cs []Comment, n int64) (map[int64]mappedAnchor, error) {
	out := map[int64]mappedAnchor{}
	var pending []Comment
	for _, cm := range cs {
		if cm.Anchor == nil {
			continue
		}
		if m, ok := c.anchors.get(anchorKey{cm.ID, n}); ok {
			out[cm.ID] = m
			continue
		}
		pending = append(pending, cm)
	}
	if len(pending) == 0 {
		return out, nil
	}
	// Each comment is carried from the latest revision its mapping is
	// cached for (its own revision at worst), so a listing for a new head
	// takes one step, not the whole history.
	type carry struct {
		c    Comment
		from int64
		m    mappedAnchor
	}
	carries := make([]carry, 0, len(pending))
	for _, cm := range pending {
		cr := carry{c: cm, from: cm.Revision, m: mappedAnchor{status: AnchorAnchored, anchor: *cm.Anchor}}
		for k := n - 1; k > cm.Revision; k-- {
			if m, ok := c.anchors.get(anchorKey{cm.ID, k}); ok {
				cr.from, cr.m = k, m
				break
			}
		}
		carries = append(carries, cr)
	}
	sort.Slice(carries, func(i, j int) bool { return carries[i].from < carries[j].from })
	first := carries[0].from
	// live: comments being carried forward, by ID, with their current
	// anchor in revision k.
	live := map[int64]mappedAnchor{}
	next := 0
	var prevText string
	var prevRev Revision
	for k := first; k <= n; k++ {
		r, err := c.revision(ctx, "map anchors", d, k)
		if err != nil {
			return nil, err
		}
		text, err := c.readText(ctx, r)
		if err != nil {
			return nil, err
		}
		if k > first && len(live) > 0 {
			res, err := c.diffHashes(ctx, d.ID, prevRev.SHA256, r.SHA256, textdiff.ModeWord)
			if err != nil {
				return nil, err
			}
			var ids []int64
			var as []textdiff.Anchor
			for id, m := range live {
				if m.status == AnchorOutdated {
					continue
				}
				ids = append(ids, id)
				as = append(as, textdiff.Anchor(m.anchor))
			}
			ms := textdiff.MapAnchors(prevText, string(text), res, as)
			// The text as code points, once per step: rebuilding each
			// anchor's quote and context from it is what Next does, without
			// converting the whole text for every anchor.
			runes := []rune(string(text))
			for i, id := range ids {
				m := live[id]
				switch string(ms[i].Status) {
				case AnchorOutdated:
					m.status = AnchorOutdated // it keeps its original quote and revision
					m.anchor = Anchor{}
				default:
					if string(ms[i].Status) == AnchorMoved {
						m.status = AnchorMoved
					}
					m.anchor = anchorAt(runes, ms[i].Start, ms[i].End)
				}
				live[id] = m
			}
			for id, m := range live {
				c.anchors.put(anchorKey{id, k}, m)
			}
		}
		for next < len(carries) && carries[next].from == k {
			live[carries[next].c.ID] = carries[next].m
			next++
		}
		prevText, prevRev = string(text), r
	}
	for id, m := range live {
		out[id] = m
	}
	return out, nil
}

// anchorAt is the anchor of runes[start:end] with its context.
func anchorAt(runes []rune, start, end int) Anchor {
	return Anchor{Start: start, End: end, Quote: string(runes[start:end]),
		Prefix: string(runes[max(0, start-maxAnchorContext):start]),
		Suffix: string(runes[end:min(len(runes), end+maxAnchorContext)])}
}

// paragraphStarts returns the code-point offsets where paragraphs start.
func paragraphStarts(text string) []int {
	starts := []int{0}
	runes := []rune(text)
	for i := 1; i < len(runes); i++ {
		if runes[i-1] == '\n' && runes[i] != '\n' && i >= 2 && runes[i-2] == '\n' {
			starts = append(starts, i)
		}
	}
	return starts
}

func paragraphAt(starts []int, pos int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > pos }) - 1
}

type anchorKey struct {
	comment  int64
	revision int64
}

// anchorCache remembers mapped anchors; each entry is small, so it is bounded
// by count.
type anchorCache struct {
	mu    sync.Mutex
	max   int
	items map[anchorKey]mappedAnchor
}

func newAnchorCache(max int) *anchorCache {
	return &anchorCache{max: max, items: make(map[anchorKey]mappedAnchor)}
}

func (c *anchorCache) get(k anchorKey) (mappedAnchor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.items[k]
	return m, ok
}

func (c *anchorCache) put(k anchorKey, m mappedAnchor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		// Dropping everything is crude but bounded, and refilling costs one
		// listing: the diffs behind it stay cached.
		clear(c.items)
	}
	c.items[k] = m
}

// openThreads lists, of all the document's comments, the open, visible
// threads anchored in revision n or carried into it (anchored or moved
// there), and the general threads on n: what holds an adoption of n back.
func (c *core) openThreads(ctx context.Context, d Document, all []Comment, n int64) ([]Comment, error) {
	var cs []Comment
	for _, cm := range all {
		if cm.Proposal == 0 && cm.Revision <= n && cm.ID == cm.Thread {
			cs = append(cs, cm)
		}
	}
	mapped, err := c.mapAnchors(ctx, d, cs, n)
	if err != nil {
		return nil, err
	}
	var open []Comment
	for _, cm := range cs {
		if cm.Resolved || cm.Hidden {
			continue
		}
		if cm.Anchor == nil {
			if cm.Revision == n {
				open = append(open, cm)
			}
			continue
		}
		if m := mapped[cm.ID]; m.status != AnchorOutdated {
			open = append(open, cm)
		}
	}
	return open, nil
}
