package authz

import (
	"context"
	"strings"

	"redline/internal/drafting"
)

// MatrixRoles returns the columns of the role matrix: least to most trusted
// within a document, then the global admin.
func MatrixRoles() []string {
	return []string{
		drafting.RolePublic, drafting.RoleObserver, drafting.RoleMember,
		drafting.RoleChair, drafting.RoleAdmin,
	}
}

// Row is one object kind and action of the role matrix and, for each of
// MatrixRoles (same order), whether that role may do it.
type Row struct {
	Pair
	Allowed []bool
}

// matrixDoc is the document the matrix is asked about; any well-formed ID
// gives the same answers, the p lines naming no document.
const matrixDoc = "0123456789abcdef0123456789abcdef"

// matrixSource holds one user per document role on matrixDoc; user 4 holds
// none and is the admin.
type matrixSource struct{}

func (matrixSource) RoleAssignments(context.Context) ([]drafting.RoleAssignment, error) {
	return []drafting.RoleAssignment{
		{DocumentID: matrixDoc, UserID: 1, Role: drafting.RoleObserver},
		{DocumentID: matrixDoc, UserID: 2, Role: drafting.RoleMember},
		{DocumentID: matrixDoc, UserID: 3, Role: drafting.RoleChair},
	}, nil
}

func (matrixSource) PolicyVersion(context.Context) (int64, error) { return 1, nil }

// Matrix asks the real enforcer, loaded with the embedded policy, what each
// role may do, rather than reading policy.csv, so the hierarchy and the
// matcher are part of the answer. It panics if the embedded policy does not
// load, which the package's tests rule out before it can ship, as
// regexp.MustCompile does for a literal.
func Matrix() []Row {
	e, err := New(matrixSource{}, nil)
	if err != nil {
		panic("authz: the embedded policy does not load: " + err.Error())
	}
	// In MatrixRoles' order.
	subjects := []drafting.Subject{
		{},          // public
		{UserID: 1}, // observer
		{UserID: 2}, // member
		{UserID: 3}, // chair
		{UserID: 4, Admin: true},
	}
	rows := make([]Row, 0, len(pairs))
	for _, p := range pairs {
		r := Row{Pair: p, Allowed: make([]bool, len(subjects))}
		for i, sub := range subjects {
			r.Allowed[i] = e.Allow(sub, matrixDoc, p.Object, p.Action)
		}
		rows = append(rows, r)
	}
	return rows
}

// MatrixMarkdown renders Matrix as a Markdown table: a row per object and
// action, a column per role, ✓ where allowed.
func MatrixMarkdown() string {
	var b strings.Builder
	b.WriteString("| object · action |")
	for _, r := range MatrixRoles() {
		b.WriteString(" " + r + " |")
	}
	b.WriteString("\n|---|")
	for range MatrixRoles() {
		b.WriteString(":-:|")
	}
	b.WriteString("\n")
	for _, row := range Matrix() {
		b.WriteString("| " + row.Object + " · " + row.Action + " |")
		for _, ok := range row.Allowed {
			if ok {
				b.WriteString(" ✓ |")
			} else {
				b.WriteString("   |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
