package textdiff

import (
	"slices"
	"strings"
)

// MergeResult is the outcome of a three-way merge.
//
// Invariants: Conflicts are in text order and do not overlap; for each
// conflict c, Text[c.Start:c.End] (in code points) is exactly c.Ours; and
// nothing either side changed is lost: a change of theirs is either applied
// in Text or inside a conflict, whose Theirs carries it, and a change of
// ours is in Text, as Text holds ours' version of every conflicting region.
type MergeResult struct {
	// Text is the merged text. Each conflicting region holds ours' version.
	Text string
	// Conflicts are the regions both sides changed in ways that do not
	// combine, in the order they appear in Text.
	Conflicts []Conflict
}

// Conflict is a region of whole paragraphs that ours and theirs changed
// differently. Each version is the region's paragraphs joined by their
// separators, without the separator after the last one; a version may be
// empty (that side deleted the region, or has nothing there).
type Conflict struct {
	// Base, Ours and Theirs are the region's text in each version.
	Base, Ours, Theirs string
	// Start and End are the code-point offsets of the region in Text,
	// which holds ours' version there: Text[Start:End] == Ours. (Like
	// Diff's, for text that is not valid UTF-8 they count the bytes that
	// are not UTF-8 continuation bytes.)
	Start, End int
}

// Merge3 carries the changes from base to theirs onto ours: the three-way
// merge of a proposal (theirs, written against base) into a draft that has
// moved on since (ours).
//
// It works like diff3, at two levels. Both sides' paragraphs are aligned
// with base the way Diff aligns them (so moves and renumbering are
// recognised); a change only one side made applies, an identical change on
// both sides applies once, and a paragraph both sides edited in place is
// merged word by word, where edits to separate words combine and edits to
// the same words conflict. A move carries the other side's edits of the
// paragraph to its new place. What cannot be combined (overlapping edits,
// a paragraph deleted on one side and edited on the other, different
// paragraphs inserted at the same place, a paragraph moved to two places,
// the same new paragraph or line added by each side at another place)
// becomes a Conflict, and Text holds ours' version of it. A change is never
// dropped silently.
//
// Whitespace between paragraphs is merged without conflicts: ours' wins
// where both sides changed it.
func Merge3(base, ours, theirs string) *MergeResult {
	switch {
	case ours == theirs, theirs == base:
		return &MergeResult{Text: ours}
	case ours == base:
		return &MergeResult{Text: theirs}
	}
	d := newDiffer(Options{}.withDefaults())
	group := 1
	if n := max(paragraphBound(base), paragraphBound(ours), paragraphBound(theirs)); n > maxParagraphs {
		// The same grouping on all three sides, so that groups align.
		group = (n + maxParagraphs - 1) / maxParagraphs * 2
	}
	pb := splitParagraphs(base, group)
	po := splitParagraphs(ours, group)
	pt := splitParagraphs(theirs, group)
	idOf := make(map[string]int32, len(pb)+len(po)/4+len(pt)/4)
	ids := func(ps []para) []int32 {
		out := make([]int32, len(ps))
		for i := range ps {
			out[i] = internID(idOf, ps[i].key)
		}
		return out
	}
	ib := ids(pb)
	mo, _ := d.pairParagraphs(pb, po, ib, ids(po))
	mt, _ := d.pairParagraphs(pb, pt, ib, ids(pt))
	m := &merger{d: d, base: pb}
	m.sides[0] = newMergeSide(po, mo)
	m.sides[1] = newMergeSide(pt, mt)
	m.sides[0].buildHunks(pb, m.sides[1], 0)
	m.sides[1].buildHunks(pb, m.sides[0], 1)
	m.cluster()
	m.resolve()
	m.settleIdentical()
	for m.refuseDuplicates(base, ours, theirs) {
	}
	return m.emit(len(base) + len(theirs) - len(ours)/8)
}

