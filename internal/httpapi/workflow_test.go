package httpapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

const (
	wfBase = "Итоговый документ\n\n1. Участники конференции приняли за основу проект итогового документа.\n\n2. Рекомендовать создать центр кластерного развития.\n\n3. Поддержать пилотный кластер малых и средних предприятий.\n\n4. Подготовить дорожную карту развития кластеров.\n"
)

// workflowAPI: "chair" and "chair2" chair document "doc" (two approvals
// required), "member" and "observer" hold those roles.
func workflowAPI(t *testing.T, backend string) *api {
	t.Helper()
	a := newAPI(t, backend, drafting.Options{})
	for _, u := range []string{"chair2", "member", "member2", "observer"} {
		a.addUser(u, false)
	}
	a.createDoc(map[string]any{"slug": "doc", "title": "Итоговый документ", "text": wfBase, "approvals_required": 2})
	stack.MustRole(t, a.svc, "chair2", drafting.RoleChair, "doc")
	stack.MustRole(t, a.svc, "member", drafting.RoleMember, "doc")
	stack.MustRole(t, a.svc, "member2", drafting.RoleMember, "doc")
	stack.MustRole(t, a.svc, "observer", drafting.RoleObserver, "doc")
	return a
}

func (r response) field(t *testing.T, name string) any {
	t.Helper()
	return r.json(t)[name]
}

func TestWorkflowEndToEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		member, chair, chair2, anon := a.as("member"), a, a.as("chair2"), a.as("")

		// An observer may not propose; a member may.
		proposed := strings.Replace(wfBase, "центр кластерного развития", "центр кластерного развития при Правительстве Москвы", 1)
		body := map[string]any{"base": 1, "text": proposed, "title": "Уточнить подчинённость центра", "rationale": "Так яснее."}
		a.as("observer").mustStatus(a.as("observer").do("POST", "/api/v1/documents/doc/proposals", body), 403)
		p := member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", body), 201)
		if p.field(t, "number") != float64(1) || p.field(t, "state") != "open" || p.field(t, "author") != "member" {
			t.Fatalf("proposal: %s", p.Body)
		}
		d := member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/1/diff?format=unified", nil), 200)
		if !strings.Contains(string(d.Body), "+2. Рекомендовать создать центр кластерного развития при Правительстве Москвы.") {
			t.Errorf("proposal redline: %s", d.Body)
		}
		// Members cannot merge; a stale head is refused; the chair merges.
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals/1/merge", map[string]any{"head": 1}), 403)
		stale := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/merge", map[string]any{"head": 7}), 409)
		if stale.field(t, "head") != float64(1) {
			t.Errorf("stale merge: %s", stale.Body)
		}
		rev := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/merge", map[string]any{"head": 1}), 201)
		if rev.field(t, "number") != float64(2) || rev.field(t, "author") != "member" {
			t.Fatalf("merged revision: %s", rev.Body)
		}
		if got := string(chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/revisions/2/text", nil), 200).Body); got != proposed {
			t.Fatalf("merged text %q", got)
		}
		if st := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/1", nil), 200).field(t, "state"); st != "merged" {
			t.Errorf("proposal state after merge: %v", st)
		}
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/merge", map[string]any{"head": 2}), 409)

		// Approvals are bound to the hash and the head.
		sha2 := rev.field(t, "sha256").(string)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 403)
		wrong := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": strings.Repeat("0", 64)}), 409)
		if wrong.errorCode(t) != "conflict" {
			t.Errorf("wrong hash: %s", wrong.Body)
		}
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/1/approvals", map[string]any{"sha256": shaOf(wfBase)}), 409) // not the head
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2, "note": "Согласен."}), 201)
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 409) // once per chair
		st := member.mustStatus(member.do("GET", "/api/v1/documents/doc/revisions/2/approvals", nil), 200).json(t)
		if st["count"] != float64(1) || st["required"] != float64(2) || st["reached"] != false {
			t.Errorf("quorum progress: %v", st)
		}
		// No adoption without the quorum.
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis"}), 409)
		chair2.mustStatus(chair2.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 201)
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "someday"}), 400)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis"}), 403)
		ad := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis", "note": "Принят за основу"}), 201)
		if ad.field(t, "archived_at") == nil {
			t.Errorf("the archive copy was not made at once: %s", ad.Body)
		}

		// Anyone reads the adopted text, its hash and history; nothing else.
		pub := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc", nil), 200)
		pj := pub.json(t)
		if pj["text"] != proposed || pj["sha256"] != sha2 || pj["stage"] != "basis" || pj["revision"] != float64(2) {
			t.Fatalf("public document: %s", pub.Body)
		}
		if strings.Contains(string(pub.Body), "chair") || strings.Contains(string(pub.Body), "member") {
			t.Errorf("the public document names people: %s", pub.Body)
		}
		anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc", nil, "If-None-Match", pub.Header.Get("ETag")), 304)
		dl := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/download/2.md", nil), 200)
		if cd := dl.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="doc-r2-`+sha2[:12]+`.md"`) || string(dl.Body) != proposed {
			t.Errorf("download: %q %q", cd, dl.Body)
		}
		anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/download/2.txt", nil, "If-None-Match", `"`+sha2+`"`), 304)
		anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/download/1.txt", nil), 404) // revision 1 was never adopted
		anon.mustStatus(anon.do("GET", "/api/v1/documents/doc/revisions/2/text", nil), 401)
		anon.mustStatus(anon.do("GET", "/api/v1/documents/doc/proposals", nil), 401)
		anon.mustStatus(anon.do("GET", "/api/v1/public/documents/nodoc", nil), 404)

		// A new revision starts with no approvals; adopting it as final
		// supersedes the basis, and both stay in the history.
		final := strings.Replace(proposed, "дорожную карту", "дорожную карту на 2012–2014 годы", 1)
		r3 := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 2, "text": final}), 201)
		sha3 := r3.field(t, "sha256").(string)
		if c := member.mustStatus(member.do("GET", "/api/v1/documents/doc/revisions/3/approvals", nil), 200).field(t, "count"); c != float64(0) {
			t.Errorf("a new revision starts with %v approvals", c)
		}
		chair2.mustStatus(chair2.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": sha2}), 409) // superseded
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/3/approvals", map[string]any{"sha256": sha3}), 201)
		chair2.mustStatus(chair2.do("POST", "/api/v1/documents/doc/revisions/3/approvals", map[string]any{"sha256": sha3}), 201)
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/3/adopt", map[string]any{"stage": "final"}), 201)
		pj = anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc", nil), 200).json(t)
		if pj["stage"] != "final" || pj["text"] != final {
			t.Errorf("after final adoption: %v", pj)
		}
		hist := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/adoptions", nil), 200)
		var h struct {
			Adoptions []struct {
				Revision int
				Stage    string
			}
		}
		_ = json.Unmarshal(hist.Body, &h)
		if len(h.Adoptions) != 2 || h.Adoptions[0].Stage != "basis" || h.Adoptions[1].Stage != "final" {
			t.Errorf("adoption history: %s", hist.Body)
		}
		pd := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/diff?from=2&to=3&format=unified", nil), 200)
		if !strings.Contains(string(pd.Body), "на 2012–2014 годы") {
			t.Errorf("public redline: %s", pd.Body)
		}
		anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/diff?from=1&to=3", nil), 404) // 1 was never adopted

		// The audit log holds every step, chained.
		ev := member.mustStatus(member.do("GET", "/api/v1/documents/doc/events", nil), 200)
		for _, kind := range []string{"document.create", "role.grant", "proposal.create", "proposal.merge", "approval.create", "adoption.create", "revision.commit"} {
			if !strings.Contains(string(ev.Body), `"kind":"`+kind+`"`) {
				t.Errorf("audit log lacks %s", kind)
			}
		}
		a.as("observer").mustStatus(a.as("observer").do("GET", "/api/v1/documents/doc/events", nil), 403)
		rep, err := drafting.NewOperator(a.svc).Verify(t.Context(), false, nil)
		if err != nil || rep.Bad() {
			t.Fatalf("verify after the workflow: %v %+v", err, rep.Problems)
		}
	})
}

func TestProposalLifecycle(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member, member2, chair := a.as("member"), a.as("member2"), a
	body := func(title string) map[string]any {
		return map[string]any{"base": 1, "text": wfBase + "\n5. " + title + "\n", "title": title}
	}
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", body("Первое")), 201)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", body("Второе")), 201)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 9, "text": "x", "title": "t"}), 400)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "text": "x"}), 400)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"text": "x", "title": "t"}), 400)
	member2.mustStatus(member2.do("POST", "/api/v1/documents/doc/proposals/1/withdraw", nil), 403)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals/1/withdraw", nil), 200)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals/1/withdraw", nil), 409)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals/2/reject", map[string]any{"reason": "нет"}), 403)
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/reject", map[string]any{}), 400)
	rj := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/reject", map[string]any{"reason": "Вне повестки."}), 200)
	if rj.field(t, "state") != "rejected" || rj.field(t, "close_reason") != "Вне повестки." || rj.field(t, "closed_by") != "chair" {
		t.Fatalf("rejected: %s", rj.Body)
	}
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/merge", map[string]any{"head": 1}), 409)
	open := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals?state=open", nil), 200)
	if !strings.Contains(string(open.Body), `"proposals":[]`) {
		t.Errorf("open proposals: %s", open.Body)
	}
	all := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals", nil), 200)
	if strings.Count(string(all.Body), `"number"`) != 2 {
		t.Errorf("proposals: %s", all.Body)
	}
	chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals?state=bogus", nil), 400)
	chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/9", nil), 404)
	chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/x", nil), 400)
}

// TestMergeOntoMovedHead: the head moved since the proposal was written.
// Changes in other paragraphs merge cleanly; changes to the same words are a
// conflict with both sides and nothing committed, which the chair resolves.
func TestMergeOntoMovedHead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		member, chair := a.as("member"), a
		p1 := strings.Replace(wfBase, "пилотный кластер", "пилотный инновационный кластер", 1)
		p2 := strings.Replace(wfBase, "центр кластерного развития", "центр развития кластеров", 1)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "text": p1, "title": "Пункт 3"}), 201)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "text": p2, "title": "Пункт 2"}), 201)
		headText := strings.Replace(wfBase, "центр кластерного развития", "центр поддержки кластеров", 1)
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": headText}), 201)

		// Proposal 2 collides with nothing open but proposal 1? They touch
		// different paragraphs.
		col := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/1/collisions", nil), 200)
		if !strings.Contains(string(col.Body), `"collisions":[]`) {
			t.Errorf("proposals on different paragraphs collide: %s", col.Body)
		}

		r := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/1/merge", map[string]any{"head": 2}), 201)
		want := strings.Replace(headText, "пилотный кластер", "пилотный инновационный кластер", 1)
		if got := string(chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/revisions/3/text", nil), 200).Body); got != want {
			t.Fatalf("clean merge gave %q, want %q", got, want)
		}
		if r.field(t, "author") != "member" {
			t.Errorf("merged revision's author: %v", r.field(t, "author"))
		}

		before := a.stored()
		c := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/merge", map[string]any{"head": 3}), 409)
		details, _ := c.json(t)["error"].(map[string]any)["details"].(map[string]any)
		conflicts, _ := details["conflicts"].([]any)
		if len(conflicts) == 0 {
			t.Fatalf("overlapping edits gave no conflicts: %s", c.Body)
		}
		first := conflicts[0].(map[string]any)
		if !strings.Contains(first["head"].(string), "центр поддержки кластеров") || !strings.Contains(first["proposal"].(string), "центр развития кластеров") {
			t.Errorf("conflict sides: %v", first)
		}
		if after := a.stored(); after.revs != before.revs {
			t.Fatal("a conflicting merge committed a revision")
		}
		resolved := strings.Replace(want, "центр поддержки кластеров", "центр поддержки и развития кластеров", 1)
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/2/merge", map[string]any{"head": 3, "text": resolved}), 201)
		if st := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/proposals/2", nil), 200).field(t, "state"); st != "merged" {
			t.Errorf("resolved proposal is %v", st)
		}
	})
}

func TestCollisions(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member := a.as("member")
	edit := func(old, new string) string { return strings.Replace(wfBase, old, new, 1) }
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "text": edit("центр кластерного", "центр инновационного"), "title": "A"}), 201)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "text": edit("Рекомендовать", "Предложить"), "title": "B"}), 201)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "text": edit("дорожную карту", "план"), "title": "C"}), 201)
	col := member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/1/collisions", nil), 200)
	var out struct {
		Collisions []struct {
			Proposal   struct{ Number int }
			Paragraphs []string
		}
	}
	if err := json.Unmarshal(col.Body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Collisions) != 1 || out.Collisions[0].Proposal.Number != 2 || !strings.HasPrefix(out.Collisions[0].Paragraphs[0], "2. Рекомендовать") {
		t.Fatalf("collisions of 1: %s", col.Body)
	}
}

func TestIdempotencyKey(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	body := map[string]any{"base": 1, "text": wfBase + "\n5. Новый пункт.\n"}
	r1 := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", body, "Idempotency-Key", "commit-5"), 201)
	r2 := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", body, "Idempotency-Key", "commit-5"), 201)
	if string(r1.Body) != string(r2.Body) || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry answered differently: %s / %s", r1.Body, r2.Body)
	}
	if s := a.stored(); s.revs != 2 {
		t.Fatalf("%d revisions after a retried commit, want 2", s.revs)
	}
	other := map[string]any{"base": 2, "text": wfBase}
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", other, "Idempotency-Key", "commit-5"), 409)
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", other, "Idempotency-Key", "bad key!"), 400)
	// Keys are per user: another chair's same key is a new request.
	a.as("chair2").mustStatus(a.as("chair2").do("POST", "/api/v1/documents/doc/revisions", other, "Idempotency-Key", "commit-5"), 201)
	// A refused request is remembered too, and not re-run.
	bad := map[string]any{"base": 1, "text": "x"}
	r3 := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", bad, "Idempotency-Key", "stale"), 409)
	r4 := a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", bad, "Idempotency-Key", "stale"), 409)
	if string(r3.Body) != string(r4.Body) {
		t.Errorf("replayed refusal differs")
	}
}

func shaOf(s string) string {
	return sha256hex([]byte(s))
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
