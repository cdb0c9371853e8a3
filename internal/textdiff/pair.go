package textdiff

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// level is the granularity a paragraph pair is diffed at, finest first.
type level int

const (
	levelChar level = iota
	levelWord
	levelLine
	levelWhole
)

func (l level) String() string {
	return [...]string{"character", "word", "line", "paragraph"}[l]
}

// Bounds on go-diff's semantic cleanup, which is quadratic in the number of
// edits on dissimilar texts.
const (
	// maxCleanupDiffs: with more edits than this the cleanup is skipped.
	maxCleanupDiffs = 2000
	// minCleanupShare: a pair sharing less than this fraction of its
	// characters is shown as one deletion and one insertion, which is what
	// the cleanup would converge to at great cost.
	minCleanupShare = 0.2
)

// diffPair diffs the contents of a paired old paragraph i and new paragraph
// j at the Result's mode, falling back to coarser levels when a level's cost
// exceeds the budget. Chunk texts are substrings of a and b where possible.
func (d *differ) diffPair(a, b string, i, j int) []Chunk {
	want := levelWord
	switch d.opt.Mode {
	case ModeChar:
		want = levelChar
	case ModeLine:
		want = levelWhole
	}
	for l := want; ; l++ {
		if l < levelWhole && d.late() {
			// Cancelled (DiffContext): the Result is thrown away.
			d.degrade("cancelled")
			l = levelWhole
		}
		var cs []Chunk
		var cost int64
		ok := true
		switch l {
		case levelChar:
			cs, cost, ok = d.charDiff(a, b)
		case levelWord:
			if c, na, nb := d.tokenPrecheck(a, b); c >= 0 && !d.fits(c, na, nb) {
				cs, cost, ok = nil, c, false
				break
			}
			d.tokA, d.tokB = tokenize(a, d.tokA), tokenize(b, d.tokB)
			cs, cost, ok = d.tokenDiff(nil, a, b, d.tokA, d.tokB)
		case levelLine:
			cs = d.lineDiff(a, b, i, j)
			return cs
		case levelWhole:
			cs = appendChunk(nil, OpDelete, a)
			return appendChunk(cs, OpInsert, b)
		}
		if ok {
			return cs
		}
		if cost == invalidUTF8 {
			d.degrade(fmt.Sprintf("old paragraph %d / new paragraph %d: not valid UTF-8; shown at word level", i+1, j+1))
			continue
		}
		if !d.late() {
			d.degrade(fmt.Sprintf("old paragraph %d / new paragraph %d: %s diff would cost %d, over its budget; shown at %s level",
				i+1, j+1, l, cost, l+1))
		}
	}
}

// lineDiff is the fallback for a pair too large to diff word by word at
// once, such as a whole document without blank lines: its lines are aligned
// like paragraphs (Myers within budget, split at unique lines beyond it), and
// each stretch of changed lines is then diffed word by word if it fits the
// budget, or shown deleted and inserted whole if not.
func (d *differ) lineDiff(a, b string, i, j int) []Chunk {
	la, lb := tokenizeLines(a, nil), tokenizeLines(b, nil)
	ida, idb := internSpans(a, la, b, lb)
	x := 0 // lines of a reached
	linesOf := func(text string, ls []span, from, to int) string {
		if from == to {
			return ""
		}
		return text[ls[from].start:ls[to-1].end]
	}
	ss := stretches(d.align(ida, idb, "lines"))
	// An equal chunk and a few edits per stretch: growing the slice step by
	// step would copy it over and over.
	cs := make([]Chunk, 0, 4*len(ss)+2)
	for _, st := range ss {
		cs = appendChunk(cs, OpEqual, linesOf(a, la, x, st.i0))
		sa, sb := linesOf(a, la, st.i0, st.i1), linesOf(b, lb, st.j0, st.j1)
		ok := false
		if sa != "" && sb != "" {
			// A stretch of changed lines this large in a paragraph already
			// shown line by line is a rewrite: its words are not worth the
			// diff's cost. (Counting is much cheaper than tokenizing.)
			if int64(countTokens(sa))*int64(countTokens(sb)) <= maxLineStretchCost {
				d.tokA, d.tokB = tokenize(sa, d.tokA), tokenize(sb, d.tokB)
				var sub []Chunk
				if sub, _, ok = d.tokenDiff(cs, sa, sb, d.tokA, d.tokB); ok {
					cs = sub
				}
			}
			if !ok {
				d.degrade(fmt.Sprintf("old paragraph %d / new paragraph %d: lines %d-%d / %d-%d too large to diff by word; shown whole",
					i+1, j+1, st.i0+1, st.i1, st.j0+1, st.j1))
			}
		}
		if !ok {
			cs = appendChunk(cs, OpDelete, sa)
			cs = appendChunk(cs, OpInsert, sb)
		}
		x = st.i1
	}
	return appendChunk(cs, OpEqual, a[endOf(la, x):])
}

