package textdiff

// This file is go-diff's DiffMainRunes (github.com/sergi/go-diff, MIT
// licence) with no deadline and no line mode, as the engine runs it on
// token and paragraph ids, rewritten to return counts instead of strings:
// the same decisions on the same inputs, so the same diffs (see
// TestMyersMatchesGoDiff), without converting every piece to a string and
// back, and with one pair of Myers vectors reused across the recursion.
//
// A diff is a sequence of edits; each edit's content is implied by its
// place in the sequence, since the sequence spells both inputs: an equal or
// deleted edit of n items is the next n items of a, an equal or inserted
// one the next n items of b.

// medit is n items equal in both sequences, deleted from a or inserted
// from b.
type medit struct {
	op opKind
	n  int
}

// myersDiff is go-diff's DiffMainRunes(a, b, false) with no deadline, as
// edits. The recursion appends every level's edits to one list and tidies
// each level's part of it in place (cleanupMerge), as go-diff tidies the list
// each level returns: the same edits without a list per level to allocate and
// copy into the next.
type myersDiff struct {
	v   []int   // scratch for the Myers vectors, reused
	out []medit // the edits of the last diff, reused
	// mark and stamp: disjoint's table of the items of a.
	mark  []uint32
	stamp uint32
	// steps counts bisect's rounds (d), the work its walk does: a test
	// reads it.
	steps int64
}

// diff returns the edits turning a into b. They are valid until the next
// call.
func (md *myersDiff) diff(a, b []rune) []medit {
	md.out = md.main(md.out[:0], a, b)
	return md.out
}

// main appends the edits turning a into b to out (go-diff's diffMainRunes):
// out[:len(out)] is left as it is.
func (md *myersDiff) main(out []medit, a, b []rune) []medit {
	if runesEqual(a, b) {
		if len(a) > 0 {
			return append(out, medit{opEq, len(a)})
		}
		return out
	}
	k := len(out)
	p := commonPrefix(a, b)
	ma, mb := a[p:], b[p:]
	s := commonSuffix(ma, mb)
	ma, mb = ma[:len(ma)-s], mb[:len(mb)-s]

	if p != 0 {
		out = append(out, medit{opEq, p})
	}
	out = md.compute(out, ma, mb)
	if s != 0 {
		out = append(out, medit{opEq, s})
	}
	merged := cleanupMerge(out[k:], a, b)
	// cleanupMerge works in place unless it had to grow the list.
	if len(merged) > 0 && &merged[0] == &out[k] {
		return out[:k+len(merged)]
	}
	return append(out[:k], merged...)
}

// compute appends the edits turning a into b to out; it assumes a and b
// have no common prefix or suffix.
func (md *myersDiff) compute(out []medit, a, b []rune) []medit {
	if len(a) == 0 {
		return append(out, medit{opIns, len(b)})
	}
	if len(b) == 0 {
		return append(out, medit{opDel, len(a)})
	}
	long, short := b, a
	if len(a) > len(b) {
		long, short = a, b
	}
	if i := runesIndex(long, short); i != -1 {
		op := opIns
		if len(a) > len(b) {
			op = opDel
		}
		return append(out, medit{op, i}, medit{opEq, len(short)}, medit{op, len(long) - i - len(short)})
	}
	if len(short) == 1 {
		return append(out, medit{opDel, len(a)}, medit{opIns, len(b)})
	}
	if len(short) >= minDisjointCheck && md.disjoint(a, b) {
		// What bisect finds, after walking every diagonal: no middle
		// snake, so a deleted and b inserted (TestMyersDisjoint). A
		// stretch of lines all rewritten is common in a word list's
		// revision, and bisect's walk costs the product of the lengths.
		return append(out, medit{opDel, len(a)}, medit{opIns, len(b)})
	}
	return md.bisect(out, a, b)
}

// minDisjointCheck is the length of the shorter sequence from which compute
// checks whether the two share any item before running bisect: below it
// bisect is about as cheap as the check.
const minDisjointCheck = 8

// disjoint reports whether a and b have no item in common. Items are
// marked in a table indexed by item, stamped so it never needs clearing;
// items too large for a reasonable table are not checked (false).
func (md *myersDiff) disjoint(a, b []rune) bool {
	maxItem := rune(0)
	for _, r := range a {
		maxItem = max(maxItem, r)
	}
	if maxItem < 0 || int(maxItem) >= maxMarkTable {
		return false
	}
	if int(maxItem) >= len(md.mark) {
		md.mark = make([]uint32, max(int(maxItem)+1, 2*len(md.mark)))
		md.stamp = 0
	}
	md.stamp++
	if md.stamp == 0 { // wrapped: old stamps could match again
		clear(md.mark)
		md.stamp = 1
	}
	mark, stamp := md.mark, md.stamp
	for _, r := range a {
		mark[r] = stamp
	}
	for _, r := range b {
		if r >= 0 && int(r) < len(mark) && mark[r] == stamp {
			return false
		}
	}
	return true
}

