package authz

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"redline/internal/drafting"
)

// grants is the specification of the matrix, written out here independently
// of policy.csv: each role's permissions as "object action".
func grants() map[string]map[string]bool {
	set := func(base map[string]bool, more ...string) map[string]bool {
		s := maps.Clone(base)
		if s == nil {
			s = map[string]bool{}
		}
		for _, m := range more {
			s[m] = true
		}
		return s
	}
	public := set(nil, "adopted read")
	observer := set(public, "document read", "revision read", "proposal read", "comment create", "comment read")
	member := set(observer, "proposal create", "audit read")
	chair := set(member, "document update", "document manage_members", "revision commit",
		"proposal merge", "proposal reject", "comment resolve", "approval create", "adoption create")
	admin := set(public, "document create", "document read", "document update", "document manage_members",
		"document appoint_chair", "document reopen", "revision read", "audit read", "user manage")
	return map[string]map[string]bool{
		drafting.RolePublic: public, drafting.RoleObserver: observer, drafting.RoleMember: member,
		drafting.RoleChair: chair, drafting.RoleAdmin: admin,
	}
}

func union(a, b map[string]bool) map[string]bool {
	u := maps.Clone(a)
	maps.Copy(u, b)
	return u
}

// tableSource: on docA user 1 chairs, 2 is a member, 3 an observer, 11 (an
// admin) chairs; on docB user 5 chairs and 6 is a member, so docB has role
// links of its own; user 9 holds no role anywhere; user 10 is an admin with
// no role.
func tableSource() *memSource {
	s := newSource()
	s.set(docA, 1, drafting.RoleChair)
	s.set(docA, 2, drafting.RoleMember)
	s.set(docA, 3, drafting.RoleObserver)
	s.set(docA, 11, drafting.RoleChair)
	s.set(docB, 5, drafting.RoleChair)
	s.set(docB, 6, drafting.RoleMember)
	return s
}

func TestAllowMatrix(t *testing.T) {
	e, logs := mustNew(t, tableSource())
	g := grants()
	public := g[drafting.RolePublic]

	// Every pair the spec mentions is one Allow knows, and the other way
	// round, so the loops below cover every (object, action).
	var all []string
	for _, p := range pairs {
		all = append(all, p.Object+" "+p.Action)
	}
	mentioned := map[string]bool{}
	for _, s := range g {
		maps.Copy(mentioned, s)
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(mentioned)), slices.Sorted(slices.Values(all))); diff != "" {
		t.Fatalf("pairs in the spec (-) and in the package (+) differ:\n%s", diff)
	}

	cases := []struct {
		who  string
		sub  drafting.Subject
		want map[string]map[string]bool // document ("" outside any) → grants
	}{
		{"chair", drafting.Subject{UserID: 1}, map[string]map[string]bool{docA: g[drafting.RoleChair], docB: public, "": public}},
		{"member", drafting.Subject{UserID: 2}, map[string]map[string]bool{docA: g[drafting.RoleMember], docB: public, "": public}},
		{"observer", drafting.Subject{UserID: 3}, map[string]map[string]bool{docA: g[drafting.RoleObserver], docB: public, "": public}},
		{"anonymous", drafting.Subject{}, map[string]map[string]bool{docA: public, docB: public, "": public}},
		{"signed in, no role", drafting.Subject{UserID: 9}, map[string]map[string]bool{docA: public, docB: public, "": public}},
		{"admin", drafting.Subject{UserID: 10, Admin: true}, map[string]map[string]bool{docA: g[drafting.RoleAdmin], docB: g[drafting.RoleAdmin], "": g[drafting.RoleAdmin]}},
		{"admin and chair", drafting.Subject{UserID: 11, Admin: true}, map[string]map[string]bool{docA: union(g[drafting.RoleAdmin], g[drafting.RoleChair]), docB: g[drafting.RoleAdmin], "": g[drafting.RoleAdmin]}},
	}
	for _, c := range cases {
		for _, doc := range []string{docA, docB, ""} {
			for _, p := range pairs {
				want := c.want[doc][p.Object+" "+p.Action]
				// Twice: the first answer comes from Casbin, the second from
				// the cache.
				for range 2 {
					if got := e.Allow(c.sub, doc, p.Object, p.Action); got != want {
						t.Errorf("%s on %q: %s %s = %v, want %v", c.who, doc, p.Object, p.Action, got, want)
					}
				}
			}
		}
	}
	if out := logs.String(); out != "" {
		t.Errorf("well-formed requests logged:\n%s", out)
	}
}

