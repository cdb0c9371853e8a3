package textdiff

import (
	"io"
	"strconv"
	"strings"
)

// The HTML renderers write fragments for a page to embed. They use <ins> and
// <del>, which browsers underline and strike through by default, so the
// redline reads on a black-and-white printout without any stylesheet; moves
// and renumbering are spelled out in text, not only in colour. Every piece of
// text is HTML-escaped; line breaks inside a paragraph become <br>.
//
// Classes, for a stylesheet to refine: the container has "redline" and
// "redline-inline" or "redline-side"; paragraphs (or rows) have "para" and
// their kind with "_" as "-" ("equal", "changed", "inserted", "deleted",
// "moved-from", "moved-to", "renumbered"); <ins class="ins"> and
// <del class="del"> mark edits, with "renum" added for a number change;
// <span class="move-note"> holds the note on a moved paragraph. Moved
// paragraphs carry ids "old-N" / "new-N" (N counts paragraphs from 1) that
// the notes link to.

// WriteHTMLInline writes r as one column of paragraphs, insertions and
// deletions marked in place. A moved paragraph appears struck through at its
// old place and, with its own edits, at its new place, each with a note
// linking to the other.
func WriteHTMLInline(w io.Writer, r *Result) error {
	up := movedUp(r)
	var b strings.Builder
	b.WriteString("<div class=\"redline redline-inline\">\n")
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		text, _ := SplitSeparator(p.Chunks)
		if len(text) == 0 {
			continue // leading blank lines: nothing to show
		}
		b.WriteString(`<p class="para `)
		b.WriteString(kindClass(p.Kind))
		b.WriteString(`"`)
		switch p.Kind {
		case KindMovedFrom:
			writeID(&b, "old", p.OldIndex)
			b.WriteString(">")
			writeMoveNote(&b, "moved to ¶ ", "new", p.Move.NewIndex, arrow(up[p.Move.OldIndex]))
			b.WriteString(" ")
			writeChunks(&b, text, true, true)
		case KindMovedTo:
			writeID(&b, "new", p.NewIndex)
			b.WriteString(">")
			writeMoveNote(&b, "moved from ¶ ", "old", p.Move.OldIndex, arrow(!up[p.Move.OldIndex]))
			b.WriteString(" ")
			writeChunks(&b, p.Move.Chunks, true, true)
		default:
			b.WriteString(">")
			writeChunks(&b, text, true, true)
		}
		b.WriteString("</p>\n")
	}
	b.WriteString("</div>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteHTMLSideBySide writes r as a table with one row per paragraph: the
// old paragraph number and text on the left, the new ones on the right,
// deletions marked on the left and insertions on the right. A moved
// paragraph's row sits at its new place and shows its old and new text side
// by side; its old place gets a row with only a note.
func WriteHTMLSideBySide(w io.Writer, r *Result) error {
	up := movedUp(r)
	var b strings.Builder
	b.WriteString("<table class=\"redline redline-side\">\n")
	b.WriteString("<thead><tr><th class=\"num\">¶</th><th class=\"old\">Old</th><th class=\"num\">¶</th><th class=\"new\">New</th></tr></thead>\n<tbody>\n")
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		text, _ := SplitSeparator(p.Chunks)
		if len(text) == 0 {
			continue
		}
		b.WriteString(`<tr class="para `)
		b.WriteString(kindClass(p.Kind))
		b.WriteString(`">`)
		switch p.Kind {
		case KindMovedFrom:
			writeNum(&b, p.OldIndex)
			b.WriteString(`<td class="old"`)
			writeID(&b, "old", p.OldIndex)
			b.WriteString(">")
			writeMoveNote(&b, "moved to ¶ ", "new", p.Move.NewIndex, arrow(up[p.Move.OldIndex]))
			b.WriteString(`</td>`)
			writeNum(&b, -1)
			b.WriteString(`<td class="new empty"></td>`)
		case KindMovedTo:
			writeNum(&b, p.Move.OldIndex)
			b.WriteString(`<td class="old">`)
			writeMoveNote(&b, "moved from ¶ ", "old", p.Move.OldIndex, arrow(!up[p.Move.OldIndex]))
			b.WriteString(" ")
			writeChunks(&b, p.Move.Chunks, true, false)
			b.WriteString(`</td>`)
			writeNum(&b, p.NewIndex)
			b.WriteString(`<td class="new"`)
			writeID(&b, "new", p.NewIndex)
			b.WriteString(">")
			writeChunks(&b, p.Move.Chunks, false, true)
			b.WriteString(`</td>`)
		default:
			writeNum(&b, p.OldIndex)
			writeCell(&b, "old", p.OldIndex < 0, func() { writeChunks(&b, text, true, false) })
			writeNum(&b, p.NewIndex)
			writeCell(&b, "new", p.NewIndex < 0, func() { writeChunks(&b, text, false, true) })
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// movedUp tells, by old paragraph index, whether a moved paragraph's new
// place comes before its old one in r.
func movedUp(r *Result) map[int]bool {
	up := map[int]bool{}
	seenTo := map[int]bool{}
	for _, p := range r.Paragraphs {
		switch p.Kind {
		case KindMovedTo:
			seenTo[p.Move.OldIndex] = true
		case KindMovedFrom:
			up[p.OldIndex] = seenTo[p.OldIndex]
		}
	}
	return up
}

// arrow points to where the other half of a move is: up or down the page.
func arrow(up bool) string {
	if up {
		return " ↑"
	}
	return " ↓"
}

func writeCell(b *strings.Builder, class string, empty bool, body func()) {
	if empty {
		b.WriteString(`<td class="` + class + ` empty"></td>`)
		return
	}
	b.WriteString(`<td class="` + class + `">`)
	body()
	b.WriteString(`</td>`)
}

func writeNum(b *strings.Builder, idx int) {
	b.WriteString(`<td class="num">`)
	if idx >= 0 {
		b.WriteString(strconv.Itoa(idx + 1))
	}
	b.WriteString(`</td>`)
}

func writeID(b *strings.Builder, side string, idx int) {
	b.WriteString(` id="` + side + "-" + strconv.Itoa(idx+1) + `"`)
}

func writeMoveNote(b *strings.Builder, before, side string, idx int, after string) {
	n := strconv.Itoa(idx + 1)
	b.WriteString(`<span class="move-note">[<a href="#` + side + "-" + n + `">` + before + n + `</a>` + after + `]</span>`)
}

func kindClass(k ParaKind) string { return strings.ReplaceAll(string(k), "_", "-") }

// writeChunks writes chunks as HTML: equal text plain, deletions in <del>
// (when showDel) and insertions in <ins> (when showIns); the side not shown
// is left out. A changing list number gets the extra class "renum".
func writeChunks(b *strings.Builder, cs []Chunk, showDel, showIns bool) {
	nk := numberChunks(cs)
	for k, c := range cs {
		extra := ""
		if k < nk {
			extra = " renum" // the list number changing
		}
		switch c.Op {
		case OpEqual:
			escapeHTML(b, c.Text)
		case OpDelete:
			if showDel {
				b.WriteString(`<del class="del` + extra + `">`)
				escapeHTML(b, c.Text)
				b.WriteString(`</del>`)
			}
		case OpInsert:
			if showIns {
				b.WriteString(`<ins class="ins` + extra + `">`)
				escapeHTML(b, c.Text)
				b.WriteString(`</ins>`)
			}
		}
	}
}

// escapeHTML writes s escaped for HTML text and attribute values, with line
// breaks as <br>.
func escapeHTML(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '\r':
			rep = ""
		case '\n':
			rep = "<br>\n"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}
