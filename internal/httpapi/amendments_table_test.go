package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/testenv"
)

// decidedAPI: on workflowAPI's document, member amends item 2 (accepted by
// the chair with a vote 12–3–1), member2 amends item 3 (accepted with the
// chair's changes), member amends item 4 (rejected, with a reason and a vote)
// and member2 proposes a new item 5 (left open).
func decidedAPI(t *testing.T, backend string) *api {
	t.Helper()
	a := workflowAPI(t, backend)
	chair, member, member2 := a, a.as("member"), a.as("member2")
	propose := func(who *api, title string, change map[string]any) {
		t.Helper()
		who.mustStatus(who.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": title,
			"changes": []map[string]any{change}}), 201)
	}
	propose(member, "Инжиниринг", map[string]any{"op": "replace", "item": "2", "text": "Рекомендовать создать центр кластерного развития и инжиниринга."})
	propose(member2, "Территориальный", map[string]any{"op": "replace", "item": "3", "text": "Поддержать пилотный территориальный кластер малых и средних предприятий."})
	propose(member, "План", map[string]any{"op": "replace", "item": "4", "text": "Подготовить план развития кластеров."})
	propose(member2, "Конференция", map[string]any{"op": "insert_after", "item": "4", "text": "5. Провести следующую конференцию в 2012 году."})
	decide := func(n string, body map[string]any) {
		t.Helper()
		chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/proposals/"+n+"/decision", body), 200)
	}
	decide("1", map[string]any{"decision": "accepted", "head": 1, "vote": map[string]any{"for": 12, "against": 3, "abstained": 1}})
	head2 := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/revisions/2/text", nil), 200)
	decide("2", map[string]any{"decision": "accepted_with_changes", "head": 2,
		"text": strings.Replace(string(head2.Body), "пилотный кластер", "пилотный промышленный кластер", 1)})
	decide("3", map[string]any{"decision": "rejected", "reason": "Дорожная карта уже утверждена",
		"vote": map[string]any{"for": 2, "against": 14, "abstained": 0}})
	return a
}

