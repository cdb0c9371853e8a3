package textdiff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a token: the half-open byte range [start, end) of a string.
type span struct{ start, end int }

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
	i := 0
	for i < len(s) {
		start := i
		c, size := decode(s, i)
		i += size
		switch {
		case isWordRune(c):
			for i < len(s) {
				c, size = decode(s, i)
				if !isWordRune(c) {
					break
				}
				i += size
			}
		case isSpaceRune(c):
			for i < len(s) {
				c, size = decode(s, i)
				if !isSpaceRune(c) {
					break
				}
				i += size
			}
		}
		out = append(out, span{start, i})
	}
	return out
}

// countTokens counts the tokens tokenize would split s into, without
// allocating: enough to tell whether a diff of them fits its budget.
func countTokens(s string) int {
	n := 0
	i := 0
	for i < len(s) {
		c, size := decode(s, i)
		i += size
		switch {
		case isWordRune(c):
			for i < len(s) {
				c, size = decode(s, i)
				if !isWordRune(c) {
					break
				}
				i += size
			}
		case isSpaceRune(c):
			for i < len(s) {
				c, size = decode(s, i)
				if !isSpaceRune(c) {
					break
				}
				i += size
			}
		}
		n++
	}
	return n
}

// nextToken returns the end of the token of s that starts at i, as tokenize
// splits it.
func nextToken(s string, i int) int {
	c, size := decode(s, i)
	i += size
	switch {
	case isWordRune(c):
		for i < len(s) {
			c, size = decode(s, i)
			if !isWordRune(c) {
				break
			}
			i += size
		}
	case isSpaceRune(c):
		for i < len(s) {
			c, size = decode(s, i)
			if !isSpaceRune(c) {
				break
			}
			i += size
		}
	}
	return i
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
	nA, nB := countTokens(a), countTokens(b)
	p := 0
	x, y := 0, 0
	for x < len(a) && y < len(b) {
		ex, ey := nextToken(a, x), nextToken(b, y)
		if a[x:ex] != b[y:ey] {
			break
		}
		x, y = ex, ey
		p++
	}
	s := 0
	x, y = len(a), len(b)
	for s < nA-p && s < nB-p {
		sx, sy := prevToken(a, x), prevToken(b, y)
		if a[sx:x] != b[sy:y] {
			break
		}
		x, y = sx, sy
		s++
	}
	na, nb = nA-p-s, nB-p-s
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
		out = append(out, span{i, j})
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