// mergeSide is one side of a merge, related to the base paragraph by
// paragraph.
type mergeSide struct {
	ps   []para
	part []int      // base i -> this side's paragraph, -1 when it has none
	kind []pairKind // base i -> how it is paired
	back []int      // side j -> base paragraph, -1 when inserted

	hunks   []hunk
	cover   []int // base i -> index of the hunk that replaces or modifies it, -1
	holds   []int // side j -> index of the hunk that inserts it, -1
	cluster []int // hunk index -> cluster index
}

func newMergeSide(ps []para, m *matcher) *mergeSide {
	return &mergeSide{ps: ps, part: m.partA, kind: m.kindA, back: m.partB,
		cover: filled(len(m.partA), -1), holds: filled(len(ps), -1)}
}

// inPlace reports whether base paragraph i keeps its place on this side:
// unchanged, renumbered or edited, but neither moved nor deleted.
func (x *mergeSide) inPlace(i int) bool {
	return x.kind[i] == pairEqual || x.kind[i] == pairChanged
}

// buildHunks turns the side's pairing into hunks: between two consecutive
// paragraphs kept in place, the base paragraphs not kept in place (deleted
// or moved away) are replaced by the side's paragraphs not kept in place
// (inserted or moved here); a paragraph kept in place with new content is a
// modify hunk of its own, unless the other side moved it, in which case its
// edit travels with the move instead.
func (x *mergeSide) buildHunks(base []para, y *mergeSide, side int) {
	add := func(h hunk) {
		h.side, h.idx = side, len(x.hunks)
		for i := h.s; i < h.e; i++ {
			x.cover[i] = h.idx
		}
		if !h.modify {
			for j := h.from; j < h.to; j++ {
				x.holds[j] = h.idx
			}
		}
		x.hunks = append(x.hunks, h)
	}
	i, j := 0, 0
	for bi := 0; bi <= len(base); bi++ {
		if bi < len(base) && !x.inPlace(bi) {
			continue
		}
		sj := len(x.ps)
		if bi < len(base) {
			sj = x.part[bi]
		}
		if i < bi || j < sj {
			add(hunk{s: i, e: bi, from: j, to: sj})
		}
		if bi == len(base) {
			break
		}
		if x.ps[sj].content != base[bi].content && y.kind[bi] != pairMoved {
			add(hunk{s: bi, e: bi + 1, from: sj, to: sj + 1, modify: true})
		}
		i, j = bi+1, sj+1
	}
	x.cluster = make([]int, len(x.hunks))
}

// merger holds the state of one Merge3 call.
type merger struct {
	d        *differ
	base     []para
	sides    [2]*mergeSide
	clusters []mergeCluster
}

// mergeCluster is a cluster of hunks and how it merges.
type mergeCluster struct {
	hunkCluster
	conflict bool
	out      []piece // the merged paragraphs, unless conflict
}

// piece is one paragraph of output: its text and the separator after it.
type piece struct{ content, sep string }

func (m *merger) cluster() {
	cs := clusterHunks(m.sides[0].hunks, m.sides[1].hunks, collidesParagraphs)
	m.clusters = make([]mergeCluster, len(cs))
	for ci, c := range cs {
		m.clusters[ci].hunkCluster = c
		for _, h := range c.hs {
			m.sides[h.side].cluster[h.idx] = ci
		}
	}
}

// resolve decides every cluster: merged, or a conflict. A move links the
// cluster it leaves with the cluster it arrives in, and a conflict in one of
// them makes the other one a conflict too: the moved paragraph's edits by
// the other side then stay visible in one of the two conflicts, never lost
// between a conflict and a clean merge.
func (m *merger) resolve() {
	for ci := range m.clusters {
		c := &m.clusters[ci]
		c.out, c.conflict = m.resolveCluster(ci)
	}
	parent := make([]int, len(m.clusters))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	linked := false
	for _, x := range m.sides {
		for i, k := range x.kind {
			if k != pairMoved {
				continue
			}
			a := find(x.cluster[x.cover[i]])
			b := find(x.cluster[x.holds[x.part[i]]])
			if a != b {
				parent[a] = b
				linked = true
			}
		}
	}
	if !linked {
		return
	}
	bad := make(map[int]bool)
	for ci := range m.clusters {
		if m.clusters[ci].conflict {
			bad[find(ci)] = true
		}
	}
	for ci := range m.clusters {
		if bad[find(ci)] {
			m.clusters[ci].conflict = true
		}
	}
}

