package apidoctest_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"redline/internal/apidoc/apidoctest"
)

func exchange(method, target, reqBody string, status int, ctype, body string, hdr ...string) apidoctest.Exchange {
	req := httptest.NewRequest(method, target, strings.NewReader(reqBody))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	h := http.Header{}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	return apidoctest.Exchange{Request: req, ReqBody: []byte(reqBody), Status: status, Header: h, Body: []byte(body)}
}

const bearer = "Bearer rl_x"

// TestCheck: the checker accepts what the description says and catches
// each kind of drift it is there for.
func TestCheck(t *testing.T) {
	v := apidoctest.MustLoad(t)
	rev := `{"number":2,"parent":1,"author":"chair","message":"","sha256":"ab","size":3,"created_at":"2026-12-02T10:00:00Z","proposal":null,"merged_by":null,"decision":null}`
	stale := `{"error":{"code":"conflict","reason":"stale_base","message":"moved","details":{"head":3}},"head":3}`
	json := "application/json; charset=utf-8"
	good := map[string]apidoctest.Exchange{
		"a commit and its revision": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x"}`, 201, json, rev,
			"Authorization", bearer, "Content-Type", "application/json"),
		"a stale base": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x"}`, 409, json, stale,
			"Authorization", bearer, "Content-Type", "application/json"),
		"an unknown field refused": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x","extra":1}`, 400, json,
			`{"error":{"code":"invalid","reason":"invalid_input","message":"unknown field"}}`, "Authorization", bearer, "Content-Type", "application/json"),
		"no credentials refused": exchange("GET", "/api/v1/documents", "", 401, json,
			`{"error":{"code":"unauthenticated","reason":"sign_in_required","message":"sign in"}}`),
		"an unknown route": exchange("GET", "/api/v1/nothing", "", 404, json,
			`{"error":{"code":"not_found","reason":"not_found","message":"no such route"}}`),
		"a page, not checked": exchange("GET", "/documents", "", 200, "text/html; charset=utf-8", "<!doctype html>"),
		"a text": exchange("GET", "/api/v1/documents/doc/revisions/1/text", "", 200, "text/plain; charset=utf-8", "1. Пункт.",
			"Authorization", bearer),
	}
	for name, x := range good {
		if err := v.Check(x); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]apidoctest.Exchange{
		"a field of the wrong type": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x"}`, 201, json,
			strings.Replace(rev, `"size":3`, `"size":"3"`, 1), "Authorization", bearer, "Content-Type", "application/json"),
		"a required field missing": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x"}`, 201, json,
			strings.Replace(rev, `"author":"chair",`, "", 1), "Authorization", bearer, "Content-Type", "application/json"),
		"an undescribed status": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x"}`, 202, json, rev,
			"Authorization", bearer, "Content-Type", "application/json"),
		"a reason of another kind": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x"}`, 409, json,
			`{"error":{"code":"conflict","reason":"invalid_input","message":"x"}}`, "Authorization", bearer, "Content-Type", "application/json"),
		"an unknown reason": exchange("GET", "/api/v1/documents", "", 500, json,
			`{"error":{"code":"internal","reason":"no_such_reason","message":"x"}}`, "Authorization", bearer),
		"a refused request accepted": exchange("POST", "/api/v1/documents/doc/revisions", `{"base":1,"text":"x","extra":1}`, 201, json, rev,
			"Authorization", bearer, "Content-Type", "application/json"),
		"no credentials accepted":       exchange("GET", "/api/v1/documents", "", 200, json, `{"documents":[]}`),
		"an undescribed route answered": exchange("GET", "/api/v1/nothing", "", 200, json, `{}`),
		"the wrong content type": exchange("GET", "/api/v1/documents/doc/revisions/1/text", "", 200, json, `"1. Пункт."`,
			"Authorization", bearer),
	}
	for name, x := range bad {
		if err := v.Check(x); err == nil {
			t.Errorf("%s: not caught", name)
		}
	}
}
