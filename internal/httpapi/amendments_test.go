package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDecisionsAndVotesOverHTTP (issue 14): a chair accepts one proposal
// with a vote, accepts another with changes, rejects a third with a reason
// and a vote; the proposals and the audit log carry the decisions and
// votes; an adoption carries its vote, also on the public page; a vote with
// a negative count and a decision without its reason or text are refused.
func TestDecisionsAndVotesOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		chair, chair2, member, member2, anon := a, a.as("chair2"), a.as("member"), a.as("member2"), a.as("")
		propose := func(who *api, old, new, title string) {
			t.Helper()
			who.mustStatus(who.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1,
				"text": strings.Replace(wfBase, old, new, 1), "title": title}), 201)
		}
		propose(member, "центр кластерного развития", "центр кластерного развития и инжиниринга", "Инжиниринг")
		propose(member2, "пилотный кластер", "пилотный территориальный кластер", "Территориальный")
		propose(member, "дорожную карту", "план", "План")

		refused := func(r response, status int, reason string) {
			t.Helper()
			if r.Status != status || r.reason(t) != reason {
				t.Errorf("status %d reason %q, want %d %q: %s", r.Status, r.reason(t), status, reason, r.Body)
			}
		}
		vote := map[string]any{"for": 12, "against": 3, "abstained": 1}
		refused(chair.do("POST", "/api/v1/documents/doc/proposals/1/decision", map[string]any{"decision": "accepted", "head": 1,
			"vote": map[string]any{"for": -1, "against": 0, "abstained": 0}}), 400, "out_of_range")
		refused(chair.do("POST", "/api/v1/documents/doc/proposals/1/decision", map[string]any{"decision": "maybe", "head": 1}), 400, "invalid_input")
		refused(chair.do("POST", "/api/v1/documents/doc/proposals/3/decision", map[string]any{"decision": "rejected"}), 400, "missing_field")
		refused(chair.do("POST", "/api/v1/documents/doc/proposals/2/decision", map[string]any{"decision": "accepted_with_changes", "head": 2}), 400, "missing_field")
		refused(member.do("POST", "/api/v1/documents/doc/proposals/1/decision", map[string]any{"decision": "accepted", "head": 1}), 403, "not_a_chair")

		d1 := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/decision",
			map[string]any{"decision": "accepted", "head": 1, "vote": vote}), 200).json(t)
		p1 := d1["proposal"].(map[string]any)
		if p1["decision"] != "accepted" || p1["state"] != "merged" || d1["revision"].(map[string]any)["number"] != float64(2) {
			t.Errorf("accepted: %v", d1)
		}
		if v, _ := p1["vote"].(map[string]any); v["for"] != float64(12) || v["against"] != float64(3) || v["abstained"] != float64(1) {
			t.Errorf("accepted with a vote: %v", p1)
		}
		// With changes: the chair's wording, onto the moved head.
		changed := strings.Replace(strings.Replace(wfBase, "центр кластерного развития", "центр кластерного развития и инжиниринга", 1),
			"пилотный кластер", "пилотный промышленный кластер", 1)
		d2 := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/decision",
			map[string]any{"decision": "accepted_with_changes", "head": 2, "text": changed}), 200).json(t)
		p2, r2 := d2["proposal"].(map[string]any), d2["revision"].(map[string]any)
		if p2["decision"] != "accepted_with_changes" || p2["vote"] != nil || r2["author"] != "member2" || r2["merged_by"] != "chair" {
			t.Errorf("accepted with changes: %v", d2)
		}
		d3 := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/3/decision",
			map[string]any{"decision": "rejected", "reason": "Дорожная карта уже утверждена", "vote": map[string]any{"for": 2, "against": 14, "abstained": 0}}), 200).json(t)
		p3 := d3["proposal"].(map[string]any)
		if p3["decision"] != "rejected" || p3["state"] != "rejected" || p3["close_reason"] != "Дорожная карта уже утверждена" ||
			p3["vote"].(map[string]any)["against"] != float64(14) || d3["revision"] != nil {
			t.Errorf("rejected: %v", d3)
		}
		got := member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/3", nil), 200).json(t)
		if got["vote"].(map[string]any)["for"] != float64(2) {
			t.Errorf("the proposal read back: %v", got)
		}

		// The adoption's vote.
		head := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/revisions/3", nil), 200).field(t, "sha256")
		for _, c := range []*api{chair, chair2} {
			c.mustStatus(c.do("POST", "/api/v1/documents/doc/revisions/3/approvals", map[string]any{"sha256": head}), 201)
		}
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/3/adopt", map[string]any{"stage": "final",
			"vote": map[string]any{"for": 1, "against": 2000000, "abstained": 0}}), 400, "out_of_range")
		ad := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/3/adopt", map[string]any{"stage": "final",
			"note": "Принят в целом", "vote": map[string]any{"for": 40, "against": 0, "abstained": 2}}), 201).json(t)
		if v, _ := ad["vote"].(map[string]any); v["for"] != float64(40) || v["abstained"] != float64(2) {
			t.Errorf("adoption with a vote: %v", ad)
		}
		pub := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/adoptions", nil), 200)
		if !strings.Contains(string(pub.Body), `"vote":{"for":40,"against":0,"abstained":2}`) {
			t.Errorf("the public adoptions lack the vote: %s", pub.Body)
		}

		// The audit log keeps every vote.
		ev := string(member.mustStatus(member.do("GET", "/api/v1/documents/doc/events", nil), 200).Body)
		for _, want := range []string{`"vote_for":"12"`, `"vote_against":"14"`, `"vote_for":"40"`, `"decision":"accepted_with_changes"`} {
			if !strings.Contains(ev, want) {
				t.Errorf("audit log lacks %s", want)
			}
		}
	})
}

