package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"redline/internal/apidoc/apidoctest"
	"redline/internal/apidoc/client"
	"redline/internal/testenv"
)

// curlStep is one curl command of the README's example.
type curlStep struct {
	method, path, body string
}

// readmeCurl reads the curl example under "The two commands" in README.md:
// each command's method (-X, else POST with -d, else GET), its $API path
// and its -d body.
func readmeCurl(t *testing.T) []curlStep {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.ReplaceAll(string(raw), "\\\n", " ")
	start := strings.Index(readme, "TOKEN=rl_")
	end := strings.Index(readme[start:], "```")
	if start < 0 || end < 0 {
		t.Fatal("README.md has no curl example after TOKEN=rl_…")
	}
	method := regexp.MustCompile(`-X (\w+)`)
	body := regexp.MustCompile(`-d '([^']*)'`)
	path := regexp.MustCompile(`\$API(/\S*)`)
	var steps []curlStep
	for _, line := range strings.Split(readme[start:start+end], "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			continue
		}
		s := curlStep{method: "GET"}
		if m := body.FindStringSubmatch(line); m != nil {
			s.body, s.method = m[1], "POST"
		}
		if m := method.FindStringSubmatch(line); m != nil {
			s.method = m[1]
		}
		m := path.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("README curl without $API path: %s", line)
		}
		s.path = m[1]
		steps = append(steps, s)
	}
	if len(steps) < 4 {
		t.Fatalf("README curl example has %d commands", len(steps))
	}
	return steps
}

func unmarshal[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("README body %s does not fit the generated client's type %T: %v", s, v, err)
	}
	return v
}

// TestGeneratedClientREADMEExample performs the README's curl example with
// the client generated from the description (internal/apidoc/client,
// oapi-codegen) against a real redline serve --demo on PostgreSQL and
// MinIO: each command's body decoded into the client's request type, each
// answer checked against the description and read back through the
// client's typed answers.
func TestGeneratedClientREADMEExample(t *testing.T) {
	mc := testenv.SharedMinIO(t)
	env := []string{"REDLINE_DATA_DIR=" + t.TempDir(), "REDLINE_DATABASE_URL=" + testenv.PostgresURL(t),
		"REDLINE_S3_ENDPOINT=" + mc.Endpoint, "REDLINE_S3_ACCESS_KEY=" + mc.AccessKey, "REDLINE_S3_SECRET_KEY=" + mc.SecretKey,
		"REDLINE_S3_BUCKET=" + testenv.RandomName("readme-")}
	srv := startServe(t, env, "--demo")
	token := srv.find(t, regexp.MustCompile(`API token:\s+(rl_\S+)`))
	c, err := client.NewClientWithResponses(srv.base,
		client.WithHTTPClient(&http.Client{Transport: apidoctest.Transport(t, nil)}),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		document   = regexp.MustCompile(`^/documents$`)
		member     = regexp.MustCompile(`^/documents/([a-z0-9-]+)/members/(\w+)$`)
		revisions  = regexp.MustCompile(`^/documents/([a-z0-9-]+)/revisions$`)
		text       = regexp.MustCompile(`^/documents/([a-z0-9-]+)/revisions/(\d+)/text$`)
		lastCommit string
	)
	for _, s := range readmeCurl(t) {
		t.Logf("%s $API%s %s", s.method, s.path, s.body)
		switch {
		case s.method == "POST" && document.MatchString(s.path):
			r, err := c.CreateDocumentWithResponse(ctx, nil, unmarshal[client.CreateDocumentJSONRequestBody](t, s.body))
			if err != nil || r.JSON201 == nil {
				t.Fatalf("create document: %v %d %s", err, r.StatusCode(), r.Body)
			}
			if r.JSON201.Head == nil {
				t.Fatalf("created document has no head: %s", r.Body)
			}
		case s.method == "PUT" && member.MatchString(s.path):
			m := member.FindStringSubmatch(s.path)
			r, err := c.SetMemberWithResponse(ctx, m[1], m[2], nil, unmarshal[client.SetMemberJSONRequestBody](t, s.body))
			if err != nil || r.JSON200 == nil || r.JSON200.Login != m[2] {
				t.Fatalf("appoint %s: %v %d %s", m[2], err, r.StatusCode(), r.Body)
			}
		case s.method == "POST" && revisions.MatchString(s.path):
			m := revisions.FindStringSubmatch(s.path)
			body := unmarshal[client.CommitRevisionJSONRequestBody](t, s.body)
			r, err := c.CommitRevisionWithResponse(ctx, m[1], nil, body)
			if err != nil || r.JSON201 == nil || r.JSON201.Number != int64(body.Base)+1 {
				t.Fatalf("commit: %v %d %s", err, r.StatusCode(), r.Body)
			}
			lastCommit = body.Text
		case s.method == "GET" && text.MatchString(s.path):
			m := text.FindStringSubmatch(s.path)
			n, _ := strconv.ParseInt(m[2], 10, 64)
			r, err := c.GetRevisionTextWithResponse(ctx, m[1], n, nil)
			if err != nil || r.StatusCode() != http.StatusOK {
				t.Fatalf("read text: %v %d %s", err, r.StatusCode(), r.Body)
			}
			if string(r.Body) != lastCommit {
				t.Errorf("revision %d's text %q, want the committed %q", n, r.Body, lastCommit)
			}
		default:
			t.Fatalf("the README's %s $API%s is not performed by this test: add it", s.method, s.path)
		}
	}
}
