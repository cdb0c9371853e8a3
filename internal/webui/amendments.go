package webui

// issue 14: amendments item by item, decisions with votes, the table of
// amendments and the consolidated text.

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/shell"
	"redline/internal/textdiff"
)

// formVote reads a vote from a form's vote_for, vote_against and
// vote_abstained fields: nil when all are empty, refused (out_of_range)
// when one is not a whole number.
func formVote(c *gin.Context) (*drafting.Vote, error) {
	fields := []string{"vote_for", "vote_against", "vote_abstained"}
	var nums [3]int
	empty := true
	for i, f := range fields {
		v := strings.TrimSpace(c.PostForm(f))
		if v == "" {
			continue
		}
		empty = false
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, drafting.Refuse("read vote", drafting.ReasonOutOfRange, f+" must be a whole number, 0 or more").With("field", f)
		}
		nums[i] = n
	}
	if empty {
		return nil, nil
	}
	return &drafting.Vote{For: nums[0], Against: nums[1], Abstained: nums[2]}, nil
}

// amendmentsData is the table of amendments page.
type amendmentsData struct {
	Table   drafting.AmendmentTable
	Rows    []amendmentRowView
	Filters []string
	API     string // the API's path of the table, for the downloads
	People  bool   // authors and chairs are named (not on the public page)
	Public  bool
	// LabelLang is the language of the paragraphs' labels.
	LabelLang string
}

type amendmentRowView struct {
	drafting.AmendmentRow
	Draft, Proposed [][]textdiff.Chunk
}

func rowsView(t drafting.AmendmentTable) []amendmentRowView {
	out := make([]amendmentRowView, 0, len(t.Rows))
	for _, r := range t.Rows {
		v := amendmentRowView{AmendmentRow: r}
		for _, ch := range r.Changes {
			var d, p []textdiff.Chunk
			for _, c := range ch {
				switch c.Op {
				case "equal":
					d, p = append(d, c), append(p, c)
				case "delete":
					d, p = append(d, textdiff.Chunk{Op: "equal", Text: c.Text}), append(p, c)
				case "insert":
					p = append(p, c)
				}
			}
			v.Draft, v.Proposed = append(v.Draft, d), append(v.Proposed, p)
		}
		out = append(out, v)
	}
	return out
}

func (u *UI) handleAmendments(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	basis, _ := strconv.ParseInt(c.Query("basis"), 10, 64)
	t, err := u.svc.Proposals.Amendments(ctx, actor, slug, max(basis, 0), filterParam(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "amendments")
	p.Data = amendmentsData{Table: t, Rows: rowsView(t), Filters: tableFilters,
		API: "/api/v1/documents/" + slug + "/amendments", People: true, LabelLang: drafting.LabelLanguage(t.Document.Language)}
	u.render(c, http.StatusOK, "amendments", p)
}

var tableFilters = []string{"", drafting.FilterAccepted, drafting.FilterRejected, drafting.FilterOpen}

func filterParam(c *gin.Context) string {
	f := c.Query("decision")
	for _, x := range tableFilters {
		if f == x {
			return f
		}
	}
	return ""
}

// handlePublicAmendments is the public table of amendments, once the
// document is adopted as a whole; it names no people.
func (u *UI) handlePublicAmendments(c *gin.Context) {
	ctx := c.Request.Context()
	slug := c.Param("slug")
	basis, _ := strconv.ParseInt(c.Query("basis"), 10, 64)
	t, err := u.svc.Adoptions.PublicAmendments(ctx, nil, slug, max(basis, 0), filterParam(c))
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, t.Document.Title)
	p.Public, p.User = true, nil
	p.Data = amendmentsData{Table: t, Rows: rowsView(t), Filters: tableFilters,
		API: "/api/v1/public/documents/" + slug + "/amendments", Public: true, LabelLang: drafting.LabelLanguage(t.Document.Language)}
	u.render(c, http.StatusOK, "amendments", p)
}

