package webui

// --- issue 16: the API's description as a page ---

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"redline/internal/apidoc"
	"redline/internal/drafting"
)

// apiDocs is what the /api/docs page shows, built once from the embedded
// description (internal/apidoc): the routes grouped by tag, each with its
// parameters, body, answers and the reasons of its refusals, and the
// schemas they name.
type apiDocs struct {
	Title   string
	Version string
	Tags    []apiTag
	Schemas []apiSchema
}

type apiTag struct {
	Name, Description string
	Ops               []apiOp
}

type apiOp struct {
	ID, Method, Path, Summary, Description string
	SummaryRU                              string // x-summary-ru
	Public                                 bool
	Params                                 []apiField
	Body                                   *apiBody
	Answers                                []apiAnswer
}

type apiField struct {
	Name, In, Type, Description string
	Required                    bool
}

type apiBody struct {
	Types  string
	Schema string // a named schema, or "" when Fields are inline
	Fields []apiField
}

type apiAnswer struct {
	Status, Description, Types, Schema string
	Fields                             []apiField
	Reasons                            []string
}

type apiSchema struct {
	Name, Description string
	Fields            []apiField
	Enum              []string
}

// span is a piece of a description: text, or `code` between backticks.
type span struct {
	Text string
	Code bool
}

// codeSpans splits a description at its backticks, so that the page shows
// `code` as code without rendering any markup.
func codeSpans(s string) []span {
	var out []span
	for i, part := range strings.Split(s, "`") {
		if part != "" {
			out = append(out, span{Text: part, Code: i%2 == 1})
		}
	}
	return out
}

func init() { funcs["codespans"] = codeSpans }

var (
	apiDocsOnce sync.Once
	apiDocsData *apiDocs
	apiDocsErr  error
)

func loadAPIDocs() (*apiDocs, error) {
	apiDocsOnce.Do(func() {
		raw, _, err := apidoc.JSON()
		if err != nil {
			apiDocsErr = err
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			apiDocsErr = fmt.Errorf("load the API description: %w", err)
			return
		}
		apiDocsData = buildAPIDocs(doc)
	})
	return apiDocsData, apiDocsErr
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
	var types []string
	var schema *openapi3.SchemaRef
	for t, m := range c {
		types = append(types, t)
		if schema == nil && m != nil && m.Schema != nil && (t == "application/json" || t == "multipart/form-data") {
			schema = m.Schema
		}
	}
	slices.Sort(types)
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

// apiDocsBodies holds the content of /api/docs rendered once per language
// ([]byte by language tag, never written to): it depends on nothing else (the
// embedded description, templates and translations), and rendering it is
// most of the page's cost, over 4 MiB allocated per request before it was
// kept (TestAPIDocsAllocations).
var apiDocsBodies sync.Map

// apiDocsBody returns the page's content in p's language, rendering it the
// first time: html/template's output from the embedded description, no
// user's text.
func (u *UI) apiDocsBody(p *page, d *apiDocs) ([]byte, error) {
	if b, ok := apiDocsBodies.Load(p.tag); ok {
		return b.([]byte), nil
	}
	t, ok := u.pages["apidocs"]
	if !ok {
		return nil, errors.New("no page apidocs")
	}
	var buf bytes.Buffer
	p.Data = d
	if err := t.ExecuteTemplate(&buf, "apidocs-body", p); err != nil {
		return nil, fmt.Errorf("render the API description: %w", err)
	}
	b, _ := apiDocsBodies.LoadOrStore(p.tag, buf.Bytes())
	return b.([]byte), nil
}

// apiDocsSlot stands for the content in the page's frame: the frame (the
// layout, with the request's nonce, user and language) is rendered per
// request and the kept content written in its place, never copied.
const apiDocsSlot = template.HTML("<!--api-docs-content-->")

// handleAPIDocs renders the API's description for people, in the page's
// language, with no script of anyone else's.
func (u *UI) handleAPIDocs(c *gin.Context) {
	d, err := loadAPIDocs()
	if err != nil {
		u.fail(c, drafting.Wrap(drafting.KindInternal, "api docs", "the API description is unavailable", err))
		return
	}
	p := u.newPage(c, "")
	p.Title = p.T("apidocs.title")
	body, err := u.apiDocsBody(p, d)
	if err != nil {
		u.fail(c, drafting.Wrap(drafting.KindInternal, "api docs", "the API description is unavailable", err))
		return
	}
	p.Data = apiDocsSlot
	frame, err := u.renderBytes("apidocs", p)
	if err != nil {
		u.fail(c, drafting.Wrap(drafting.KindInternal, "api docs", "render the page", err))
		return
	}
	before, after, ok := bytes.Cut(frame, []byte(apiDocsSlot))
	if !ok {
		u.fail(c, drafting.E(drafting.KindInternal, "api docs", "the page has no place for the API description"))
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Language", p.tag)
	h.Set("Vary", "Accept-Language, Cookie")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(before)+len(body)+len(after))) // what a HEAD is told too
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	for _, part := range [][]byte{before, body, after} {
		if _, err := c.Writer.Write(part); err != nil {
			return // the reader left
		}
	}
}
