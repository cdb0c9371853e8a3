package live

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Kind is the type of a live event: the SSE "event:" field, and what a page
// listens for with addEventListener.
type Kind string

// The kinds of event a stream carries.
const (
	RevisionCommitted Kind = "revision.committed" // a new head: Revision, SHA256
	ProposalOpened    Kind = "proposal.opened"    // Proposal, Base, Title
	ProposalDecided   Kind = "proposal.decided"   // Proposal, Decision, Revision when it was merged, Votes, Reason
	CommentAdded      Kind = "comment.added"      // Comment, Revision or Proposal, ReplyTo
	CommentResolved   Kind = "comment.resolved"   // Thread
	CommentReopened   Kind = "comment.reopened"   // Thread
	CommentChanged    Kind = "comment.changed"    // Comment (edited or hidden by a chair)
	ApprovalGiven     Kind = "approval.given"     // Revision, SHA256
	Adopted           Kind = "adoption"           // Revision, Stage, SHA256, Votes
	ItemCurrent       Kind = "item.current"       // Item (a paragraph label, "" for none), Revision
	DocumentReopened  Kind = "document.reopened"  // Reason

	// Reset is written by a stream, never stored: the subscriber was so far
	// behind that replaying is pointless; the page should reload. Its ID is
	// where the stream continues from.
	Reset Kind = "reset"

	// AccessRevoked is internal: it ends the member streams of User on the
	// document and is never written to anyone.
	AccessRevoked Kind = "access.revoked"
)

// Audience says who may see an event. The zero value is Members, so an
// event whose audience was forgotten is not shown to the public.
type Audience uint8

// The audiences, from the narrowest.
const (
	Members  Audience = iota // chairs, members and observers of the document
	Public                   // anyone, including readers without an account
	Internal                 // nobody: acted on by the hub, never written
)

// String returns "members", "public" or "internal".
func (a Audience) String() string {
	switch a {
	case Members:
		return "members"
	case Public:
		return "public"
	case Internal:
		return "internal"
	}
	return "audience(" + strconv.Itoa(int(a)) + ")"
}

// sees reports whether a subscriber of audience sub may see an event of
// audience ev.
func (sub Audience) sees(ev Audience) bool {
	switch ev {
	case Public:
		return sub == Public || sub == Members
	case Members:
		return sub == Members
	}
	return false
}

// Votes is a recorded vote.
type Votes struct {
	For       int64 `json:"for"`
	Against   int64 `json:"against"`
	Abstained int64 `json:"abstained"`
}

// Payload is what an event says, the JSON of its "data:" line. Only the
// fields its kind lists are set; text, comment bodies and e-mail addresses
// are never in it.
type Payload struct {
	Revision int64  `json:"revision,omitempty"`
	Base     int64  `json:"base,omitempty"`
	Proposal int64  `json:"proposal,omitempty"`
	Comment  int64  `json:"comment,omitempty"`
	Thread   int64  `json:"thread,omitempty"`
	ReplyTo  int64  `json:"reply_to,omitempty"`
	Decision string `json:"decision,omitempty"` // accepted, accepted_with_changes, rejected, withdrawn
	Stage    string `json:"stage,omitempty"`    // basis, final
	SHA256   string `json:"sha256,omitempty"`
	Item     string `json:"item,omitempty"`
	Title    string `json:"title,omitempty"`  // a proposal's title, at most MaxTextRunes
	Reason   string `json:"reason,omitempty"` // a rejection's or a reopening's reason, at most MaxTextRunes
	Votes    *Votes `json:"votes,omitempty"`
	// Actor is the login of who did it; set on member events only, since
	// the public sees no people.
	Actor string    `json:"actor,omitempty"`
	At    time.Time `json:"at"`
	// User is the login an AccessRevoked event concerns; never written.
	User string `json:"-"`
}

// MaxTextRunes bounds the free text (titles, reasons) an event carries, so
// events stay small; the page fetches the whole text through the API.
const MaxTextRunes = 200

// Event is one live event of a document.
type Event struct {
	// ID is the audit-log sequence number of the row the event comes
	// from: unique, and increasing within a document in commit order.
	ID       int64
	Document string // the document's ID (not its slug)
	Kind     Kind
	Audience Audience
	// ActorID is who did it (0: the command line or the system); used by
	// notifications, never written to a stream.
	ActorID int64
	Data    Payload
}

// JSON returns the event's data line: its Payload as JSON.
func (e Event) JSON() []byte {
	b, err := json.Marshal(e.Data)
	if err != nil {
		// A Payload holds only strings, integers and a time: Marshal
		// cannot fail on it.
		panic("live: encode payload: " + err.Error())
	}
	return b
}

// Record is a row of the audit log as a Source returns it.
type Record struct {
	Seq        int64
	Document   string
	Kind       string // the audit kind, e.g. "revision.commit"
	ActorID    int64
	ActorLogin string
	Data       map[string]string
	At         time.Time
}