type consolidatedData struct {
	View    drafting.Consolidated
	Redline *redline
	Changed []drafting.ItemRef
	Open    []drafting.AmendmentRow // the open amendments one may add
	Chosen  map[int64]bool
}

// handleConsolidated is the consolidated text: the draft with every
// accepted amendment (and the open ones chosen), as a redline against the
// basis.
func (u *UI) handleConsolidated(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	basis, _ := strconv.ParseInt(c.Query("basis"), 10, 64)
	chosen := map[int64]bool{}
	var open []int64
	for _, v := range c.QueryArray("open") {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && !chosen[n] {
			chosen[n] = true
			open = append(open, n)
		}
	}
	v, err := u.svc.Proposals.Consolidated(ctx, actor, slug, max(basis, 0), open, textdiff.ModeWord)
	if err != nil {
		u.fail(c, err)
		return
	}
	t, err := u.svc.Proposals.Amendments(ctx, actor, slug, v.Basis.Number, drafting.FilterOpen)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "amendments")
	p.Data = consolidatedData{View: v, Redline: newLabeledRedline(v.Redline, v.BasisOutline, v.TextOutline),
		Changed: drafting.ChangedItems(v.Redline, v.BasisOutline, v.TextOutline), Open: t.Rows, Chosen: chosen}
	u.render(c, http.StatusOK, "consolidated", p)
}

// amendItemData is the form that amends one item.
type amendItemData struct {
	Base     int64
	Key      string
	Label    string
	Original string
	Text     string
	Title    string
	Reason   string
	Op       string
	// issue 14: the text limit, and a big deletion to confirm.
	Limit    textLimit
	Deletion *deletion
}

// handleAmendItemForm opens one paragraph of the head alone for an
// amendment: replace its wording, insert after it, or delete it.
func (u *UI) handleAmendItemForm(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	if d := u.svc.Decide(ctx, actor, slug, drafting.ActionPropose); !d.Allowed {
		u.fail(c, drafting.Refuse("propose", d.Reason, "the proposal form is not offered"))
		return
	}
	if dv.Head == nil {
		u.fail(c, drafting.Refuse("propose", drafting.ReasonNotFound, "the document has no text yet"))
		return
	}
	f, err := u.amendItem(c, dv.Head.Number, c.Query("item"))
	if err != nil {
		u.fail(c, err)
		return
	}
	f.Op = drafting.ChangeReplace
	u.showAmendItem(c, http.StatusOK, dv, f, nil)
}

func (u *UI) amendItem(c *gin.Context, base int64, key string) (amendItemData, error) {
	o, err := u.svc.Documents.RevisionOutline(c.Request.Context(), shell.Actor(c), c.Param("slug"), base)
	if err != nil {
		return amendItemData{}, err
	}
	_, text, err := u.svc.Documents.Text(c.Request.Context(), shell.Actor(c), c.Param("slug"), base)
	if err != nil {
		return amendItemData{}, err
	}
	i := o.Find(key)
	if i < 0 {
		return amendItemData{}, drafting.Refuse("amend item", drafting.ReasonUnknownItem, "no such item").With("item", key)
	}
	para := o.Paragraphs[i]
	orig := string(text[para.Start:para.End])
	return amendItemData{Base: base, Key: key, Label: o.Label(i), Original: orig, Text: orig}, nil
}

func (u *UI) showAmendItem(c *gin.Context, status int, dv drafting.DocumentView, f amendItemData, errs map[string]string) {
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(c.Request.Context(), shell.Actor(c), dv, "proposals")
	for k, v := range errs {
		p.Errors[k] = v
	}
	f.Limit = u.textLimitFor(u.langs[pickLanguage(c.Request)])
	p.Data = f
	u.render(c, status, "amend_item", p)
}

