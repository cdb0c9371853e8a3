package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"redline/internal/drafting"
)

const (
	diffV1 = "Итоговый документ\n\n1. Участники конференции приняли за основу проект итогового документа.\n\n2. Рекомендовать создать центр кластерного развития.\n\n3. Поддержать пилотный кластер малых и средних предприятий.\n"
	diffV2 = "Итоговый документ\n\n1. Участники конференции приняли за основу проект итогового документа.\n\n2. Поддержать пилотный кластер малых и средних предприятий.\n\n3. Рекомендовать создать центр кластерного развития.\n"
	diffV3 = "Итоговый документ\n\n1. Участники конференции приняли в целом проект итогового документа.\n\n2. Поддержать пилотный кластер малых и средних предприятий.\n\n3. Рекомендовать создать центр кластерного развития.\n"
)

func diffAPI(t *testing.T, backend string) *api {
	a := newAPI(t, backend, drafting.Options{})
	a.createDoc(map[string]any{"slug": "doc", "title": "Документ", "text": diffV1})
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": diffV2}), 201)
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 2, "text": diffV3}), 201)
	return a
}

type diffJSON struct {
	Mode       string
	Degraded   bool
	Paragraphs []struct {
		Kind   string
		Chunks []struct{ Op, Text string }
	}
	Stats map[string]int
}

func (d diffJSON) text(ops ...string) string {
	var b strings.Builder
	for _, p := range d.Paragraphs {
		for _, c := range p.Chunks {
			for _, op := range ops {
				if c.Op == op {
					b.WriteString(c.Text)
				}
			}
		}
	}
	return b.String()
}

func TestDiffAnyTwoRevisions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		a := diffAPI(t, backend)
		texts := map[int]string{1: diffV1, 2: diffV2, 3: diffV3}
		for _, pair := range [][2]int{{1, 2}, {2, 3}, {1, 3}, {3, 1}, {2, 2}} {
			for _, mode := range []string{"word", "char", "line"} {
				r := a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff?from="+strconv.Itoa(pair[0])+"&to="+strconv.Itoa(pair[1])+"&mode="+mode, nil), 200)
				var d diffJSON
				if err := json.Unmarshal(r.Body, &d); err != nil {
					t.Fatal(err)
				}
				if got := d.text("equal", "delete"); got != texts[pair[0]] {
					t.Errorf("%v %s: old side %q", pair, mode, got)
				}
				if got := d.text("equal", "insert"); got != texts[pair[1]] {
					t.Errorf("%v %s: new side %q", pair, mode, got)
				}
				if pair[0] == pair[1] && (d.text("insert", "delete") != "") {
					t.Errorf("the same revision twice is not an empty redline")
				}
			}
		}
		var d diffJSON
		_ = json.Unmarshal(a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff?from=1&to=2", nil), 200).Body, &d)
		if d.Mode != "word" || d.Stats["paragraphs_moved"] != 1 {
			t.Errorf("a swapped paragraph is not reported as one move: %+v", d.Stats)
		}
		var moved bool
		for _, p := range d.Paragraphs {
			moved = moved || strings.HasPrefix(p.Kind, "moved")
		}
		if !moved {
			t.Errorf("no moved paragraph in %+v", d.Paragraphs)
		}
	})
}

func TestDiffFormatsAndCaching(t *testing.T) {
	a := diffAPI(t, "sqlite+disk")
	for format, ctype := range map[string]string{"json": "application/json", "html": "text/html", "html-side": "text/html", "unified": "text/plain"} {
		r := a.mustStatus(a.do("GET", "/api/v1/documents/doc/diff?from=2&to=3&format="+format, nil), 200)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: content type %q", format, r.Header.Get("Content-Type"))
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", format)
		}
		nm := a.do("GET", "/api/v1/documents/doc/diff?from=2&to=3&format="+format, nil, "If-None-Match", etag)
		if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
			t.Errorf("%s: revalidation %d", format, nm.Status)
		}
		switch format {
		case "unified":
			if !strings.Contains(string(r.Body), "--- doc@2") || !strings.Contains(string(r.Body), "+++ doc@3") || !strings.Contains(string(r.Body), "@@") {
				t.Errorf("unified: %s", r.Body)
			}
		case "html":
			if !strings.Contains(string(r.Body), "<ins") || !strings.Contains(string(r.Body), "<del") {
				t.Errorf("html: %s", r.Body)
			}
		}
	}
	e1 := a.do("GET", "/api/v1/documents/doc/diff?from=2&to=3", nil).Header.Get("ETag")
	e2 := a.do("GET", "/api/v1/documents/doc/diff?from=2&to=3&mode=char", nil).Header.Get("ETag")
	e3 := a.do("GET", "/api/v1/documents/doc/diff?from=3&to=2", nil).Header.Get("ETag")
	if e1 == e2 || e1 == e3 {
		t.Errorf("ETags do not tell modes or directions apart: %s %s %s", e1, e2, e3)
	}
}

func TestDiffBadInput(t *testing.T) {
	a := diffAPI(t, "sqlite+disk")
	for q, want := range map[string]int{
		"from=1&to=9":                404,
		"from=9&to=1":                404,
		"from=0&to=1":                404,
		"from=one&to=2":              400,
		"from=1":                     400,
		"to=1":                       400,
		"":                           400,
		"from=1&to=2&mode=sentence":  400,
		"from=1&to=2&format=pdf":     400,
		"from=-1&to=2":               400,
		"from=1&to=2&mode=line":      200,
		"from=1&to=2&format=unified": 200,
	} {
		if r := a.do("GET", "/api/v1/documents/doc/diff?"+q, nil); r.Status != want {
			t.Errorf("%q: %d, want %d: %s", q, r.Status, want, r.Body)
		}
	}
	a.mustStatus(a.do("GET", "/api/v1/documents/nodoc/diff?from=1&to=2", nil), 404)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/documents/doc/diff?from=1&to=2", nil), 401)
	a.as("").mustStatus(a.as("").do("GET", "/api/v1/documents/doc/diff?mode=bad", nil), 401)
}