// maxLineStretchCost bounds the word diff of one stretch of changed lines in
// lineDiff, as the product of the two sides' token counts.
const maxLineStretchCost = 2_000_000

// endOf is the byte offset where line x starts (the end of line x-1).
func endOf(ls []span, x int) int {
	if x == 0 {
		return 0
	}
	return int(ls[x-1].end)
}

// minPrecheckBytes: below this size a pair is tokenized straight away; the
// precheck only pays on pairs large enough to be refused.
const minPrecheckBytes = 64 << 10

// tokenPrecheck returns, for a large pair of valid UTF-8, the cost
// tokenDiff would find and the sizes of the two middles it would diff, or
// a negative cost when the pair is small (or not valid UTF-8) and not worth
// the check.
func (d *differ) tokenPrecheck(a, b string) (int64, int, int) {
	if len(a)+len(b) < minPrecheckBytes || !utf8.ValidString(a) || !utf8.ValidString(b) {
		return -1, 0, 0
	}
	return tokenCost(a, b)
}

// fits reports, without charging anything, whether tokenDiff would accept a
// middle of na×nb tokens costing cost: the same test it makes.
func (d *differ) fits(cost int64, na, nb int) bool {
	return na+nb <= maxMyersItems && cost <= d.opt.MaxPairCost && d.spent+cost <= d.opt.MaxTotalCost
}

// charge reserves cost from the budgets, or reports that it does not fit (or
// that DiffContext's request is over).
func (d *differ) charge(cost int64) bool { return d.chargeWeighted(cost, 1) }

// charCostWeight is what one cell of a character diff counts against
// MaxTotalCost, relative to a cell of a token diff: go-diff spends several
// times longer per cell on characters (and on its semantic cleanup after).
const charCostWeight = 4

// chargeWeighted is charge for a cost whose cells weigh w each against the
// total budget (the pair budget counts cells).
func (d *differ) chargeWeighted(cost, w int64) bool {
	if cost > d.opt.MaxPairCost || d.spent+cost*w > d.opt.MaxTotalCost || d.late() {
		return false
	}
	d.spent += cost * w
	return true
}

