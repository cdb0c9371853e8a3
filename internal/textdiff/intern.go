package textdiff

import "hash/maphash"

// internSpans gives every span of a (as) and of b (bs) an id, the same id to
// the same text, numbered from 0 in order of first appearance (a first), as
// internID with a map would. It is an open-addressing table of int32 over
// the texts themselves: a fraction of a map[string]int32's memory and time
// on the hundreds of thousands of lines of a large text.
func internSpans(a string, as []span, b string, bs []span) (ida, idb []int32) {
	var sc internScratch
	return sc.intern(a, as, b, bs)
}

// internScratch is internSpans' memory, reused from one call to the next
// (the ids it returns are overwritten by the next call).
type internScratch struct {
	table         []uint64
	rep, ida, idb []int32
}

func (sc *internScratch) intern(a string, as []span, b string, bs []span) (ida, idb []int32) {
	return sc.ids(len(as), len(bs), func(r int32) string {
		if int(r) < len(as) {
			t := as[r]
			return a[t.start:t.end]
		}
		t := bs[int(r)-len(as)]
		return b[t.start:t.end]
	})
}

// internKeys gives every paragraph of pa and pb the id of its key, as
// internID with a map would.
func (sc *internScratch) internKeys(pa, pb []para) (ida, idb []int32) {
	return sc.ids(len(pa), len(pb), func(r int32) string {
		if int(r) < len(pa) {
			return pa[r].key
		}
		return pb[int(r)-len(pa)].key
	})
}

// ids interns na+nb texts, text(r) for r from 0: ids numbered from 0 in order
// of first appearance, returned for the first na and the last nb.
func (sc *internScratch) ids(na, nb int, text func(r int32) string) (ida, idb []int32) {
	n := na + nb
	size := 16
	for size < 2*n {
		size <<= 1
	}
	mask := uint64(size - 1)
	// table holds, for the text whose hash lands there, the hash's high 32
	// bits and id+1 (0: empty): a text is compared only with texts of the
	// same hash, never looked up on a collision.
	if cap(sc.table) < size {
		sc.table = make([]uint64, size)
	}
	table := sc.table[:size]
	clear(table)
	// rep[id] is the first r whose text has that id.
	rep := sc.rep[:0]
	seed := maphash.MakeSeed() // any seed: ids go by first appearance
	intern := func(r int32) int32 {
		s := text(r)
		h := maphash.String(seed, s)
		tag := h &^ (1<<32 - 1)
		for k := h & mask; ; k = (k + 1) & mask {
			e := table[k]
			if e == 0 {
				id := int32(len(rep))
				rep = append(rep, r)
				table[k] = tag | uint64(id+1)
				return id
			}
			if e&^(1<<32-1) == tag {
				if id := int32(uint32(e)) - 1; text(rep[id]) == s {
					return id
				}
			}
		}
	}
	ida, idb = grow32(sc.ida, na), grow32(sc.idb, nb)
	for k := range ida {
		ida[k] = intern(int32(k))
	}
	for k := range idb {
		idb[k] = intern(int32(na + k))
	}
	sc.rep, sc.ida, sc.idb = rep, ida, idb
	return ida, idb
}

// grow32 returns s resized to n, reallocated only when too small.
func grow32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