// settleIdentical turns every conflict whose two sides are the same text
// into that text: both authors wrote it, so there is nothing to choose.
func (m *merger) settleIdentical() {
	for ci := range m.clusters {
		c := &m.clusters[ci]
		if !c.conflict {
			continue
		}
		ours, theirs := m.region(c, 0), m.region(c, 1)
		if slices.Equal(ours, theirs) {
			c.conflict, c.out = false, ours
		}
	}
}

// refuseDuplicates is the last check of a merge, diff3's caution made
// explicit: no line of the merged text may appear more often than the
// inputs account for (in ours, in theirs, or, for a line of base that some
// input has more than once, added by both: ours + theirs − base), and a line
// none of them has, more than once. A line each input has at most once is
// never written twice: ours and theirs adding it at two places is a move of
// new text as much as two additions. A clean region that carries a line too
// many (a table row, a list entry, a header line merged twice, a paragraph
// each side added at another place) becomes a conflict, unless both sides
// wrote the region alike (the line too many is then another region's). It
// reports whether it changed anything, so that the caller checks again.
func (m *merger) refuseDuplicates(base, ours, theirs string) bool {
	out := m.layout()
	merged := make(map[string]int)
	for _, op := range out {
		eachLine(op.content, func(l string) { merged[l]++ })
	}
	count := func(text string) map[string]int {
		n := make(map[string]int)
		eachLine(text, func(l string) {
			if _, ok := merged[l]; ok {
				n[l]++
			}
		})
		return n
	}
	nb, no, nt := count(base), count(ours), count(theirs)
	changed := false
	same := make(map[int]bool)
	for _, op := range out {
		if op.ci < 0 || op.conflict || m.clusters[op.ci].conflict {
			continue
		}
		// A region both sides wrote alike holds a line where each of them
		// has it; the line too many comes from a region where they differ.
		s, ok := same[op.ci]
		if !ok {
			c := &m.clusters[op.ci]
			s = slices.Equal(m.region(c, 0), m.region(c, 1))
			same[op.ci] = s
		}
		if s {
			continue
		}
		eachLine(op.content, func(l string) {
			if m.clusters[op.ci].conflict {
				return
			}
			allowed := max(1, no[l], nt[l])
			if nb[l] > 0 && max(nb[l], no[l], nt[l]) > 1 {
				// A line of base that some input repeats (a table
				// rule, a code fence) may be added by both sides.
				allowed = max(allowed, no[l]+nt[l]-nb[l])
			}
			if merged[l] > allowed {
				m.clusters[op.ci].conflict = true
				changed = true
			}
		})
	}
	return changed
}

// eachLine calls fn with every line of s that has more than whitespace,
// without its surrounding whitespace.
func eachLine(s string, fn func(string)) {
	for s != "" {
		l := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if l = strings.TrimSpace(l); l != "" {
			fn(l)
		}
	}
}

// outPiece is a paragraph of the merged text and where it comes from: the
// cluster ci (-1 for a paragraph outside every cluster), as merged or, when
// conflict, as ours' version of the conflict.
type outPiece struct {
	piece
	ci       int
	conflict bool
}

