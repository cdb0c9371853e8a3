package textdiff

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Render writes r in format f. oldName and newName label the two texts where
// the format has room for them (the unified diff's ---/+++ header).
func Render(w io.Writer, r *Result, f Format, oldName, newName string) error {
	switch f {
	case FormatJSON, "":
		return WriteJSON(w, r)
	case FormatHTML:
		return WriteHTMLInline(w, r)
	case FormatHTMLSide:
		return WriteHTMLSideBySide(w, r)
	case FormatUnified:
		return WriteUnified(w, r, oldName, newName)
	}
	return fmt.Errorf("render diff: unknown format %q", f)
}

// WriteJSON writes r as one JSON object with snake_case fields: mode,
// degraded, degraded_reason, stats and paragraphs, one paragraph per line so
// that large redlines stay readable and diffable. Offsets are in code points.
// Unlike encoding/json's default, <, > and & are not escaped: the output is
// served as application/json, never inlined into HTML.
func WriteJSON(w io.Writer, r *Result) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	put := func(v any) error {
		if err := enc.Encode(v); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline; layout is ours
		return nil
	}
	buf.WriteString(`{"mode":`)
	if err := put(r.Mode); err != nil {
		return fmt.Errorf("encode diff: %w", err)
	}
	buf.WriteString(`,"degraded":` + strconv.FormatBool(r.Degraded))
	if r.DegradedReason != "" {
		buf.WriteString(`,"degraded_reason":`)
		if err := put(r.DegradedReason); err != nil {
			return fmt.Errorf("encode diff: %w", err)
		}
	}
	buf.WriteString(`,"stats":`)
	if err := put(r.Stats); err != nil {
		return fmt.Errorf("encode diff: %w", err)
	}
	buf.WriteString(`,"paragraphs":[`)
	for i := range r.Paragraphs {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
		if err := put(&r.Paragraphs[i]); err != nil {
			return fmt.Errorf("encode diff: %w", err)
		}
	}
	buf.WriteString("\n]}\n")
	_, err := buf.WriteTo(w)
	return err
}

// WriteUnified writes r as the unified diff `git diff` prints: a ---/+++
// header naming the texts, then hunks of changed lines with three lines of
// context, headed "@@ -l,s +l,s @@". Lines are derived from the chunks, so a
// line counts as changed when any chunk touching it is an insertion or a
// deletion. Identical texts produce no output at all.
func WriteUnified(w io.Writer, r *Result, oldName, newName string) error {
	lines := unifiedLines(r)
	const ctx = 3
	bw := bufio.NewWriterSize(w, 64<<10)
	var oldLine, newLine int // 1-based numbers of the next line on each side
	oldLine, newLine = 1, 1
	wroteHeader := false
	for i := 0; i < len(lines); {
		if lines[i].op == ' ' {
			oldLine++
			newLine++
			i++
			continue
		}
		// A hunk starts ctx lines before this change and runs until a stretch
		// of more than 2*ctx unchanged lines (or the end).
		start := max(0, i-ctx)
		end := i
		for end < len(lines) {
			if lines[end].op != ' ' {
				end++
				continue
			}
			k := end
			for k < len(lines) && lines[k].op == ' ' {
				k++
			}
			if k == len(lines) || k-end > 2*ctx {
				end = min(end+ctx, len(lines))
				break
			}
			end = k
		}
		back := i - start
		os, ns := oldLine-back, newLine-back
		var oc, nc int
		for _, l := range lines[start:end] {
			if l.op != '+' {
				oc++
			}
			if l.op != '-' {
				nc++
			}
		}
		if !wroteHeader {
			fmt.Fprintf(bw, "--- %s\n+++ %s\n", oldName, newName)
			wroteHeader = true
		}
		fmt.Fprintf(bw, "@@ -%s +%s @@\n", hunkRange(os, oc), hunkRange(ns, nc))
		for _, l := range lines[start:end] {
			bw.WriteByte(l.op)
			bw.WriteString(l.text)
			bw.WriteByte('\n')
			if !l.eol {
				bw.WriteString("\\ No newline at end of file\n")
			}
		}
		for _, l := range lines[i:end] {
			if l.op != '+' {
				oldLine++
			}
			if l.op != '-' {
				newLine++
			}
		}
		i = end
	}
	return bw.Flush()
}

