package textdiff

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// differ holds the state of one Diff call.
type differ struct {
	opt Options
	// ctx, when set (DiffContext), is checked between runs; once it is
	// done, cancelled is set and the Result is thrown away, never served.
	ctx       context.Context
	cancelled bool
	dmp       *diffmatchpatch.DiffMatchPatch
	md        myersDiff // go-diff's Myers on ids, without its strings
	tokIDs    internScratch
	chunkSlab []Chunk // see twoChunks
	lcs       lcsScratch
	patOut    []medit // tokenEdits' edits of a patience split, reused
	spent     int64   // pair diff cost spent so far, against opt.MaxTotalCost
	// alignSpent is the alignment cost spent so far, against the same total:
	// many regions each within MaxAlignCost must not add up to minutes.
	alignSpent int64
	reasons    []string
	nReason    int

	// Scratch space reused across go-diff runs.
	tokRune        map[string]rune
	runesA, runesB []rune
	tokA, tokB     []span
}

// late reports whether DiffContext's context is done: what is left is then
// skipped, as the Result will not be used.
func (d *differ) late() bool {
	if d.ctx == nil {
		return false
	}
	if !d.cancelled && d.ctx.Err() != nil {
		d.cancelled = true
	}
	return d.cancelled
}

func (d *differ) degrade(reason string) {
	d.nReason++
	if len(d.reasons) < maxReasons {
		d.reasons = append(d.reasons, reason)
	}
}

// maxReasons bounds the reasons spelled out in DegradedReason.
const maxReasons = 5

// Diff computes the redline from old to new. It never fails: parts that
// exceed the budgets in opt are diffed more coarsely and the Result is marked
// Degraded.
//
// Texts are meant to be UTF-8 (Redline's API and CLI reject anything else),
// but Diff does not spend a pass checking: it works on bytes, and any input,
// valid or not, is reproduced exactly by the Result's chunks. With invalid
// UTF-8, offsets count each byte that is not a UTF-8 continuation byte, and
// char mode falls back to word mode for the paragraphs concerned.
func Diff(old, new string, opt Options) *Result {
	opt = opt.withDefaults()
	d := newDiffer(opt)
	return d.finish(d.run(old, new))
}

// finish records in r why it was degraded.
func (d *differ) finish(r *Result) *Result {
	if d.nReason > 0 {
		r.Degraded = true
		r.DegradedReason = strings.Join(d.reasons, "; ")
		if d.nReason > len(d.reasons) {
			r.DegradedReason += fmt.Sprintf("; and %d more", d.nReason-len(d.reasons))
		}
	}
	return r
}

// newDiffer prepares the state of one Diff or Merge3 call; opt must have its
// defaults filled in.
func newDiffer(opt Options) *differ {
	dmp := diffmatchpatch.New()
	// No deadline: every go-diff run here is bounded by our own budgets, and a
	// deadline would silently turn a diff into "delete all, insert all".
	dmp.DiffTimeout = 0
	return &differ{
		opt:     opt,
		dmp:     dmp,
		tokRune: make(map[string]rune),
	}
}

// pairing of one paragraph with its counterpart on the other side.
type pairKind uint8

const (
	pairNone    pairKind = iota // inserted or deleted
	pairEqual                   // same key: equal, or renumbered
	pairChanged                 // similar neighbours in a replaced stretch
	pairMoved                   // same or nearly the same content elsewhere
)

func (d *differ) run(old, new string) *Result {
	group := 1
	// Paragraphs are at least two line breaks apart, so counting line breaks
	// (fast) spares counting paragraphs (slower) for all but huge texts.
	if n := max(paragraphBound(old), paragraphBound(new)); n > maxParagraphs {
		group = (n + maxParagraphs - 1) / maxParagraphs * 2
		d.degrade(fmt.Sprintf("%d paragraphs: compared in groups of about %d paragraphs", n, group))
	}
	pa := splitParagraphs(old, group)
	pb := splitParagraphs(new, group)

	// Paragraph ids by key, as go-diff's line mode hashes lines (its own
	// scratch: the ids live as long as the alignment).
	var sc internScratch
	ida, idb := sc.internKeys(pa, pb)
	m, ops := d.pairParagraphs(pa, pb, ida, idb)
	return d.build(m, ops)
}