// maxMarkTable bounds disjoint's table: item ids are dense from 0 (tokens,
// lines), or runes (go-diff's line mode), both well below it.
const maxMarkTable = 1 << 21

// bisect finds the middle snake of a diff, splits the problem in two and
// returns the recursively constructed diff (Myers 1986).
func (md *myersDiff) bisect(out []medit, r1, r2 []rune) []medit {
	n1, n2 := len(r1), len(r2)
	maxD := (n1 + n2 + 1) / 2
	vOffset := maxD
	vLength := 2 * maxD
	if cap(md.v) < 2*vLength {
		md.v = make([]int, 2*vLength)
	}
	v1 := md.v[:vLength]
	v2 := md.v[vLength : 2*vLength]
	for i := range v1 {
		v1[i] = -1
		v2[i] = -1
	}
	v1[vOffset+1] = 0
	v2[vOffset+1] = 0

	delta := n1 - n2
	// If the total number of items is odd, then the front path will
	// collide with the reverse path.
	front := delta%2 != 0
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for d := 0; d < maxD; d++ {
		md.steps++
		// Walk the front path one step.
		for k1 := -d + k1start; k1 <= d-k1end; k1 += 2 {
			k1Offset := vOffset + k1
			var x1 int
			if k1 == -d || (k1 != d && v1[k1Offset-1] < v1[k1Offset+1]) {
				x1 = v1[k1Offset+1]
			} else {
				x1 = v1[k1Offset-1] + 1
			}
			y1 := x1 - k1
			for x1 < n1 && y1 < n2 && r1[x1] == r2[y1] {
				x1++
				y1++
			}
			v1[k1Offset] = x1
			if x1 > n1 {
				k1end += 2
			} else if y1 > n2 {
				k1start += 2
			} else if front {
				k2Offset := vOffset + delta - k1
				if k2Offset >= 0 && k2Offset < vLength && v2[k2Offset] != -1 {
					x2 := n1 - v2[k2Offset]
					if x1 >= x2 {
						// The vectors are dead from here on: the recursion
						// may reuse them.
						return md.split(out, r1, r2, x1, y1)
					}
				}
			}
		}
		// Walk the reverse path one step.
		for k2 := -d + k2start; k2 <= d-k2end; k2 += 2 {
			k2Offset := vOffset + k2
			var x2 int
			if k2 == -d || (k2 != d && v2[k2Offset-1] < v2[k2Offset+1]) {
				x2 = v2[k2Offset+1]
			} else {
				x2 = v2[k2Offset-1] + 1
			}
			y2 := x2 - k2
			for x2 < n1 && y2 < n2 && r1[n1-x2-1] == r2[n2-y2-1] {
				x2++
				y2++
			}
			v2[k2Offset] = x2
			if x2 > n1 {
				k2end += 2
			} else if y2 > n2 {
				k2start += 2
			} else if !front {
				k1Offset := vOffset + delta - k2
				if k1Offset >= 0 && k1Offset < vLength && v1[k1Offset] != -1 {
					x1 := v1[k1Offset]
					y1 := vOffset + x1 - k1Offset
					x2 = n1 - x2
					if x1 >= x2 {
						return md.split(out, r1, r2, x1, y1)
					}
				}
			}
		}
	}
	// No commonality at all.
	return append(out, medit{opDel, n1}, medit{opIns, n2})
}

func (md *myersDiff) split(out []medit, r1, r2 []rune, x, y int) []medit {
	out = md.main(out, r1[:x], r2[:y])
	return md.main(out, r1[x:], r2[y:])
}

// size returns how many items of a and of b an medit spells.
func (e medit) size() (na, nb int) {
	switch e.op {
	case opDel:
		return e.n, 0
	case opIns:
		return 0, e.n
	}
	return e.n, e.n
}

