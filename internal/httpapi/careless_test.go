package httpapi_test

import (
	"strings"
	"testing"

	"redline/internal/drafting"
)

// TestCarelessBodiesRefused: a blank commit was stored as a revision
// deleting everything; a negative revision number was refused as a missing
// field (a comment's as invalid_input or, replying, not_found); a decision with "vote": {} recorded 0/0/0. Each is a 400 with its
// reason, and nothing is stored; "vote": null and no vote are no vote.
func TestCarelessBodiesRefused(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	chair, member := a, a.as("member")
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "План",
		"text": strings.Replace(wfBase, "дорожную карту", "план", 1)}), 201)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Кластер",
		"text": strings.Replace(wfBase, "пилотный кластер", "пилотный промышленный кластер", 1)}), 201)
	before := a.stored()
	for _, tc := range []struct {
		who          *api
		path, body   string
		reason, want string // want: the field named in the details
	}{
		{chair, "/revisions", `{"base":1,"text":""}`, "empty_text", "text"},
		{chair, "/revisions", `{"base":1,"text":" \n\n\t \r\n","message":"пусто"}`, "empty_text", "text"},
		{chair, "/revisions", `{"base":-1,"text":"a"}`, "out_of_range", "base"},
		{chair, "/revisions", `{"base":-7,"text":"a"}`, "out_of_range", "base"},
		{member, "/proposals", `{"base":-1,"title":"т","text":"a"}`, "out_of_range", "base"},
		{chair, "/proposals/1/merge", `{"head":-1}`, "out_of_range", "head"},
		{chair, "/proposals/1/decision", `{"decision":"accepted","head":-2}`, "out_of_range", "head"},
		{member, "/comments", `{"revision":-1,"body":"к редакции"}`, "out_of_range", "revision"},
		{member, "/comments", `{"proposal":-2,"body":"к поправке"}`, "out_of_range", "proposal"},
		{member, "/comments", `{"reply_to":-1,"body":"ответ"}`, "out_of_range", "reply_to"},
		{chair, "/proposals/1/decision", `{"decision":"accepted","head":1,"vote":{}}`, "out_of_range", "vote"},
		{chair, "/proposals/1/merge", `{"head":1,"vote":{"for":0,"against":0,"abstained":0}}`, "out_of_range", "vote"},
		{chair, "/proposals/2/decision", `{"decision":"rejected","reason":"нет","vote":{}}`, "out_of_range", "vote"},
	} {
		r := tc.who.do("POST", "/api/v1/documents/doc"+tc.path, tc.body)
		if r.Status != 400 || r.reason(t) != tc.reason {
			t.Errorf("%s %s: %d %s, want 400 %s", tc.path, tc.body, r.Status, r.Body, tc.reason)
			continue
		}
		if f := r.json(t)["error"].(map[string]any)["details"].(map[string]any)["field"]; f != tc.want {
			t.Errorf("%s %s: field %v, want %s: %s", tc.path, tc.body, f, tc.want, r.Body)
		}
	}
	if after := a.stored(); after != before {
		t.Errorf("stored %+v, before %+v: a refused request changed something", after, before)
	}
	// An absent base is still a missing field; no vote is no vote. (The
	// server takes "vote": null as none too, but the description does not
	// allow null, so its checker would refuse the request here.)
	r := chair.do("POST", "/api/v1/documents/doc/revisions", `{"text":"a"}`)
	if r.Status != 400 || r.reason(t) != string(drafting.ReasonMissingField) {
		t.Errorf("no base: %d %s", r.Status, r.Body)
	}
	d := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/decision", `{"decision":"accepted","head":1}`), 200).json(t)
	if p := d["proposal"].(map[string]any); p["vote"] != nil || p["state"] != "merged" {
		t.Errorf("no vote: %v", d)
	}
	d = chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/decision", `{"decision":"rejected","reason":"нет"}`), 200).json(t)
	if p := d["proposal"].(map[string]any); p["vote"] != nil || p["state"] != "rejected" {
		t.Errorf("no vote: %v", d)
	}
}
