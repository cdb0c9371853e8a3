package httpapi_test

import (
	"strings"
	"testing"

	"redline/internal/drafting"
)

// TestItemDeletionsOverHTTP: deleting neighbouring items, the last ones
// above all, gave byte edits whose separators overlapped and answered 500
// (a slice out of range) or a garbled text; deleting every item is an
// empty proposal, refused with its reason.
func TestItemDeletionsOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		member := a.as("member")
		var all []map[string]any
		for _, p := range drafting.NewOutline(wfBase, "ru").Paragraphs {
			all = append(all, map[string]any{"op": "delete", "item": p.Label.Key()})
		}
		heading := strings.SplitN(wfBase, "\n\n", 2)[0]
		item := func(n int) string { return strings.Split(strings.TrimSuffix(wfBase, "\n"), "\n\n")[n] }
		for k, tc := range []struct {
			name    string
			changes []map[string]any
			want    string
		}{
			{"the last two", []map[string]any{{"op": "delete", "item": "3"}, {"op": "delete", "item": "4"}},
				heading + "\n\n" + item(1) + "\n\n" + item(2) + "\n"},
			{"the last two, in the other order", []map[string]any{{"op": "delete", "item": "4"}, {"op": "delete", "item": "3"}},
				heading + "\n\n" + item(1) + "\n\n" + item(2) + "\n"},
			{"two in the middle", []map[string]any{{"op": "delete", "item": "2"}, {"op": "delete", "item": "3"}},
				heading + "\n\n" + item(1) + "\n\n" + item(4) + "\n"},
			{"the last, with an insertion before it", []map[string]any{{"op": "delete", "item": "4"}, {"op": "insert_after", "item": "3", "text": "5. Новый."}},
				heading + "\n\n" + item(1) + "\n\n" + item(2) + "\n\n" + item(3) + "\n\n5. Новый.\n"},
			{"an item, with new text in its place", []map[string]any{{"op": "delete", "item": "3"}, {"op": "insert_after", "item": "3", "text": "3. Иначе."}},
				heading + "\n\n" + item(1) + "\n\n" + item(2) + "\n\n3. Иначе.\n\n" + item(4) + "\n"},
			{"all but the heading", all[1:], heading + "\n"},
		} {
			p := member.mustStatus(member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{
				"base": 1, "title": tc.name, "changes": tc.changes}), 201).json(t)
			n := int(p["number"].(float64))
			if n != k+1 {
				t.Fatalf("%s: proposal %d", tc.name, n)
			}
			text := string(member.mustStatus(member.do("GET", "/api/v1/documents/doc/proposals/"+itoa(n)+"/text", nil), 200).Body)
			if text != tc.want {
				t.Errorf("%s:\n%q\nwant\n%q", tc.name, text, tc.want)
			}
		}
		r := member.do("POST", "/api/v1/documents/doc/proposals", map[string]any{"base": 1, "title": "Всё", "changes": all})
		if r.Status != 400 || r.reason(t) != "empty_text" {
			t.Errorf("every item deleted: %d %s", r.Status, r.Body)
		}
	})
}
