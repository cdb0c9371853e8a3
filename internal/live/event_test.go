package live

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTranslate(t *testing.T) {
	at := time.Date(2011, 11, 30, 12, 0, 0, 0, time.FixedZone("MSK", 4*3600))
	sum := strings.Repeat("ab", 32)
	rec := func(kind string, data map[string]string) Record {
		return Record{Seq: 42, Document: "doc", Kind: kind, ActorID: 7, ActorLogin: "chair", Data: data, At: at}
	}
	tests := []struct {
		name string
		rec  Record
		want string // the event's kind, audience and JSON; "" when not translated
	}{
		{"commit", rec("revision.commit", map[string]string{"number": "5", "sha256": sum, "size": "100"}),
			`revision.committed members {"revision":5,"sha256":"` + sum + `","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"proposal opened", rec("proposal.create", map[string]string{"number": "3", "base": "4", "title": "Пункт 11", "sha256": sum}),
			`proposal.opened members {"base":4,"proposal":3,"title":"Пункт 11","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"merge", rec("proposal.merge", map[string]string{"proposal": "3", "number": "6", "sha256": sum}),
			`proposal.decided members {"revision":6,"proposal":3,"decision":"accepted","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"merge with changes and a vote", rec("proposal.merge", map[string]string{"proposal": "3", "number": "6",
			"decision": "accepted_with_changes", "vote_for": "112", "vote_against": "3", "vote_abstained": "5"}),
			`proposal.decided members {"revision":6,"proposal":3,"decision":"accepted_with_changes","votes":{"for":112,"against":3,"abstained":5},"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"rejected", rec("proposal.rejected", map[string]string{"number": "3", "reason": "дублирует п. 12"}),
			`proposal.decided members {"proposal":3,"decision":"rejected","reason":"дублирует п. 12","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"rejected with a vote", rec("proposal.rejected", map[string]string{"number": "3", "reason": "нет", "vote_for": "5", "vote_against": "38", "vote_abstained": "3"}),
			`proposal.decided members {"proposal":3,"decision":"rejected","reason":"нет","votes":{"for":5,"against":38,"abstained":3},"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"withdrawn", rec("proposal.withdrawn", map[string]string{"number": "3"}),
			`proposal.decided members {"proposal":3,"decision":"withdrawn","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"decide", rec("proposal.decide", map[string]string{"proposal": "3", "decision": "rejected", "reason": "нет"}),
			`proposal.decided members {"proposal":3,"decision":"rejected","reason":"нет","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"decide without a decision", rec("proposal.decide", map[string]string{"proposal": "3", "decision": "maybe"}), ""},
		{"comment", rec("comment.create", map[string]string{"comment": "9", "revision": "4", "proposal": "0", "reply_to": "8"}),
			`comment.added members {"revision":4,"comment":9,"reply_to":8,"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"resolved", rec("comment.resolve", map[string]string{"thread": "8"}),
			`comment.resolved members {"thread":8,"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"reopened", rec("comment.reopen", map[string]string{"thread": "8"}),
			`comment.reopened members {"thread":8,"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"hidden, without its reason", rec("comment.hide", map[string]string{"comment": "9", "reason": "оскорбление"}),
			`comment.changed members {"comment":9,"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"approval", rec("approval.create", map[string]string{"revision": "5", "sha256": sum}),
			`approval.given members {"revision":5,"sha256":"` + sum + `","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"adoption is public, without people or the override reason", rec("adoption.create", map[string]string{"revision": "5", "sha256": sum, "stage": "basis",
			"override_reason": "secret", "vote_for": "112"}),
			`adoption public {"revision":5,"stage":"basis","sha256":"` + sum + `","votes":{"for":112,"against":0,"abstained":0},"at":"2011-11-30T08:00:00Z"}`},
		{"item for members", rec("hall.item", map[string]string{"label": "11", "revision": "5"}),
			`item.current members {"revision":5,"item":"11","actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"item in an open hall", rec("hall.item", map[string]string{"label": "11", "revision": "5", "public": "true"}),
			`item.current public {"revision":5,"item":"11","at":"2011-11-30T08:00:00Z"}`},
		{"reopened document", rec("document.reopen", map[string]string{"reason": "опечатка"}),
			`document.reopened public {"reason":"опечатка","at":"2011-11-30T08:00:00Z"}`},
		{"revoke is internal", rec("role.revoke", map[string]string{"login": "ivanov", "role": "member"}),
			`access.revoked internal {"at":"2011-11-30T08:00:00Z"}`},
		{"bad numbers and hashes are dropped", rec("revision.commit", map[string]string{"number": "-5", "sha256": "ZZ"}),
			`revision.committed members {"actor":"chair","at":"2011-11-30T08:00:00Z"}`},
		{"account events are not for pages", Record{Seq: 1, Kind: "user.create", Data: map[string]string{"login": "x"}}, ""},
		{"refusals are not for pages", rec("adoption.refused", map[string]string{"revision": "5"}), ""},
		{"role grants are not for pages", rec("role.grant", map[string]string{"login": "x"}), ""},
		{"unknown kinds are not for pages", rec("document.secret", nil), ""},
		{"events outside a document", Record{Seq: 1, Kind: "revision.commit"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ok := Translate(tt.rec)
			got := ""
			if ok {
				got = string(ev.Kind) + " " + ev.Audience.String() + " " + string(ev.JSON())
				if ev.ID != tt.rec.Seq || ev.Document != tt.rec.Document || ev.ActorID != tt.rec.ActorID {
					t.Errorf("ID, Document, ActorID = %d, %q, %d; want the record's", ev.ID, ev.Document, ev.ActorID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Translate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTranslateRevokeNamesTheUser(t *testing.T) {
	ev, ok := Translate(Record{Seq: 3, Document: "d", Kind: "role.revoke", Data: map[string]string{"login": "ivanov"}})
	if !ok || ev.Data.User != "ivanov" || strings.Contains(string(ev.JSON()), "ivanov") {
		t.Fatalf("revoke = %+v %s; want User ivanov, not written", ev, ev.JSON())
	}
}

func TestTranslateClipsText(t *testing.T) {
	long := strings.Repeat("я", MaxTextRunes+50)
	ev, ok := Translate(Record{Seq: 1, Document: "d", Kind: "proposal.create", Data: map[string]string{"title": long}})
	if !ok {
		t.Fatal("not translated")
	}
	if n := len([]rune(ev.Data.Title)); n != MaxTextRunes+1 || !strings.HasSuffix(ev.Data.Title, "…") {
		t.Errorf("title of %d runes: %d runes, want %d and an ellipsis", MaxTextRunes+50, n, MaxTextRunes+1)
	}
	ev, _ = Translate(Record{Seq: 1, Document: "d", Kind: "proposal.create", Data: map[string]string{"title": "a\xffb"}})
	if ev.Data.Title != "" {
		t.Errorf("invalid UTF-8 title kept: %q", ev.Data.Title)
	}
	var back Payload
	if err := json.Unmarshal(ev.JSON(), &back); err != nil {
		t.Fatal(err)
	}
}

func TestAudienceSees(t *testing.T) {
	for _, tt := range []struct {
		sub, ev Audience
		want    bool
	}{
		{Members, Members, true}, {Members, Public, true}, {Members, Internal, false},
		{Public, Members, false}, {Public, Public, true}, {Public, Internal, false},
		{Internal, Public, false}, {Audience(9), Public, false},
	} {
		if got := tt.sub.sees(tt.ev); got != tt.want {
			t.Errorf("%s sees %s = %v, want %v", tt.sub, tt.ev, got, tt.want)
		}
	}
}
