package office

import (
	"redline/internal/textdiff"
)

// The layout of a text or a redline is one stream of paragraphs, each a list
// of pieces (text, line breaks, tabs) with an operation, ending in a
// paragraph mark that has an operation too. The .docx, .odt and .pdf writers
// all render this stream; a plain text is the stream with every operation
// equal.

// op is what happened to a piece.
type op uint8

const (
	opEqual op = iota
	opInsert
	opDelete
	opMoveFrom // deleted here because it moved elsewhere
	opMoveTo   // inserted here because it moved from elsewhere
)

func (o op) isOld() bool { return o == opDelete || o == opMoveFrom }
func (o op) isNew() bool { return o == opInsert || o == opMoveTo }

// The kinds of piece.
const (
	kText  byte = 't'
	kTab   byte = 'T'
	kBreak byte = 'b' // a line break inside a paragraph
	kMark  byte = 'p' // a paragraph mark
)

type piece struct {
	op   op
	kind byte
	text string // for kText
	move int    // for moves: the moved paragraph's old index + 1
}

// lpara is one laid-out paragraph: its pieces and its own mark's operation.
type lpara struct {
	pieces []piece
	mark   op
	move   int // the move id of the mark, for opMoveFrom/opMoveTo
}

// isSpace is the white space textdiff's paragraph splitting knows: a line of
// only these is blank.
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\v' || r == '\f' }

// sideKinds lays out one side of a merged rune stream: for each rune on the
// side (on[i]), what it is in Redline's text model — text, tab, line break,
// paragraph mark, or 0 for white space that carries nothing (blank lines,
// spaces at line ends, the newline after the last paragraph).
func sideKinds(m []rune, on func(i int) bool) []byte {
	kinds := make([]byte, len(m))
	type line struct{ from, to, nl int } // runes [from, to) of the line, nl the index of its newline or -1
	var lines []line
	var blank []bool
	from := -1
	isBlank := true
	for i, r := range m {
		if !on(i) {
			continue
		}
		if from < 0 {
			from = i
		}
		if r == '\n' {
			lines = append(lines, line{from, i, i})
			blank = append(blank, isBlank)
			from, isBlank = -1, true
			continue
		}
		if !isSpace(r) {
			isBlank = false
		}
	}
	if from >= 0 {
		lines = append(lines, line{from, len(m), -1})
		blank = append(blank, isBlank)
	}
	last := -1
	for k := len(lines) - 1; k >= 0; k-- {
		if !blank[k] {
			last = k
			break
		}
	}
	for k, l := range lines {
		if blank[k] {
			continue
		}
		// The end of the line's content: its last non-space rune.
		end := -1
		for i := l.from; i < l.to; i++ {
			if on(i) && !isSpace(m[i]) {
				end = i
			}
		}
		for i := l.from; i <= end; i++ {
			if !on(i) {
				continue
			}
			switch m[i] {
			case '\t':
				kinds[i] = kTab
			case '\r', '\v', '\f':
				kinds[i] = 0
			default:
				kinds[i] = kText
			}
		}
		if l.nl >= 0 && k < last {
			if blank[k+1] {
				kinds[l.nl] = kMark
			} else {
				kinds[l.nl] = kBreak
			}
		}
	}
	return kinds
}

// layoutText lays out a plain text: every piece equal.
func layoutText(text string) []lpara {
	m := []rune(text)
	kinds := sideKinds(m, func(int) bool { return true })
	var l layout
	for i, r := range m {
		if kinds[i] != 0 {
			l.add(piece{op: opEqual, kind: kinds[i]}, r)
		}
	}
	return l.finish()
}

// layoutRedline lays out a redline from its chunk stream alone: the old side
// is the equal and deleted chunks, the new side the equal and inserted ones
// (textdiff's invariant), so accepting every insertion and deletion gives the
// new text's paragraphs and rejecting them the old one's, whatever kinds of
// paragraph the diff reports. Paragraph kinds only refine the result: with
// moves, the halves of a moved paragraph become moves instead of a deletion
// and an insertion.
func layoutRedline(r *textdiff.Result, moves bool) []lpara {
	var m []rune
	var ops []op
	var moveIDs []int32
	for _, p := range r.Paragraphs {
		mv := int32(0)
		if moves && p.Move != nil && (p.Kind == textdiff.KindMovedFrom || p.Kind == textdiff.KindMovedTo) {
			mv = int32(p.Move.OldIndex + 1)
		}
		for _, c := range p.Chunks {
			o := opEqual
			switch c.Op {
			case textdiff.OpInsert:
				o = opInsert
				if mv != 0 {
					o = opMoveTo
				}
			case textdiff.OpDelete:
				o = opDelete
				if mv != 0 {
					o = opMoveFrom
				}
			}
			for _, ch := range c.Text {
				m = append(m, ch)
				ops = append(ops, o)
				moveIDs = append(moveIDs, mv)
			}
		}
	}
	oldKinds := sideKinds(m, func(i int) bool { return !ops[i].isNew() })
	newKinds := sideKinds(m, func(i int) bool { return !ops[i].isOld() })
	var l layout
	for i, ch := range m {
		ok, nk := oldKinds[i], newKinds[i]
		if ok == nk {
			if ok != 0 {
				l.add(piece{op: opEqual, kind: ok}, ch)
			}
			continue
		}
		o := ops[i]
		del, ins := opDelete, opInsert
		if o == opMoveFrom {
			del = opMoveFrom
		}
		if o == opMoveTo {
			ins = opMoveTo
		}
		if ok != 0 {
			l.add(piece{op: del, kind: ok, move: int(moveIDs[i])}, ch)
		}
		if nk != 0 {
			l.add(piece{op: ins, kind: nk, move: int(moveIDs[i])}, ch)
		}
	}
	return l.finish()
}

// layout accumulates pieces into paragraphs, merging neighbouring text.
type layout struct {
	paras []lpara
	cur   lpara
	text  []rune
}

func (l *layout) flushText() {
	if len(l.text) > 0 {
		n := len(l.cur.pieces)
		l.cur.pieces[n-1].text = string(l.text)
		l.text = l.text[:0]
	}
}

func (l *layout) add(p piece, r rune) {
	if p.kind == kMark {
		l.flushText()
		l.cur.mark, l.cur.move = p.op, p.move
		l.paras = append(l.paras, l.cur)
		l.cur = lpara{}
		return
	}
	if p.kind == kText {
		if n := len(l.cur.pieces); n > 0 && len(l.text) > 0 {
			last := l.cur.pieces[n-1]
			if last.kind == kText && last.op == p.op && last.move == p.move {
				l.text = append(l.text, r)
				return
			}
		}
		l.flushText()
		l.cur.pieces = append(l.cur.pieces, p)
		l.text = append(l.text, r)
		return
	}
	l.flushText()
	l.cur.pieces = append(l.cur.pieces, p)
}

func (l *layout) finish() []lpara {
	l.flushText()
	l.cur.mark = opEqual
	return append(l.paras, l.cur)
}
