package webui

// --- issue 16: the API's description as a page ---
//
// The page's data (apidocs.json) is built here, in a test, from the
// embedded description: the binary then carries no OpenAPI loader.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"redline/internal/apidoc"
)

var updateAPIDocs = flag.Bool("update-apidocs", false, "rewrite apidocs.json from the API description")

// TestAPIDocsData: the page's data embedded in the binary is what the
// description says now.
func TestAPIDocsData(t *testing.T) {
	raw, _, err := apidoc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(buildAPIDocs(doc), "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *updateAPIDocs {
		if err := os.WriteFile("apidocs.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(apiDocsJSON, want) {
		t.Fatal("apidocs.json is out of date with the API description: go test ./internal/webui -run TestAPIDocsData -update-apidocs")
	}
	d, err := loadAPIDocs()
	if err != nil || len(d.Tags) == 0 || len(d.Schemas) == 0 {
		t.Fatalf("the embedded page data: %v, %+v", err, d)
	}
}

func refName(ref string) string {
	if i := strings.LastIndex(ref, "/"); i >= 0 && strings.HasPrefix(ref, "#/") {
		return ref[i+1:]
	}
	return ""
}

// typeOf names a schema's type as the page shows it: a schema's name, a
// JSON type ("integer | null"), an array of either.
func typeOf(s *openapi3.SchemaRef) string {
	if s == nil {
		return ""
	}
	if n := refName(s.Ref); n != "" {
		return n
	}
	v := s.Value
	if v == nil {
		return ""
	}
	var alts []string
	for _, sub := range append(slices.Clone(v.OneOf), v.AnyOf...) {
		alts = append(alts, typeOf(sub))
	}
	if len(alts) > 0 {
		return strings.Join(alts, " | ")
	}
	if v.Type == nil || len(*v.Type) == 0 {
		if len(v.AllOf) > 0 {
			return typeOf(v.AllOf[0])
		}
		return "any"
	}
	var ts []string
	for _, t := range *v.Type {
		switch t {
		case "array":
			ts = append(ts, "["+typeOf(v.Items)+"]")
		case "string":
			if v.Format == "binary" {
				ts = append(ts, "file")
			} else if v.Format != "" {
				ts = append(ts, "string ("+v.Format+")")
			} else {
				ts = append(ts, t)
			}
		default:
			ts = append(ts, t)
		}
	}
	return strings.Join(ts, " | ")
}

func fieldsOf(s *openapi3.Schema) []apiField {
	if s == nil {
		return nil
	}
	var out []apiField
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := s.Properties[n]
		d := ""
		if p.Value != nil {
			d = p.Value.Description
		}
		out = append(out, apiField{Name: n, Type: typeOf(p), Description: d, Required: slices.Contains(s.Required, n)})
	}
	return out
}

// reasonsOf lists the reasons an error schema allows.
func reasonsOf(s *openapi3.Schema) []string {
	if s == nil || s.Properties["error"] == nil {
		return nil
	}
	var out []string
	for _, sub := range s.Properties["error"].Value.AllOf {
		if r := sub.Value.Properties["reason"]; r != nil {
			for _, v := range r.Value.Enum {
				out = append(out, fmt.Sprint(v))
			}
		}
	}
	slices.Sort(out)
	return out
}

func mediaTypes(c openapi3.Content) (string, *openapi3.SchemaRef) {
	types := make([]string, 0, len(c))
	for t := range c {
		types = append(types, t)
	}
	slices.Sort(types) // the same schema whatever the map's order
	var schema *openapi3.SchemaRef
	for _, t := range types {
		if m := c[t]; schema == nil && m != nil && m.Schema != nil && (t == "application/json" || t == "multipart/form-data") {
			schema = m.Schema
		}
	}
	return strings.Join(types, ", "), schema
}

var methodOrder = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

func buildAPIDocs(doc *openapi3.T) *apiDocs {
	out := &apiDocs{Title: doc.Info.Title, Version: doc.Info.Version}
	byTag := map[string]*apiTag{}
	for _, t := range doc.Tags {
		out.Tags = append(out.Tags, apiTag{Name: t.Name, Description: t.Description})
	}
	for i := range out.Tags {
		byTag[out.Tags[i].Name] = &out.Tags[i]
	}
	paths := doc.Paths.InMatchingOrder()
	slices.Sort(paths)
	for _, path := range paths {
		item := doc.Paths.Value(path)
		ops := item.Operations()
		for _, m := range methodOrder {
			op := ops[m]
			if op == nil {
				continue
			}
			o := apiOp{ID: op.OperationID, Method: m, Path: path, Summary: op.Summary, Description: op.Description}
			o.SummaryRU, _ = op.Extensions["x-summary-ru"].(string)
			if op.Security != nil {
				// security: [] or an empty requirement among the others.
				o.Public = len(*op.Security) == 0
				for _, req := range *op.Security {
					if len(req) == 0 {
						o.Public = true
					}
				}
			}
			for _, p := range op.Parameters {
				v := p.Value
				o.Params = append(o.Params, apiField{Name: v.Name, In: v.In, Type: typeOf(v.Schema), Description: v.Description, Required: v.Required})
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				types, s := mediaTypes(op.RequestBody.Value.Content)
				b := &apiBody{Types: types}
				if s != nil {
					b.Schema = refName(s.Ref)
					if b.Schema == "" {
						b.Fields = fieldsOf(s.Value)
					}
				}
				o.Body = b
			}
			codes := make([]string, 0, op.Responses.Len())
			for code := range op.Responses.Map() {
				codes = append(codes, code)
			}
			slices.Sort(codes) // "default" sorts after the numbers
			for _, code := range codes {
				r := op.Responses.Value(code).Value
				if r == nil {
					continue
				}
				a := apiAnswer{Status: code}
				if r.Description != nil {
					a.Description = *r.Description
				}
				types, s := mediaTypes(r.Content)
				a.Types = types
				if s != nil {
					if n := refName(s.Ref); strings.HasSuffix(n, "Error") && n != "Error" {
						a.Reasons = reasonsOf(s.Value)
					} else if n != "" {
						a.Schema = n
					} else {
						a.Fields = fieldsOf(s.Value)
					}
				}
				o.Answers = append(o.Answers, a)
			}
			tag := "service"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if t := byTag[tag]; t != nil {
				t.Ops = append(t.Ops, o)
			}
		}
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		if strings.HasSuffix(n, "Error") || n == "ErrorFields" {
			continue // shown with each answer, as reasons
		}
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		s := doc.Components.Schemas[n].Value
		sc := apiSchema{Name: n, Description: s.Description, Fields: fieldsOf(s)}
		for _, v := range s.Enum {
			sc.Enum = append(sc.Enum, fmt.Sprint(v))
		}
		out.Schemas = append(out.Schemas, sc)
	}
	return out
}
