package authz

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"redline/internal/drafting"
)

// Pair is one object kind and action that the policy can grant.
type Pair struct {
	Object, Action string
}

// pairs is every (object, action) Allow accepts, in the order of the README
// table. Anything else is denied before it reaches Casbin.
var pairs = []Pair{
	{drafting.ObjDocument, drafting.ActCreate},
	{drafting.ObjDocument, drafting.ActRead},
	{drafting.ObjDocument, drafting.ActUpdate},
	{drafting.ObjDocument, drafting.ActManageMembers},
	{drafting.ObjDocument, drafting.ActAppointChair},
	{drafting.ObjDocument, drafting.ActReopen},
	{drafting.ObjRevision, drafting.ActRead},
	{drafting.ObjRevision, drafting.ActCommit},
	{drafting.ObjProposal, drafting.ActCreate},
	{drafting.ObjProposal, drafting.ActRead},
	{drafting.ObjProposal, drafting.ActMerge},
	{drafting.ObjProposal, drafting.ActReject},
	{drafting.ObjComment, drafting.ActCreate},
	{drafting.ObjComment, drafting.ActRead},
	{drafting.ObjComment, drafting.ActResolve},
	{drafting.ObjApproval, drafting.ActCreate},
	{drafting.ObjAdoption, drafting.ActCreate},
	{drafting.ObjAdopted, drafting.ActRead},
	{drafting.ObjAudit, drafting.ActRead},
	{drafting.ObjUser, drafting.ActManage},
}

var knownPairs = func() map[Pair]bool {
	m := make(map[Pair]bool, len(pairs))
	for _, p := range pairs {
		m[p] = true
	}
	return m
}()

// policyRoles are the roles a p line may name.
var policyRoles = []string{
	drafting.RolePublic, drafting.RoleObserver, drafting.RoleMember,
	drafting.RoleChair, drafting.RoleAdmin,
}

// anyDocument is the domain of the role hierarchy lines in policy.csv: they
// hold in every document.
//
// Casbin's own way, a domain matching function, costs too much: with one
// set, Casbin 2.135's DomainManager.AddLink walks every domain's role
// manager for every link it adds, so a reload is quadratic (41 ms under the
// write lock for 200 documents × 20 users, growing with the square). And
// the stock matching functions are patterns (KeyMatch ignores what follows
// the first "*", RegexMatch is unanchored). So Casbin never sees "*":
// Reload writes each hierarchy line once per document that has role
// assignments, an exact domain like any other.
const anyDocument = "*"

// parsePolicy reads policy.csv and checks every line against the roles,
// object kinds and actions this package knows, so a typo fails New instead
// of silently granting nothing (Casbin's string adapter drops lines it
// cannot load without a word).
func parsePolicy(text string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var rules [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rules, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse policy: %w", err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		line, _ := r.FieldPos(0)
		if err := checkRule(rec); err != nil {
			return nil, fmt.Errorf("policy line %d %q: %w", line, strings.Join(rec, ", "), err)
		}
		rules = append(rules, rec)
	}
}

func checkRule(rec []string) error {
	if len(rec) != 4 {
		return fmt.Errorf("want 4 fields, have %d", len(rec))
	}
	switch rec[0] {
	case "p":
		if !slices.Contains(policyRoles, rec[1]) {
			return fmt.Errorf("unknown role %q", rec[1])
		}
		if !knownPairs[Pair{rec[2], rec[3]}] {
			return fmt.Errorf("unknown object and action %q %q", rec[2], rec[3])
		}
	case "g":
		if !slices.Contains(drafting.DocumentRoles, rec[1]) || !slices.Contains(drafting.DocumentRoles, rec[2]) {
			return errors.New("the hierarchy links document roles only")
		}
		if rec[3] != anyDocument {
			return fmt.Errorf("a hierarchy line holds in every document (%q), not %q", anyDocument, rec[3])
		}
	default:
		return fmt.Errorf("unknown rule type %q", rec[0])
	}
	return nil
}

// adapter feeds Casbin the embedded permissions plus the g lines of the
// last Reload. Unlike Casbin's string adapter, it returns the error of a line
// that does not load rather than dropping the line.
type adapter struct {
	base  [][]string // p lines from policy.csv
	roles [][]string // g lines: assignments and the hierarchy per document; replaced under the enforcer's lock
}

// LoadPolicy implements persist.Adapter.
func (a *adapter) LoadPolicy(m model.Model) error {
	for _, set := range [][][]string{a.base, a.roles} {
		for _, rule := range set {
			if err := persist.LoadPolicyArray(rule, m); err != nil {
				return fmt.Errorf("load rule %q: %w", strings.Join(rule, ", "), err)
			}
		}
	}
	return nil
}

var errReadOnly = errors.New("authz: the policy is read-only: edit policy.csv or the role assignments")

// SavePolicy implements persist.Adapter; the policy is never written back.
func (a *adapter) SavePolicy(model.Model) error { return errReadOnly }

// AddPolicy implements persist.Adapter; the policy is never written back.
func (a *adapter) AddPolicy(string, string, []string) error { return errReadOnly }

// RemovePolicy implements persist.Adapter; the policy is never written back.
func (a *adapter) RemovePolicy(string, string, []string) error { return errReadOnly }

// RemoveFilteredPolicy implements persist.Adapter; the policy is never
// written back.
func (a *adapter) RemoveFilteredPolicy(string, string, int, ...string) error { return errReadOnly }
