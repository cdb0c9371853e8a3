// Package apidoc is the description of Redline's HTTP API in OpenAPI 3.1:
// openapi.yaml beside this file, the one source, embedded and served as
// JSON at /api/v1/openapi.json, rendered at /api/docs, and checked by the
// tests against the routes the server registers and against every request
// and answer of the API tests.
package apidoc

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed openapi.yaml
var source []byte

// YAML is the description as written.
func YAML() []byte { return bytes.Clone(source) }

var (
	once    sync.Once
	doc     []byte
	etag    string
	loadErr error
)

func load() {
	var v any
	if loadErr = yaml.Unmarshal(source, &v); loadErr != nil {
		loadErr = fmt.Errorf("parse openapi.yaml: %w", loadErr)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if loadErr = enc.Encode(v); loadErr != nil {
		loadErr = fmt.Errorf("openapi.yaml as JSON: %w", loadErr)
		return
	}
	doc = buf.Bytes()
	sum := sha256.Sum256(doc)
	etag = hex.EncodeToString(sum[:16])
}

// JSON is the description as JSON and its strong entity tag. The embedded
// file is parsed once; a test keeps it parseable, so an error here is a
// build that skipped the tests.
func JSON() ([]byte, string, error) {
	once.Do(load)
	return doc, etag, loadErr
}

// PathOf turns a Gin route path into the description's form:
// /documents/:slug → /documents/{slug} (and *name → {name}).
func PathOf(ginPath string) string {
	parts := strings.Split(ginPath, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// Described says whether a path belongs to what the description covers:
// the JSON API and everything else under /api and /.well-known, and the
// health, readiness and metrics routes. The rest are pages.
func Described(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/.well-known/") ||
		path == "/healthz" || path == "/readyz" || path == "/metrics"
}
