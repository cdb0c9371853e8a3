package httpapi_test

import (
	"net/http"
	"testing"

	"redline/internal/drafting"
)

// TestWrongTypeNamesTheField: a body of the wrong type was refused with
// "field  has the wrong type" (no field to name: an array or a string
// sent for the object), and a field of the wrong type was named in the
// message only, not in details.field as every other invalid input is.
func TestWrongTypeNamesTheField(t *testing.T) {
	a := newAPI(t, "sqlite+disk", drafting.Options{})
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": resolution})
	for _, body := range []string{`[1,2]`, `"text"`, `42`} {
		r := a.do("POST", "/api/v1/documents/doc/revisions", body)
		if r.Status != http.StatusBadRequest || r.reason(t) != "invalid_input" {
			t.Fatalf("%s: %d %s", body, r.Status, r.Body)
		}
		if msg := r.json(t)["error"].(map[string]any)["message"]; msg != "the request body must be a JSON object" {
			t.Errorf("%s: message %q", body, msg)
		}
	}
	for body, field := range map[string]string{`{"base":"one","text":"a"}`: "base", `{"base":1,"text":7}`: "text"} {
		r := a.do("POST", "/api/v1/documents/doc/revisions", body)
		if r.Status != http.StatusBadRequest || r.reason(t) != "invalid_input" {
			t.Fatalf("%s: %d %s", body, r.Status, r.Body)
		}
		d, _ := r.json(t)["error"].(map[string]any)["details"].(map[string]any)
		if d["field"] != field {
			t.Errorf("%s: details %v, want field %q", body, d, field)
		}
	}
}
