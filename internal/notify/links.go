package notify

import (
	"net/url"
	"strconv"

	"redline/internal/live"
)

// Links builds the absolute URLs that mails and feeds point to, from
// REDLINE_BASE_URL. The page routes named here are the web UI's; the
// settings page, the unsubscribe route and the feed route are added with
// the notification settings.
type Links struct {
	Base string // e.g. https://redline.example.org, without a final slash
}

func (l Links) doc(slug string) string { return l.Base + "/documents/" + url.PathEscape(slug) }

// Document is the document's page.
func (l Links) Document(slug string) string { return l.doc(slug) }

// Log is the document's audit log.
func (l Links) Log(slug string) string { return l.doc(slug) + "/events" }

// Settings is the page where a member chooses their notifications.
func (l Links) Settings(slug string) string { return l.doc(slug) + "/notifications" }

// Unsubscribe is the one-click unsubscribe link of a token.
func (l Links) Unsubscribe(token string) string { return l.Base + "/unsubscribe/" + token }

// Feed is a personal Atom feed's address.
func (l Links) Feed(token string) string { return l.Base + "/feeds/" + token + ".atom" }

// Event is the page that shows what ev changed.
func (l Links) Event(slug string, ev live.Event) string {
	p := ev.Data
	rev := func(n int64) string { return l.doc(slug) + "?rev=" + strconv.FormatInt(n, 10) }
	switch ev.Kind {
	case live.RevisionCommitted, live.Adopted, live.ApprovalGiven:
		if p.Revision > 0 {
			return rev(p.Revision)
		}
	case live.ProposalDecided, live.ProposalOpened:
		if p.Proposal > 0 {
			return l.doc(slug) + "/proposals/" + strconv.FormatInt(p.Proposal, 10)
		}
	case live.CommentAdded:
		anchor := ""
		if p.Comment > 0 {
			anchor = "#c-" + strconv.FormatInt(p.Comment, 10)
		}
		if p.Proposal > 0 {
			return l.doc(slug) + "/proposals/" + strconv.FormatInt(p.Proposal, 10) + anchor
		}
		if p.Revision > 0 {
			return rev(p.Revision) + anchor
		}
	}
	return l.doc(slug)
}