// pairParagraphs aligns the paragraphs pa and pb, whose keys have the ids
// ida and idb, and pairs them: equal, edited in place, moved, or neither.
// Merge3 relates both sides to the base with it, the way Diff does.
func (d *differ) pairParagraphs(pa, pb []para, ida, idb []int32) (*matcher, []alignOp) {
	ops := d.align(ida, idb, "paragraphs")
	m := &matcher{
		d: d, pa: pa, pb: pb, ida: ida, idb: idb,
		partA: filled(len(pa), -1), partB: filled(len(pb), -1),
		kindA: make([]pairKind, len(pa)), kindB: make([]pairKind, len(pb)),
	}
	m.pairEqual(ops)
	ss := stretches(ops)
	m.pairExactMoves(ss)
	m.pairNeighbours(ss)
	m.pairNearMoves()
	return m, ops
}

// paragraphBound returns the number of paragraphs of text when it may
// exceed maxParagraphs, and 0 when it certainly does not.
func paragraphBound(text string) int {
	if strings.Count(text, "\n")/2+2 <= maxParagraphs {
		return 0
	}
	return countParagraphs(text)
}

func internID(idOf map[string]int32, key string) int32 {
	id, ok := idOf[key]
	if !ok {
		id = int32(len(idOf))
		idOf[key] = id
	}
	return id
}