// cleanupMerge is go-diff's DiffCleanupMerge on edits spelling a and b:
// it reorders and merges like edits, factors out common prefixes and
// suffixes of replaced runs, and shifts single edits sideways to remove
// equalities (A<ins>BA</ins>C becomes <ins>AB</ins>AC).
func cleanupMerge(diffs []medit, a, b []rune) []medit {
	// A dummy entry at the end.
	diffs = append(diffs, medit{opEq, 0})
	pointer := 0
	countDel, countIns := 0, 0
	nDel, nIns := 0, 0
	posA, posB := 0, 0 // where diffs[pointer] starts in a and b
	runA, runB := 0, 0 // where the current run of edits started
	for pointer < len(diffs) {
		switch diffs[pointer].op {
		case opIns:
			if countDel+countIns == 0 {
				runA, runB = posA, posB
			}
			countIns++
			nIns += diffs[pointer].n
			posB += diffs[pointer].n
			pointer++
		case opDel:
			if countDel+countIns == 0 {
				runA, runB = posA, posB
			}
			countDel++
			nDel += diffs[pointer].n
			posA += diffs[pointer].n
			pointer++
		case opEq:
			if countDel+countIns > 1 {
				if countDel != 0 && countIns != 0 {
					// Factor out any common prefix.
					if c := commonPrefix(b[runB:runB+nIns], a[runA:runA+nDel]); c != 0 {
						x := pointer - countDel - countIns
						if x > 0 && diffs[x-1].op == opEq {
							diffs[x-1].n += c
						} else {
							// Only the first run has no equality before it.
							diffs = spliceEdits(diffs, 0, 0, medit{opEq, c})
							pointer++
						}
						runA, runB = runA+c, runB+c
						nIns, nDel = nIns-c, nDel-c
					}
					// Factor out any common suffix.
					if c := commonSuffix(b[runB:runB+nIns], a[runA:runA+nDel]); c != 0 {
						diffs[pointer].n += c
						nIns, nDel = nIns-c, nDel-c
					}
				}
				// Replace the run by the merged edits.
				start := pointer - countDel - countIns
				var repl []medit
				switch {
				case countDel == 0:
					repl = []medit{{opIns, nIns}}
				case countIns == 0:
					repl = []medit{{opDel, nDel}}
				default:
					repl = []medit{{opDel, nDel}, {opIns, nIns}}
				}
				diffs = spliceEdits(diffs, start, countDel+countIns, repl...)
				pointer = start + len(repl) + 1
				// diffs[pointer-1] is the equality after the run.
				eq := diffs[pointer-1].n
				posA, posB = runA+nDel+eq, runB+nIns+eq
			} else if pointer != 0 && diffs[pointer-1].op == opEq {
				// Merge this equality with the previous one.
				n := diffs[pointer].n
				diffs[pointer-1].n += n
				diffs = append(diffs[:pointer], diffs[pointer+1:]...)
				posA, posB = posA+n, posB+n
			} else {
				posA, posB = posA+diffs[pointer].n, posB+diffs[pointer].n
				pointer++
			}
			countIns, countDel = 0, 0
			nIns, nDel = 0, 0
		}
	}
	if diffs[len(diffs)-1].n == 0 {
		diffs = diffs[:len(diffs)-1] // the dummy entry
	}

	// Second pass: single edits surrounded on both sides by equalities
	// that can be shifted sideways to eliminate an equality.
	changes := false
	pointer = 1
	posA, posB = 0, 0 // where diffs[pointer-1] starts
	for pointer < len(diffs)-1 {
		if diffs[pointer-1].op == opEq && diffs[pointer+1].op == opEq {
			prev, cur, next := diffs[pointer-1], diffs[pointer], diffs[pointer+1]
			// The contents: prev starts at posA (= posB's content), cur
			// follows it, next follows cur.
			var curText []rune
			curA, curB := posA+prev.n, posB+prev.n
			if cur.op == opDel {
				curText = a[curA : curA+cur.n]
			} else {
				curText = b[curB : curB+cur.n]
			}
			prevText := a[posA : posA+prev.n]
			na, _ := cur.size()
			nextText := a[curA+na : curA+na+next.n]
			if hasSuffix(curText, prevText) {
				// Shift the medit over the previous equality.
				diffs[pointer+1].n += prev.n
				diffs = spliceEdits(diffs, pointer-1, 1)
				changes = true
			} else if hasPrefix(curText, nextText) {
				// Shift the medit over the next equality.
				diffs[pointer-1].n += next.n
				diffs = spliceEdits(diffs, pointer+1, 1)
				changes = true
			}
		}
		da, db := diffs[pointer-1].size()
		posA, posB = posA+da, posB+db
		pointer++
	}
	if changes {
		return cleanupMerge(diffs, a, b)
	}
	return diffs
}

// spliceEdits is go-diff's splice: it replaces amount edits at index by
// elements.
func spliceEdits(s []medit, index, amount int, elements ...medit) []medit {
	if len(elements) == amount {
		copy(s[index:], elements)
		return s
	}
	if len(elements) < amount {
		copy(s[index:], elements)
		copy(s[index+len(elements):], s[index+amount:])
		return s[:len(s)-amount+len(elements)]
	}
	need := len(s) - amount + len(elements)
	for len(s) < need {
		s = append(s, medit{})
	}
	copy(s[index+len(elements):], s[index+amount:])
	copy(s[index:], elements)
	return s
}

func runesEqual(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i, c := range a {
		if c != b[i] {
			return false
		}
	}
	return true
}

// runesIndex is strings.Index for rune slices.
func runesIndex(r1, r2 []rune) int {
	last := len(r1) - len(r2)
	for i := 0; i <= last; i++ {
		if runesEqual(r1[i:i+len(r2)], r2) {
			return i
		}
	}
	return -1
}

func commonPrefix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

func hasPrefix(s, p []rune) bool { return len(s) >= len(p) && runesEqual(s[:len(p)], p) }

func hasSuffix(s, p []rune) bool { return len(s) >= len(p) && runesEqual(s[len(s)-len(p):], p) }