// tokenDiff diffs a and b split into tokens ta and tb, mapping every distinct
// token to a rune the way go-diff's line mode maps lines, then running
// go-diff's Myers diff on the runes. Common leading and trailing tokens are
// trimmed first; the cost is the product of the token counts left.
//
// The chunks are appended to dst (merged with its last one when alike), which
// is left as it is when the diff does not fit.
func (d *differ) tokenDiff(dst []Chunk, a, b string, ta, tb []span) ([]Chunk, int64, bool) {
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
	cost := int64(len(ma)) * int64(len(mb))
	if len(ma)+len(mb) > maxMyersItems || !d.charge(cost) {
		return nil, cost, false
	}
	cs := dst
	aPos, bPos := 0, 0 // byte offsets reached in a and b
	if p > 0 {
		aPos, bPos = int(ta[p-1].end), int(tb[p-1].end)
		cs = appendChunk(cs, OpEqual, a[:aPos])
	}
	switch {
	case len(ma) == 0 || len(mb) == 0:
		// Pure insertion or deletion: nothing for go-diff to find.
	default:
		// Every distinct token an id, as go-diff's line mode makes every
		// distinct line a rune: its decisions depend only on which items
		// are equal, so the ids serve as they are.
		ida, idb := d.tokIDs.intern(a, ma, b, mb)
		x, y := p, p // token indices reached in ta and tb
		for _, e := range d.tokenEdits(ida, idb) {
			n := e.n
			switch e.op {
			case opEq:
				end := int(ta[x+n-1].end)
				cs = appendChunk(cs, OpEqual, a[aPos:end])
				aPos, bPos = end, int(tb[y+n-1].end)
				x += n
				y += n
			case opDel:
				end := int(ta[x+n-1].end)
				cs = appendChunk(cs, OpDelete, a[aPos:end])
				aPos = end
				x += n
			case opIns:
				end := int(tb[y+n-1].end)
				cs = appendChunk(cs, OpInsert, b[bPos:end])
				bPos = end
				y += n
			}
		}
	}
	// Whatever of the middle go-diff had nothing to say about (all of it for
	// a pure insertion or deletion), then the common tail.
	aMid, bMid := len(a), len(b)
	if s > 0 {
		aMid, bMid = int(ta[len(ta)-s].start), int(tb[len(tb)-s].start)
	}
	cs = appendChunk(cs, OpDelete, a[aPos:aMid])
	cs = appendChunk(cs, OpInsert, b[bPos:bMid])
	cs = appendChunk(cs, OpEqual, a[aMid:])
	return cs, cost, true
}

func (d *differ) tokenRune(tok string) rune {
	r, ok := d.tokRune[tok]
	if !ok {
		r = runeFor(len(d.tokRune))
		d.tokRune[tok] = r
	}
	return r
}

// invalidUTF8 is the cost charDiff reports for a pair it cannot diff because
// it is not valid UTF-8.
const invalidUTF8 = -1

