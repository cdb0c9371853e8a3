package webui

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

type proposalsData struct {
	Proposals []drafting.Proposal
	State     string
	States    []string
}

func (u *UI) handleProposals(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	state := c.Query("state")
	switch state {
	case "", drafting.ProposalOpen, drafting.ProposalMerged, drafting.ProposalRejected, drafting.ProposalWithdrawn:
	default:
		state = ""
	}
	ps, err := u.svc.Proposals.List(ctx, actor, slug, state)
	if err != nil {
		u.fail(c, err)
		return
	}
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "proposals")
	p.Notice = notice(c)
	p.Data = proposalsData{Proposals: ps, State: state, States: []string{drafting.ProposalOpen,
		drafting.ProposalMerged, drafting.ProposalRejected, drafting.ProposalWithdrawn}}
	u.render(c, http.StatusOK, "proposals", p)
}

type proposalForm struct {
	Base      int64
	Title     string
	Rationale string
	Text      string
}

type proposalNewData struct {
	Form    proposalForm
	Preview *redline
	// issue 14: the text limit, and a big deletion to confirm.
	Limit    textLimit
	Deletion *deletion
}

func (u *UI) handleProposalForm(c *gin.Context) {
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
	f := proposalForm{}
	if dv.Head != nil {
		rev, text, err := u.svc.Documents.Text(ctx, actor, slug, dv.Head.Number)
		if err != nil {
			u.fail(c, err)
			return
		}
		f.Base, f.Text = rev.Number, string(text)
	}
	u.showProposalForm(c, http.StatusOK, dv, f, nil, nil)
}

func (u *UI) showProposalForm(c *gin.Context, status int, dv drafting.DocumentView, f proposalForm, preview *redline, errs map[string]string) {
	u.showProposalFormData(c, status, dv, proposalNewData{Form: f, Preview: preview}, errs)
}

func (u *UI) showProposalFormData(c *gin.Context, status int, dv drafting.DocumentView, d proposalNewData, errs map[string]string) {
	ctx := c.Request.Context()
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, shell.Actor(c), dv, "proposals")
	for k, v := range errs {
		p.Errors[k] = v
	}
	d.Limit = u.textLimitFor(u.langs[pickLanguage(c.Request)])
	p.Data = d
	u.render(c, status, "proposal_new", p)
}

