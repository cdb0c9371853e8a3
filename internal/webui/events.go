package webui

// --- issue 14: the audit log as sentences in the reader's language ---

import (
	"strconv"
	"strings"

	"redline/internal/drafting"
)

// eventKinds are the audit log's kinds the service writes; each has a
// sentence, "eventtext.<kind>", in every language (a test reads the kinds
// from the drafting package's source and renders each).
var eventKinds = []string{
	"document.create", "document.reopen", "revision.commit",
	"proposal.create", "proposal.merge", "proposal.rejected", "proposal.withdrawn",
	"approval.create", "adoption.create", "adoption.refused", "adoption.signed",
	"role.grant", "role.revoke",
	"comment.create", "comment.edit", "comment.resolve", "comment.reopen", "comment.hide",
	drafting.HallKind,
	"user.create", "user.enable", "user.disable",
}

// eventRow is one line of the audit log page.
type eventRow struct {
	drafting.Event
	Who      string // the actor's name (with the login for administrators)
	Sentence []part
}

// eventRows turns events into the page's lines.
func (p *page) eventRows(evs []drafting.Event) []eventRow {
	admin := p.User != nil && p.User.Admin
	out := make([]eventRow, len(evs))
	for i, e := range evs {
		who := p.T("events.system")
		if e.ActorLogin != "" {
			who = p.Name(e.ActorLogin)
			if admin {
				who = p.NameLogin(e.ActorLogin)
			}
		}
		out[i] = eventRow{Event: e, Who: who, Sentence: p.eventSentence(e)}
	}
	return out
}

// eventSentence says what an event recorded, e.g. «Принято предложение
// № 3 (автор — Иванова Анна Сергеевна): редакция 5 (голосование: за 12,
// против 2, воздержались 1)». A kind this page does not know yet (written
// by a newer version) is named generically, never as its raw kind.
func (p *page) eventSentence(e drafting.Event) []part {
	d := e.Data
	num := func(k string) string { return d[k] }
	args := []any{
		"Number", num("number"), "Base", num("base"), "Revision", num("revision"), "Proposal", num("proposal"),
		"Comment", num("comment"), "Thread", num("thread"), "ReplyTo", num("reply_to"),
		"Title", userArg(d["title"]), "Reason", userArg(d["reason"]), "Override", userArg(d["override_reason"]),
		"Label", userArg(d["label"]),
		"SHA", shortHash(d["sha256"]),
		"Changed", d["decision"] == drafting.DecisionAcceptedWithChanges,
		"Reply", d["reply_to"] != "" && d["reply_to"] != "0",
		"OnProposal", d["proposal"] != "" && d["proposal"] != "0" && e.Kind == "comment.create",
		"Public", d["public"] == "true", "Later", d["signed_later"] == "true", "Admin", d["admin"] == "true",
	}
	if d["author"] != "" {
		args = append(args, "Author", userArg(p.Name(d["author"])))
	}
	if d["login"] != "" {
		args = append(args, "Who", userArg(p.NameLogin(d["login"])))
	}
	if r := d["role"]; r != "" {
		args = append(args, "Role", p.T("role."+r))
	}
	if st := d["stage"]; st == drafting.StageBasis || st == drafting.StageFinal {
		args = append(args, "Stage", p.T("eventtext.stage."+st))
	}
	if n, err := strconv.ParseInt(d["size"], 10, 64); err == nil {
		args = append(args, "Size", p.T("public.bytes", "Count", n, "N", p.Num(n)))
	}
	if d["vote_for"] != "" {
		args = append(args, "Vote", p.T("amend.vote_text", "For", d["vote_for"], "Against", d["vote_against"],
			"Abstained", d["vote_abstained"]))
	}
	if ts := d["open_threads"]; ts != "" {
		args = append(args, "Threads", "№ "+strings.ReplaceAll(ts, ",", ", "))
	}
	id := "eventtext." + e.Kind
	if p.Maybe(id) == "" {
		return []part{{Text: p.T("eventtext.other")}}
	}
	return p.TP(id, args...)
}
