package apidoc_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"redline/internal/apidoc"
	"redline/internal/drafting"
)

var cyrillic = regexp.MustCompile(`[А-Яа-яЁё]`)

func load(t *testing.T) *openapi3.T {
	t.Helper()
	raw, _, err := apidoc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatalf("load the description: %v", err)
	}
	return doc
}

// TestDescriptionIsValid: the served JSON is an OpenAPI 3.1 document that
// kin-openapi validates, every operation has an id, a tag and a summary.
func TestDescriptionIsValid(t *testing.T) {
	doc := load(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid description: %v", err)
	}
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		tags[tag.Name] = true
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) != 1 || !tags[op.Tags[0]] {
				t.Errorf("%s %s: want an operationId, a summary and one declared tag", method, path)
			}
			if ru, _ := op.Extensions["x-summary-ru"].(string); !cyrillic.MatchString(ru) {
				t.Errorf("%s %s: want x-summary-ru, the summary in Russian (the /api/docs page shows it)", method, path)
			}
			if op.Responses.Default() == nil {
				t.Errorf("%s %s: no default (error) answer", method, path)
			}
		}
	}
}

func enumOf(t *testing.T, s *openapi3.Schema, prop string) []string {
	t.Helper()
	var out []string
	for _, sub := range s.Properties["error"].Value.AllOf {
		if p := sub.Value.Properties[prop]; p != nil {
			for _, v := range p.Value.Enum {
				out = append(out, v.(string))
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestReasonsAreDrafting's: the error schemas list exactly the reasons of
// drafting/reasons.go, each under its kind, and Reason lists them all.
func TestReasonsAreDraftings(t *testing.T) {
	doc := load(t)
	byKind := map[drafting.Kind][]string{}
	var all []string
	for _, r := range drafting.Reasons() {
		byKind[r.Kind()] = append(byKind[r.Kind()], string(r))
		all = append(all, string(r))
	}
	all = append(all, "method_not_allowed")
	slices.Sort(all)
	schemas := map[drafting.Kind]string{
		drafting.KindInvalid: "InvalidError", drafting.KindUnauthenticated: "UnauthenticatedError",
		drafting.KindForbidden: "ForbiddenError", drafting.KindNotFound: "NotFoundError",
		drafting.KindConflict: "ConflictError", drafting.KindTooLarge: "TooLargeError",
		drafting.KindUnsupported: "UnsupportedError", drafting.KindRateLimited: "RateLimitedError",
		drafting.KindUnavailable: "UnavailableError",
	}
	for kind, rs := range byKind {
		if kind == drafting.KindInternal {
			continue
		}
		name, ok := schemas[kind]
		if !ok {
			t.Errorf("kind %s has no error schema in internal/apidoc/openapi.yaml", kind)
			continue
		}
		got := enumOf(t, doc.Components.Schemas[name].Value, "reason")
		if !slices.Equal(got, rs) {
			t.Errorf("components.schemas.%s reason enum in internal/apidoc/openapi.yaml:\n got %s\nwant [%s]", name, got, strings.Join(rs, ", "))
		}
		if code := enumOf(t, doc.Components.Schemas[name].Value, "code"); !slices.Equal(code, []string{string(kind)}) {
			t.Errorf("components.schemas.%s code enum %v, want [%s]", name, code, kind)
		}
	}
	var got []string
	for _, v := range doc.Components.Schemas["Reason"].Value.Enum {
		got = append(got, fmt.Sprint(v))
	}
	slices.Sort(got)
	if !slices.Equal(got, all) {
		t.Errorf("components.schemas.Reason enum in internal/apidoc/openapi.yaml:\n got %s\nwant [%s]", got, strings.Join(all, ", "))
	}
}

func TestPathOf(t *testing.T) {
	for in, want := range map[string]string{
		"/api/v1/documents/:slug/revisions/:n/export.pdf": "/api/v1/documents/{slug}/revisions/{n}/export.pdf",
		"/static/:hash/*file":                             "/static/{hash}/{file}",
		"/healthz":                                        "/healthz",
	} {
		if got := apidoc.PathOf(in); got != want {
			t.Errorf("PathOf(%q) = %q, want %q", in, got, want)
		}
	}
}
