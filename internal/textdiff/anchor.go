package textdiff

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// AnchorContext is how many code points of context an Anchor keeps on each
// side of its quote (Prefix and Suffix).
const AnchorContext = 32

// Anchor ties a comment to a quote in one revision's text.
type Anchor struct {
	// Start and End are the quote's code-point offsets in the text.
	Start, End int
	// Quote is the quoted text: the text's code points [Start, End).
	Quote string
	// Prefix and Suffix are up to AnchorContext code points of the text
	// before and after the quote; they tell repeated quotes apart.
	Prefix, Suffix string
}

// AnchorStatus says how an anchor fared in a newer text.
type AnchorStatus string

// The anchor statuses.
const (
	// AnchorAnchored: the quote is intact, in text that did not change,
	// and its paragraph did not move.
	AnchorAnchored AnchorStatus = "anchored"
	// AnchorMoved: the quote is intact but elsewhere: its paragraph moved,
	// or the quote was found again, uniquely, at another place.
	AnchorMoved AnchorStatus = "moved"
	// AnchorOutdated: some of the quote was changed or deleted, and it is
	// not found again intact.
	AnchorOutdated AnchorStatus = "outdated"
)

// MappedAnchor is an anchor mapped into a newer text.
type MappedAnchor struct {
	// Status is what became of the quote.
	Status AnchorStatus
	// Start and End are the quote's code-point offsets in the new text when
	// it is anchored or moved (new[Start:End] == Quote); zero when outdated.
	Start, End int

	// Byte offsets of Start and End in the new text, so that Next need not
	// count code points again; valid when bytes is true.
	bStart, bEnd int
	bytes        bool
}

// Next returns the anchor to carry into the following revision: for an
// anchored or moved quote, its place in new with Quote, Prefix and Suffix
// taken from new; for an outdated one, a unchanged (it keeps its original
// quote, and the caller its original revision). new must be the text m was
// mapped into.
func (m MappedAnchor) Next(a Anchor, new string) Anchor {
	if m.Status != AnchorAnchored && m.Status != AnchorMoved {
		return a
	}
	bs, be := m.bStart, m.bEnd
	if !m.bytes || be > len(new) || bs > be {
		bs, be = cpToByte(new, m.Start), cpToByte(new, m.End)
	}
	return Anchor{
		Start: m.Start, End: m.End,
		Quote:  new[bs:be],
		Prefix: new[backRunes(new, bs, AnchorContext):bs],
		Suffix: new[be:forwardRunes(new, be, AnchorContext)],
	}
}

// NewAnchor makes the anchor of text's code points [start, end), with its
// context; it reports false when the range is not within text.
func NewAnchor(text string, start, end int) (Anchor, bool) {
	if start < 0 || end < start {
		return Anchor{}, false
	}
	bs := cpToByte(text, start)
	be := bs + cpToByte(text[bs:], end-start)
	if runeCount(text[:be]) != end {
		return Anchor{}, false
	}
	return Anchor{
		Start: start, End: end,
		Quote:  text[bs:be],
		Prefix: text[backRunes(text, bs, AnchorContext):bs],
		Suffix: text[be:forwardRunes(text, be, AnchorContext)],
	}, true
}

// MapAnchor maps an anchor in old into new, through r = Diff(old, new, …)
// (any mode; word mode is what Redline uses). See MapAnchors.
func MapAnchor(old, new string, r *Result, a Anchor) MappedAnchor {
	return MapAnchors(old, new, r, []Anchor{a})[0]
}

