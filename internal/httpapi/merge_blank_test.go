package httpapi_test

import (
	"strings"
	"testing"
)

// TestMergeWithABlankTextRefused: a chair's merge or decision "accepted
// with changes" with a blank text was committed as a revision deleting
// everything, credited to the proposal's author; it is refused as
// empty_text (as a blank proposal is), nothing is committed and the
// proposal stays open.
func TestMergeWithABlankTextRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		chair, member := a, a.as("member")
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "План",
			"text": strings.Replace(wfBase, "дорожную карту", "план", 1)}), 201)
		for _, tc := range []struct{ path, body string }{
			{"/merge", `{"head":1,"text":""}`},
			{"/merge", `{"head":1,"text":"  \n\n\t \r\n"}`},
			{"/decision", `{"decision":"accepted_with_changes","head":1,"text":" \n "}`},
		} {
			r := chair.do("POST", "/api/v1/documents/doc/proposals/1"+tc.path, tc.body)
			if r.Status != 400 || r.reason(t) != "empty_text" {
				t.Errorf("%s %s: %d %s", tc.path, tc.body, r.Status, r.Body)
			}
		}
		doc := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc", nil), 200).json(t)
		if head := doc["head"].(map[string]any)["number"]; head != float64(1) {
			t.Errorf("head moved to %v", head)
		}
		p := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/1", nil), 200).json(t)
		if p["state"] != "open" {
			t.Errorf("proposal: %v", p["state"])
		}
		// The chair's own wording still merges.
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/decision", map[string]any{"decision": "accepted_with_changes",
			"head": 1, "text": strings.Replace(wfBase, "дорожную карту", "план действий", 1)}), 200)
	})
}