// charDiff diffs a and b character by character with go-diff, then applies
// its semantic cleanup when that is affordable. The cost is the product of the
// character counts once common ends are trimmed.
func (d *differ) charDiff(a, b string) ([]Chunk, int64, bool) {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	for p > 0 && p < len(a) && !utf8.RuneStart(a[p]) { // back to a rune start
		p--
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	for s > 0 && !utf8.RuneStart(a[len(a)-s]) {
		s--
	}
	ma, mb := a[p:len(a)-s], b[p:len(b)-s]
	if !utf8.ValidString(ma) || !utf8.ValidString(mb) {
		// go-diff works on runes and would turn invalid bytes into U+FFFD;
		// words are byte ranges and keep them as they are.
		return nil, invalidUTF8, false
	}
	na, nb := utf8.RuneCountInString(ma), utf8.RuneCountInString(mb)
	cost := int64(na) * int64(nb)
	if !d.chargeWeighted(cost, charCostWeight) {
		return nil, cost, false
	}
	var cs []Chunk
	cs = appendChunk(cs, OpEqual, a[:p])
	if na == 0 || nb == 0 {
		cs = appendChunk(cs, OpDelete, ma)
		cs = appendChunk(cs, OpInsert, mb)
	} else {
		diffs := d.dmp.DiffMain(ma, mb, false)
		shared := 0
		for _, df := range diffs {
			if df.Type == diffmatchpatch.DiffEqual {
				shared += utf8.RuneCountInString(df.Text)
			}
		}
		switch {
		case float64(2*shared) < minCleanupShare*float64(na+nb):
			diffs = []diffmatchpatch.Diff{{Type: diffmatchpatch.DiffDelete, Text: ma}, {Type: diffmatchpatch.DiffInsert, Text: mb}}
		case len(diffs) <= maxCleanupDiffs:
			// go-diff's cleanup mixes rune counts and byte offsets in places;
			// keep its result only if it still spells both texts exactly.
			cleaned := d.dmp.DiffCleanupSemantic(slices.Clone(diffs))
			if spells(cleaned, ma, mb) {
				diffs = cleaned
			}
		}
		for _, df := range diffs {
			switch df.Type {
			case diffmatchpatch.DiffEqual:
				cs = appendChunk(cs, OpEqual, df.Text)
			case diffmatchpatch.DiffDelete:
				cs = appendChunk(cs, OpDelete, df.Text)
			case diffmatchpatch.DiffInsert:
				cs = appendChunk(cs, OpInsert, df.Text)
			}
		}
	}
	cs = appendChunk(cs, OpEqual, a[len(a)-s:])
	return cs, cost, true
}

// spells reports whether diffs turn a into b exactly, in valid UTF-8.
func spells(diffs []diffmatchpatch.Diff, a, b string) bool {
	ra, rb := a, b
	for _, df := range diffs {
		if !utf8.ValidString(df.Text) {
			return false
		}
		if df.Type != diffmatchpatch.DiffInsert {
			if !strings.HasPrefix(ra, df.Text) {
				return false
			}
			ra = ra[len(df.Text):]
		}
		if df.Type != diffmatchpatch.DiffDelete {
			if !strings.HasPrefix(rb, df.Text) {
				return false
			}
			rb = rb[len(df.Text):]
		}
	}
	return ra == "" && rb == ""
}

// resetTokRunes empties the token-to-rune map between go-diff runs. Clearing
// a map costs its capacity, not its length: after one large run, a fresh map
// is cheaper than clearing it for each of many small ones.
func (d *differ) resetTokRunes() {
	if len(d.tokRune) > 4096 {
		d.tokRune = make(map[string]rune)
		return
	}
	clear(d.tokRune)
}

// patienceCost is the size (product of the token counts) above which
// tokenEdits splits a diff at tokens unique to both sides before running
// Myers on what lies between them. Myers' time grows with the product of
// the lengths and the number of edits; a long heavily edited stretch (a
// word list whose every line changed) would take seconds where the unique
// words already say which lines correspond; on prose the unique words also
// keep a rewrite from being threaded through common words ("the", commas).
// Below it (paragraphs of up to about 100 words a side), Myers alone gives
// the minimal diff as it always did.
const patienceCost = 40_000

// tokenEdits diffs two token id sequences: Myers (go-diff's decisions) when
// their product is at most patienceCost, otherwise split at tokens unique to
// both in the same order (patience diff), recursively.
func (d *differ) tokenEdits(a, b []rune) []medit {
	if int64(len(a))*int64(len(b)) <= patienceCost {
		return d.md.diff(a, b)
	}
	d.patOut = d.patience(d.patOut[:0], a, b)
	return d.patOut
}

func (d *differ) patience(out []medit, a, b []rune) []medit {
	p := commonPrefix(a, b)
	if p > 0 {
		out = append(out, medit{opEq, p})
	}
	a, b = a[p:], b[p:]
	s := commonSuffix(a, b)
	a, b = a[:len(a)-s], b[:len(b)-s]
	var anchors []anchor
	if int64(len(a))*int64(len(b)) > patienceCost {
		anchors = d.lcs.uniqueLCS(a, b)
	}
	if len(anchors) == 0 {
		out = append(out, d.md.diff(a, b)...)
	} else {
		i, j := 0, 0
		for _, an := range anchors {
			out = d.patience(out, a[i:an.i], b[j:an.j])
			out = append(out, medit{opEq, 1})
			i, j = an.i+1, an.j+1
		}
		out = d.patience(out, a[i:], b[j:])
	}
	if s > 0 {
		out = append(out, medit{opEq, s})
	}
	return out
}
