package webui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// chunk is a piece of a redline with the class that marks it: ins
// (underlined), del (struck through) or eq.
type chunk struct {
	Class string
	Text  string
}

// rlPara is one paragraph of an inline redline.
type rlPara struct {
	Kind   string // a textdiff.ParaKind
	ID     string // the element id, for links between the halves of a move
	OldNum int    // 1-based paragraph numbers; 0 where there is no such side
	NewNum int
	Other  string // the id of the other half of a move
	OtherN int    // and its paragraph number
	Chunks []chunk
	Label  string // the paragraph's label ("пункт 11"), when known (issue 14)
	// Move words a move by labels, on both halves, when labels are known.
	Move *moveNote
}

// rlRow is one row of a side-by-side redline.
type rlRow struct {
	Kind        string
	ID          string
	OldNum      int
	NewNum      int
	Other       string
	OtherN      int
	Left, Right []chunk
	OldLabel    string // the labels of both sides, when known (issue 14)
	NewLabel    string
	Move        *moveNote
}

// redline is a textdiff.Result laid out for the templates.
type redline struct {
	Items    []drafting.ItemRef // the items changed, when labels are known (issue 14)
	Lang     string             // the labels' language
	Paras    []rlPara
	Rows     []rlRow
	Stats    textdiff.Stats
	Changed  bool
	Degraded bool
	Mode     string
	// Reading aids (issue 14): the paragraphs in blocks, unchanged runs
	// folded; the items changed, named in one phrase.
	Blocks     []rlBlock
	HideRenum  bool
	ChangedSet changedList
}

func chunkClass(op string) string {
	switch op {
	case textdiff.OpInsert:
		return "ins"
	case textdiff.OpDelete:
		return "del"
	}
	return "eq"
}

func toChunks(cs []textdiff.Chunk, keep func(op string) bool) []chunk {
	out := make([]chunk, 0, len(cs))
	for _, c := range cs {
		if c.Text == "" || (keep != nil && !keep(c.Op)) {
			continue
		}
		out = append(out, chunk{Class: chunkClass(c.Op), Text: c.Text})
	}
	return out
}

func oldSide(op string) bool { return op != textdiff.OpInsert }
func newSide(op string) bool { return op != textdiff.OpDelete }

// newRedline lays out r with every paragraph named by its label, in the
// language its text is written in (issue 14: a redline whose document is
// not at hand — a public page, an import, a preview — names paragraphs and
// moves by label too).
func newRedline(r *textdiff.Result) *redline {
	next := r.NewText()
	lang := textLanguage(next)
	return newLabeledRedline(r, drafting.NewOutline(r.OldText(), lang), drafting.NewOutline(next, lang))
}

// layoutRedline lays out r. Separators (the blank lines between paragraphs)
// are dropped: paragraphs are blocks.
func layoutRedline(r *textdiff.Result) *redline {
	out := &redline{Stats: r.Stats, Degraded: r.Degraded, Mode: string(r.Mode)}
	for _, p := range r.Paragraphs {
		text, _ := textdiff.SplitSeparator(p.Chunks)
		if len(text) == 0 {
			continue
		}
		if p.Kind != textdiff.KindEqual {
			out.Changed = true
		}
		ip := rlPara{Kind: string(p.Kind), OldNum: p.OldIndex + 1, NewNum: p.NewIndex + 1}
		row := rlRow{Kind: string(p.Kind), OldNum: p.OldIndex + 1, NewNum: p.NewIndex + 1}
		switch p.Kind {
		case textdiff.KindMovedFrom:
			ip.ID = "old-" + strconv.Itoa(p.OldIndex+1)
			if p.Move != nil {
				ip.Other, ip.OtherN = "new-"+strconv.Itoa(p.Move.NewIndex+1), p.Move.NewIndex+1
			}
			ip.Chunks = toChunks(text, nil)
			row.ID, row.Other, row.OtherN = ip.ID, ip.Other, ip.OtherN
		case textdiff.KindMovedTo:
			ip.ID = "new-" + strconv.Itoa(p.NewIndex+1)
			edits := text
			if p.Move != nil {
				ip.Other, ip.OtherN = "old-"+strconv.Itoa(p.Move.OldIndex+1), p.Move.OldIndex+1
				if len(p.Move.Chunks) > 0 {
					edits = p.Move.Chunks
				}
			}
			ip.Chunks = toChunks(edits, nil)
			row.ID, row.Other, row.OtherN = ip.ID, ip.Other, ip.OtherN
			row.Left, row.Right = toChunks(edits, oldSide), toChunks(edits, newSide)
		default:
			if p.NewIndex >= 0 {
				ip.ID = "new-" + strconv.Itoa(p.NewIndex+1)
			} else {
				ip.ID = "old-" + strconv.Itoa(p.OldIndex+1)
			}
			row.ID = ip.ID
			ip.Chunks = toChunks(text, nil)
			row.Left, row.Right = toChunks(text, oldSide), toChunks(text, newSide)
		}
		out.Paras = append(out.Paras, ip)
		out.Rows = append(out.Rows, row)
	}
	return out
}

// diffForm is the choice of a redline: which revisions, how fine, which view.
type diffForm struct {
	From, To int64
	Mode     string // word, char, line
	View     string // inline, side
	// HideRenum hides the paragraphs whose only change is their number
	// (issue 14).
	HideRenum bool
}

func parseDiffForm(c *gin.Context, defFrom, defTo int64) diffForm {
	f := diffForm{From: defFrom, To: defTo, Mode: "word", View: "inline"}
	if v, err := strconv.ParseInt(c.Query("from"), 10, 64); err == nil && v > 0 {
		f.From = v
	}
	if v, err := strconv.ParseInt(c.Query("to"), 10, 64); err == nil && v > 0 {
		f.To = v
	}
	switch c.Query("mode") {
	case "char", "line":
		f.Mode = c.Query("mode")
	}
	if c.Query("view") == "side" {
		f.View = "side"
	}
	f.HideRenum = c.Query("renumbered") == "hide"
	return f
}

type diffData struct {
	Form      diffForm
	Revisions []drafting.Revision
	From, To  drafting.Revision
	Redline   *redline
	Action    string  // where the choice form goes
	RevNums   []int64 // the revisions one may choose, newest first
}

func (u *UI) handleDiff(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	var head int64
	if dv.Head != nil {
		head = dv.Head.Number
	}
	f := parseDiffForm(c, max(head-1, 1), head)
	revs, err := u.svc.Documents.Revisions(ctx, actor, slug, 500, 0)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "history")
	d := diffData{Form: f, Revisions: revs, Action: "/documents/" + slug + "/diff"}
	for _, r := range revs {
		d.RevNums = append(d.RevNums, r.Number)
	}
	if head > 0 {
		view, err := u.svc.Documents.Diff(ctx, actor, slug, f.From, f.To, textdiff.Mode(f.Mode))
		if err != nil {
			if drafting.ErrorKind(err) == drafting.KindNotFound || drafting.ErrorKind(err) == drafting.KindInvalid {
				p.Errors["from"] = p.Reason(err)
				p.Data = d
				u.render(c, http.StatusNotFound, "diff", p)
				return
			}
			u.fail(c, err)
			return
		}
		d.From, d.To = view.From, view.To
		if from, to, err := u.svc.Documents.DiffOutlines(ctx, slug, view); err == nil {
			d.Redline = newLabeledRedline(view.Result, from, to)
		} else {
			d.Redline = newRedline(view.Result)
		}
		d.Redline.fold(f.HideRenum)
	}
	p.Data = d
	u.render(c, http.StatusOK, "diff", p)
}