// TestLabelsOverHTTP (issue 14): a redline's JSON names every paragraph by
// its label beside its index, and lists the items it changes; a comment
// listed for a revision names its paragraph by label.
func TestLabelsOverHTTP(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	chair := a
	next := strings.Replace(wfBase, "пилотный кластер", "пилотный территориальный кластер", 1) +
		"\n5. Провести следующую конференцию в 2012 году.\n"
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": next, "message": "п. 3, 5"}), 201)
	var d struct {
		ChangedItems []struct{ Key, Label string } `json:"changed_items"`
		Paragraphs   []struct {
			Kind     string  `json:"kind"`
			OldIndex int     `json:"old_index"`
			NewIndex int     `json:"new_index"`
			OldLabel *string `json:"old_label"`
			NewLabel *string `json:"new_label"`
		} `json:"paragraphs"`
	}
	r := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/diff?from=1&to=2", nil), 200)
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range d.Paragraphs {
		var o, n string
		if p.OldLabel != nil {
			o = *p.OldLabel
		}
		if p.NewLabel != nil {
			n = *p.NewLabel
		}
		if (p.OldIndex < 0) != (p.OldLabel == nil) || (p.NewIndex < 0) != (p.NewLabel == nil) {
			t.Errorf("a label without its index or an index without its label: %+v", p)
		}
		got = append(got, p.Kind+" "+o+" → "+n)
	}
	want := []string{"equal преамбула, абзац 1 → преамбула, абзац 1", "equal пункт 1 → пункт 1", "equal пункт 2 → пункт 2",
		"changed пункт 3 → пункт 3", "equal пункт 4 → пункт 4", "inserted  → пункт 5"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("labels:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.ChangedItems) != 2 || d.ChangedItems[0].Label != "пункт 3" || d.ChangedItems[1].Key != "5" {
		t.Errorf("changed items: %+v", d.ChangedItems)
	}

	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/comments", map[string]any{
		"revision": 2, "body": "Какой именно?", "anchor": anchorFor(next, "территориальный")}), 201)
	cs := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/comments?revision=2", nil), 200)
	if !strings.Contains(string(cs.Body), `"paragraph":3,"label":"пункт 3"`) {
		t.Errorf("comment without its label: %s", cs.Body)
	}
}