// layout lists the paragraphs of the merged text in order.
func (m *merger) layout() []outPiece {
	out := make([]outPiece, 0, len(m.base))
	inPlace := func(i int) piece {
		o, t := m.sides[0], m.sides[1]
		return piece{m.base[i].content, mergeSep(m.base[i].sep, o.ps[o.part[i]].sep, t.ps[t.part[i]].sep)}
	}
	p := 0
	for ci := range m.clusters {
		c := &m.clusters[ci]
		for ; p < c.s; p++ {
			out = append(out, outPiece{inPlace(p), -1, false})
		}
		p = c.e
		if !c.conflict {
			for _, q := range c.out {
				out = append(out, outPiece{q, ci, false})
			}
			continue
		}
		for _, q := range m.region(c, 0) {
			out = append(out, outPiece{q, ci, true})
		}
	}
	for ; p < len(m.base); p++ {
		out = append(out, outPiece{inPlace(p), -1, false})
	}
	return out
}

// resolveCluster merges cluster ci, or reports a conflict.
func (m *merger) resolveCluster(ci int) (out []piece, conflict bool) {
	c := &m.clusters[ci]
	hs := c.hs
	var ok bool
	switch {
	case len(hs) == 1:
		out, ok = m.apply(hs[0], ci)
	case len(hs) == 2 && hs[0].modify && hs[1].modify:
		// Both edited the same paragraph in place: merge its words.
		o, t := hs[0], hs[1]
		if o.side != 0 {
			o, t = t, o
		}
		po, pt := &m.sides[0].ps[o.from], &m.sides[1].ps[t.from]
		var text string
		text, ok = m.d.mergeWords(m.base[o.s].content, po.content, pt.content)
		out = []piece{{text, mergeSep(m.base[o.s].sep, po.sep, pt.sep)}}
	case len(hs) == 2 && m.identical(hs[0], hs[1]):
		o := hs[0]
		if o.side != 0 {
			o = hs[1]
		}
		out, ok = m.apply(o, ci)
	case c.pureDeletions():
		ok = true
	}
	return out, !ok
}

// identical reports whether two hunks of different sides make the same
// change: same base range, same paragraphs in the same order, each either
// new on both sides or the same base paragraph moved.
func (m *merger) identical(a, b hunk) bool {
	if a.s != b.s || a.e != b.e || a.to-a.from != b.to-b.from {
		return false
	}
	x, y := m.sides[a.side], m.sides[b.side]
	for k := 0; k < a.to-a.from; k++ {
		pa, pb := &x.ps[a.from+k], &y.ps[b.from+k]
		if pa.content != pb.content {
			return false
		}
		if !a.modify && !b.modify && x.back[a.from+k] != y.back[b.from+k] {
			return false
		}
	}
	return true
}

// apply merges a hunk that no hunk of the other side collides with (or an
// identical one does): its paragraphs replace the base range. A paragraph
// it moved here takes the other side's edits of it along; a conflict is
// reported when they do not combine, when the other side deleted a
// paragraph this side edited while moving it, or moved it elsewhere.
func (m *merger) apply(h hunk, ci int) ([]piece, bool) {
	x, y := m.sides[h.side], m.sides[1-h.side]
	if h.modify {
		p := &x.ps[h.from]
		sep := p.sep
		if y.inPlace(h.s) {
			sep = mergeSep(m.base[h.s].sep, p.sep, y.ps[y.part[h.s]].sep)
			if h.side == 1 {
				sep = mergeSep(m.base[h.s].sep, y.ps[y.part[h.s]].sep, p.sep)
			}
		}
		return []piece{{p.content, sep}}, true
	}
	out := make([]piece, 0, h.to-h.from)
	for j := h.from; j < h.to; j++ {
		p := &x.ps[j]
		i := x.back[j]
		if i < 0 {
			out = append(out, piece{p.content, p.sep})
			continue
		}
		switch {
		case y.inPlace(i):
			q := &y.ps[y.part[i]]
			o, t := p.content, q.content
			if h.side == 1 {
				o, t = t, o
			}
			text, ok := m.d.mergeWords(m.base[i].content, o, t)
			if !ok {
				return nil, false
			}
			out = append(out, piece{text, p.sep})
		case y.kind[i] == pairNone:
			// The other side deleted it; a pure move does not bring it
			// back, a move with edits conflicts with the deletion.
			if p.content != m.base[i].content {
				return nil, false
			}
		default:
			// Both moved it: fine if to the same place (an identical
			// hunk, in this very cluster), a conflict otherwise.
			if y.cluster[y.holds[y.part[i]]] != ci {
				return nil, false
			}
			q := &y.ps[y.part[i]]
			o, t := p.content, q.content
			if h.side == 1 {
				o, t = t, o
			}
			text, ok := m.d.mergeWords(m.base[i].content, o, t)
			if !ok {
				return nil, false
			}
			out = append(out, piece{text, p.sep})
		}
	}
	return out, true
}