// MapAnchors maps anchors in old into new through r = Diff(old, new, …),
// sharing the work between them.
//
// A quote that lies wholly in text the diff keeps equal maps through it: it
// is anchored, or moved when it is in a paragraph that moved (its moved
// paragraph's own diff keeps the quote equal). Otherwise the quote is looked
// for in new: found once, or once with its Prefix and Suffix around it, it
// is anchored if that is within the same paragraph (the diff only aligned
// it differently) and moved if elsewhere; not found, or found in several
// places that its context cannot tell apart, it is outdated. An anchor
// whose Quote is not old's text at [Start, End) is only looked for.
func MapAnchors(old, new string, r *Result, as []Anchor) []MappedAnchor {
	m := newAnchorMap(old, new, r)
	out := make([]MappedAnchor, len(as))
	for k, a := range as {
		out[k] = m.mapAnchor(a)
	}
	return out
}

// segment is a stretch of code points equal in both texts: old [o, o+n)
// is new [nw, nw+n).
type segment struct {
	o, nw, n int
	moved    bool
}

// paraSpan is a paragraph kept in place (equal, changed or renumbered):
// old [o0, o1) became new [n0, n1).
type paraSpan struct{ o0, o1, n0, n1 int }

type anchorMap struct {
	old, new string
	segs     []segment
	paras    []paraSpan
	oldCP    []int32 // byte offset of each code point of old, then len(old)
	newCP    []int32
}

func newAnchorMap(old, new string, r *Result) *anchorMap {
	m := &anchorMap{old: old, new: new, oldCP: cpOffsets(old), newCP: cpOffsets(new)}
	movedFrom := make(map[int]int) // old paragraph index -> its OldStart
	for _, p := range r.Paragraphs {
		if p.Kind == KindMovedFrom {
			movedFrom[p.OldIndex] = p.OldStart
		}
	}
	for _, p := range r.Paragraphs {
		o, n := p.OldStart, p.NewStart
		for _, c := range p.Chunks {
			l := runeCount(c.Text)
			switch c.Op {
			case OpEqual:
				m.segs = append(m.segs, segment{o, n, l, false})
				o += l
				n += l
			case OpDelete:
				o += l
			case OpInsert:
				n += l
			}
		}
		if p.OldIndex >= 0 && p.NewIndex >= 0 {
			m.paras = append(m.paras, paraSpan{p.OldStart, o, p.NewStart, n})
		}
		if p.Kind == KindMovedTo && p.Move != nil {
			from, ok := movedFrom[p.Move.OldIndex]
			if !ok {
				continue
			}
			o, n := from, p.NewStart
			for _, c := range p.Move.Chunks {
				l := runeCount(c.Text)
				switch c.Op {
				case OpEqual:
					m.segs = append(m.segs, segment{o, n, l, true})
					o += l
					n += l
				case OpDelete:
					o += l
				case OpInsert:
					n += l
				}
			}
		}
	}
	slices.SortFunc(m.segs, func(a, b segment) int { return a.o - b.o })
	// Coalesce stretches that continue one another in both texts, so that a
	// quote spanning chunks (a paragraph and its separator, say) maps whole.
	out := m.segs[:0]
	for _, s := range m.segs {
		if k := len(out) - 1; k >= 0 && out[k].moved == s.moved && out[k].o+out[k].n == s.o && out[k].nw+out[k].n == s.nw {
			out[k].n += s.n
			continue
		}
		out = append(out, s)
	}
	m.segs = out
	return m
}

func (m *anchorMap) mapAnchor(a Anchor) MappedAnchor {
	nOld := len(m.oldCP) - 1
	if a.Start >= 0 && a.Start <= a.End && a.End <= nOld &&
		m.old[m.oldCP[a.Start]:m.oldCP[a.End]] == a.Quote {
		// The last segment starting at or before Start.
		k := sort.Search(len(m.segs), func(k int) bool { return m.segs[k].o > a.Start }) - 1
		if k >= 0 {
			s := m.segs[k]
			if a.End <= s.o+s.n {
				st := AnchorAnchored
				if s.moved {
					st = AnchorMoved
				}
				return m.mapped(st, s.nw+a.Start-s.o, s.nw+a.End-s.o)
			}
		}
	}
	start, ok := m.search(a)
	if !ok {
		return MappedAnchor{Status: AnchorOutdated}
	}
	end := start + utf8.RuneCountInString(a.Quote)
	st := AnchorMoved
	k := sort.Search(len(m.paras), func(k int) bool { return m.paras[k].o0 > a.Start }) - 1
	if k >= 0 {
		p := m.paras[k]
		if a.Start < p.o1 && start >= p.n0 && end <= p.n1 {
			st = AnchorAnchored
		}
	}
	return m.mapped(st, start, end)
}

