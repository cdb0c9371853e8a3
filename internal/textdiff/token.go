package textdiff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a token: the half-open byte range [start, end) of a string. Offsets
// are int32, half the memory of int on the millions of tokens of a large
// text: every text Redline diffs is far below 2 GiB (the server's body limits,
// the command line's maxDiffFileBytes).
type span struct{ start, end int32 }

// tokenize splits s into word-mode tokens: words (runs of letters, digits and
// combining marks), whitespace runs, and single other characters
// (punctuation, symbols). The tokens cover s exactly, in order.
func tokenize(s string, out []span) []span {
	out = out[:0]
	// About one token in four bytes of Russian prose: growing the slice
	// step by step would copy megabytes.
	if want := len(s) / 4; cap(out) < want {
		out = make([]span, 0, want)
	}
	for i := 0; i < len(s); {
		start := i
		i = nextToken(s, i)
		out = append(out, span{int32(start), int32(i)})
	}
	return out
}

// countTokens counts the tokens tokenize would split s into, without
// allocating: enough to tell whether a diff of them fits its budget.
func countTokens(s string) int {
	// A token starts at every rune of class other and wherever the class
	// changes: one pass over the bytes, ASCII without decoding.
	n := 0
	prev := classOther
	for i := 0; i < len(s); {
		var cls uint8
		if c := s[i]; c < utf8.RuneSelf {
			cls = asciiClass[c]
			i++
		} else {
			var size int
			cls, size = classAt(s, i)
			i += size
		}
		// Without a branch: word lists change class every few bytes, and
		// a mispredicted branch each time cost more than the rest.
		n += int(startsToken[prev&3][cls&3])
		prev = cls
	}
	return n
}

// startsToken[prev][cls] is 1 where a rune of class cls after one of class
// prev starts a token: always for classOther, else on a change of class.
var startsToken = func() (t [4][4]uint8) {
	for p := range t {
		for c := range t[p] {
			if c == int(classOther) || c != p {
				t[p][c] = 1
			}
		}
	}
	return t
}()

// nextToken returns the end of the token of s that starts at i, as tokenize
// splits it.
func nextToken(s string, i int) int {
	cls, size := classAt(s, i)
	i += size
	if cls == classOther {
		return i
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			// ASCII, the bulk of most texts, without decoding.
			if asciiClass[c] != cls {
				break
			}
			i++
			continue
		}
		k, size := classAt(s, i)
		if k != cls {
			break
		}
		i += size
	}
	return i
}

// Token classes: a token is a run of word runes, a run of space runes, or a
// single other rune.
const (
	classOther uint8 = iota
	classWord
	classSpace
)

// asciiClass is the class of each ASCII byte (isWordRune, isSpaceRune).
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case isWordRune(rune(c)):
			t[c] = classWord
		case isSpaceRune(rune(c)):
			t[c] = classSpace
		}
	}
	return t
}()

// classAt returns the class of the rune at s[i] and its size.
func classAt(s string, i int) (uint8, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, size := decode(s, i)
	switch {
	case isWordRune(r):
		return classWord, size
	case isSpaceRune(r):
		return classSpace, size
	}
	return classOther, size
}

// prevToken returns the start of the token of s that ends at i, as tokenize
// splits it. s must be valid UTF-8 (decoding backwards and forwards then
// agree), or the token boundaries may differ from tokenize's.
func prevToken(s string, i int) int {
	c, size := utf8.DecodeLastRuneInString(s[:i])
	i -= size
	switch {
	case isWordRune(c):
		for i > 0 {
			c, size = utf8.DecodeLastRuneInString(s[:i])
			if !isWordRune(c) {
				break
			}
			i -= size
		}
	case isSpaceRune(c):
		for i > 0 {
			c, size = utf8.DecodeLastRuneInString(s[:i])
			if !isSpaceRune(c) {
				break
			}
			i -= size
		}
	}
	return i
}

// tokenCost returns what tokenDiff(nil, a, b, tokenize(a), tokenize(b)) would
// report as its cost, and the token counts of the two middles it would
// diff, without tokenizing: a pair far over its budget (a whole document
// without blank lines) is then refused without allocating its tokens. a and
// b must be valid UTF-8.
func tokenCost(a, b string) (cost int64, na, nb int) {
	x, y := 0, 0
	for x < len(a) && y < len(b) {
		ex, ey := nextToken(a, x), nextToken(b, y)
		if a[x:ex] != b[y:ey] {
			break
		}
		x, y = ex, ey
	}
	// The common tail, in whole tokens, never reaching into the common
	// head: the middles a[x:ex] and b[y:ey] then start and end at token
	// boundaries, so counting their tokens alone gives the counts left
	// (without tokenizing the common ends twice).
	ex, ey := len(a), len(b)
	for ex > x && ey > y {
		sx, sy := prevToken(a, ex), prevToken(b, ey)
		if a[sx:ex] != b[sy:ey] {
			break
		}
		ex, ey = sx, sy
	}
	na, nb = countTokens(a[x:ex]), countTokens(b[y:ey])
	return int64(na) * int64(nb), na, nb
}

// tokenizeLines splits s into lines, each with its line break; the coarse
// level a huge paragraph falls back to.
func tokenizeLines(s string, out []span) []span {
	out = out[:0]
	if want := strings.Count(s, "\n") + 1; cap(out) < want {
		out = make([]span, 0, want)
	}
	i := 0
	for i < len(s) {
		j := indexByteFrom(s, '\n', i)
		if j < 0 {
			j = len(s)
		} else {
			j++
		}
		out = append(out, span{int32(i), int32(j)})
		i = j
	}
	return out
}

// countWords counts the words of s, as tokenize splits them.
func countWords(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); {
		c, size := decode(s, i)
		i += size
		w := isWordRune(c)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// decode is utf8.DecodeRuneInString with fast paths for ASCII and for the
// two-byte sequences of Cyrillic.
func decode(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	// Two-byte sequences (Cyrillic) without leaving the inlined path.
	if c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isWordRune(c rune) bool {
	if c < utf8.RuneSelf {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	// Cyrillic letters are by far the most common non-ASCII runes here.
	if c >= 0x0410 && c <= 0x044F || c == 0x0401 || c == 0x0451 {
		return true
	}
	return unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.IsMark(c)
}

func isSpaceRune(c rune) bool {
	if c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
	}
	return unicode.IsSpace(c)
}