// mergeSep merges the whitespace after a paragraph: ours' where it
// changed, theirs' otherwise.
func mergeSep(base, ours, theirs string) string {
	if ours == base {
		return theirs
	}
	return ours
}

// mergeText accumulates the merged text and tracks code-point offsets.
// A paragraph's separator is written only once the next paragraph comes,
// so that it can be mended, and the text's final whitespace is merged on
// its own: a paragraph that ended one side's text may end up in the middle
// of the merge, and one from the middle may end it.
type mergeText struct {
	b       strings.Builder
	pos     int // code points written
	pending string
	started bool
	blank   bool // the last paragraph written is leading blank lines
}

func (w *mergeText) write(s string) {
	w.b.WriteString(s)
	w.pos += runeCount(s)
}

// put writes one paragraph and returns the code-point offset of its text.
func (w *mergeText) put(p piece) int {
	if w.started {
		sep := w.pending
		// Paragraphs are separated by a blank line; without one, two
		// paragraphs would run together into one.
		if n := strings.Count(sep, "\n"); n < 2 && p.content != "" && !w.blank {
			sep += strings.Repeat("\n", 2-n)
		}
		w.write(sep)
	}
	start := w.pos
	w.write(p.content)
	w.pending, w.started, w.blank = p.sep, true, p.content == ""
	return start
}

// finish writes the text's final whitespace.
func (w *mergeText) finish(final string) string {
	if w.started {
		w.write(final)
	}
	return w.b.String()
}

// finalSep is the whitespace a list of paragraphs ends with.
func finalSep(ps []para) string {
	if len(ps) == 0 {
		return ""
	}
	return ps[len(ps)-1].sep
}

func (m *merger) emit(sizeHint int) *MergeResult {
	var w mergeText
	w.b.Grow(max(sizeHint, 0))
	var conflicts []Conflict
	inPlace := func(i int) piece {
		o, t := m.sides[0], m.sides[1]
		return piece{m.base[i].content, mergeSep(m.base[i].sep, o.ps[o.part[i]].sep, t.ps[t.part[i]].sep)}
	}
	p := 0
	for ci := range m.clusters {
		c := &m.clusters[ci]
		for ; p < c.s; p++ {
			w.put(inPlace(p))
		}
		p = c.e
		if !c.conflict {
			for _, q := range c.out {
				w.put(q)
			}
			continue
		}
		ours := m.region(c, 0)
		cf := Conflict{Base: joinPieces(basePieces(m.base[c.s:c.e])), Ours: joinPieces(ours), Theirs: joinPieces(m.region(c, 1))}
		cf.Start = w.pos
		for k, q := range ours {
			start := w.put(q)
			if k == 0 {
				cf.Start = start
			}
		}
		cf.End = w.pos
		conflicts = append(conflicts, cf)
	}
	for ; p < len(m.base); p++ {
		w.put(inPlace(p))
	}
	text := w.finish(mergeSep(finalSep(m.base), finalSep(m.sides[0].ps), finalSep(m.sides[1].ps)))
	return &MergeResult{Text: text, Conflicts: conflicts}
}