func (m *anchorMap) mapped(st AnchorStatus, start, end int) MappedAnchor {
	return MappedAnchor{Status: st, Start: start, End: end,
		bStart: int(m.newCP[start]), bEnd: int(m.newCP[end]), bytes: true}
}

// maxCandidates bounds the places a quote is looked for: a quote found more
// often than this is as good as ambiguous.
const maxCandidates = 1000

// search looks for a's quote in new, as whole words, and returns its
// code-point offset when it is found once, or once with its context.
func (m *anchorMap) search(a Anchor) (int, bool) {
	q := a.Quote
	if q == "" {
		return 0, false
	}
	// strings.Index is several times faster for short needles (it falls
	// back to Rabin-Karp beyond bytealg.MaxLen): look for the quote's first
	// 32 bytes, then check the rest.
	head := q[:min(len(q), 32)]
	var cands []int
	for i := 0; i <= len(m.new)-len(q) && len(cands) <= maxCandidates; {
		k := strings.Index(m.new[i:], head)
		if k < 0 {
			break
		}
		if strings.HasPrefix(m.new[i+k:], q) && wholeWords(m.new, i+k, i+k+len(q)) {
			cands = append(cands, i+k)
		}
		_, size := utf8.DecodeRuneInString(m.new[i+k:])
		i += k + size
	}
	switch {
	case len(cands) == 0 || len(cands) > maxCandidates:
		return 0, false
	case len(cands) > 1:
		// The candidates with the most context matching, if just one.
		best, bestScore, n := -1, 0, 0
		for _, c := range cands {
			score := 0
			if a.Prefix != "" && strings.HasSuffix(m.new[:c], a.Prefix) {
				score++
			}
			if a.Suffix != "" && strings.HasPrefix(m.new[c+len(q):], a.Suffix) {
				score++
			}
			switch {
			case score > bestScore:
				best, bestScore, n = c, score, 1
			case score == bestScore:
				n++
			}
		}
		if bestScore == 0 || n != 1 {
			return 0, false
		}
		cands[0] = best
	}
	// Byte offset to code point: the offsets table is sorted.
	b := cands[0]
	return sort.Search(len(m.newCP), func(k int) bool { return int(m.newCP[k]) >= b }), true
}

// wholeWords reports whether s[i:j] neither starts nor ends in the middle
// of a word: "кластер1" is not found again in "кластер10".
func wholeWords(s string, i, j int) bool {
	if i > 0 {
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		first, _ := utf8.DecodeRuneInString(s[i:])
		if isWordRune(before) && isWordRune(first) {
			return false
		}
	}
	if j < len(s) && j > i {
		last, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[j:])
		if isWordRune(last) && isWordRune(after) {
			return false
		}
	}
	return true
}

// cpOffsets returns the byte offset of each code point of s, then len(s).
// Like runeCount, it counts a code point at every byte that is not a UTF-8
// continuation byte.
func cpOffsets(s string) []int32 {
	out := make([]int32, runeCount(s)+1)
	k := 0
	for i := 0; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			out[k] = int32(i)
			k++
		}
	}
	out[k] = int32(len(s))
	return out
}

// cpToByte returns the byte offset of code point n of s (len(s) past its end).
func cpToByte(s string, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, size := decode(s, i)
		i += size
	}
	return i
}

// backRunes returns the byte offset n code points before byte offset i.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forwardRunes returns the byte offset n code points after byte offset i.
func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := decode(s, i)
		i += size
	}
	return i
}