// Translate turns an audit-log row into the live event it means, and
// reports false for rows that pages need not hear about (an edit of an
// account, a refused adoption). It reads only the data keys it knows, so a
// secret added to the audit log later does not leak into a stream.
//
// The audit kinds and the data keys it reads:
//
//	revision.commit               number, sha256
//	proposal.create               number, base, title
//	proposal.merge                proposal, number (the new revision), decision, vote_*
//	proposal.decide               proposal or number, decision, revision, reason, vote_*
//	proposal.rejected, .withdrawn number, reason, vote_*
//	comment.create                comment, revision, proposal, reply_to
//	comment.resolve, .reopen      thread
//	comment.edit, .hide           comment
//	approval.create               revision, sha256
//	adoption.create               revision, stage, sha256, vote_* (public)
//	hall.item                     label, revision, public ("true": the hall is open to the audience)
//	document.reopen               reason (public)
//	role.revoke                   login (internal)
func Translate(r Record) (Event, bool) {
	d := r.Data
	ev := Event{ID: r.Seq, Document: r.Document, ActorID: r.ActorID, Audience: Members}
	p := &ev.Data
	switch r.Kind {
	case "revision.commit":
		ev.Kind = RevisionCommitted
		p.Revision, p.SHA256 = num(d["number"]), hash(d["sha256"])
	case "proposal.create":
		ev.Kind = ProposalOpened
		p.Proposal, p.Base, p.Title = num(d["number"]), num(d["base"]), clip(d["title"])
	case "proposal.merge":
		ev.Kind = ProposalDecided
		p.Proposal, p.Revision = num(d["proposal"]), num(d["number"])
		p.Decision = decision(d["decision"], "accepted")
		p.Votes = votes(d)
	case "proposal.decide":
		ev.Kind = ProposalDecided
		p.Proposal = num(d["proposal"])
		if p.Proposal == 0 {
			p.Proposal = num(d["number"])
		}
		p.Decision, p.Revision, p.Reason = decision(d["decision"], ""), num(d["revision"]), clip(d["reason"])
		p.Votes = votes(d)
		if p.Decision == "" {
			return Event{}, false
		}
	case "proposal.rejected", "proposal.withdrawn":
		ev.Kind = ProposalDecided
		p.Proposal, p.Reason = num(d["number"]), clip(d["reason"])
		p.Decision = r.Kind[len("proposal."):]
		p.Votes = votes(d) // a rejection's vote; a withdrawal has none
	case "comment.create":
		ev.Kind = CommentAdded
		p.Comment, p.Revision, p.Proposal, p.ReplyTo = num(d["comment"]), num(d["revision"]), num(d["proposal"]), num(d["reply_to"])
	case "comment.resolve":
		ev.Kind, p.Thread = CommentResolved, num(d["thread"])
	case "comment.reopen":
		ev.Kind, p.Thread = CommentReopened, num(d["thread"])
	case "comment.edit", "comment.hide":
		ev.Kind, p.Comment = CommentChanged, num(d["comment"])
	case "approval.create":
		ev.Kind = ApprovalGiven
		p.Revision, p.SHA256 = num(d["revision"]), hash(d["sha256"])
	case "adoption.create":
		ev.Kind, ev.Audience = Adopted, Public
		p.Revision, p.SHA256, p.Votes = num(d["revision"]), hash(d["sha256"]), votes(d)
		switch d["stage"] {
		case "basis", "final":
			p.Stage = d["stage"]
		}
	case "hall.item":
		ev.Kind = ItemCurrent
		p.Item, p.Revision = clip(d["label"]), num(d["revision"])
		if d["public"] == "true" {
			ev.Audience = Public
		}
	case "document.reopen":
		ev.Kind, ev.Audience = DocumentReopened, Public
		p.Reason = clip(d["reason"])
	case "role.revoke":
		ev.Kind, ev.Audience = AccessRevoked, Internal
		p.User = d["login"]
	default:
		return Event{}, false
	}
	if r.Document == "" {
		return Event{}, false
	}
	if ev.Audience == Members {
		p.Actor = r.ActorLogin
	}
	p.At = r.At.UTC()
	return ev, true
}

// num reads a positive decimal number; anything else is 0 (absent).
func num(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// hash passes a lower-case hex SHA-256 and drops anything else.
func hash(s string) string {
	if len(s) != 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return s
}

func decision(s, def string) string {
	switch s {
	case "accepted", "accepted_with_changes", "rejected", "withdrawn":
		return s
	}
	return def
}

func votes(d map[string]string) *Votes {
	// The audit log writes them as drafting's addVote does: vote_for …
	f, a, ab := d["vote_for"], d["vote_against"], d["vote_abstained"]
	if f == "" && a == "" && ab == "" {
		return nil
	}
	return &Votes{For: num(f), Against: num(a), Abstained: num(ab)}
}

// clip keeps at most MaxTextRunes runes of valid UTF-8.
func clip(s string) string {
	if !utf8.ValidString(s) {
		return ""
	}
	n := 0
	for i := range s {
		if n == MaxTextRunes {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
