// Package apidoctest checks what tests send to the API and what it answers
// against the API's description (internal/apidoc), with kin-openapi's
// openapi3filter, which validates OpenAPI 3.1 documents with a JSON Schema
// 2020-12 validator. Wrap the handler (Handler) or the client's transport
// (Transport) a test uses, and every exchange is checked:
//
//   - the route must be described, or the answer must be a described error
//     (404 or 405 with the error object);
//   - a request the description accepts is fine; one it refuses (a missing
//     parameter, a body of the wrong shape, no credentials where they are
//     required) must be refused by the server with a 4xx, which is how
//     tests of bad input stay valid while a description stricter than the
//     server is caught;
//   - every answer must be one the operation describes: its status, its
//     Content-Type and its body's schema.
package apidoctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"redline/internal/apidoc"
)

// maxBody is the largest request body read to validate it; a larger one
// (or one of unknown length) is passed on unread, as a test of a body
// refused unread needs, and only its parameters are checked.
const maxBody = 16 << 20

func init() {
	// Texts the API answers besides JSON and text/plain, checked as strings.
	for _, ct := range []string{"text/html", "text/markdown"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// Validator holds the loaded description.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	errDoc *openapi3.Schema
}

var (
	once   sync.Once
	shared *Validator
	err0   error
)

// Load returns the validator of the embedded description (loaded once).
func Load() (*Validator, error) {
	once.Do(func() {
		raw, _, err := apidoc.JSON()
		if err != nil {
			err0 = err
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			err0 = fmt.Errorf("load the API description: %w", err)
			return
		}
		// Paths are absolute; the server list ("/") is for clients.
		doc.Servers = nil
		r, err := legacy.NewRouter(doc)
		if err != nil {
			err0 = fmt.Errorf("route the API description: %w", err)
			return
		}
		shared = &Validator{doc: doc, router: r, errDoc: doc.Components.Schemas["Error"].Value}
	})
	return shared, err0
}

// MustLoad is Load for tests.
func MustLoad(t testing.TB) *Validator {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// authenticate accepts a scheme when its credential is present; whether it
// is good is the server's to say (401), which the answer's check covers.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req := in.RequestValidationInput.Request
	switch in.SecurityScheme.Type {
	case "http":
		if strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
			return nil
		}
	case "apiKey":
		if c, err := req.Cookie(in.SecurityScheme.Name); err == nil && c.Value != "" {
			return nil
		}
		if c, err := req.Cookie("__Host-" + in.SecurityScheme.Name); err == nil && c.Value != "" {
			return nil
		}
	}
	return fmt.Errorf("no %s credential", in.SecuritySchemeName)
}

// Exchange is one request and its answer.
type Exchange struct {
	Request *http.Request // its Body is not read; ReqBody holds it
	ReqBody []byte
	// BodyUnread is set when the request body was not read (too large or
	// of unknown length): only its parameters are checked.
	BodyUnread bool
	Status     int
	Header     http.Header
	Body       []byte
}

// Check validates one exchange; nil when it agrees with the description.
// Pages (paths apidoc.Described does not cover) are not checked.
func (v *Validator) Check(x Exchange) error {
	if !apidoc.Described(x.Request.URL.Path) {
		return nil // a page
	}
	ctx := context.Background()
	req := x.Request.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(x.ReqBody))
	req.ContentLength = int64(len(x.ReqBody))
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		// Not described: only an error answer (unknown route or method) is
		// right.
		if x.Status != http.StatusNotFound && x.Status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s is not in the description (%v) but was answered %d", x.Request.Method, x.Request.URL.Path, err, x.Status)
		}
		if x.Request.Method == http.MethodHead {
			return nil
		}
		return v.checkErrorBody(x)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    authenticate,
		IncludeResponseStatus: true,
		MultiError:            true,
		ExcludeRequestBody:    x.BodyUnread,
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if reqErr := openapi3filter.ValidateRequest(ctx, in); reqErr != nil && (x.Status < 400 || x.Status > 499) {
		return fmt.Errorf("%s %s: the description refuses this request but the server answered %d:\n%v",
			x.Request.Method, x.Request.URL.RequestURI(), x.Status, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: x.Status, Header: x.Header, Options: opts}
	out.SetBodyBytes(x.Body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("%s %s: the answer %d does not agree with the description:\n%v\nbody: %s",
			x.Request.Method, x.Request.URL.RequestURI(), x.Status, err, excerpt(x.Body))
	}
	return nil
}

func (v *Validator) checkErrorBody(x Exchange) error {
	if ct := x.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("%s %s: error answer %d as %q, want the JSON error object", x.Request.Method, x.Request.URL.Path, x.Status, ct)
	}
	var body any
	if err := decodeJSON(x.Body, &body); err != nil {
		return fmt.Errorf("%s %s: error answer %d is not JSON: %v", x.Request.Method, x.Request.URL.Path, x.Status, err)
	}
	if err := v.errDoc.VisitJSON(body, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s %s: error answer %d is not the error object: %v\nbody: %s", x.Request.Method, x.Request.URL.Path, x.Status, err, excerpt(x.Body))
	}
	return nil
}

func excerpt(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// readBody takes a request's body for checking and gives the server an
// equal one. A body over maxBody or of unknown length stays unread.
func readBody(req *http.Request) (body []byte, unread bool, err error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, false, nil
	}
	if req.ContentLength < 0 || req.ContentLength > maxBody {
		return nil, true, nil
	}
	body, err = io.ReadAll(req.Body)
	if err != nil {
		return nil, false, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body, false, nil
}

// streaming says the answer is a stream a recorder must not hold back.
func streaming(req *http.Request) bool {
	return strings.Contains(req.Header.Get("Accept"), "text/event-stream")
}

// Handler wraps h so that every exchange through it is checked; a mismatch
// fails t.
func Handler(t testing.TB, h http.Handler) http.Handler {
	v := MustLoad(t)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if streaming(req) {
			h.ServeHTTP(w, req)
			return
		}
		body, unread, err := readBody(req)
		if err != nil {
			t.Errorf("apidoctest: read request body: %v", err)
		}
		probe := req.Clone(req.Context())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		x := Exchange{Request: probe, ReqBody: body, BodyUnread: unread, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		if err := v.Check(x); err != nil {
			t.Errorf("apidoctest: %v", err)
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// Transport wraps rt (http.DefaultTransport when nil) so that every
// exchange a client makes through it is checked; a mismatch fails t.
func Transport(t testing.TB, rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &transport{t: t, v: MustLoad(t), rt: rt}
}

type transport struct {
	t  testing.TB
	v  *Validator
	rt http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if streaming(req) {
		return tr.rt.RoundTrip(req)
	}
	body, unread, err := readBody(req)
	if err != nil {
		return nil, err
	}
	probe := req.Clone(req.Context())
	resp, err := tr.rt.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return resp, nil
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))
	x := Exchange{Request: probe, ReqBody: body, BodyUnread: unread, Status: resp.StatusCode, Header: resp.Header, Body: got}
	if err := tr.v.Check(x); err != nil {
		tr.t.Errorf("apidoctest: %v", err)
	}
	return resp, nil
}

func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	return dec.Decode(v)
}

// Client is an HTTP client whose exchanges are checked (Transport).
func Client(t testing.TB) *http.Client { return &http.Client{Transport: Transport(t, nil)} }