// The named cases, spelled out on top of the matrix above.
func TestAllowNamedCases(t *testing.T) {
	e, _ := mustNew(t, tableSource())
	chair, member, observer := drafting.Subject{UserID: 1}, drafting.Subject{UserID: 2}, drafting.Subject{UserID: 3}
	admin := drafting.Subject{UserID: 10, Admin: true}
	deny := []struct {
		who  string
		sub  drafting.Subject
		doc  string
		pair Pair
	}{
		{"chair of A on B", chair, docB, Pair{drafting.ObjDocument, drafting.ActRead}},
		{"chair of A on B", chair, docB, Pair{drafting.ObjRevision, drafting.ActCommit}},
		{"chair of A on B", chair, docB, Pair{drafting.ObjApproval, drafting.ActCreate}},
		{"chair of A on B", chair, docB, Pair{drafting.ObjDocument, drafting.ActManageMembers}},
		{"chair", chair, docA, Pair{drafting.ObjDocument, drafting.ActAppointChair}},
		{"observer", observer, docA, Pair{drafting.ObjProposal, drafting.ActCreate}},
		{"member", member, docA, Pair{drafting.ObjApproval, drafting.ActCreate}},
		{"member", member, docA, Pair{drafting.ObjAdoption, drafting.ActCreate}},
		{"member", member, docA, Pair{drafting.ObjRevision, drafting.ActCommit}},
		{"member", member, docA, Pair{drafting.ObjDocument, drafting.ActManageMembers}},
		{"admin", admin, docA, Pair{drafting.ObjApproval, drafting.ActCreate}},
		{"admin", admin, docA, Pair{drafting.ObjAdoption, drafting.ActCreate}},
		{"admin", admin, docA, Pair{drafting.ObjRevision, drafting.ActCommit}},
		{"admin", admin, docA, Pair{drafting.ObjProposal, drafting.ActMerge}},
		{"admin, a pair no policy names", admin, "", Pair{drafting.ObjUser, drafting.ActRead}},
	}
	for _, c := range deny {
		if e.Allow(c.sub, c.doc, c.pair.Object, c.pair.Action) {
			t.Errorf("%s: %s %s on %q allowed", c.who, c.pair.Object, c.pair.Action, c.doc)
		}
	}
	allow := []struct {
		who  string
		sub  drafting.Subject
		doc  string
		pair Pair
	}{
		{"admin", admin, docA, Pair{drafting.ObjDocument, drafting.ActAppointChair}},
		{"admin", admin, "", Pair{drafting.ObjDocument, drafting.ActCreate}},
		{"admin", admin, "", Pair{drafting.ObjUser, drafting.ActManage}},
		{"chair", chair, docA, Pair{drafting.ObjApproval, drafting.ActCreate}},
		{"chair, inherited from member", chair, docA, Pair{drafting.ObjProposal, drafting.ActCreate}},
		{"chair, inherited from observer", chair, docA, Pair{drafting.ObjComment, drafting.ActRead}},
	}
	for _, c := range allow {
		if !e.Allow(c.sub, c.doc, c.pair.Object, c.pair.Action) {
			t.Errorf("%s: %s %s on %q denied", c.who, c.pair.Object, c.pair.Action, c.doc)
		}
	}
}

func TestRoles(t *testing.T) {
	e, _ := mustNew(t, tableSource())
	cases := []struct {
		sub  drafting.Subject
		doc  string
		want []string
	}{
		{drafting.Subject{UserID: 11, Admin: true}, docA, []string{"admin", "chair", "public"}},
		{drafting.Subject{UserID: 11, Admin: true}, docB, []string{"admin", "public"}},
		{drafting.Subject{UserID: 1}, docA, []string{"chair", "public"}},
		{drafting.Subject{UserID: 1}, docB, []string{"public"}},
		{drafting.Subject{UserID: 2}, docA, []string{"member", "public"}},
		{drafting.Subject{UserID: 3}, docA, []string{"observer", "public"}},
		{drafting.Subject{UserID: 9}, docA, []string{"public"}},
		{drafting.Subject{}, docA, []string{"public"}},
		{drafting.Subject{UserID: 1}, "", []string{"public"}},
		{drafting.Subject{UserID: 10, Admin: true}, "", []string{"admin", "public"}},
		{drafting.Subject{UserID: 1}, "*", nil},
		{drafting.Subject{UserID: -1}, docA, nil},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, e.Roles(c.sub, c.doc)); diff != "" {
			t.Errorf("Roles(%+v, %q) (-want +got):\n%s", c.sub, c.doc, diff)
		}
	}
}

