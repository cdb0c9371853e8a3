package textdiff

import "strings"

// para is one paragraph of a text: a maximal run of non-blank lines, plus the
// separator that follows it.
type para struct {
	content string // the paragraph's text, from its first non-blank line to the last non-space character of its last line
	sep     string // the whitespace after it: trailing spaces, line break, blank lines; "" at the end of a text without one
	// key is content without its list number, so that a renumbered paragraph
	// aligns with its old self. It shares memory with content unless the
	// number is preceded by indentation.
	key          string
	mStart, mEnd int // byte range of the list number in content; equal when there is none
}

func (p *para) marker() string { return p.content[p.mStart:p.mEnd] }

// maxParagraphs bounds the number of paragraphs Diff works with. A text with
// more (a 4 MB text of one-word paragraphs has over a million) is cut into
// groups of consecutive paragraphs instead, which keeps the Result and the
// alignment within the memory budget.
const maxParagraphs = 50_000

// eachParagraph calls fn for every paragraph of text with the byte offsets of
// its content [start, end) and of the end of its separator. A text that starts
// with blank lines yields first an empty paragraph whose separator is those
// lines, so that concatenating everything gives text back exactly.
func eachParagraph(text string, fn func(start, end, sepEnd int)) {
	n := len(text)
	i := 0
	if end := skipBlankLines(text, 0); end > 0 {
		fn(0, 0, end)
		i = end
	}
	for i < n {
		// i is at the start of a non-blank line: find the end of the run of
		// non-blank lines.
		j := i
		for {
			nl := indexByteFrom(text, '\n', j)
			if nl < 0 {
				j = n
				break
			}
			next := nl + 1
			if next >= n || isBlankLine(text, next) {
				j = nl
				break
			}
			j = next
		}
		end := j
		if end < n {
			end = skipBlankLines(text, end+1)
		}
		// Trailing spaces and the CR of a CRLF belong to the separator, so
		// that they never make two paragraphs differ in their text.
		for j > i && isSpaceByte(text[j-1]) {
			j--
		}
		fn(i, j, end)
		i = end
	}
}

// countParagraphs counts the paragraphs eachParagraph would yield.
func countParagraphs(text string) int {
	n := 0
	eachParagraph(text, func(int, int, int) { n++ })
	return n
}

// splitParagraphs splits text into paragraphs. With group > 1, consecutive
// paragraphs are joined into groups of about group paragraphs; group ends are
// chosen by content (a paragraph whose hash is 0 modulo group ends one), so
// that the same run of paragraphs is grouped alike in both texts and the
// groups still align.
func splitParagraphs(text string, group int) []para {
	var out []para
	if group <= 1 {
		// Paragraphs are mostly apart by an empty line: counting them
		// (fast) spares growing a slice of a paragraph per few lines, each
		// growth copying it all.
		out = make([]para, 0, countBlankLineBreaks(text)+1)
		eachParagraph(text, func(start, end, sepEnd int) {
			if start == end {
				// Leading blank lines: a key no paragraph with text can have
				// (text never ends in whitespace), so it only matches its like.
				out = append(out, para{sep: text[end:sepEnd], key: "\n"})
				return
			}
			out = append(out, newPara(text[start:end], text[end:sepEnd]))
		})
		return out
	}
	gStart, gN := -1, 0
	eachParagraph(text, func(start, end, sepEnd int) {
		if gStart < 0 {
			gStart = start
		}
		gN++
		h := hashString(text[start:end])
		// The size cap keeps a run of identical paragraphs from forming one
		// giant group.
		if h%uint64(group) == 0 || gN >= 4*group || sepEnd == len(text) {
			out = append(out, para{content: text[gStart:end], sep: text[end:sepEnd], key: text[gStart:end]})
			gStart, gN = -1, 0
		}
	})
	return out
}

func newPara(content, sep string) para {
	p := para{content: content, sep: sep}
	p.mStart, p.mEnd = findMarker(content)
	switch {
	case p.mStart == p.mEnd:
		p.key = content
	case p.mStart == 0:
		p.key = content[p.mEnd:]
	default:
		p.key = content[:p.mStart] + content[p.mEnd:]
	}
	return p
}

// skipBlankLines returns the offset of the first non-blank line at or after
// offset i (i must be at a line start), or len(text) if only blank lines follow.
func skipBlankLines(text string, i int) int {
	for i < len(text) {
		if !isBlankLine(text, i) {
			return i
		}
		nl := indexByteFrom(text, '\n', i)
		if nl < 0 {
			return len(text)
		}
		i = nl + 1
	}
	return i
}

// isBlankLine reports whether the line starting at offset i holds only
// spaces, tabs and carriage returns (so CRLF texts split like LF ones).
func isBlankLine(text string, i int) bool {
	for ; i < len(text); i++ {
		if text[i] == '\n' {
			return true
		}
		if !isSpaceByte(text[i]) {
			return false
		}
	}
	return true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\n'
}

func indexByteFrom(s string, c byte, from int) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

// hashString is 64-bit FNV-1a. A fixed hash, unlike maphash, makes grouping
// and similarity, and so the Result, the same from run to run.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
