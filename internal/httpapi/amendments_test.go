package httpapi_test

import (
	"encoding/json"
	"strconv"
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

// TestItemAmendmentsOverHTTP (issue 14): a member amends item 3 alone; the
// proposal is stored as a whole text and records the item it touches; its
// effect is just that change, also after the head moved on (never the
// proposal against the head); overlapping amendments show their conflicts
// by label; empty texts, unknown items and items changed twice are refused
// with their reasons.
func TestItemAmendmentsOverHTTP(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	chair, member, member2 := a, a.as("member"), a.as("member2")
	refused := func(r response, status int, reason string) {
		t.Helper()
		if r.Status != status || r.reason(t) != reason {
			t.Errorf("status %d reason %q, want %d %q: %s", r.Status, r.reason(t), status, reason, r.Body)
		}
	}
	propose := func(who *api, body map[string]any) response {
		return who.do("POST", "/api/v1/documents/doc/proposals", body)
	}
	refused(propose(member, map[string]any{"base": 1, "title": "Пусто", "text": " \n\n \t"}), 400, "empty_text")
	refused(propose(member, map[string]any{"base": 1, "title": "Нет", "changes": []map[string]any{{"op": "replace", "item": "17", "text": "x"}}}), 400, "unknown_item")
	refused(propose(member, map[string]any{"base": 1, "title": "Дважды", "changes": []map[string]any{
		{"op": "replace", "item": "3", "text": "x"}, {"op": "delete", "item": "3"}}}), 400, "item_changed_twice")
	refused(propose(member, map[string]any{"base": 1, "title": "Пусто", "changes": []map[string]any{{"op": "replace", "item": "3", "text": "  "}}}), 400, "empty_text")
	refused(propose(member, map[string]any{"base": 1, "title": "Как", "changes": []map[string]any{{"op": "move", "item": "3"}}}), 400, "invalid_input")

	// Item 3 alone, its number kept.
	p1 := member.mustStatus(propose(member, map[string]any{"base": 1, "title": "Территориальный", "changes": []map[string]any{
		{"op": "replace", "item": "3", "text": "Поддержать пилотный территориальный кластер малых и средних предприятий."}}}), 201).json(t)
	if items, _ := p1["items"].([]any); len(items) != 1 || items[0].(map[string]any)["label"] != "пункт 3" || items[0].(map[string]any)["key"] != "3" {
		t.Errorf("items touched: %v", p1["items"])
	}
	text := string(member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/1/text", nil), 200).Body)
	if want := strings.Replace(wfBase, "пилотный кластер", "пилотный территориальный кластер", 1); text != want {
		t.Errorf("stored text:\n%q\nwant\n%q", text, want)
	}
	// Insert and delete.
	p2 := member2.mustStatus(propose(member2, map[string]any{"base": 1, "title": "Новый пункт", "changes": []map[string]any{
		{"op": "insert_after", "item": "4", "text": "5. Провести следующую конференцию в 2012 году."}, {"op": "delete", "item": "1"}}}), 201).json(t)
	if fmt := p2["items"]; len(fmt.([]any)) != 2 {
		t.Errorf("items of an insertion and a deletion: %v", fmt)
	}
	text2 := string(member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/2/text", nil), 200).Body)
	if strings.Contains(text2, "1. Участники") || !strings.HasSuffix(text2, "4. Подготовить дорожную карту развития кластеров.\n\n5. Провести следующую конференцию в 2012 году.\n") {
		t.Errorf("inserted and deleted: %q", text2)
	}

	type effect struct {
		Moved bool `json:"moved"`
		Own   struct {
			ChangedItems []struct{ Label string } `json:"changed_items"`
		} `json:"own"`
		OntoHead *struct {
			ChangedItems []struct{ Label string } `json:"changed_items"`
			Stats        struct {
				Changed int `json:"paragraphs_changed"`
			} `json:"stats"`
		} `json:"onto_head"`
		Conflicts []struct {
			Items []struct{ Label string } `json:"items"`
		} `json:"conflicts"`
	}
	getEffect := func(n int) effect {
		t.Helper()
		var e effect
		if err := json.Unmarshal(member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/"+strconv.Itoa(n)+"/effect", nil), 200).Body, &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	if e := getEffect(1); e.Moved || len(e.Own.ChangedItems) != 1 || e.Own.ChangedItems[0].Label != "пункт 3" {
		t.Errorf("effect on its own base: %+v", e)
	}
	// The head moves on (item 2 changes): proposal 1 still shows only item 3.
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "message": "п. 2",
		"text": strings.Replace(wfBase, "центр кластерного развития", "центр развития кластеров", 1)}), 201)
	e := getEffect(1)
	if !e.Moved || e.OntoHead == nil || len(e.OntoHead.ChangedItems) != 1 || e.OntoHead.ChangedItems[0].Label != "пункт 3" || len(e.Conflicts) != 0 {
		t.Errorf("effect after the head moved: %+v", e)
	}
	// An amendment of item 2 on the old base conflicts with the head there.
	member2.mustStatus(propose(member2, map[string]any{"base": 1, "title": "Центр", "changes": []map[string]any{
		{"op": "replace", "item": "2", "text": "Рекомендовать создать центр поддержки кластеров."}}}), 201)
	if e := getEffect(3); len(e.Conflicts) != 1 || len(e.Conflicts[0].Items) != 1 || e.Conflicts[0].Items[0].Label != "пункт 2" {
		t.Errorf("conflict by label: %+v", e)
	}
}

// TestCollisionsByLabelAcrossBases (issue 14): two members amend item 3, on
// different bases (revision 2 renumbered nothing but changed item 2), and
// are reported as colliding by the label "пункт 3", with links to both; an
// amendment of another item does not collide.
func TestCollisionsByLabelAcrossBases(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	chair, member, member2 := a, a.as("member"), a.as("member2")
	replace3 := func(who *api, base int, text string) {
		t.Helper()
		who.mustStatus(who.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": base, "title": "п. 3",
			"changes": []map[string]any{{"op": "replace", "item": "3", "text": text}}}), 201)
	}
	replace3(member, 1, "Поддержать пилотный территориальный кластер.")
	// Revision 2 inserts a paragraph before item 3 and changes item 2: the
	// paragraph index of item 3 moves, its label does not.
	r2 := strings.Replace(wfBase, "центр кластерного развития.", "центр кластерного развития.\n\nОтметить опыт Москвы.", 1)
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": r2, "message": "вставка"}), 201)
	replace3(member2, 2, "Поддержать пилотный промышленный кластер.")
	member2.mustStatus(member2.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 2, "title": "п. 4",
		"changes": []map[string]any{{"op": "replace", "item": "4", "text": "Подготовить план."}}}), 201)

	var out struct {
		Collisions []struct {
			Proposal struct{ Number int }          `json:"proposal"`
			Items    []struct{ Key, Label string } `json:"items"`
			Links    []string                      `json:"links"`
		} `json:"collisions"`
	}
	col := member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/1/collisions", nil), 200)
	if err := json.Unmarshal(col.Body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Collisions) != 1 || out.Collisions[0].Proposal.Number != 2 || len(out.Collisions[0].Items) != 1 ||
		out.Collisions[0].Items[0].Label != "пункт 3" || len(out.Collisions[0].Links) != 2 ||
		!strings.HasSuffix(out.Collisions[0].Links[1], "/proposals/2") {
		t.Errorf("collisions of 1: %s", col.Body)
	}
	col = member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/2/collisions", nil), 200)
	if !strings.Contains(string(col.Body), `"label":"пункт 3"`) || strings.Contains(string(col.Body), `"number":3`) {
		t.Errorf("collisions of 2: %s", col.Body)
	}
}