// hunkRange formats one side of a hunk header the way diff and git do: the
// count is left out when it is 1, and an empty side names the line before.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return strconv.Itoa(start-1) + ",0"
	case 1:
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(count)
}

// uline is one line of a unified diff.
type uline struct {
	op   byte   // ' ', '-' or '+'
	text string // without its line break
	eol  bool   // false for a last line without a line break
}

// unifiedLines turns the chunk stream of r into unified diff lines. A line
// break inside an equal chunk ends a line on both sides at once; the lines
// between two such breaks are unchanged if no insertion or deletion touched
// them, and otherwise shown as old lines removed and new lines added.
func unifiedLines(r *Result) []uline {
	// Every line ends at a line break of one side or the other, or at the
	// end: counting them (fast) spares growing the slice line by line.
	n := 2
	for pi := range r.Paragraphs {
		for _, c := range r.Paragraphs[pi].Chunks {
			n += strings.Count(c.Text, "\n")
		}
	}
	u := &unifier{lines: make([]uline, 0, n)}
	for pi := range r.Paragraphs {
		for _, c := range r.Paragraphs[pi].Chunks {
			u.chunk(c)
		}
	}
	u.finish()
	return u.lines
}

type unifier struct {
	lines          []uline
	oldCur, newCur []string // pieces of the current, unfinished line of each side
	segOld, segNew []uline  // finished lines since the last common line break
	dirty          bool     // an insertion or deletion touched the current segment
}

func (u *unifier) chunk(c Chunk) {
	text := c.Text
	switch c.Op {
	case OpEqual:
		if u.dirty && len(u.oldCur) == 0 && len(u.newCur) == 0 {
			// Both sides are at a line start: the edited lines end here, and
			// this equal text starts lines common to both again.
			u.flush()
		}
		for {
			k := strings.IndexByte(text, '\n')
			if k < 0 {
				if text != "" {
					u.oldCur = append(u.oldCur, text)
					u.newCur = append(u.newCur, text)
				}
				return
			}
			if !u.dirty && len(u.oldCur) == 0 && len(u.newCur) == 0 {
				// Fast path: a whole unchanged line inside an equal chunk.
				u.lines = append(u.lines, uline{' ', text[:k], true})
			} else {
				if k > 0 {
					u.oldCur = append(u.oldCur, text[:k])
					u.newCur = append(u.newCur, text[:k])
				}
				u.segOld = append(u.segOld, uline{'-', join(u.oldCur), true})
				u.segNew = append(u.segNew, uline{'+', join(u.newCur), true})
				u.oldCur, u.newCur = u.oldCur[:0], u.newCur[:0]
				u.flush()
			}
			text = text[k+1:]
		}
	case OpDelete:
		u.dirty = true
		u.oldCur, u.segOld = splitLines(text, u.oldCur, u.segOld, '-')
	case OpInsert:
		u.dirty = true
		u.newCur, u.segNew = splitLines(text, u.newCur, u.segNew, '+')
	}
}

// splitLines adds text to one side: finished lines go to seg, the unfinished
// rest stays in cur.
func splitLines(text string, cur []string, seg []uline, op byte) ([]string, []uline) {
	for {
		k := strings.IndexByte(text, '\n')
		if k < 0 {
			if text != "" {
				cur = append(cur, text)
			}
			return cur, seg
		}
		if k > 0 {
			cur = append(cur, text[:k])
		}
		seg = append(seg, uline{op, join(cur), true})
		cur = cur[:0]
		text = text[k+1:]
	}
}

// flush ends a segment at a common line break.
func (u *unifier) flush() {
	if !u.dirty {
		// Only equal text since the last common break: one identical line.
		for _, l := range u.segNew {
			u.lines = append(u.lines, uline{' ', l.text, l.eol})
		}
	} else {
		u.lines = append(u.lines, u.segOld...)
		u.lines = append(u.lines, u.segNew...)
	}
	u.segOld, u.segNew = u.segOld[:0], u.segNew[:0]
	u.dirty = false
}

func (u *unifier) finish() {
	if len(u.oldCur) > 0 {
		u.segOld = append(u.segOld, uline{'-', join(u.oldCur), false})
	}
	if len(u.newCur) > 0 {
		u.segNew = append(u.segNew, uline{'+', join(u.newCur), false})
	}
	u.flush()
}

func join(pieces []string) string {
	switch len(pieces) {
	case 0:
		return ""
	case 1:
		return pieces[0]
	}
	return strings.Join(pieces, "")
}