// region returns one side's own version of a conflicting cluster: its
// paragraphs kept in place there, and its hunks, as they are.
func (m *merger) region(c *mergeCluster, side int) []piece {
	x := m.sides[side]
	var out []piece
	keep := func(i int) {
		if x.inPlace(i) {
			q := &x.ps[x.part[i]]
			out = append(out, piece{q.content, q.sep})
		}
	}
	i := c.s
	for _, h := range c.hs {
		if h.side != side {
			continue
		}
		for ; i < h.s; i++ {
			keep(i)
		}
		for j := h.from; j < h.to; j++ {
			out = append(out, piece{x.ps[j].content, x.ps[j].sep})
		}
		i = max(i, h.e)
	}
	for ; i < c.e; i++ {
		keep(i)
	}
	return out
}

func basePieces(ps []para) []piece {
	out := make([]piece, len(ps))
	for i := range ps {
		out[i] = piece{ps[i].content, ps[i].sep}
	}
	return out
}

// joinPieces joins paragraphs with their separators, leaving out the
// separator after the last one.
func joinPieces(ps []piece) string {
	var b strings.Builder
	for k, p := range ps {
		b.WriteString(p.content)
		if k < len(ps)-1 {
			b.WriteString(p.sep)
		}
	}
	return b.String()
}

// mergeWords merges the edits ours and theirs made to one paragraph, base,
// like diff3 does: token by token (words, whitespace runs, punctuation) for
// a paragraph of one line, line by line for one of several lines (a table,
// a list, a block of "key: value" lines, hard-wrapped text), whose lines
// are its units. Edits to separate tokens combine and identical edits apply
// once; edits that overlap or touch (with nothing but whitespace between
// them: an insertion right beside a word the other side replaced) conflict,
// which is reported as !ok, and so do two different deletions that overlap.
// A pair over the diff budget is a conflict too.
func (d *differ) mergeWords(base, ours, theirs string) (string, bool) {
	switch {
	case ours == theirs, theirs == base:
		return ours, true
	case ours == base:
		return theirs, true
	}
	split := tokenize
	if strings.Contains(base, "\n") || strings.Contains(ours, "\n") || strings.Contains(theirs, "\n") {
		split = tokenizeLines
	}
	tb := split(base, nil)
	to := split(ours, nil)
	tt := split(theirs, nil)
	ho, ok := d.tokenHunks(base, ours, tb, to, 0)
	if !ok {
		return "", false
	}
	ht, ok := d.tokenHunks(base, theirs, tb, tt, 1)
	if !ok {
		return "", false
	}
	texts := [2]string{ours, theirs}
	toks := [2][]span{to, tt}
	repl := func(h hunk) string {
		if h.from == h.to {
			return ""
		}
		ts := toks[h.side]
		return texts[h.side][ts[h.from].start:ts[h.to-1].end]
	}
	baseRange := func(s, e int) string {
		if s >= e {
			return ""
		}
		return base[tb[s].start:tb[e-1].end]
	}
	// spaceBetween reports whether base tokens [s, e) are whitespace only.
	spaceBetween := func(s, e int) bool {
		for k := s; k < e; k++ {
			if !isSeparatorText(base[tb[k].start:tb[k].end]) {
				return false
			}
		}
		return true
	}
	collide := func(a, b hunk) bool {
		if overlaps(a, b) {
			return true
		}
		if a.e <= b.s {
			return spaceBetween(a.e, b.s)
		}
		return spaceBetween(b.e, a.s)
	}
	// version is what one side made of the base tokens [s, e), given its
	// hunks there.
	version := func(c *hunkCluster, side int) string {
		var b strings.Builder
		p := c.s
		for _, h := range c.hs {
			if h.side != side {
				continue
			}
			b.WriteString(baseRange(p, h.s))
			b.WriteString(repl(h))
			p = h.e
		}
		b.WriteString(baseRange(p, c.e))
		return b.String()
	}
	var b strings.Builder
	b.Grow(max(0, len(ours)+len(theirs)-len(base)))
	p := 0
	for _, c := range clusterHunks(ho, ht, collide) {
		b.WriteString(baseRange(p, c.s))
		switch {
		case len(c.hs) == 1:
			b.WriteString(repl(c.hs[0]))
		default:
			// Both sides changed this stretch: clean only if to the same.
			v := version(&c, 0)
			if v != version(&c, 1) {
				return "", false
			}
			b.WriteString(v)
		}
		p = c.e
	}
	b.WriteString(baseRange(p, len(tb)))
	return b.String(), true
}