func TestBadIdentifiersDenied(t *testing.T) {
	src := tableSource()
	// Rows a database should never hold: they must not become g lines.
	src.extra = []drafting.RoleAssignment{
		{DocumentID: "*", UserID: 20, Role: drafting.RoleChair},
		{DocumentID: ".*", UserID: 21, Role: drafting.RoleChair},
		{DocumentID: docA, UserID: 22, Role: drafting.RoleAdmin},
		{DocumentID: docA, UserID: 23, Role: "chair*"},
		{DocumentID: docA, UserID: 0, Role: drafting.RoleChair},
		{DocumentID: docA, UserID: -1, Role: drafting.RoleChair},
		{DocumentID: "", UserID: 24, Role: drafting.RoleChair},
	}
	e, logs := mustNew(t, src)
	for _, user := range []int64{20, 21, 22, 23, 24} {
		for _, doc := range []string{docA, docB, ""} {
			if e.Allow(drafting.Subject{UserID: user}, doc, drafting.ObjDocument, drafting.ActRead) {
				t.Errorf("user %d from a malformed assignment may read document %q", user, doc)
			}
		}
	}
	if n := strings.Count(logs.String(), "malformed role assignment"); n != len(src.extra) {
		t.Errorf("%d malformed assignments logged, want %d:\n%s", n, len(src.extra), logs.String())
	}

	admin := drafting.Subject{UserID: 10, Admin: true}
	chair := drafting.Subject{UserID: 1}
	badDocs := []string{
		"*", "a b", "../x", ".*", "^.*$", "(.*)", "[a-f0-9]{32}", docA + "*", docA[:31] + "*",
		strings.ToUpper(docA), docA[:31], docA + "0", docA + "\n", " " + docA, "g, u:1, chair, *",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé",
	}
	for _, doc := range badDocs {
		// The admin's and the chair's rights hold in any well-formed
		// document; only validation can deny these.
		if e.Allow(admin, doc, drafting.ObjDocument, drafting.ActRead) {
			t.Errorf("admin may read document %q", doc)
		}
		if e.Allow(chair, doc, drafting.ObjRevision, drafting.ActCommit) {
			t.Errorf("chair of A may commit in document %q", doc)
		}
		if e.Allow(drafting.Subject{}, doc, drafting.ObjAdopted, drafting.ActRead) {
			t.Errorf("public may read adopted %q", doc)
		}
	}
	badPairs := []Pair{
		{"document*", "read"}, {"*", "read"}, {"document", "*"}, {"document", "read*"},
		{"", ""}, {"Document", "read"}, {"document", "READ"}, {"document ", "read"},
		{".*", ".*"}, {"document", "read|update"}, {"user", "read"}, {"adopted", "create"},
	}
	for _, p := range badPairs {
		if e.Allow(admin, docA, p.Object, p.Action) {
			t.Errorf("admin may %q %q", p.Object, p.Action)
		}
		if e.Allow(chair, docA, p.Object, p.Action) {
			t.Errorf("chair may %q %q", p.Object, p.Action)
		}
	}
	badSubjects := []drafting.Subject{{UserID: -1}, {UserID: -10, Admin: true}, {UserID: 0, Admin: true}}
	for _, sub := range badSubjects {
		if e.Allow(sub, docA, drafting.ObjAdopted, drafting.ActRead) || e.Allow(sub, "", drafting.ObjUser, drafting.ActManage) {
			t.Errorf("subject %+v allowed", sub)
		}
	}
}

func TestPolicyFileChecks(t *testing.T) {
	bad := []string{
		"p, chair, proposal, craete",
		"p, chiar, proposal, create",
		"p, chair, proposal",
		"p, chair, document*, read",
		"g, chair, member, a*",
		"g, chair, admin, *",
		"g2, chair, member, *",
		`p, chair, "proposal`,
	}
	for _, line := range bad {
		if _, err := parsePolicy("p, public, adopted, read\n" + line + "\n"); err == nil {
			t.Errorf("policy line %q accepted", line)
		}
	}
}