func (u *UI) handleProposalCreate(c *gin.Context) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	// Only who may propose gets a preview: it is a redline of any text
	// sent, worth refusing before it is computed (issue 13).
	if d := u.svc.Decide(ctx, actor, slug, drafting.ActionPropose); !d.Allowed {
		u.fail(c, drafting.Refuse("propose", d.Reason, "only who may propose previews a proposal"))
		return
	}
	t := u.langs[pickLanguage(c.Request)]
	if err := u.readTextForm(c, true); err != nil {
		if !errors.Is(err, errFormTooLarge) {
			u.fail(c, err)
			return
		}
		// The text did not arrive: say so, and the limit.
		f := proposalForm{}
		if dv.Head != nil {
			f.Base = dv.Head.Number
		}
		u.showProposalForm(c, http.StatusRequestEntityTooLarge, dv, f, nil, map[string]string{"text": u.bodyTooLarge(t)})
		return
	}
	f := proposalForm{Title: strings.TrimSpace(c.PostForm("title")), Rationale: strings.TrimSpace(c.PostForm("rationale")),
		Text: normalizeNewlines(c.PostForm("text"))}
	f.Base, _ = strconv.ParseInt(c.PostForm("base"), 10, 64)
	errs := map[string]string{}
	if f.Title == "" {
		errs["title"] = t.T("form.required")
	}
	if f.Base < 1 {
		errs["text"] = t.T("proposal.no_base")
	}
	if msg := u.textTooLarge(t, f.Text); msg != "" {
		// Kept in the form, not compared: a redline of it would be refused.
		errs["text"] = msg
		u.showProposalForm(c, http.StatusRequestEntityTooLarge, dv, f, nil, errs)
		return
	}
	// The preview is the redline against the base the proposal is written
	// on, exactly what reviewers will see.
	var preview *redline
	var del *deletion
	if f.Base >= 1 {
		_, base, err := u.svc.Documents.Text(ctx, actor, slug, f.Base)
		if err != nil {
			u.fail(c, err)
			return
		}
		lang := dv.Language
		r := textdiff.Diff(string(base), f.Text, textdiff.Options{})
		preview = newLabeledRedline(r, drafting.NewOutline(string(base), lang), drafting.NewOutline(f.Text, lang))
		if !preview.Changed && c.PostForm("action") != "preview" {
			errs["text"] = t.T("proposal.unchanged")
		}
		del = bigDeletion(r)
	}
	if c.PostForm("action") == "preview" {
		delete(errs, "title")
		u.showProposalFormData(c, http.StatusOK, dv, proposalNewData{Form: f, Preview: preview, Deletion: del}, errs)
		return
	}
	if len(errs) > 0 {
		u.showProposalFormData(c, http.StatusBadRequest, dv, proposalNewData{Form: f, Preview: preview, Deletion: del}, errs)
		return
	}
	// A proposal deleting most of the text is sent only once confirmed
	// (the API takes it as it is).
	if del != nil && !confirmedDeletion(c) {
		u.showProposalFormData(c, http.StatusBadRequest, dv, proposalNewData{Form: f, Preview: preview, Deletion: del},
			map[string]string{"confirm_delete": t.T("proposal.confirm_delete_needed")})
		return
	}
	err = u.sh.AllowProposal(ctx, actor, slug)
	var prop drafting.Proposal
	if err == nil {
		prop, err = u.svc.Proposals.Propose(ctx, actor, slug, drafting.NewProposal{Base: f.Base, Text: []byte(f.Text), Title: f.Title, Rationale: f.Rationale})
	}
	if err != nil {
		shell.SetErrorHeaders(c, err)
		if shownOnForm(err) {
			u.showProposalForm(c, shell.Status(err), dv, f, preview, formError(t, err, "text", "title", "rationale", "text"))
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/proposals/"+strconv.FormatInt(prop.Number, 10)+"?done=proposal.created")
}

// conflictView is a merge conflict with the resolution editor's text.
type conflictView struct {
	Conflicts []drafting.MergeConflict
	Merged    string
	Head      int64
}

type proposalData struct {
	Proposal   drafting.Proposal
	VsBase     *redline
	VsHead     *redline
	Base       drafting.Revision
	Head       drafting.Revision
	HeadMoved  bool
	Collisions []drafting.Collision
	// Effect is what the proposal would do now (issue 14): VsHead is its
	// merge onto the head, these what did not merge, and Merged the text
	// a chair may accept with changes.
	EffectConflicts []drafting.LabeledConflict
	Merged          string
	CanMerge        bool
	CanReject       bool
	IsAuthor        bool
	Conflict        *conflictView
	Reason          string
	// The discussion of the proposal.
	CommentsRead bool
	Threads      []*thread
	C            commentCtx
	CommentBody  string // a comment the form sends back with its error
}

func (u *UI) proposalNumber(c *gin.Context) (int64, bool) {
	n, err := strconv.ParseInt(c.Param("p"), 10, 64)
	if err != nil || n < 1 {
		u.fail(c, drafting.Refuse("show proposal", drafting.ReasonNotFound, "no such proposal"))
		return 0, false
	}
	return n, true
}

func (u *UI) handleProposal(c *gin.Context) { u.showProposal(c, http.StatusOK, nil, nil) }

func (u *UI) showProposal(c *gin.Context, status int, conflict *conflictView, errs map[string]string) {
	ctx := c.Request.Context()
	actor := shell.Actor(c)
	slug := c.Param("slug")
	n, ok := u.proposalNumber(c)
	if !ok {
		return
	}
	dv, err := u.svc.Documents.Get(ctx, actor, slug)
	if err != nil {
		u.fail(c, err)
		return
	}
	base, prop, vsBase, err := u.svc.Proposals.Diff(ctx, actor, slug, n, "base", textdiff.ModeWord)
	if err != nil {
		u.fail(c, err)
		return
	}
	d := proposalData{Proposal: prop, Base: base, VsBase: newRedline(vsBase), Conflict: conflict,
		IsAuthor: actor != nil && actor.ID == prop.AuthorID}
	if prop.State == drafting.ProposalOpen {
		d.CanMerge = u.may(ctx, actor, slug, drafting.ActionMerge)
		d.CanReject = u.may(ctx, actor, slug, drafting.ActionReject)
		d.IsAuthor = d.IsAuthor && u.may(ctx, actor, slug, drafting.ActionWithdraw)
		if e, err := u.svc.Proposals.Effect(ctx, actor, slug, n, textdiff.ModeWord); err == nil {
			d.Head, d.Merged = e.Head, e.Merged
			d.VsBase = newLabeledRedline(e.Own, e.BaseOutline, e.ProposalOutline)
			if e.Moved {
				d.VsHead, d.HeadMoved, d.EffectConflicts = newLabeledRedline(e.OntoHead, e.HeadOutline, e.MergedOutline), true, e.Conflicts
			}
		} else if dv.Head != nil {
			d.Head = *dv.Head
		}
		if cs, err := u.svc.Proposals.Collisions(ctx, actor, slug, n); err == nil {
			d.Collisions = cs
		}
	}
	d.C = u.commentCtx(ctx, actor, slug, 0, n)
	if cs, err := u.svc.Comments.OnProposal(ctx, actor, slug, n); err == nil {
		l := drafting.CommentListing{OpenThreads: map[int]int{}}
		for _, cm := range cs {
			l.Comments = append(l.Comments, drafting.ListedComment{Comment: cm, Paragraph: -1})
		}
		d.CommentsRead = true
		d.Threads = placeThreads(l, nil)
		u.loadVersions(ctx, actor, &d.C, l.Comments)
	}
	d.CommentBody = c.GetString("comment-body")
	p := u.newPage(c, dv.Title)
	p.Section = "documents"
	p.Doc = u.tabs(ctx, actor, dv, "proposals")
	p.Notice = notice(c)
	for k, v := range errs {
		p.Errors[k] = v
	}
	p.Data = d
	u.render(c, status, "proposal", p)
}

func (u *UI) handleProposalMerge(c *gin.Context) {
	slug := c.Param("slug")
	n, ok := u.proposalNumber(c)
	if !ok {
		return
	}
	head, _ := strconv.ParseInt(c.PostForm("head"), 10, 64)
	vote, verr := formVote(c)
	if verr != nil {
		t := u.langs[pickLanguage(c.Request)]
		u.showProposal(c, http.StatusBadRequest, nil, map[string]string{"vote": t.Reason(verr)})
		return
	}
	_, err := u.svc.Proposals.Merge(c.Request.Context(), shell.Actor(c), slug, n, drafting.MergeInput{Head: head, Vote: vote})
	if err != nil {
		if drafting.ErrorReason(err) == drafting.ReasonMergeConflict {
			d := drafting.ErrorDetails(err)
			cs, _ := d["conflicts"].([]drafting.MergeConflict)
			cv := &conflictView{Conflicts: cs}
			cv.Merged, _ = d["merged"].(string)
			cv.Head, _ = d["head"].(int64)
			u.showProposal(c, http.StatusConflict, cv, nil)
			return
		}
		if shownOnForm(err) {
			t := u.langs[pickLanguage(c.Request)]
			u.showProposal(c, shell.Status(err), nil, map[string]string{"merge": t.Reason(err)})
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/proposals/"+c.Param("p")+"?done=proposal.merged")
}

func (u *UI) handleProposalResolve(c *gin.Context) {
	slug := c.Param("slug")
	n, ok := u.proposalNumber(c)
	if !ok {
		return
	}
	head, _ := strconv.ParseInt(c.PostForm("head"), 10, 64)
	text := normalizeNewlines(c.PostForm("text"))
	vote, verr := formVote(c)
	if verr != nil {
		t := u.langs[pickLanguage(c.Request)]
		u.showProposal(c, http.StatusBadRequest, &conflictView{Merged: text, Head: head}, map[string]string{"resolve": t.Reason(verr)})
		return
	}
	_, err := u.svc.Proposals.Merge(c.Request.Context(), shell.Actor(c), slug, n,
		drafting.MergeInput{Head: head, Text: []byte(text), Message: strings.TrimSpace(c.PostForm("message")), Vote: vote})
	if err != nil {
		if shownOnForm(err) {
			t := u.langs[pickLanguage(c.Request)]
			cv := &conflictView{Merged: text, Head: head}
			u.showProposal(c, shell.Status(err), cv, map[string]string{"resolve": t.Reason(err)})
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/proposals/"+c.Param("p")+"?done=proposal.merged")
}

func (u *UI) handleProposalReject(c *gin.Context) {
	slug := c.Param("slug")
	n, ok := u.proposalNumber(c)
	if !ok {
		return
	}
	vote, err := formVote(c)
	if err == nil {
		_, _, err = u.svc.Proposals.Decide(c.Request.Context(), shell.Actor(c), slug, n,
			drafting.DecideInput{Decision: drafting.DecisionRejected, Reason: strings.TrimSpace(c.PostForm("reason")), Vote: vote})
	}
	if err != nil {
		if shownOnForm(err) {
			t := u.langs[pickLanguage(c.Request)]
			u.showProposal(c, shell.Status(err), nil, map[string]string{"reason": t.Reason(err)})
			return
		}
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/proposals/"+c.Param("p")+"?done=proposal.rejected")
}

func (u *UI) handleProposalWithdraw(c *gin.Context) {
	slug := c.Param("slug")
	n, ok := u.proposalNumber(c)
	if !ok {
		return
	}
	if _, err := u.svc.Proposals.Withdraw(c.Request.Context(), shell.Actor(c), slug, n); err != nil {
		u.fail(c, err)
		return
	}
	seeOther(c, "/documents/"+slug+"/proposals/"+c.Param("p")+"?done=proposal.withdrawn")
}
