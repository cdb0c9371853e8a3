package webui

// --- issue 16: the API's description as a page ---

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
)

// apiDocs is what the /api/docs page shows, built from the embedded
// description (internal/apidoc) into apidocs.json: the routes grouped by tag, each with its
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

// apiDocsJSON is the page's data, built from the description at its own
// pace by TestAPIDocsData (go test ./internal/webui -run TestAPIDocsData
// -update-apidocs), which fails while it is out of date: reading the
// description here would link an OpenAPI loader and its JSON Schema
// compiler into the binary, whose start every `redline diff` pays.
//
//go:embed apidocs.json
var apiDocsJSON []byte

func loadAPIDocs() (*apiDocs, error) {
	apiDocsOnce.Do(func() {
		var d apiDocs
		if err := json.Unmarshal(apiDocsJSON, &d); err != nil {
			apiDocsErr = fmt.Errorf("load the API description: %w", err)
			return
		}
		apiDocsData = &d
	})
	return apiDocsData, apiDocsErr
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
