package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"redline/internal/apidoc"
	"redline/internal/config"
	"redline/internal/shell"
)

// TestOpenAPIDescribesEveryRoute builds the handler as serve does and
// compares its routes with internal/apidoc/openapi.yaml, both ways: every
// registered route that apidoc.Described covers (the API, /.well-known,
// health, readiness, metrics; not the pages) is described, every described
// one is registered.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	env := map[string]string{"REDLINE_DATA_DIR": t.TempDir()}
	cfg, err := config.Load(func(k string) string { return env[k] }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	metrics := shell.NewMetrics()
	a, err := open(context.Background(), cfg, io.Discard, metrics.Hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	sh, _, _, err := mount(a, cfg, metrics)
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, r := range sh.Routes() {
		if apidoc.Described(r.Path) {
			registered[r.Method+" "+apidoc.PathOf(r.Path)] = true
		}
	}
	if len(registered) < 40 {
		t.Fatalf("only %d API routes registered", len(registered))
	}
	raw, _, err := apidoc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inDoc[method+" "+path] = true
		}
	}
	var missing, extra []string
	for r := range registered {
		if !inDoc[r] {
			missing = append(missing, r)
		}
	}
	for r := range inDoc {
		if !registered[r] {
			extra = append(extra, r)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	for _, r := range missing {
		method, path, _ := strings.Cut(r, " ")
		t.Errorf("route %s is registered but not described: add paths.%q.%s to internal/apidoc/openapi.yaml (see docs/api.md)",
			r, path, strings.ToLower(method))
	}
	for _, r := range extra {
		t.Errorf("%s is described in internal/apidoc/openapi.yaml but no such route is registered: remove it, or register the route", r)
	}
}
