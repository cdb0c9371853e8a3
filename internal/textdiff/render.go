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
//
// Lines are written as the chunks are read: only the hunk being built and
// its leading context are held, never every line of the texts.
func WriteUnified(w io.Writer, r *Result, oldName, newName string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	h := &hunker{w: bw, oldName: oldName, newName: newName, oldNext: 1, newNext: 1}
	u := &unifier{}
	for pi := range r.Paragraphs {
		for _, c := range r.Paragraphs[pi].Chunks {
			if c.Op == OpEqual && !h.inHunk && u.atLineStart() {
				c.Text = h.skipContext(c.Text)
			}
			u.chunk(c)
			h.take(u.lines)
			u.lines = u.lines[:0]
		}
	}
	u.finish()
	h.take(u.lines)
	h.finish()
	return bw.Flush()
}

// unifiedContext is the number of unchanged lines shown around a change.
const unifiedContext = 3

// ctxBufLines is the size of the buffer the leading context slides over.
const ctxBufLines = 64

// hunker groups unified diff lines into hunks as they come: a hunk starts
// unifiedContext lines before a change and runs until a stretch of more than
// 2*unifiedContext unchanged lines (or the end), keeping unifiedContext of
// them.
type hunker struct {
	w                *bufio.Writer
	oldName, newName string
	wroteHeader      bool
	oldNext, newNext int // 1-based numbers of the next line on each side

	// Out of a hunk: the last unchanged lines (up to unifiedContext), with
	// the numbers of the first of them.
	ctx            []uline
	ctxBuf         []uline // the memory ctx is a window of
	ctxOld, ctxNew int
	inHunk         bool
	hunk           []uline // the hunk so far, its first line numbered hOld/hNew
	hOld, hNew     int
	tail           int // unchanged lines at the end of hunk
}

// skipContext passes over the unchanged lines at the start of text, out of
// a hunk and at a line start, that would only slide through the leading
// context: all but the last unifiedContext complete lines, counted without
// being made into lines. It returns the rest of text.
func (h *hunker) skipContext(text string) string {
	n := strings.Count(text, "\n")
	k := n - unifiedContext // the lines to skip
	if k <= 0 {
		return text
	}
	// The line break ending line k is the (unifiedContext+1)-th from the end.
	i := len(text)
	for range unifiedContext + 1 {
		i = strings.LastIndexByte(text[:i], '\n')
	}
	h.oldNext += k
	h.newNext += k
	// The lines kept push out whatever context came before.
	h.ctx = h.ctx[:0]
	return text[i+1:]
}

func (h *hunker) take(lines []uline) {
	for _, l := range lines {
		h.line(l)
	}
}

func (h *hunker) line(l uline) {
	const ctx = unifiedContext
	oldNo, newNo := h.oldNext, h.newNext
	if l.op != '+' {
		h.oldNext++
	}
	if l.op != '-' {
		h.newNext++
	}
	if l.op == ' ' {
		if !h.inHunk {
			if len(h.ctx) == ctx {
				// The window slides over ctxBuf: shifting the lines
				// down for every unchanged line of a large text cost a
				// tenth of its rendering.
				h.ctx = h.ctx[1:]
				h.ctxOld++
				h.ctxNew++
			}
			if len(h.ctx) == 0 {
				h.ctxOld, h.ctxNew = oldNo, newNo
			}
			if len(h.ctx) == cap(h.ctx) {
				if h.ctxBuf == nil {
					h.ctxBuf = make([]uline, ctxBufLines)
				}
				h.ctx = h.ctxBuf[:copy(h.ctxBuf, h.ctx)]
			}
			h.ctx = append(h.ctx, l)
			return
		}
		h.hunk = append(h.hunk, l)
		h.tail++
		if h.tail > 2*ctx {
			// The hunk ends ctx lines after its last change; the last ctx
			// of the unchanged lines may lead the next one.
			keep := len(h.hunk) - h.tail + ctx
			h.ctx = append(h.ctx[:0], h.hunk[len(h.hunk)-ctx:]...)
			h.ctxOld, h.ctxNew = h.oldNext-ctx, h.newNext-ctx
			h.flush(h.hunk[:keep])
			h.hunk = h.hunk[:0]
			h.inHunk = false
		}
		return
	}
	if !h.inHunk {
		h.inHunk = true
		h.hunk = append(h.hunk[:0], h.ctx...)
		h.hOld, h.hNew = oldNo, newNo
		if len(h.ctx) > 0 {
			h.hOld, h.hNew = h.ctxOld, h.ctxNew
		}
		h.ctx = h.ctx[:0]
	}
	h.hunk = append(h.hunk, l)
	h.tail = 0
}

