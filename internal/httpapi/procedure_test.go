package httpapi_test

import (
	"strings"
	"testing"
)

// reason is an error answer's stable reason, checking the error object has
// every field of the contract.
func (r response) reason(t *testing.T) string {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %s", r.Body)
	}
	for _, k := range []string{"code", "reason", "message"} {
		if s, _ := e[k].(string); s == "" {
			t.Errorf("error object without %s: %s", k, r.Body)
		}
	}
	reason, _ := e["reason"].(string)
	return reason
}

// TestProcedureOverHTTP: the procedure's refusals carry their reason in the
// error object, a final document is closed until an administrator reopens
// it (POST .../reopen), the public document says it is amended meanwhile,
// and a merge with the chair's text is credited to both people.
func TestProcedureOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend) // two approvals required
		chair, chair2, member, admin, anon := a, a.as("chair2"), a.as("member"), a.as("admin"), a.as("")
		refused := func(r response, status int, reason string) {
			t.Helper()
			if r.Status != status || r.reason(t) != reason {
				t.Errorf("status %d reason %q, want %d %q: %s", r.Status, r.reason(t), status, reason, r.Body)
			}
		}
		doc := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc", nil), 200)
		if doc.field(t, "state") != "drafting" || doc.field(t, "adopted") != nil {
			t.Errorf("a new document: %s", doc.Body)
		}
		sha1 := doc.json(t)["head"].(map[string]any)["sha256"].(string)

		// Merge credit: the chair's own text, no conflict.
		changed := strings.Replace(wfBase, "центр кластерного развития", "центр кластерного развития и инжиниринга", 1)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1,
			"text": strings.Replace(wfBase, "центр кластерного развития", "центр развития", 1), "title": "Короче"}), 201)
		rev := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/merge", map[string]any{"head": 1, "text": changed}), 201)
		if rev.field(t, "author") != "member" || rev.field(t, "merged_by") != "chair" ||
			rev.field(t, "decision") != "accepted_with_changes" || rev.field(t, "proposal") != float64(1) {
			t.Errorf("merged with the chair's text: %s", rev.Body)
		}
		if p := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/1", nil), 200); p.field(t, "decision") != "accepted_with_changes" {
			t.Errorf("the merged proposal: %s", p.Body)
		}
		sha2 := rev.field(t, "sha256").(string)

		// The head, the hash, one approval per chair, the quorum.
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/1/approvals", map[string]any{"sha256": sha1}), 409, "not_head")
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha1}), 409, "hash_mismatch")
		refused(member.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 403, "not_a_chair")
		refused(anon.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 401, "sign_in_required")
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 201)
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 409, "already_approved")
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "final"}), 409, "quorum_not_reached")
		st := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/revisions/2/approvals", nil), 200).json(t)
		actions := st["actions"].(map[string]any)
		if st["count"] != float64(1) || actions["approve"].(map[string]any)["reason"] != "already_approved" ||
			actions["adopt_final"].(map[string]any)["reason"] != "quorum_not_reached" {
			t.Errorf("approvals: %v", st)
		}
		chair2.mustStatus(chair2.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 201)
		adopted := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "final"}), 201)
		if adopted.field(t, "stage") != "final" {
			t.Errorf("adopted: %s", adopted.Body)
		}

		// Final closes the document.
		refused(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 2, "text": wfBase + "\n5. Ещё.\n"}), 409, "document_closed")
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis"}), 409, "stage_order")
		refused(member.do("POST", "/api/v1/documents/doc/comments", map[string]any{"revision": 2, "body": "Поздно."}), 409, "document_closed")
		refused(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 2, "text": wfBase, "title": "x"}), 409, "document_closed")
		if doc := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc", nil), 200); doc.field(t, "state") != "final" {
			t.Errorf("after final: %s", doc.Body)
		}

		// Only an administrator reopens, with a reason.
		refused(chair.do("POST", "/api/v1/documents/doc/reopen", map[string]any{"reason": "поправки"}), 403, "not_an_admin")
		refused(admin.do("POST", "/api/v1/documents/doc/reopen", map[string]any{"reason": " "}), 400, "missing_field")
		ro := admin.mustStatus(admin.do("POST", "/api/v1/documents/doc/reopen", map[string]any{"reason": "поправки секции"}), 201)
		if ro.field(t, "reason") != "поправки секции" || ro.field(t, "by") != "admin" {
			t.Errorf("reopened: %s", ro.Body)
		}
		refused(admin.do("POST", "/api/v1/documents/doc/reopen", map[string]any{"reason": "ещё раз"}), 409, "not_closed")
		pub := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc", nil), 200)
		amended, _ := pub.field(t, "amended_after_final").(map[string]any)
		if amended["reason"] != "поправки секции" || amended["by"] != nil || pub.field(t, "revision") != float64(2) {
			t.Errorf("public document after reopening: %s", pub.Body)
		}
		hist := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/adoptions", nil), 200).json(t)
		if rs, _ := hist["reopenings"].([]any); len(rs) != 1 {
			t.Errorf("public history: %v", hist)
		}
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 2, "text": changed + "\n5. Ещё.\n"}), 201)
		refused(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "final"}), 409, "not_head")
	})
}