// handleAmendItem sends an amendment of one item as an item change.
func (u *UI) handleAmendItem(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	if err := u.readTextForm(c, u.may(ctx, actor, slug, drafting.ActionPropose)); err != nil {
		if !errors.Is(err, errFormTooLarge) {
			u.fail(c, err)
			return
		}
		u.fail(c, drafting.Refuse("amend item", drafting.ReasonTextTooLarge, "the form is larger than the limit").
			With("max_bytes", u.svc.MaxTextBytes()))
		return
	}
	base, _ := strconv.ParseInt(c.PostForm("base"), 10, 64)
	f, err := u.amendItem(c, base, c.PostForm("item"))
	if err != nil {
		u.fail(c, err)
		return
	}
	f.Text, f.Title, f.Reason, f.Op = normalizeNewlines(c.PostForm("text")), strings.TrimSpace(c.PostForm("title")),
		strings.TrimSpace(c.PostForm("rationale")), c.PostForm("op")
	if f.Title == "" {
		f.Title = t.T("amend.default_title", "Item", f.Label)
	}
	if msg := u.textTooLarge(t, f.Text); msg != "" {
		u.showAmendItem(c, http.StatusRequestEntityTooLarge, dv, f, map[string]string{"text": msg})
		return
	}
	ch := drafting.ItemChange{Op: f.Op, Item: f.Key, Text: f.Text}
	// An amendment deleting most of the text is sent only once confirmed.
	if _, old, err := u.svc.Documents.Text(ctx, actor, slug, base); err == nil {
		if next, err := drafting.ApplyChanges("amend item", string(old), []drafting.ItemChange{ch}); err == nil {
			f.Deletion = bigDeletion(textdiff.Diff(string(old), next, textdiff.Options{}))
		}
	}
	if f.Deletion != nil && !confirmedDeletion(c) {
		u.showAmendItem(c, http.StatusBadRequest, dv, f, map[string]string{"confirm_delete": t.T("proposal.confirm_delete_needed")})
		return
	}
	prop, err := u.svc.Proposals.Propose(ctx, actor, slug, drafting.NewProposal{Base: base, Title: f.Title, Rationale: f.Reason,
		Changes: []drafting.ItemChange{ch}})
	if err != nil {
		if shownOnForm(err) {
			u.showAmendItem(c, shell.Status(err), dv, f, formError(t, err, "text", "title", "rationale", "text"))
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/proposals/"+strconv.FormatInt(prop.Number, 10)+"?done=proposal.created")
}

// newLabeledRedline lays out a redline with every paragraph named by its
// label (the new text's, or the old one's for a paragraph only there) and
// every move worded by labels.
func newLabeledRedline(r *textdiff.Result, from, to drafting.Outline) *redline {
	out := layoutRedline(r)
	i := 0
	for _, p := range r.Paragraphs {
		if text, _ := textdiff.SplitSeparator(p.Chunks); len(text) == 0 {
			continue
		}
		if i >= len(out.Paras) {
			break
		}
		if p.NewIndex >= 0 {
			out.Paras[i].Label = to.Label(p.NewIndex)
		} else {
			out.Paras[i].Label = from.Label(p.OldIndex)
		}
		if p.OldIndex >= 0 {
			out.Rows[i].OldLabel = from.Label(p.OldIndex)
		}
		if p.NewIndex >= 0 {
			out.Rows[i].NewLabel = to.Label(p.NewIndex)
		}
		if p.Move != nil { // worded by labels: «перенесён: пункт 16 → после пункта 11»
			m := newMoveNote(p.Move, from, to)
			out.Paras[i].Move, out.Rows[i].Move = m, m
		}
		i++
	}
	out.Items = drafting.ChangedItems(r, from, to)
	out.Lang = to.Language
	out.ChangedSet = newChangedList(r, from, to)
	out.fold(false)
	return out
}

// labelParas names each paragraph of text by its label.
func labelParas(ps []para, text, lang string) []para {
	o := drafting.NewOutline(text, lang)
	for i := range ps {
		ps[i].Item = o.RefAt(text, ps[i].Start)
	}
	return ps
}
