package textdiff

import "fmt"

type opKind uint8

const (
	opEq opKind = iota
	opDel
	opIns
)

// alignOp is a run of n paragraphs (or tokens) that are equal, deleted from
// the old sequence or inserted into the new one.
type alignOp struct {
	kind opKind
	n    int
}

// maxMyersItems bounds the items of one go-diff run: each distinct item needs
// a rune of its own, and there are 1,112,064 usable runes.
const maxMyersItems = 1_000_000

// runeFor maps the i-th distinct item to a rune, skipping the surrogate range
// that a Go string cannot hold (go-diff turns its diffs into strings).
func runeFor(i int) rune {
	r := rune(i + 1) // keep 0 out: it reads as "no rune" to a human debugging
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

// myers diffs two sequences of item ids with go-diff's Myers algorithm (see
// myersDiff). go-diff's line mode turns every distinct item into a rune; its
// decisions depend only on which items are equal, so the ids themselves (an
// int32 is a rune) give the very same diff without a map or a copy. There is
// no deadline, so the result is always a true minimal diff; callers bound n*m
// before calling.
func (d *differ) myers(a, b []int32) []medit {
	return d.md.diff(a, b)
}

// align diffs the paragraph id sequences a and b. Common ends are trimmed;
// a middle small enough for the budget goes to Myers; a larger one is split at
// paragraphs unique to both sides that appear in the same order (patience
// diff), recursively; what still exceeds the budget is reported as deleted and
// inserted, and degrades the Result.
func (d *differ) align(a, b []int32, what string) []alignOp {
	return d.alignTo(nil, a, b, what)
}

// alignTo is align appending to ops (appendOp's merging makes that the
// same as appending align's ops one by one), so that the gaps of a patience
// split do not each build a list of their own to be copied.
func (d *differ) alignTo(ops []alignOp, a, b []int32, what string) []alignOp {
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	ops = appendOp(ops, opEq, p)
	ops = d.alignMiddle(ops, a[p:len(a)-s], b[p:len(b)-s], what)
	ops = appendOp(ops, opEq, s)
	return ops
}

func (d *differ) alignMiddle(ops []alignOp, a, b []int32, what string) []alignOp {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		ops = appendOp(ops, opDel, n)
		return appendOp(ops, opIns, m)
	}
	cost := int64(n) * int64(m)
	if cost <= d.opt.MaxAlignCost && n+m <= maxMyersItems && d.alignSpent+cost <= d.opt.MaxTotalCost && !d.late() {
		d.alignSpent += cost
		for _, e := range d.myers(a, b) {
			ops = appendOp(ops, e.op, e.n)
		}
		return ops
	}
	anchors := d.lcs.uniqueLCS(a, b)
	if len(anchors) == 0 {
		d.degrade(fmt.Sprintf("alignment of %d×%d %s exceeds its budget; they are shown as deleted and inserted", n, m, what))
		ops = appendOp(ops, opDel, n)
		return appendOp(ops, opIns, m)
	}
	i, j := 0, 0
	for _, an := range anchors {
		ops = d.alignGap(ops, a[i:an.i], b[j:an.j], what)
		ops = appendOp(ops, opEq, 1)
		i, j = an.i+1, an.j+1
	}
	return d.alignGap(ops, a[i:], b[j:], what)
}

// alignGap aligns the stretch between two anchors, trimming its common ends
// first (the paragraphs next to an anchor usually match too).
func (d *differ) alignGap(ops []alignOp, a, b []int32, what string) []alignOp {
	return d.alignTo(ops, a, b, what)
}

func appendOp(ops []alignOp, k opKind, n int) []alignOp {
	if n == 0 {
		return ops
	}
	if len(ops) > 0 && ops[len(ops)-1].kind == k {
		ops[len(ops)-1].n += n
		return ops
	}
	// Keep deletions before insertions within a replaced stretch so that
	// every consumer can rely on one order.
	if k == opDel && len(ops) > 0 && ops[len(ops)-1].kind == opIns {
		if len(ops) > 1 && ops[len(ops)-2].kind == opDel {
			ops[len(ops)-2].n += n
			return ops
		}
		last := ops[len(ops)-1]
		ops[len(ops)-1] = alignOp{opDel, n}
		return append(ops, last)
	}
	return append(ops, alignOp{k, n})
}

type anchor struct{ i, j int }

// uniqueLCS finds the items that occur exactly once in a and once in b, and
// returns the longest run of them that is in the same order on both sides
// (patience diff's anchors), in O(n log n).
func uniqueLCS(a, b []int32) []anchor {
	var sc lcsScratch
	return sc.uniqueLCS(a, b)
}

// lcsScratch is uniqueLCS's memory, reused from one call to the next: the
// alignment and the word diffs of a large text call it thousands of times.
type lcsScratch struct {
	tab         []lcsCount
	cand        []anchor
	tails, prev []int
}

// lcsCount counts an item's occurrences in a and b (saturating: only 0, 1
// and more matter) and where it last occurred.
type lcsCount struct {
	ia, ib int32
	na, nb uint8
}

func (sc *lcsScratch) uniqueLCS(a, b []int32) []anchor {
	// Ids are dense from 0: a table indexed by id is much faster than a map.
	// It is kept zero between calls: the entries used are cleared after.
	maxID := int32(-1)
	for _, id := range a {
		maxID = max(maxID, id)
	}
	for _, id := range b {
		maxID = max(maxID, id)
	}
	if int(maxID) >= len(sc.tab) {
		sc.tab = make([]lcsCount, max(int(maxID)+1, 2*len(sc.tab)))
	}
	tab := sc.tab
	for i, id := range a {
		c := &tab[id]
		c.na = min(c.na+1, 2)
		c.ia = int32(i)
	}
	for j, id := range b {
		c := &tab[id]
		c.nb = min(c.nb+1, 2)
		c.ib = int32(j)
	}
	cand := sc.cand[:0] // in a's order
	for i, id := range a {
		if c := &tab[id]; c.na == 1 && c.nb == 1 {
			cand = append(cand, anchor{i, int(c.ib)})
		}
	}
	for _, id := range a {
		tab[id] = lcsCount{}
	}
	for _, id := range b {
		tab[id] = lcsCount{}
	}
	sc.cand = cand
	if len(cand) == 0 {
		return nil
	}
	// Longest increasing subsequence of cand by j (patience sorting).
	tails := sc.tails[:0] // index into cand of the smallest tail of each length
	prev := sc.prev[:0]
	for k, c := range cand {
		lo, hi := 0, len(tails)
		for lo < hi {
			mid := (lo + hi) / 2
			if cand[tails[mid]].j < c.j {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > 0 {
			prev = append(prev, tails[lo-1])
		} else {
			prev = append(prev, -1)
		}
		if lo == len(tails) {
			tails = append(tails, k)
		} else {
			tails[lo] = k
		}
	}
	sc.tails, sc.prev = tails, prev
	out := make([]anchor, len(tails))
	for k, x := len(tails)-1, tails[len(tails)-1]; k >= 0; k, x = k-1, prev[x] {
		out[k] = cand[x]
	}
	return out
}