// tokenHunks diffs the tokens of a (the base) and b, returning b's changes
// as hunks on token indices, for side side. Like tokenDiff it maps tokens to
// runes for go-diff, trims common ends first and charges the budget; it
// reports !ok when the pair is over it.
func (d *differ) tokenHunks(a, b string, ta, tb []span, side int) ([]hunk, bool) {
	p := 0
	for p < len(ta) && p < len(tb) && a[ta[p].start:ta[p].end] == b[tb[p].start:tb[p].end] {
		p++
	}
	s := 0
	for s < len(ta)-p && s < len(tb)-p &&
		a[ta[len(ta)-1-s].start:ta[len(ta)-1-s].end] == b[tb[len(tb)-1-s].start:tb[len(tb)-1-s].end] {
		s++
	}
	ma, mb := ta[p:len(ta)-s], tb[p:len(tb)-s]
	if len(ma)+len(mb) > maxMyersItems || !d.charge(int64(len(ma))*int64(len(mb))) {
		return nil, false
	}
	var hs []hunk
	add := func(s, e, from, to int) {
		hs = append(hs, hunk{s: s, e: e, from: from, to: to, side: side, idx: len(hs)})
	}
	if len(ma) == 0 || len(mb) == 0 {
		if len(ma)+len(mb) > 0 {
			add(p, p+len(ma), p, p+len(mb))
		}
		return hs, true
	}
	d.resetTokRunes()
	ra, rb := d.runesA[:0], d.runesB[:0]
	for _, t := range ma {
		ra = append(ra, d.tokenRune(a[t.start:t.end]))
	}
	for _, t := range mb {
		rb = append(rb, d.tokenRune(b[t.start:t.end]))
	}
	d.runesA, d.runesB = ra, rb
	x, y := p, p
	hx, hy, open := 0, 0, false
	for _, e := range d.md.diff(ra, rb) {
		n := e.n
		if e.op == opEq {
			if open {
				add(hx, x, hy, y)
				open = false
			}
			x += n
			y += n
			continue
		}
		if !open {
			hx, hy, open = x, y, true
		}
		if e.op == opDel {
			x += n
		} else {
			y += n
		}
	}
	if open {
		add(hx, x, hy, y)
	}
	slideHunks(hs, a, b, ta, tb)
	// go-diff spells both middles exactly; anything else is treated as a
	// pair that cannot be merged rather than trusted.
	return hs, x == len(ta)-s && y == len(tb)-s
}

// slideHunks moves every pure deletion or insertion as far right as it can
// go without changing what it does: deleting " word" after "x" is the same
// as deleting "word " before "y", and two sides that made that same
// deletion must show the same hunk, or their union would also delete the
// space between "x" and "y". A hunk stops one token short of the next.
func slideHunks(hs []hunk, a, b string, ta, tb []span) {
	tokA := func(i int) string { return a[ta[i].start:ta[i].end] }
	tokB := func(j int) string { return b[tb[j].start:tb[j].end] }
	for k := range hs {
		h := &hs[k]
		limit := len(ta)
		if k+1 < len(hs) {
			limit = hs[k+1].s - 1
		}
		switch {
		case h.from == h.to: // deletion
			for h.e < limit && tokA(h.s) == tokA(h.e) {
				h.s++
				h.e++
			}
		case h.s == h.e: // insertion
			for h.s < limit && h.to < len(tb) && tokB(h.from) == tokA(h.s) && tokB(h.to) == tokA(h.s) {
				h.s++
				h.e++
				h.from++
				h.to++
			}
		}
	}
}