func (h *hunker) finish() {
	if h.inHunk {
		h.flush(h.hunk[:len(h.hunk)-h.tail+min(h.tail, unifiedContext)])
	}
}

// flush writes one hunk.
func (h *hunker) flush(lines []uline) {
	var oc, nc int
	for _, l := range lines {
		if l.op != '+' {
			oc++
		}
		if l.op != '-' {
			nc++
		}
	}
	bw := h.w
	if !h.wroteHeader {
		fmt.Fprintf(bw, "--- %s\n+++ %s\n", h.oldName, h.newName)
		h.wroteHeader = true
	}
	fmt.Fprintf(bw, "@@ -%s +%s @@\n", hunkRange(h.hOld, oc), hunkRange(h.hNew, nc))
	for _, l := range lines {
		bw.WriteByte(l.op)
		bw.WriteString(l.text)
		bw.WriteByte('\n')
		if !l.eol {
			bw.WriteString("\\ No newline at end of file\n")
		}
	}
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
	text string // without its line break
	op   byte   // ' ', '-' or '+'
	eol  bool   // false for a last line without a line break
}

// unifier turns the chunk stream of a Result into unified diff lines. A
// line break inside an equal chunk ends a line on both sides at once; the
// lines between two such breaks are unchanged if no insertion or deletion
// touched them, and otherwise shown as old lines removed and new lines
// added.
type unifier struct {
	lines          []uline
	oldCur, newCur []string // pieces of the current, unfinished line of each side
	segNew         []uline  // the new side's finished lines since the last common line break
	dirty          bool     // an insertion or deletion touched the current segment
}

// atLineStart reports whether both sides are at the start of a line with
// nothing edited pending: an equal chunk's lines then go out one for one.
func (u *unifier) atLineStart() bool {
	return !u.dirty && len(u.oldCur) == 0 && len(u.newCur) == 0 && len(u.segNew) == 0 && len(u.lines) == 0
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
				u.lines = append(u.lines, uline{text[:k], ' ', true})
			} else {
				if k > 0 {
					u.oldCur = append(u.oldCur, text[:k])
					u.newCur = append(u.newCur, text[:k])
				}
				if u.dirty {
					// The old lines of an edited segment come first: out
					// at once, never held.
					u.lines = append(u.lines, uline{join(u.oldCur), '-', true})
				}
				u.segNew = append(u.segNew, uline{join(u.newCur), '+', true})
				u.oldCur, u.newCur = u.oldCur[:0], u.newCur[:0]
				u.flush()
			}
			text = text[k+1:]
		}
	case OpDelete:
		u.dirty = true
		u.oldCur, u.lines = splitLines(text, u.oldCur, u.lines, '-')
	case OpInsert:
		u.dirty = true
		u.newCur, u.segNew = splitLines(text, u.newCur, u.segNew, '+')
	}
}

// splitLines adds text to one side: finished lines go to seg (the new
// side's lines of the segment, or straight out for the old side's, which come
// first), the unfinished rest stays in cur.
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
		seg = append(seg, uline{join(cur), op, true})
		cur = cur[:0]
		text = text[k+1:]
	}
}

// flush ends a segment at a common line break.
func (u *unifier) flush() {
	if !u.dirty {
		// Only equal text since the last common break: one identical line.
		for _, l := range u.segNew {
			u.lines = append(u.lines, uline{l.text, ' ', l.eol})
		}
	} else {
		// The old lines are out already.
		u.lines = append(u.lines, u.segNew...)
	}
	u.segNew = u.segNew[:0]
	u.dirty = false
}

func (u *unifier) finish() {
	if len(u.oldCur) > 0 && u.dirty {
		u.lines = append(u.lines, uline{join(u.oldCur), '-', false})
	}
	if len(u.newCur) > 0 {
		u.segNew = append(u.segNew, uline{join(u.newCur), '+', false})
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
