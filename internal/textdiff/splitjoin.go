package textdiff

import "slices"

// Splits and joins: one old paragraph that became several consecutive new
// ones (a long paragraph cut in two, a heading that got a blank line after
// it), or several old ones that became one. Inside a replaced stretch they
// would otherwise read as a paragraph deleted and others inserted, or as one
// pair edited beyond recognition and the rest inserted.
const (
	// maxGroup bounds the paragraphs on the many side of a split or join.
	maxGroup = 8
	// minGroupSimilarity is how similar, by words, the one side must be to
	// the many side taken together.
	minGroupSimilarity = 0.6
	// minContained is the share of each paragraph's words on the many side
	// that the one side must hold: a group takes no unrelated neighbour.
	minContained = 0.6
	// maxGroupBytes leaves out paragraphs too large to be worth the work.
	maxGroupBytes = 64 << 10
)

// group is a split or join: old paragraphs [i0, i1) became new [j0, j1),
// and one of the two ranges holds a single paragraph.
type group struct{ i0, i1, j0, j1 int }

// diceSorted is the Dice coefficient of two sorted word signatures.
func diceSorted(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for x, y := 0, 0; x < len(a) && y < len(b); {
		switch {
		case a[x] == b[y]:
			common++
			x++
			y++
		case a[x] < b[y]:
			x++
		default:
			y++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// findGroups finds the splits and joins of stretch s, in order. A paragraph
// may join a group when it is unpaired, or paired (as edited) with the
// group's single paragraph on the other side.
func (m *matcher) findGroups(s stretch) []group {
	if s.i1-s.i0 == 0 || s.j1-s.j0 == 0 || (s.i1-s.i0 == 1 && s.j1-s.j0 == 1) {
		return nil
	}
	var out []group
	i, j := s.i0, s.j0
	for i < s.i1 && j < s.j1 {
		if g, ok := m.groupAt(s, i, j, true); ok {
			out = append(out, g)
			i, j = g.i1, g.j1
			continue
		}
		if g, ok := m.groupAt(s, i, j, false); ok {
			out = append(out, g)
			i, j = g.i1, g.j1
			continue
		}
		// Step past whatever is at the cursors, as build will emit it:
		// changed pairs are monotone, so two changed paragraphs at the
		// cursors are partners.
		switch {
		case m.kindA[i] != pairChanged:
			i++
		case m.kindB[j] != pairChanged:
			j++
		default:
			i++
			j++
		}
	}
	return out
}

// free reports whether old (or new) paragraph k may be in a group whose
// single paragraph on the other side is one: unpaired, or paired with one.
func (m *matcher) free(old bool, k, one int) bool {
	kind, part, ps := m.kindB, m.partB, m.pb
	if old {
		kind, part, ps = m.kindA, m.partA, m.pa
	}
	if len(ps[k].content) > maxGroupBytes || ps[k].content == "" {
		return false
	}
	return kind[k] == pairNone || kind[k] == pairChanged && part[k] == one
}

// groupAt tries a split of old paragraph i into new paragraphs from j on
// (split), or a join of old paragraphs from i on into new paragraph j.
func (m *matcher) groupAt(s stretch, i, j int, split bool) (group, bool) {
	single := func(old bool, k int) bool {
		kind, ps := m.kindB, m.pb
		if old {
			kind, ps = m.kindA, m.pa
		}
		return (kind[k] == pairNone || kind[k] == pairChanged) && ps[k].content != "" && len(ps[k].content) <= maxGroupBytes
	}
	if split && !single(true, i) || !split && !single(false, j) {
		return group{}, false
	}
	one, oneSig, manyEnd, manyOld := i, m.sig(true, i), s.j1, false
	if !split {
		one, oneSig, manyEnd, manyOld = j, m.sig(false, j), s.i1, true
	}
	start := j
	if !split {
		start = i
	}
	var sig []uint64
	bestSingle, best, bestN := 0.0, 0.0, 0
	for n := 1; n <= maxGroup && start+n-1 < manyEnd; n++ {
		k := start + n - 1
		if !m.free(manyOld, k, one) {
			break
		}
		piece := m.sig(manyOld, k)
		if d := diceSorted(oneSig, piece); float64(len(piece)+len(oneSig))*d/2 < minContained*float64(len(piece)) {
			break
		} else {
			bestSingle = max(bestSingle, d)
		}
		sig = append(sig, piece...)
		slices.Sort(sig)
		if n >= 2 {
			if d := diceSorted(oneSig, sig); d > best {
				best, bestN = d, n
			}
		}
	}
	if bestN < 2 || best < minGroupSimilarity || best <= bestSingle {
		return group{}, false
	}
	// The one side's own partner, if any, must be inside the group.
	if split && m.kindA[i] == pairChanged && (m.partA[i] < j || m.partA[i] >= j+bestN) ||
		!split && m.kindB[j] == pairChanged && (m.partB[j] < i || m.partB[j] >= i+bestN) {
		return group{}, false
	}
	if split {
		return group{i, i + 1, j, j + bestN}, true
	}
	return group{i, i + bestN, j, j + 1}, true
}

// joinParas is paragraphs ps joined by their separators, without the last
// one's.
func joinParas(ps []para) string {
	n := 0
	for k := range ps {
		n += len(ps[k].content) + len(ps[k].sep)
	}
	b := make([]byte, 0, n)
	for k := range ps {
		b = append(b, ps[k].content...)
		if k < len(ps)-1 {
			b = append(b, ps[k].sep...)
		}
	}
	return string(b)
}

// groupParagraph builds the paragraph of a split or a join: the old
// paragraphs' text diffed into the new ones', separators included, so that
// a paragraph cut in two shows as an inserted blank line and the words
// edited around it.
func (d *differ) groupParagraph(m *matcher, g group) Paragraph {
	a, b := joinParas(m.pa[g.i0:g.i1]), joinParas(m.pb[g.j0:g.j1])
	p := Paragraph{OldIndex: g.i0, NewIndex: g.j0}
	if g.j1-g.j0 > 1 {
		p.Kind, p.Count = KindSplit, g.j1-g.j0
	} else {
		p.Kind, p.Count = KindJoined, g.i1-g.i0
	}
	if d.opt.Mode == ModeLine {
		p.Chunks = appendChunk(appendChunk(nil, OpDelete, a), OpInsert, b)
	} else {
		p.Chunks = d.diffPair(a, b, g.i0, g.j0)
	}
	p.Chunks = appendSep(p.Chunks, m.pa[g.i1-1].sep, m.pb[g.j1-1].sep)
	return p
}