// TestAmendmentTableOverHTTP (issue 14): the table of amendments lists the
// three decided amendments and the open one with their items, the draft's
// and the proposed wording, authors, decisions and votes; it filters by
// decision; its .csv reads back; its .docx is a Word table that pandoc
// reads as a table and LibreOffice turns into a PDF whose text shows every
// amendment's item, author and decision; the public table appears only
// after the final adoption, without names; the consolidated text is the
// head with the chosen open amendments merged.
func TestAmendmentTableOverHTTP(t *testing.T) {
	a := decidedAPI(t, "sqlite+disk")
	chair, chair2, member, anon, observer := a, a.as("chair2"), a.as("member"), a.as(""), a.as("observer")

	type row struct {
		No       int
		Proposal int
		Items    []struct{ Key, Label string }
		Draft    string
		Proposed string
		Author   string
		Decision *string
		Reason   string
		Vote     *struct{ For, Against, Abstained int }
	}
	var table struct {
		Basis      int
		Amendments []row
		Counts     struct{ Accepted, Rejected, Open int }
	}
	r := observer.mustStatus(observer.do("GET", "/api/v1/documents/doc/amendments?basis=1", nil), 200)
	if err := json.Unmarshal(r.Body, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Amendments) != 4 || table.Counts.Accepted != 2 || table.Counts.Rejected != 1 || table.Counts.Open != 1 {
		t.Fatalf("table: %s", r.Body)
	}
	dec := func(r row) string {
		if r.Decision == nil {
			return "open"
		}
		return *r.Decision
	}
	want := []struct{ item, author, decision string }{
		{"пункт 2", "member", "accepted"}, {"пункт 3", "member2", "accepted_with_changes"},
		{"пункт 4", "member", "rejected"}, {"пункт 4", "member2", "open"}}
	for i, w := range want {
		got := table.Amendments[i]
		if got.No != i+1 || got.Proposal != i+1 || len(got.Items) != 1 || got.Items[0].Label != w.item || got.Author != w.author || dec(got) != w.decision {
			t.Errorf("row %d: %+v, want %+v", i+1, got, w)
		}
	}
	if r := table.Amendments[0]; !strings.Contains(r.Draft, "центр кластерного развития.") || !strings.Contains(r.Proposed, "и инжиниринга") ||
		r.Vote == nil || r.Vote.For != 12 {
		t.Errorf("row 1: %+v", r)
	}
	if r := table.Amendments[2]; r.Reason != "Дорожная карта уже утверждена" || r.Vote == nil || r.Vote.Against != 14 {
		t.Errorf("row 3: %+v", r)
	}
	for filter, n := range map[string][]int{"accepted": {1, 2}, "rejected": {3}, "open": {4}} {
		var f struct{ Amendments []row }
		if err := json.Unmarshal(member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments?decision="+filter, nil), 200).Body, &f); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, r := range f.Amendments {
			got = append(got, r.No)
		}
		if !slicesEqual(got, n) {
			t.Errorf("filter %s: rows %v, want %v", filter, got, n)
		}
	}
	member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments?decision=maybe", nil), 400)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/documents/doc/amendments", nil), 401)

	// CSV.
	c := member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments.csv", nil), 200)
	if c.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(c.Header.Get("Content-Disposition"), "doc-amendments-r1.csv") {
		t.Errorf("csv headers: %v", c.Header)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 5 || recs[0][0] != "№" || recs[1][1] != "пункт 2" || recs[1][4] != "member" ||
		recs[1][5] != "принять" || recs[1][6] != "за 12, против 3, воздержались 1" || recs[3][5] != "отклонить: Дорожная карта уже утверждена" || recs[4][5] != "не рассмотрено" {
		t.Errorf("csv: %v %q", err, recs)
	}
	if h := member.do("HEAD", "/api/v1/documents/doc/amendments.csv", nil); h.Status != 200 || len(h.Body) != 0 || h.Header.Get("ETag") == "" {
		t.Errorf("HEAD: %d %q %v", h.Status, h.Body, h.Header)
	}

	// .docx: pandoc reads a table with the rows; LibreOffice prints them.
	docx := member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments.docx", nil), 200).Body
	dir := t.TempDir()
	file := filepath.Join(dir, "amendments.docx")
	if err := os.WriteFile(file, docx, 0o600); err != nil {
		t.Fatal(err)
	}
	pandoc := testenv.Tool(t, "pandoc", "pandoc")
	md, err := exec.Command(pandoc, "-f", "docx", "-t", "markdown", "--columns=100000", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pandoc: %v\n%s", err, md)
	}
	for _, s := range []string{"Предлагаемая редакция", "пункт 2", "пункт 3", "пункт 4", "member2", "принять с изменениями",
		"отклонить: Дорожная карта уже утверждена", "за 2, против 14, воздержались 0", "инжиниринга"} {
		if !strings.Contains(strings.Join(strings.Fields(string(md)), " "), s) {
			t.Errorf("pandoc's markdown lacks %q:\n%s", s, md)
		}
	}
	if !strings.Contains(string(md), "---") && !strings.Contains(string(md), "+--") {
		t.Errorf("pandoc read no table:\n%s", md)
	}
	soffice := testenv.Tool(t, "soffice", "libreoffice-writer-nogui")
	pdftotext := testenv.Tool(t, "pdftotext", "poppler-utils")
	out, err := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--nologo", "--nolockcheck", "--convert-to", "pdf", "--outdir", dir, file).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	txt, err := exec.Command(pdftotext, "-layout", filepath.Join(dir, "amendments.pdf"), "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, txt)
	}
	flat := strings.Join(strings.Fields(string(txt)), " ")
	for _, s := range []string{"Таблица поправок", "пункт 2", "пункт 3", "пункт 4", "member", "member2", "принять", "изменениями", "отклонить", "рассмотрено"} {
		if !strings.Contains(flat, s) {
			t.Errorf("the PDF LibreOffice printed lacks %q:\n%s", s, txt)
		}
	}

	// The consolidated text: the head (both accepted amendments in it),
	// and with the open one.
	var cons struct {
		Basis, Head int
		Applied     []int
		Text        string
		Redline     struct {
			ChangedItems []struct{ Label string } `json:"changed_items"`
		}
	}
	if err := json.Unmarshal(member.mustStatus(member.do("GET", "/api/v1/documents/doc/consolidated?open=4", nil), 200).Body, &cons); err != nil {
		t.Fatal(err)
	}
	head := string(member.mustStatus(member.do("GET", "/api/v1/documents/doc/revisions/3/text", nil), 200).Body)
	if cons.Head != 3 || !strings.HasPrefix(cons.Text, strings.TrimRight(head, "\n")) || !strings.Contains(cons.Text, "5. Провести следующую конференцию") ||
		len(cons.Redline.ChangedItems) != 3 {
		t.Errorf("consolidated: %+v", cons)
	}
	member.mustStatus(member.do("GET", "/api/v1/documents/doc/consolidated?open=3", nil), 409) // rejected: not open

	// Public only after the final adoption, without names.
	anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/amendments", nil), 404)
	sha := chair.mustStatus(chair.do("GET", "/api/v1/documents/doc/revisions/3", nil), 200).field(t, "sha256")
	for _, who := range []*api{chair, chair2} {
		who.mustStatus(who.do("POST", "/api/v1/documents/doc/revisions/3/approvals", map[string]any{"sha256": sha}), 201)
	}
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/3/adopt", map[string]any{"stage": "basis"}), 201)
	anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/amendments", nil), 404)
	chair.mustStatus(chair.do("POST", "/api/v1/documents/doc/revisions/3/adopt", map[string]any{"stage": "final",
		"vote": map[string]any{"for": 30, "against": 1, "abstained": 0}}), 201)
	// The basis adopted is revision 3, so its table is empty; the one for
	// revision 1 holds the four amendments, without names.
	pub := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/amendments", nil), 200)
	if !strings.Contains(string(pub.Body), `"basis":3`) || !strings.Contains(string(pub.Body), `"amendments":[]`) {
		t.Errorf("public table for the basis: %s", pub.Body)
	}
	pub = anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/amendments?basis=1", nil), 200)
	if strings.Contains(string(pub.Body), "member") || strings.Count(string(pub.Body), `"no":`) != 4 {
		t.Errorf("public table: %s", pub.Body)
	}
	pc := anon.mustStatus(anon.do("GET", "/api/v1/public/documents/doc/amendments.csv?basis=1", nil), 200)
	if strings.Contains(string(pc.Body), "member") {
		t.Errorf("public csv names people: %s", pc.Body)
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
