package textdiff

import (
	"unicode"
	"unicode/utf8"
)

// findMarker finds the list number at the start of a paragraph ("1.", "2)",
// "(3)", "12.3.", "12.3", "а)", "I.", "iv)"), after any indentation, and
// returns its byte range in content; start == end when there is none.
//
// The number must be followed by whitespace or end the paragraph, so that
// "1.5 млн рублей" or "3D-печать" are not taken for numbers. Single letters
// count only with a closing parenthesis ("а)", "b)"), because "А. С. Пушкин"
// starts with an initial, not a list item.
func findMarker(content string) (start, end int) {
	for start < len(content) && (content[start] == ' ' || content[start] == '\t') {
		start++
	}
	n := markerLen(content[start:])
	if n == 0 {
		return 0, 0
	}
	return start, start + n
}

// markerLen returns the byte length of the list number s starts with, or 0.
func markerLen(s string) int {
	i := 0
	paren := false
	if i < len(s) && s[i] == '(' {
		paren = true
		i++
	}
	body := i
	j, kind := scanNumberBody(s, i)
	if kind == bodyNone {
		return 0
	}
	i = j
	switch {
	case i < len(s) && s[i] == ')':
		i++
	case paren:
		return 0 // "(1" without its closing parenthesis is not a number
	case i < len(s) && s[i] == '.' && kind != bodyLetter:
		i++
	case kind == bodyMultiLevel:
		// "12.3 Text": multi-level numbers often go without a final dot.
	default:
		return 0
	}
	if i == body {
		return 0
	}
	if i < len(s) {
		r, _ := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			return 0
		}
	}
	return i
}

type bodyKind int

const (
	bodyNone       bodyKind = iota
	bodyArabic              // 12
	bodyMultiLevel          // 12.3, 1.2.3
	bodyRoman               // IV, iv
	bodyLetter              // а, b (single letter)
)

// scanNumberBody scans the number itself (without parentheses or final dot)
// starting at s[i] and returns where it ends and what it is.
func scanNumberBody(s string, i int) (int, bodyKind) {
	if i < len(s) && isDigit(s[i]) {
		levels := 0
		for {
			d := i
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			// More than three digits is a year or an amount, not a list item.
			if i-d > 3 {
				return 0, bodyNone
			}
			levels++
			// A dot followed by more digits is another level ("12.3").
			if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
				i++
				continue
			}
			break
		}
		if levels > 1 {
			return i, bodyMultiLevel
		}
		return i, bodyArabic
	}
	if j := romanLen(s[i:]); j > 0 {
		return i + j, bodyRoman
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if size > 0 && (unicode.Is(unicode.Cyrillic, r) || unicode.Is(unicode.Latin, r)) && unicode.IsLetter(r) {
		next := i + size
		// Only a single letter: "аб)" is a word, not a list item.
		if next < len(s) {
			if r2, _ := utf8.DecodeRuneInString(s[next:]); unicode.IsLetter(r2) {
				return 0, bodyNone
			}
		}
		return next, bodyLetter
	}
	return 0, bodyNone
}

// romanLen returns the length of a well-formed Roman numeral (I to MMMCMXCIX,
// all upper or all lower case) at the start of s, or 0.
func romanLen(s string) int {
	if s == "" {
		return 0
	}
	lower := s[0] >= 'a' && s[0] <= 'z'
	end := 0
	for end < len(s) {
		c := s[end]
		if lower {
			c -= 'a' - 'A'
		}
		if !isRomanDigit(c) {
			break
		}
		end++
	}
	if end == 0 {
		return 0
	}
	// A Roman numeral followed directly by another letter is a word ("Ivan", "Mix").
	if end < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[end:]); unicode.IsLetter(r) {
			return 0
		}
	}
	v := romanValue(s[:end], lower)
	if v <= 0 || v >= 4000 || toRoman(v) != upper(s[:end], lower) {
		return 0
	}
	return end
}

func isRomanDigit(c byte) bool {
	switch c {
	case 'I', 'V', 'X', 'L', 'C', 'D', 'M':
		return true
	}
	return false
}

func romanDigit(c byte) int {
	switch c {
	case 'I':
		return 1
	case 'V':
		return 5
	case 'X':
		return 10
	case 'L':
		return 50
	case 'C':
		return 100
	case 'D':
		return 500
	case 'M':
		return 1000
	}
	return 0
}

func upper(s string, lower bool) string {
	if !lower {
		return s
	}
	b := []byte(s)
	for i := range b {
		b[i] -= 'a' - 'A'
	}
	return string(b)
}

func romanValue(s string, lower bool) int {
	s = upper(s, lower)
	v := 0
	for i := 0; i < len(s); i++ {
		d := romanDigit(s[i])
		if i+1 < len(s) && romanDigit(s[i+1]) > d {
			v -= d
		} else {
			v += d
		}
	}
	return v
}

// toRoman formats v canonically; comparing with it rejects malformed
// numerals such as "IIII" or "VX".
func toRoman(v int) string {
	vals := [...]int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := [...]string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	out := ""
	for i, n := range vals {
		for v >= n {
			out += syms[i]
			v -= n
		}
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