func filled(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// build walks the alignment and turns it into the Result's paragraphs.
func (d *differ) build(m *matcher, ops []alignOp) *Result {
	r := &Result{Mode: d.opt.Mode, Paragraphs: make([]Paragraph, 0, max(len(m.pa), len(m.pb)))}
	var oldPos, newPos int // in code points
	emit := func(p Paragraph, renum bool) {
		r.Stats.add(&p, renum)
		p.OldStart, p.NewStart = oldPos, newPos
		for _, c := range p.Chunks {
			n := runeCount(c.Text)
			if c.Op != OpInsert {
				oldPos += n
			}
			if c.Op != OpDelete {
				newPos += n
			}
		}
		r.Paragraphs = append(r.Paragraphs, p)
	}
	i, j := 0, 0
	for k := 0; k < len(ops); k++ {
		op := ops[k]
		if op.kind == opEq {
			for e := 0; e < op.n; e++ {
				emit(d.pairParagraph(m, i, j), false)
				i++
				j++
			}
			continue
		}
		// A replaced stretch: a deletion run and/or an insertion run.
		i1, j1 := i, j
		if op.kind == opDel {
			i1 += op.n
			if k+1 < len(ops) && ops[k+1].kind == opIns {
				k++
				j1 += ops[k].n
			}
		} else {
			j1 += op.n
		}
		gs := m.findGroups(stretch{i, i1, j, j1})
		gk := 0 // the next group
		inGroup := func(k int, old bool) bool {
			if gk >= len(gs) {
				return false
			}
			if old {
				return k >= gs[gk].i0 && k < gs[gk].i1
			}
			return k >= gs[gk].j0 && k < gs[gk].j1
		}
		for i < i1 || j < j1 {
			switch {
			case gk < len(gs) && i == gs[gk].i0 && j == gs[gk].j0:
				emit(d.groupParagraph(m, gs[gk]), false)
				i, j = gs[gk].i1, gs[gk].j1
				gk++
			case i < i1 && m.kindA[i] != pairChanged && !inGroup(i, true):
				if m.kindA[i] == pairMoved {
					emit(Paragraph{Kind: KindMovedFrom, OldIndex: i, NewIndex: -1,
						Chunks: wholeChunks(OpDelete, &m.pa[i]), Move: &Move{OldIndex: i, NewIndex: m.partA[i]}}, false)
				} else {
					emit(Paragraph{Kind: KindDeleted, OldIndex: i, NewIndex: -1, Chunks: wholeChunks(OpDelete, &m.pa[i])}, false)
				}
				i++
			case j < j1 && m.kindB[j] != pairChanged && !inGroup(j, false):
				if m.kindB[j] == pairMoved {
					from := m.partB[j]
					mv := &Move{OldIndex: from, NewIndex: j, Chunks: d.contentChunks(&m.pa[from], &m.pb[j], from, j)}
					renum := m.pa[from].content != m.pb[j].content && renumberable(&m.pa[from], &m.pb[j])
					emit(Paragraph{Kind: KindMovedTo, OldIndex: -1, NewIndex: j, Chunks: wholeChunks(OpInsert, &m.pb[j]), Move: mv}, renum)
				} else {
					emit(Paragraph{Kind: KindInserted, OldIndex: -1, NewIndex: j, Chunks: wholeChunks(OpInsert, &m.pb[j])}, false)
				}
				j++
			default:
				// Changed pairs are monotone within a stretch, so both
				// cursors now sit on the two halves of one pair.
				emit(d.pairParagraph(m, i, j), false)
				i++
				j++
			}
		}
	}
	return r
}

// pairParagraph builds the paragraph for old i paired with new j.
func (d *differ) pairParagraph(m *matcher, i, j int) Paragraph {
	a, b := &m.pa[i], &m.pb[j]
	p := Paragraph{OldIndex: i, NewIndex: j}
	switch {
	case a.content == b.content:
		p.Kind = KindEqual
		p.Chunks = appendChunk(d.twoChunks(), OpEqual, a.content)
	case m.kindA[i] != pairChanged && renumberable(a, b):
		p.Kind = KindRenumbered
		p.Chunks = renumberChunks(a, b)
	default:
		p.Kind = KindChanged
		p.Chunks = d.contentChunks(a, b, i, j)
	}
	p.Chunks = appendSep(p.Chunks, a.sep, b.sep)
	return p
}

// contentChunks diffs the content of two paired paragraphs at the mode.
func (d *differ) contentChunks(a, b *para, i, j int) []Chunk {
	switch {
	case a.content == b.content:
		return appendChunk(nil, OpEqual, a.content)
	case renumberable(a, b):
		return renumberChunks(a, b)
	case d.opt.Mode != ModeLine && a.mEnd > a.mStart && b.mEnd > b.mStart &&
		a.content[:a.mStart] == b.content[:b.mStart]:
		// A renumbered paragraph that was also edited: the number change is
		// still its own chunk pair, and the words are diffed after it.
		var cs []Chunk
		cs = appendChunk(cs, OpEqual, a.content[:a.mStart])
		if a.marker() == b.marker() {
			cs = appendChunk(cs, OpEqual, a.marker())
		} else {
			cs = appendChunk(cs, OpDelete, a.marker())
			cs = appendChunk(cs, OpInsert, b.marker())
		}
		for _, c := range d.diffPair(a.content[a.mEnd:], b.content[b.mEnd:], i, j) {
			cs = appendChunk(cs, c.Op, c.Text)
		}
		return cs
	}
	return d.diffPair(a.content, b.content, i, j)
}

// twoChunks returns an empty chunk slice with room for two chunks (a
// paragraph and its separator), cut from a slab shared with other
// paragraphs: most paragraphs of a large text are equal, and a slice each
// was two allocations per paragraph. Appending past the two allocates anew.
func (d *differ) twoChunks() []Chunk {
	if len(d.chunkSlab)+2 > cap(d.chunkSlab) {
		d.chunkSlab = make([]Chunk, 0, chunkSlabSize)
	}
	n := len(d.chunkSlab)
	d.chunkSlab = d.chunkSlab[:n+2]
	return d.chunkSlab[n : n : n+2]
}

// chunkSlabSize is the number of chunks twoChunks allocates at a time.
const chunkSlabSize = 2048

// renumberable reports whether a and b differ at most in their list number:
// the same text around it (keys alone could match with the number in
// different places).
func renumberable(a, b *para) bool {
	return a.mEnd > a.mStart && b.mEnd > b.mStart && a.key == b.key && a.content[:a.mStart] == b.content[:b.mStart]
}

// renumberChunks shows a paragraph whose list number alone changed: the
// number change as its own delete/insert pair, the rest equal.
func renumberChunks(a, b *para) []Chunk {
	var cs []Chunk
	cs = appendChunk(cs, OpEqual, a.content[:a.mStart])
	cs = appendChunk(cs, OpDelete, a.marker())
	cs = appendChunk(cs, OpInsert, b.marker())
	return appendChunk(cs, OpEqual, a.content[a.mEnd:])
}

// wholeChunks is a paragraph deleted or inserted whole: its content, then its
// separator in a chunk of its own.
func wholeChunks(op string, p *para) []Chunk {
	var cs []Chunk
	cs = appendChunk(cs, op, p.content)
	if p.sep != "" {
		cs = append(cs, Chunk{Op: op, Text: p.sep})
	}
	return cs
}

// appendSep appends the chunks of two paired paragraphs' separators, never
// merged with the content chunks before them.
func appendSep(cs []Chunk, a, b string) []Chunk {
	if a == b {
		if a != "" {
			cs = append(cs, Chunk{Op: OpEqual, Text: a})
		}
		return cs
	}
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	var sep []Chunk
	sep = appendChunk(sep, OpEqual, a[:p])
	sep = appendChunk(sep, OpDelete, a[p:])
	sep = appendChunk(sep, OpInsert, b[p:])
	return append(cs, sep...)
}

// appendChunk appends a chunk, merging it into the last one when the
// operation is the same, and dropping it when empty.
func appendChunk(cs []Chunk, op, text string) []Chunk {
	if text == "" {
		return cs
	}
	if n := len(cs); n > 0 && cs[n-1].Op == op {
		cs[n-1].Text += text
		return cs
	}
	if len(cs) == cap(cs) && len(cs) >= 256 {
		// Double, where append would grow a long slice by a quarter: a
		// whole document shown line by line has 100,000s of chunks, and
		// each growth copies them all.
		cs = slices.Grow(cs, len(cs))
	}
	return append(cs, Chunk{Op: op, Text: text})
}

// add counts paragraph p into s; renum says a moved paragraph's only edit is
// its new list number, which is not counted as words.
func (s *Stats) add(p *Paragraph, renum bool) {
	words := func(cs []Chunk) {
		for _, c := range cs[numberChunks(cs):] {
			switch c.Op {
			case OpInsert:
				s.WordsInserted += countWords(c.Text)
			case OpDelete:
				s.WordsDeleted += countWords(c.Text)
			}
		}
	}
	switch p.Kind {
	case KindInserted:
		s.ParagraphsAdded++
		words(p.Chunks)
	case KindDeleted:
		s.ParagraphsRemoved++
		words(p.Chunks)
	case KindChanged:
		s.ParagraphsChanged++
		words(p.Chunks)
	case KindMovedTo:
		s.ParagraphsMoved++
		if !renum {
			words(p.Move.Chunks)
		}
	case KindRenumbered:
		s.ParagraphsRenumbered++
	case KindSplit:
		s.ParagraphsSplit++
		words(p.Chunks)
	case KindJoined:
		s.ParagraphsJoined++
		words(p.Chunks)
	}
}

// numberChunks returns how many leading chunks of a paragraph are its list
// number changing (indentation, then the old number deleted and the new one
// inserted), which Stats does not count as words.
func numberChunks(cs []Chunk) int {
	k := 0
	if k < len(cs) && cs[k].Op == OpEqual && strings.Trim(cs[k].Text, " \t") == "" {
		k++
	}
	if k+1 < len(cs) && cs[k].Op == OpDelete && cs[k+1].Op == OpInsert &&
		isMarker(cs[k].Text) && isMarker(cs[k+1].Text) {
		return k + 2
	}
	return 0
}

// isMarker reports whether s is exactly a list number.
func isMarker(s string) bool { return s != "" && markerLen(s) == len(s) }
