package httpapi

// --- issue 16: the description's fields are the JSON's fields ---

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"redline/internal/apidoc"
	"redline/internal/office"
	"redline/internal/textdiff"
)

// jsonFields lists the JSON names of t's fields, embedded structs
// flattened.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func props(s *openapi3.Schema) []string {
	var out []string
	for n := range s.Properties {
		out = append(out, n)
	}
	for _, sub := range s.AllOf {
		out = append(out, props(sub.Value)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestDescribedFieldsAreTheJSONs: every JSON object the handlers write or
// read has exactly the fields its schema in internal/apidoc/openapi.yaml
// names, so a field added to a handler and not to the description (which
// the answers' check lets pass: the schemas allow more) fails here.
func TestDescribedFieldsAreTheJSONs(t *testing.T) {
	raw, _, err := apidoc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	item := func(s *openapi3.Schema, prop string) *openapi3.Schema { return s.Properties[prop].Value.Items.Value }
	op := func(path, method string) *openapi3.Operation { return doc.Paths.Value(path).GetOperation(method) }
	body := func(path, method string) *openapi3.Schema {
		return op(path, method).RequestBody.Value.Content.Get("application/json").Schema.Value
	}
	answer := func(path, method, status string) *openapi3.Schema {
		return op(path, method).Responses.Value(status).Value.Content.Get("application/json").Schema.Value
	}
	d := "/api/v1/documents/{slug}"
	cases := []struct {
		name   string
		typ    any
		schema *openapi3.Schema
	}{
		{"Document", documentJSON{}, schema("Document")},
		{"Revision", revisionJSON{}, schema("Revision")},
		{"Adoption", adoptionJSON{}, schema("Adoption")},
		{"Reopening", reopeningJSON{}, schema("Reopening")},
		{"PublicDocument", publicJSON{}, schema("PublicDocument")},
		{"Proposal", proposalJSON{}, schema("Proposal")},
		{"Comment", commentJSON{}, schema("Comment")},
		{"Anchor", anchorJSON{}, schema("Anchor")},
		{"User", userJSON{}, schema("User")},
		{"Member", memberJSON{}, schema("Member")},
		{"Token", tokenJSON{}, schema("Token")},
		{"Approval", approvalJSON{}, schema("Approval")},
		{"Decision", decisionJSON{}, schema("Decision")},
		{"Event", eventJSON{}, schema("Event")},
		{"Import", importJSON{}, schema("Import")},
		{"Import.ignored", office.Ignored{}, item(schema("Import"), "ignored")},
		{"Diff", textdiff.Result{}, schema("Diff")},
		{"Diff.paragraphs", textdiff.Paragraph{}, item(schema("Diff"), "paragraphs")},
		{"Diff.paragraphs.move", textdiff.Move{}, item(schema("Diff"), "paragraphs").Properties["move"].Value},
		{"Diff.stats", textdiff.Stats{}, schema("Diff").Properties["stats"].Value},
		{"Chunk", textdiff.Chunk{}, schema("Chunk")},
		{"collisions", collisionJSON{}, item(answer(d+"/proposals/{p}/collisions", "GET", "200"), "collisions")},
		{"member changes", roleChangeJSON{}, item(answer(d+"/members/changes", "GET", "200"), "changes")},
		{"public keys", keyJSON{}, item(answer("/api/v1/public/keys", "GET", "200"), "keys")},
		{"statements", statementJSON{}, item(answer("/api/v1/public/documents/{slug}/statements", "GET", "200"), "statements")},

		{"Hall", hallJSON{}, schema("Hall")},
		{"PUT hall", hallRequest{}, body(d+"/hall", "PUT")},

		{"POST /session", sessionCreateRequest{}, body("/api/v1/session", "POST")},
		{"POST /tokens", tokenCreateRequest{}, body("/api/v1/tokens", "POST")},
		{"POST /users", userCreateRequest{}, body("/api/v1/users", "POST")},
		{"POST /documents", documentCreateRequest{}, body("/api/v1/documents", "POST")},
		{"POST reopen", reopenRequest{}, body(d+"/reopen", "POST")},
		{"POST revisions", revisionCommitRequest{}, body(d+"/revisions", "POST")},
		{"POST approvals", approvalRequest{}, body(d+"/revisions/{n}/approvals", "POST")},
		{"POST adopt", adoptRequest{}, body(d+"/revisions/{n}/adopt", "POST")},
		{"POST proposals", proposalCreateRequest{}, body(d+"/proposals", "POST")},
		{"POST merge", mergeRequest{}, body(d+"/proposals/{p}/merge", "POST")},
		{"POST reject", proposalCloseRequest{}, body(d+"/proposals/{p}/reject", "POST")},
		{"POST comments", commentCreateRequest{}, body(d+"/comments", "POST")},
		{"PUT comment", commentEditRequest{}, body(d+"/comments/{id}", "PUT")},
		{"POST hide", commentHideRequest{}, body(d+"/comments/{id}/hide", "POST")},
		{"PUT member", memberPutRequest{}, body(d+"/members/{login}", "PUT")},
	}
	for _, c := range cases {
		got, want := props(c.schema), jsonFields(reflect.TypeOf(c.typ))
		for _, f := range want {
			if !slices.Contains(got, f) {
				t.Errorf("%s: field %q (%T) is not in its schema in internal/apidoc/openapi.yaml", c.name, f, c.typ)
			}
		}
		for _, f := range got {
			if !slices.Contains(want, f) {
				t.Errorf("%s: the schema in internal/apidoc/openapi.yaml has %q, which %T does not", c.name, f, c.typ)
			}
		}
	}
}
