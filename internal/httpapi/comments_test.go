package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"redline/internal/markup"
)

const cmBase = "Итоговый документ\n\n1. Участники приняли за основу проект итогового документа.\n\n2. Рекомендовать создать центр кластерного развития.\n\n3. Поддержать пилотный кластер малых предприятий.\n\n4. Подготовить дорожную карту.\n"

// anchorFor builds an anchor for the first occurrence of quote in text.
func anchorFor(text, quote string) map[string]any {
	runes := []rune(text)
	i := strings.Index(text, quote)
	start := len([]rune(text[:i]))
	end := start + len([]rune(quote))
	ps, pe := max(0, start-32), min(len(runes), end+32)
	return map[string]any{"start": start, "end": end, "quote": quote,
		"prefix": string(runes[ps:start]), "suffix": string(runes[end:pe])}
}

type listedComment struct {
	ID       int64
	Body     string
	BodyHTML string `json:"body_html"`
	Status   string
	Revision int64
	Anchor   *struct {
		Start, End int
		Quote      string
	}
	Mapped *struct {
		Start, End int
		Quote      string
	} `json:"mapped_anchor"`
	Paragraph *int
	Resolved  bool
	Hidden    bool
}

func listComments(t *testing.T, a *api, query string) ([]listedComment, map[string]int) {
	t.Helper()
	r := a.mustStatus(a.do("GET", "/api/v1/documents/doc/comments?"+query, nil), 200)
	var out struct {
		Comments []listedComment
		Counts   map[string]int `json:"open_threads_by_paragraph"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Comments, out.Counts
}

func TestCommentsSurviveNewDrafts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		// workflowAPI's base text is wfBase; commit ours as revision 2.
		a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": cmBase}), 201)
		member, observer := a.as("member"), a.as("observer")
		c1 := member.mustStatus(member.do("POST", "/api/v1/documents/doc/comments", map[string]any{
			"revision": 2, "body": "Уточнить, *какой* центр.", "anchor": anchorFor(cmBase, "центр кластерного развития")}), 201).json(t)
		c2 := observer.mustStatus(observer.do("POST", "/api/v1/documents/doc/comments", map[string]any{
			"revision": 2, "body": "Малых или также средних?", "anchor": anchorFor(cmBase, "малых предприятий")}), 201).json(t)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/comments", map[string]any{"revision": 2, "body": "Общее замечание."}), 201)
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/comments", map[string]any{"reply_to": c1["id"], "body": "Согласен."}), 201)

		// Revision 3 moves paragraph 2 to the end, past two others, and
		// edits paragraph 3's quoted words.
		v3 := "Итоговый документ\n\n1. Участники приняли за основу проект итогового документа.\n\n3. Поддержать пилотный кластер малых и средних предприятий.\n\n4. Подготовить дорожную карту.\n\n2. Рекомендовать создать центр кластерного развития.\n"
		a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 2, "text": v3}), 201)
		cs, counts := listComments(t, a, "revision=3")
		if len(cs) != 4 {
			t.Fatalf("%d comments listed for revision 3, want 4 (none lost)", len(cs))
		}
		byID := map[int64]listedComment{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		moved := byID[int64(c1["id"].(float64))]
		if moved.Status != "moved" || moved.Mapped == nil || string([]rune(v3)[moved.Mapped.Start:moved.Mapped.End]) != "центр кластерного развития" {
			t.Errorf("comment on a moved paragraph: %+v", moved)
		}
		out := byID[int64(c2["id"].(float64))]
		if out.Status != "outdated" || out.Anchor.Quote != "малых предприятий" || out.Revision != 2 || out.Mapped != nil {
			t.Errorf("comment on edited words: %+v", out)
		}
		if counts["4"] != 1 {
			t.Errorf("open threads by paragraph: %v", counts)
		}
		// Revision 2's own listing shows them anchored.
		cs2, _ := listComments(t, a, "revision=2")
		for _, c := range cs2 {
			if c.Anchor != nil && c.Status != "anchored" {
				t.Errorf("comment %d on its own revision is %s", c.ID, c.Status)
			}
		}
		// Filters.
		if cs, _ := listComments(t, a, "revision=3&author=observer"); len(cs) != 1 {
			t.Errorf("author filter: %d", len(cs))
		}
		if cs, _ := listComments(t, a, "revision=3&paragraph=4"); len(cs) != 1 || cs[0].ID != moved.ID {
			t.Errorf("paragraph filter: %+v", cs)
		}
		// The public never sees comments.
		a.as("").mustStatus(a.as("").do("GET", "/api/v1/documents/doc/comments?revision=3", nil), 401)
	})
}

func TestCommentRules(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member, member2, chair := a.as("member"), a.as("member2"), a
	post := func(who *api, body map[string]any, want int) map[string]any {
		t.Helper()
		return who.mustStatus(who.do("POST", "/api/v1/documents/doc/comments", body), want).json(t)
	}
	good := anchorFor(wfBase, "дорожную карту")
	shifted := anchorFor(wfBase, "дорожную карту")
	shifted["start"] = shifted["start"].(int) + 1
	wrongPrefix := anchorFor(wfBase, "дорожную карту")
	wrongPrefix["prefix"] = "чужой контекст"
	post(member, map[string]any{"revision": 1, "body": "x", "anchor": shifted}, 400)
	post(member, map[string]any{"revision": 1, "body": "x", "anchor": wrongPrefix}, 400)
	post(member, map[string]any{"revision": 1, "body": "x", "anchor": map[string]any{"start": 5, "end": 2, "quote": ""}}, 400)
	post(member, map[string]any{"revision": 9, "body": "x"}, 404)
	post(member, map[string]any{"body": "x"}, 400)
	post(member, map[string]any{"revision": 1, "proposal": 1, "body": "x"}, 400)
	post(member, map[string]any{"revision": 1, "body": ""}, 400)
	post(member, map[string]any{"revision": 1, "body": "a\x00b"}, 400)
	post(member, map[string]any{"revision": 1, "body": strings.Repeat("я", 10001)}, 413)
	a.as("").mustStatus(a.as("").do("POST", "/api/v1/documents/doc/comments", map[string]any{"revision": 1, "body": "x"}), 401)
	root := post(member, map[string]any{"revision": 1, "body": "Первая редакция.", "anchor": good}, 201)
	id := int64(root["id"].(float64))
	path := "/api/v1/documents/doc/comments/" + itoa64(id)

	// Replies form a thread, to a bounded depth.
	parent := id
	for d := 1; d <= 8; d++ {
		parent = int64(post(member2, map[string]any{"reply_to": parent, "body": "ответ"}, 201)["id"].(float64))
	}
	post(member2, map[string]any{"reply_to": parent, "body": "слишком глубоко"}, 400)
	post(member2, map[string]any{"reply_to": id, "body": "с якорем", "anchor": good}, 400)

	// Only the author edits; earlier versions are kept.
	member2.mustStatus(member2.do("PUT", path, map[string]any{"body": "чужая правка"}), 403)
	member.mustStatus(member.do("PUT", path, map[string]any{"body": "Вторая редакция."}), 200)
	vs := member2.mustStatus(member2.do("GET", path+"/versions", nil), 200)
	if !strings.Contains(string(vs.Body), "Первая редакция.") {
		t.Errorf("versions: %s", vs.Body)
	}
	// The author or a chair resolves and reopens; another member cannot.
	member2.mustStatus(member2.do("POST", path+"/resolve", nil), 403)
	if r := member.mustStatus(member.do("POST", path+"/resolve", nil), 200); r.field(t, "resolved") != true {
		t.Errorf("resolve: %s", r.Body)
	}
	chair.mustStatus(chair.do("POST", path+"/reopen", nil), 200)
	if open, _ := listComments(t, a, "revision=1&state=open"); len(open) != 9 {
		t.Errorf("%d open comments", len(open))
	}
	// A chair hides with a reason; the comment stays, without its body.
	member.mustStatus(member.do("POST", path+"/hide", map[string]any{"reason": "оскорбление"}), 403)
	chair.mustStatus(chair.do("POST", path+"/hide", map[string]any{}), 400)
	h := chair.mustStatus(chair.do("POST", path+"/hide", map[string]any{"reason": "Не по существу."}), 200).json(t)
	if h["hidden"] != true || h["hidden_reason"] != "Не по существу." || h["body"] != "" {
		t.Errorf("hidden comment: %v", h)
	}
	if all, _ := listComments(t, a, "revision=1"); len(all) != 9 {
		t.Errorf("a hidden comment vanished: %d listed", len(all))
	}
	a.as("observer").mustStatus(a.as("observer").do("GET", "/api/v1/documents/doc/comments?revision=1", nil), 200)
	member.mustStatus(member.do("GET", "/api/v1/documents/doc/comments", nil), 400)
}

func TestCommentXSS(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member := a.as("member")
	for _, body := range markup.XSSCorpus {
		member.mustStatus(member.do("POST", "/api/v1/documents/doc/comments", map[string]any{"revision": 1, "body": body}), 201)
	}
	r := member.mustStatus(member.do("GET", "/api/v1/documents/doc/comments?revision=1", nil), 200)
	raw := strings.ToLower(string(r.Body))
	for _, bad := range []string{"<script", "<img", "<svg", "<iframe", "onerror=", "javascript:"} {
		if strings.Contains(raw, bad) && !strings.Contains(raw, "\\u003c") {
			t.Errorf("raw API output contains %q", bad)
		}
	}
	cs, _ := listComments(t, a, "revision=1")
	if len(cs) != len(markup.XSSCorpus) {
		t.Fatalf("%d comments", len(cs))
	}
	for _, c := range cs {
		if m := markup.Executable(c.BodyHTML, markup.SafeTags()); m != "" {
			t.Errorf("body_html of %q keeps %s: %s", c.Body, m, c.BodyHTML)
		}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("comments served as %q without nosniff", ct)
	}
}

// TestAdoptionGate: open threads anchored in (or carried into) the revision
// block its adoption unless the chair gives an override reason; both the
// refusal and the override are in the audit log.
func TestAdoptionGate(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member, chair, chair2 := a.as("member"), a, a.as("chair2")
	c := member.mustStatus(member.do("POST", "/api/v1/documents/doc/comments", map[string]any{
		"revision": 1, "body": "Спорно.", "anchor": anchorFor(wfBase, "дорожную карту")}), 201).json(t)
	// Revision 2 leaves the quoted words intact: the thread is carried in.
	v2 := wfBase + "\n5. Новый пункт.\n"
	r2 := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": v2}), 201).json(t)
	for _, who := range []*api{chair, chair2} {
		who.mustStatus(who.do("POST", "/api/v1/documents/doc/revisions/2/approvals", map[string]any{"sha256": r2["sha256"]}), 201)
	}
	refused := chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis"}), 409)
	if !strings.Contains(string(refused.Body), `"open_threads":[`+itoa64(int64(c["id"].(float64)))+`]`) {
		t.Errorf("refusal does not list the open thread: %s", refused.Body)
	}
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "basis", "override_reason": "Замечание учтём при доработке."}), 201)
	ev := string(member.mustStatus(member.do("GET", "/api/v1/documents/doc/events", nil), 200).Body)
	if !strings.Contains(ev, `"kind":"adoption.refused"`) || !strings.Contains(ev, `"override_reason":"Замечание учтём при доработке."`) {
		t.Errorf("audit log lacks the refusal or the override: %s", ev)
	}
	// Once the thread is resolved, adoption needs no override.
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/comments/"+itoa64(int64(c["id"].(float64)))+"/resolve", nil), 200)
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/2/adopt", map[string]any{"stage": "final"}), 201)
}

func itoa64(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
