package textdiff

import (
	"slices"
	"unicode/utf8"
)

// Similarity thresholds (Dice coefficient of the two paragraphs' word
// multisets) and the bounds that keep pairing near linear.
const (
	// pairThreshold: neighbours in a replaced stretch this similar are one
	// paragraph edited in place.
	pairThreshold = 0.5
	// pairThresholdAlone: a stretch replacing exactly one paragraph by one
	// paragraph needs less to be called an edit; its place already says so.
	pairThresholdAlone = 0.3
	// moveThreshold: a deleted and an inserted paragraph this similar, apart,
	// are one paragraph moved ("identical or nearly so").
	moveThreshold = 0.75
	// neighbourWindow is how many insertions ahead a deletion looks for its
	// edited counterpart within a stretch.
	neighbourWindow = 8
	// maxPosting: a word found in more unmatched paragraphs than this is too
	// common to find move candidates with.
	maxPosting = 64
	// moveProbeWords is how many of a paragraph's rarest words are used to
	// find its move candidates.
	moveProbeWords = 8
	// maxMoveIndex bounds the words indexed to find moved paragraphs with
	// edits (a 4 MB Russian text rewritten from scratch has about 280,000).
	maxMoveIndex = 400_000
)

// matcher pairs the paragraphs of the two texts.
type matcher struct {
	d        *differ
	pa, pb   []para
	ida, idb []int32
	// partA[i] is the new index paired with old paragraph i (-1: none), and
	// kindA[i] how; partB and kindB likewise from the new side.
	partA, partB []int
	kindA, kindB []pairKind
	sigA, sigB   [][]uint64 // word signatures, computed on demand
}

func (m *matcher) pair(i, j int, k pairKind) {
	m.partA[i], m.partB[j] = j, i
	m.kindA[i], m.kindB[j] = k, k
}

// stretch is a replaced stretch of the alignment: old [i0, i1) replaced by
// new [j0, j1).
type stretch struct{ i0, i1, j0, j1 int }

func stretches(ops []alignOp) []stretch {
	var out []stretch
	i, j := 0, 0
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		if op.kind == opEq {
			i += op.n
			j += op.n
			continue
		}
		s := stretch{i0: i, i1: i, j0: j, j1: j}
		if op.kind == opDel {
			s.i1 += op.n
			if k+1 < len(ops) && ops[k+1].kind == opIns {
				k++
				s.j1 += ops[k].n
			}
		} else {
			s.j1 += op.n
		}
		i, j = s.i1, s.j1
		out = append(out, s)
	}
	return out
}

// pairEqual pairs the paragraphs the alignment found equal (by key).
func (m *matcher) pairEqual(ops []alignOp) {
	i, j := 0, 0
	for _, op := range ops {
		switch op.kind {
		case opEq:
			for e := 0; e < op.n; e++ {
				m.pair(i+e, j+e, pairEqual)
			}
			i += op.n
			j += op.n
		case opDel:
			i += op.n
		case opIns:
			j += op.n
		}
	}
}

// pairExactMoves pairs a deleted paragraph with an inserted one of the same
// key anywhere in the text: a move. Empty paragraphs (leading blank lines)
// never move.
func (m *matcher) pairExactMoves(ss []stretch) {
	var ins map[int32][]int
	for _, s := range ss {
		for j := s.j0; j < s.j1; j++ {
			if m.pb[j].content == "" {
				continue
			}
			if ins == nil {
				ins = make(map[int32][]int)
			}
			ins[m.idb[j]] = append(ins[m.idb[j]], j)
		}
	}
	if ins == nil {
		return
	}
	for _, s := range ss {
		for i := s.i0; i < s.i1; i++ {
			if l := ins[m.ida[i]]; len(l) > 0 {
				m.pair(i, l[0], pairMoved)
				ins[m.ida[i]] = l[1:]
			}
		}
	}
}

// pairNeighbours pairs, within each replaced stretch, deleted and inserted
// paragraphs that are similar, keeping their order: those are paragraphs
// edited in place.
// maxSigBytes bounds the bytes of a paragraph whose words make its signature.
const maxSigBytes = 64 << 10

// maxWeighedPair is the size, in bytes of both sides, above which a single
// paragraph replacing a single one is paired without weighing their words.
const maxWeighedPair = 256 << 10

