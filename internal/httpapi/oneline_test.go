package httpapi_test

import (
	"strings"
	"testing"
)

// TestOneLineFieldsRefuseLineSeparators: a title, a display name or a token
// label is one line; U+2028 and U+2029 (line and paragraph separators) in
// it broke the line wherever it was shown (CSV and Word tables of
// amendments, feeds, pages) and are refused as invalid_text, naming the
// field, like the text-direction controls.
func TestOneLineFieldsRefuseLineSeparators(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := workflowAPI(t, backend)
		admin, member := a.as("admin"), a.as("member")
		for _, sep := range []string{"\u2028", "\u2029"} {
			for _, tc := range []struct {
				who         *api
				path, field string
				body        map[string]any
			}{
				{admin, "/api/v1/documents", "title", map[string]any{"slug": "d2", "title": "Итоговый" + sep + "документ"}},
				{member, "/api/v1/documents/doc/proposals", "title", map[string]any{"base": 1, "title": "Поправка" + sep + "к пункту 3",
					"changes": []map[string]any{{"op": "replace", "item": "3", "text": "Новая редакция."}}}},
				{admin, "/api/v1/users", "display name", map[string]any{"login": "ivanov", "password": "a long enough password", "display_name": "Иванов" + sep + "И. И."}},
				{member, "/api/v1/tokens", "label", map[string]any{"label": "ноутбук" + sep + "зал"}},
			} {
				r := tc.who.do("POST", tc.path, tc.body)
				if r.Status != 400 || r.reason(t) != "invalid_text" || !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
					t.Errorf("%s %q with %U: %d %s", tc.path, tc.field, []rune(sep)[0], r.Status, r.Body)
				}
			}
		}
		// A separator at either end is white space and is trimmed.
		member.mustStatus(member.do("POST", "/api/v1/tokens", map[string]any{"label": "\u2028ноутбук\u2029"}), 201)
	})
}
