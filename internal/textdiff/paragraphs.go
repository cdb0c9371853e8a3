package textdiff

// Span is one paragraph of a text, as Diff, Merge3 and the anchor mapping
// count them: Paragraphs(text)[i] is the paragraph that Paragraph.OldIndex
// or NewIndex i names (for texts of up to 50 000 paragraphs; larger ones are
// diffed in groups). Offsets are bytes into the text.
type Span struct {
	// Start and End delimit the paragraph's text, from its first non-blank
	// line to the last non-space character of its last line. A text that
	// starts with blank lines has a first Span with Start == End == 0
	// whose separator is those lines.
	Start, End int
	// SepEnd is where the whitespace after the paragraph ends (the next
	// paragraph's Start, or len(text)).
	SepEnd int
	// MarkerStart and MarkerEnd delimit the paragraph's list number ("1.",
	// "2)", "(3)", "12.3.", "а)", "IV."), after any indentation, as the
	// redline recognises it to report renumbered paragraphs; equal when the
	// paragraph has none.
	MarkerStart, MarkerEnd int
}

// Paragraphs splits text into paragraphs: maximal runs of non-blank lines
// (a line holding only spaces, tabs and carriage returns is blank). The
// Spans and their separators cover text exactly, in order.
func Paragraphs(text string) []Span {
	var out []Span
	eachParagraph(text, func(start, end, sepEnd int) {
		s := Span{Start: start, End: end, SepEnd: sepEnd, MarkerStart: start, MarkerEnd: start}
		if start < end {
			ms, me := findMarker(text[start:end])
			s.MarkerStart, s.MarkerEnd = start+ms, start+me
		}
		out = append(out, s)
	})
	return out
}