func (m *matcher) pairNeighbours(ss []stretch) {
	var dels, inss []int
	for _, s := range ss {
		dels, inss = dels[:0], inss[:0]
		for i := s.i0; i < s.i1; i++ {
			if m.kindA[i] == pairNone {
				dels = append(dels, i)
			}
		}
		for j := s.j0; j < s.j1; j++ {
			if m.kindB[j] == pairNone {
				inss = append(inss, j)
			}
		}
		if len(dels) == 0 || len(inss) == 0 {
			continue
		}
		threshold := pairThreshold
		if len(dels) == 1 && len(inss) == 1 {
			threshold = pairThresholdAlone
			// One huge paragraph replacing one: it is that paragraph's
			// revision (a word list, a text without blank lines), diffed
			// line by line if need be. Weighing its words would cost
			// more than the diff.
			if len(m.pa[dels[0]].content)+len(m.pb[inss[0]].content) > maxWeighedPair {
				m.pair(dels[0], inss[0], pairChanged)
				continue
			}
		}
		next := 0
		for _, i := range dels {
			best, bestSim := -1, threshold
			for w := next; w < len(inss) && w < next+neighbourWindow; w++ {
				if sim := m.similarity(i, inss[w]); sim > bestSim || sim == bestSim && best < 0 {
					best, bestSim = w, sim
				}
			}
			if best >= 0 {
				m.pair(i, inss[best], pairChanged)
				next = best + 1
			}
		}
	}
}

// pairNearMoves pairs the deleted and inserted paragraphs left over that are
// nearly identical: moves with edits. Candidates come from an index of the
// inserted paragraphs' words, probed with each deleted paragraph's rarest
// words, which keeps this near linear even when the texts share nothing.
func (m *matcher) pairNearMoves() {
	var post map[uint64][]int
	indexed := 0
	for j := range m.pb {
		if m.kindB[j] != pairNone || m.pb[j].content == "" {
			continue
		}
		if post == nil {
			post = make(map[uint64][]int)
		}
		sig := m.sig(false, j)
		if indexed += len(sig); indexed > maxMoveIndex {
			m.d.degrade("too many words in changed paragraphs to look for moved paragraphs with edits; only unchanged moves are shown as moves")
			return
		}
		for k, h := range sig {
			if k > 0 && sig[k-1] == h {
				continue
			}
			post[h] = append(post[h], j)
		}
	}
	if post == nil {
		return
	}
	type probe struct {
		h uint64
		n int
	}
	var probes []probe
	hits := make(map[int]int)
	for i := range m.pa {
		if m.kindA[i] != pairNone || m.pa[i].content == "" {
			continue
		}
		sig := m.sig(true, i)
		probes = probes[:0]
		for k, h := range sig {
			if k > 0 && sig[k-1] == h {
				continue
			}
			if n := len(post[h]); n > 0 && n <= maxPosting {
				probes = append(probes, probe{h, n})
			}
		}
		slices.SortFunc(probes, func(x, y probe) int { return x.n - y.n })
		np := min(len(probes), moveProbeWords)
		clear(hits)
		for _, p := range probes[:np] {
			for _, j := range post[p.h] {
				if m.kindB[j] == pairNone {
					hits[j]++
				}
			}
		}
		best, bestSim := -1, moveThreshold
		for j, n := range hits {
			// A near-identical paragraph shares most of the probe words.
			if 2*n < np {
				continue
			}
			// Ties go to the lowest index, so the result does not depend on
			// map iteration order.
			if sim := m.similarity(i, j); sim > bestSim || sim == bestSim && (best < 0 || j < best) {
				best, bestSim = j, sim
			}
		}
		if best >= 0 {
			m.pair(i, best, pairMoved)
		}
	}
}

// similarity of old paragraph i and new paragraph j, from 0 to 1: the Dice
// coefficient of their word multisets, or, if higher, the share of their text
// in a common beginning and end, which catches short paragraphs whose only
// word changed its ending ("кластеров" → "кластерам").
func (m *matcher) similarity(i, j int) float64 {
	return max(m.dice(i, j), affixShare(m.pa[i].key, m.pb[j].key))
}

func affixShare(a, b string) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 0
	}
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	return float64(p+s) / float64(n)
}

func (m *matcher) dice(i, j int) float64 {
	a, b := m.sig(true, i), m.sig(false, j)
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

// sig returns the sorted hashes of the words of a paragraph's key (so a list
// number does not count), computing them on first use.
func (m *matcher) sig(old bool, i int) []uint64 {
	sigs, ps := &m.sigB, m.pb
	if old {
		sigs, ps = &m.sigA, m.pa
	}
	if *sigs == nil {
		*sigs = make([][]uint64, len(ps))
	}
	if s := (*sigs)[i]; s != nil {
		return s
	}
	key := ps[i].key
	// The words of a huge paragraph's beginning stand for it: weighing
	// megabytes word by word would cost more than the diff.
	if len(key) > maxSigBytes {
		cut := maxSigBytes
		for cut > 0 && !utf8.RuneStart(key[cut]) {
			cut--
		}
		key = key[:cut]
	}
	s := make([]uint64, 0, 16)
	m.d.tokA = tokenize(key, m.d.tokA)
	for _, t := range m.d.tokA {
		if c, _ := decode(key, int(t.start)); isWordRune(c) {
			s = append(s, hashString(key[t.start:t.end]))
		}
	}
	slices.Sort(s)
	(*sigs)[i] = s
	return s
}
