package textdiff

// hunk is one side's change against the base, in diff3's sense: the base
// items [s, e) are replaced by the side's items [from, to). Items are
// paragraphs for Merge3's first pass and tokens inside a paragraph for its
// second. A side's hunks are sorted and never overlap one another.
type hunk struct {
	s, e     int
	from, to int
	side     int // 0: ours, 1: theirs
	idx      int // the hunk's index among its side's hunks
	// modify marks a paragraph edited in place: [s, s+1) becomes its own
	// new version [from, from+1), and the paragraph keeps its identity.
	modify bool
}

// overlaps reports whether two hunks touch the same base items: their
// ranges overlap, one inserts strictly inside the range the other replaces,
// or both insert at the same place.
func overlaps(a, b hunk) bool {
	if a.s < b.e && b.s < a.e {
		return true
	}
	return a.s == a.e && b.s == b.e && a.s == b.s
}

// collidesParagraphs is diff3's rule on paragraphs: hunks collide when they
// overlap or touch (one ends where the other starts: an insertion right
// beside a paragraph the other side replaced or deleted), except that a
// paragraph edited in place keeps its identity, so an insertion next to it
// goes before or after it.
func collidesParagraphs(a, b hunk) bool {
	if overlaps(a, b) {
		return true
	}
	if a.e == b.s || b.e == a.s {
		return !a.modify && !b.modify
	}
	return false
}

// hunkCluster is a maximal group of colliding hunks, covering the base
// items [s, e). A cluster with hunks of one side only is a change that
// merges cleanly.
type hunkCluster struct {
	s, e int
	hs   []hunk // members, each side's in its own order
}

// clusterHunks groups the hunks of the two sides (each sorted by start)
// into clusters of hunks that collide, transitively, in base order. It is
// diff3's grouping of overlapping changes.
func clusterHunks(ours, theirs []hunk, collides func(a, b hunk) bool) []hunkCluster {
	var out []hunkCluster
	before := func(a, b hunk) bool { return a.s < b.s || a.s == b.s && a.e < b.e }
	i, j := 0, 0
	for i < len(ours) || j < len(theirs) {
		var c hunkCluster
		if j >= len(theirs) || i < len(ours) && before(ours[i], theirs[j]) {
			c.hs = append(c.hs, ours[i])
			i++
		} else {
			c.hs = append(c.hs, theirs[j])
			j++
		}
		// Every later hunk starts at or after the heads, so a head that
		// collides with no member means nothing after it does either.
		for {
			grew := false
			if i < len(ours) && collidesAny(ours[i], c.hs, collides) {
				c.hs = append(c.hs, ours[i])
				i++
				grew = true
			}
			if j < len(theirs) && collidesAny(theirs[j], c.hs, collides) {
				c.hs = append(c.hs, theirs[j])
				j++
				grew = true
			}
			if !grew {
				break
			}
		}
		c.s, c.e = c.hs[0].s, c.hs[0].e
		for _, h := range c.hs[1:] {
			c.s, c.e = min(c.s, h.s), max(c.e, h.e)
		}
		out = append(out, c)
	}
	return out
}

func collidesAny(h hunk, hs []hunk, collides func(a, b hunk) bool) bool {
	for _, m := range hs {
		if m.side != h.side && collides(h, m) {
			return true
		}
	}
	return false
}

// pureDeletions reports whether every hunk of c only deletes: the merge of
// such a cluster deletes the union of what each side deleted.
func (c *hunkCluster) pureDeletions() bool {
	for _, h := range c.hs {
		if h.modify || h.from != h.to {
			return false
		}
	}
	return true
}
