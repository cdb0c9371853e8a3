package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"redline/internal/drafting"
)

// ignoreStoreTimes leaves out the times the store sets itself; tests check
// them apart with recent.
var ignoreStoreTimes = cmpopts.IgnoreFields(drafting.RoleAssignment{}, "GrantedAt")

// recent reports whether t is a UTC time between since and now.
func recent(t time.Time, since time.Time) bool {
	return t.Location() == time.UTC && !t.Before(since.Truncate(time.Microsecond)) && !t.After(time.Now())
}

func testRoles(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	admin := mustUser(t, db, "admin")
	anna := mustUser(t, db, "anna")
	boris := mustUser(t, db, "boris")
	alpha, err := db.CreateDocument(ctx, newDoc("alpha", admin.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	beta, err := db.CreateDocument(ctx, newDoc("beta", admin.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}

	version := func() int64 {
		t.Helper()
		v, err := db.PolicyVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := version()
	// changed checks that the policy version grew since the last change;
	// unchanged that a refused change left it alone.
	changed := func(what string) {
		t.Helper()
		if v := version(); v <= last {
			t.Errorf("%s: policy version %d, want more than %d", what, v, last)
		} else {
			last = v
		}
	}
	unchanged := func(what string) {
		t.Helper()
		if v := version(); v != last {
			t.Errorf("%s: policy version moved from %d to %d on a refused change", what, last, v)
		}
	}
	set := func(doc drafting.Document, u drafting.User, role string, by int64) {
		t.Helper()
		err := setRole(ctx, db, drafting.RoleAssignment{DocumentID: doc.ID, UserID: u.ID, Role: role, GrantedBy: by}, ev("role.set"))
		if err != nil {
			t.Fatalf("grant %s %s on %s: %v", u.Login, role, doc.Slug, err)
		}
		changed("grant " + u.Login + " " + role + " on " + doc.Slug)
	}

	start := time.Now()
	set(alpha, boris, drafting.RoleMember, admin.ID)
	set(alpha, anna, drafting.RoleChair, 0) // from the command line
	set(beta, boris, drafting.RoleObserver, anna.ID)
	// A regrant replaces the role: one role per user per document.
	set(alpha, boris, drafting.RoleChair, anna.ID)

	assignment := func(doc drafting.Document, u drafting.User, role string, by int64) drafting.RoleAssignment {
		return drafting.RoleAssignment{DocumentID: doc.ID, DocumentSlug: doc.Slug, UserID: u.ID, Login: u.Login, Role: role, GrantedBy: by}
	}
	annaAlpha := assignment(alpha, anna, drafting.RoleChair, 0)
	borisAlpha := assignment(alpha, boris, drafting.RoleChair, anna.ID)
	borisBeta := assignment(beta, boris, drafting.RoleObserver, anna.ID)
	lists := []struct {
		name string
		get  func() ([]drafting.RoleAssignment, error)
		want []drafting.RoleAssignment
	}{
		{"RoleAssignments", func() ([]drafting.RoleAssignment, error) { return db.RoleAssignments(ctx) },
			[]drafting.RoleAssignment{annaAlpha, borisAlpha, borisBeta}},
		{"DocumentRoles(alpha)", func() ([]drafting.RoleAssignment, error) { return db.DocumentRoles(ctx, alpha.ID) },
			[]drafting.RoleAssignment{annaAlpha, borisAlpha}},
		{"UserRoles(boris)", func() ([]drafting.RoleAssignment, error) { return db.UserRoles(ctx, boris.ID) },
			[]drafting.RoleAssignment{borisAlpha, borisBeta}},
		{"UserRoles(admin)", func() ([]drafting.RoleAssignment, error) { return db.UserRoles(ctx, admin.ID) },
			[]drafting.RoleAssignment{}},
		{"DocumentRoles(unknown)", func() ([]drafting.RoleAssignment, error) { return db.DocumentRoles(ctx, "no-such-document") },
			[]drafting.RoleAssignment{}},
	}
	for _, l := range lists {
		got, err := l.get()
		if err != nil {
			t.Fatalf("%s: %v", l.name, err)
		}
		if got == nil {
			t.Errorf("%s = nil, want a non-nil list", l.name)
		}
		if diff := cmp.Diff(l.want, got, ignoreStoreTimes); diff != "" {
			t.Errorf("%s (-want +got):\n%s", l.name, diff)
		}
		for _, a := range got {
			if !recent(a.GrantedAt, start) {
				t.Errorf("%s: %s on %s granted at %v, want a current UTC time", l.name, a.Login, a.DocumentSlug, a.GrantedAt)
			}
		}
	}

	// Refused grants change nothing.
	for name, tc := range map[string]struct {
		a    drafting.RoleAssignment
		kind drafting.Kind
	}{
		"unknown user":     {drafting.RoleAssignment{DocumentID: alpha.ID, UserID: boris.ID + 1000, Role: drafting.RoleMember}, drafting.KindNotFound},
		"unknown document": {drafting.RoleAssignment{DocumentID: "no-such-document", UserID: anna.ID, Role: drafting.RoleMember}, drafting.KindNotFound},
		"unknown granter":  {drafting.RoleAssignment{DocumentID: beta.ID, UserID: anna.ID, Role: drafting.RoleMember, GrantedBy: boris.ID + 1000}, drafting.KindNotFound},
		"admin role":       {drafting.RoleAssignment{DocumentID: beta.ID, UserID: anna.ID, Role: drafting.RoleAdmin}, drafting.KindInvalid},
		"public role":      {drafting.RoleAssignment{DocumentID: beta.ID, UserID: anna.ID, Role: drafting.RolePublic}, drafting.KindInvalid},
		"empty role":       {drafting.RoleAssignment{DocumentID: beta.ID, UserID: anna.ID}, drafting.KindInvalid},
	} {
		err := setRole(ctx, db, tc.a, ev("role.set"))
		if got := drafting.ErrorKind(err); got != tc.kind {
			t.Errorf("%s: error kind %q, want %q (%v)", name, got, tc.kind, err)
		}
		unchanged(name)
	}
	if got, err := db.UserRoles(ctx, anna.ID); err != nil || len(got) != 1 {
		t.Errorf("anna's roles after refused grants: %+v, %v; want only alpha", got, err)
	}

	// Revocations.
	if err := removeRole(ctx, db, alpha.ID, boris.ID, anna.ID, ev("role.remove")); err != nil {
		t.Fatal(err)
	}
	changed("revoke boris on alpha")
	err = removeRole(ctx, db, alpha.ID, boris.ID, anna.ID, ev("role.remove"))
	wantKind(t, err, drafting.KindNotFound)
	unchanged("revoke a role no longer held")
	err = removeRole(ctx, db, alpha.ID, admin.ID, 0, ev("role.remove"))
	wantKind(t, err, drafting.KindNotFound)
	unchanged("revoke a role never held")
	err = removeRole(ctx, db, beta.ID, boris.ID, anna.ID+1000, ev("role.remove"))
	wantKind(t, err, drafting.KindNotFound)
	unchanged("revoke by an unknown actor")
	if err := removeRole(ctx, db, beta.ID, boris.ID, 0, ev("role.remove")); err != nil {
		t.Fatal(err)
	}
	changed("revoke boris on beta from the command line")
	got, err := db.RoleAssignments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.RoleAssignment{annaAlpha}, got, ignoreStoreTimes); diff != "" {
		t.Errorf("RoleAssignments after revocations (-want +got):\n%s", diff)
	}

	// The history: every change, oldest first, with logins and actors; the
	// command line is actor 0 without a login.
	change := func(doc drafting.Document, u drafting.User, role, action string, actor drafting.User) drafting.RoleChange {
		return drafting.RoleChange{DocumentID: doc.ID, UserID: u.ID, Login: u.Login, Role: role, Action: action,
			ActorID: actor.ID, ActorLogin: actor.Login}
	}
	cli := drafting.User{}
	for _, tc := range []struct {
		doc  drafting.Document
		want []drafting.RoleChange
	}{
		{alpha, []drafting.RoleChange{
			change(alpha, boris, drafting.RoleMember, "grant", admin),
			change(alpha, anna, drafting.RoleChair, "grant", cli),
			change(alpha, boris, drafting.RoleChair, "grant", anna),
			change(alpha, boris, drafting.RoleChair, "revoke", anna),
		}},
		{beta, []drafting.RoleChange{
			change(beta, boris, drafting.RoleObserver, "grant", anna),
			change(beta, boris, drafting.RoleObserver, "revoke", cli),
		}},
		{drafting.Document{ID: "no-such-document"}, []drafting.RoleChange{}},
	} {
		got, err := db.RoleChanges(ctx, tc.doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil {
			t.Errorf("RoleChanges(%s) = nil, want a non-nil list", tc.doc.Slug)
		}
		if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(drafting.RoleChange{}, "ID", "At")); diff != "" {
			t.Errorf("RoleChanges(%s) (-want +got):\n%s", tc.doc.Slug, diff)
		}
		for i, c := range got {
			if !recent(c.At, start) || (i > 0 && (c.ID <= got[i-1].ID || c.At.Before(got[i-1].At))) {
				t.Errorf("RoleChanges(%s)[%d]: id %d at %v out of order or not current", tc.doc.Slug, i, c.ID, c.At)
			}
		}
	}
}

// testRolesImmutable checks that the schema itself refuses to rewrite the
// role history, whoever asks, while assignments stay deletable.
func testRolesImmutable(t *testing.T, b backend) {
	ctx := context.Background()
	db, driver, dsn := b.open(t)
	u := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("roles", u.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	if err := setRole(ctx, db, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID, Role: drafting.RoleChair}, ev("role.set")); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, stmt := range []string{
		"UPDATE role_changes SET role = 'observer'",
		"DELETE FROM role_changes",
	} {
		_, err := raw.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "role changes are immutable") {
			t.Errorf("%s: %v; want the trigger to refuse it", stmt, err)
		}
	}
	changes, err := db.RoleChanges(ctx, d.ID)
	if err != nil || len(changes) != 1 || changes[0].Role != drafting.RoleChair {
		t.Errorf("role history after the refused writes: %+v, %v", changes, err)
	}
	if _, err := raw.ExecContext(ctx, "UPDATE policy_version SET id = 2"); err == nil {
		t.Error("policy_version accepted a second row id")
	}
}

func testSessions(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "member")
	v := mustUser(t, db, "observer")

	// Times the caller chooses are kept to the microsecond on both backends.
	created := time.Date(2011, 11, 30, 10, 0, 0, 123456789, time.UTC)
	s1 := drafting.Session{Hash: sum("one"), UserID: u.ID, CreatedAt: created, LastSeenAt: created.Add(time.Minute)}
	s2 := drafting.Session{Hash: sum("two"), UserID: u.ID, CreatedAt: created, LastSeenAt: created}
	s3 := drafting.Session{Hash: sum("three"), UserID: v.ID, CreatedAt: created, LastSeenAt: created}
	for _, s := range []drafting.Session{s1, s2, s3} {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, gotUser, err := db.SessionByHash(ctx, s1.Hash)
	if err != nil {
		t.Fatal(err)
	}
	want := s1
	want.CreatedAt = s1.CreatedAt.Truncate(time.Microsecond)
	want.LastSeenAt = s1.LastSeenAt.Truncate(time.Microsecond)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SessionByHash (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(u, gotUser); diff != "" {
		t.Errorf("SessionByHash user (-want +got):\n%s", diff)
	}

	// Zero times are the current time.
	start := time.Now()
	if err := db.CreateSession(ctx, drafting.Session{Hash: sum("now"), UserID: v.ID, CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	if s, _, err := db.SessionByHash(ctx, sum("now")); err != nil || !recent(s.CreatedAt, start) || s.LastSeenAt != s.CreatedAt {
		t.Errorf("session created without times: %+v, %v; want both set to now", s, err)
	}

	err = db.CreateSession(ctx, drafting.Session{Hash: s1.Hash, UserID: v.ID, CreatedAt: now()})
	wantKind(t, err, drafting.KindConflict)
	err = db.CreateSession(ctx, drafting.Session{Hash: sum("orphan"), UserID: v.ID + 1000, CreatedAt: now()})
	wantKind(t, err, drafting.KindNotFound)
	err = db.CreateSession(ctx, drafting.Session{Hash: "", UserID: v.ID, CreatedAt: now()})
	wantKind(t, err, drafting.KindInvalid)
	_, _, err = db.SessionByHash(ctx, sum("orphan"))
	wantKind(t, err, drafting.KindNotFound)
	if s, _, _ := db.SessionByHash(ctx, s1.Hash); s.UserID != u.ID {
		t.Errorf("a duplicate hash changed the session's owner to %d", s.UserID)
	}

	later := created.Add(time.Hour + 987654321)
	if err := db.TouchSession(ctx, s1.Hash, later); err != nil {
		t.Fatal(err)
	}
	if s, _, err := db.SessionByHash(ctx, s1.Hash); err != nil || !s.LastSeenAt.Equal(later.Truncate(time.Microsecond)) || !s.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("after TouchSession: %+v, %v; want last seen %v and creation unchanged", s, err, later)
	}
	err = db.TouchSession(ctx, sum("missing"), later)
	wantKind(t, err, drafting.KindNotFound)

	if err := db.DeleteSession(ctx, s2.Hash); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.SessionByHash(ctx, s2.Hash)
	wantKind(t, err, drafting.KindNotFound)
	if err := db.DeleteSession(ctx, s2.Hash); err != nil {
		t.Errorf("deleting a missing session: %v; want no error", err)
	}

	if err := db.DeleteUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = db.SessionByHash(ctx, s1.Hash)
	wantKind(t, err, drafting.KindNotFound)
	if _, owner, err := db.SessionByHash(ctx, s3.Hash); err != nil || owner.ID != v.ID {
		t.Errorf("another user's session after DeleteUserSessions: %+v, %v; want it kept", owner, err)
	}
	if err := db.DeleteUserSessions(ctx, u.ID+1000); err != nil {
		t.Errorf("DeleteUserSessions of an unknown user: %v; want no error", err)
	}
}

func testTokenManagement(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "member")
	v := mustUser(t, db, "other")
	create := func(owner drafting.User, label string) drafting.Token {
		t.Helper()
		tok, err := db.CreateToken(ctx, drafting.Token{UserID: owner.ID, Label: label, Hash: sum(owner.Login + label), CreatedAt: now()})
		if err != nil {
			t.Fatal(err)
		}
		tok.Hash = "" // listings leave it out
		return tok
	}
	t1, t2, t3 := create(u, "laptop"), create(u, "ci"), create(u, "script")
	tv := create(v, "theirs")
	list := func(owner int64) []drafting.Token {
		t.Helper()
		got, err := db.ListTokens(ctx, owner)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil {
			t.Error("ListTokens returned nil, want a non-nil list")
		}
		return got
	}
	if diff := cmp.Diff([]drafting.Token{t3, t2, t1}, list(u.ID)); diff != "" {
		t.Errorf("ListTokens, newest first, without hashes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]drafting.Token{}, list(v.ID+1000)); diff != "" {
		t.Errorf("ListTokens of an unknown user (-want +got):\n%s", diff)
	}

	if err := db.DeleteToken(ctx, u.ID, t2.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]drafting.Token{t3, t1}, list(u.ID)); diff != "" {
		t.Errorf("ListTokens after a deletion (-want +got):\n%s", diff)
	}
	_, err := db.UserByTokenHash(ctx, sum(u.Login+"ci"))
	wantKind(t, err, drafting.KindNotFound)
	err = db.DeleteToken(ctx, u.ID, t2.ID)
	wantKind(t, err, drafting.KindNotFound)

	// Someone else's token is not found, and stays.
	err = db.DeleteToken(ctx, u.ID, tv.ID)
	wantKind(t, err, drafting.KindNotFound)
	if owner, err := db.UserByTokenHash(ctx, sum(v.Login+"theirs")); err != nil || owner.ID != v.ID {
		t.Errorf("another user's token after a refused delete: %+v, %v; want it kept", owner, err)
	}
	if diff := cmp.Diff([]drafting.Token{tv}, list(v.ID)); diff != "" {
		t.Errorf("ListTokens of the other user (-want +got):\n%s", diff)
	}
	if err := db.DeleteToken(ctx, v.ID, tv.ID); err != nil {
		t.Errorf("owner deleting their token: %v", err)
	}
}

// testDisabled checks that a disabled account is still found by every
// lookup, marked Disabled, so the service can refuse it.
func testDisabled(t *testing.T, b backend) {
	ctx := context.Background()
	db, _, _ := b.open(t)
	u := mustUser(t, db, "member")
	bystander := mustUser(t, db, "bystander")
	if _, err := db.CreateToken(ctx, drafting.Token{UserID: u.ID, Hash: sum("token"), CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSession(ctx, drafting.Session{Hash: sum("session"), UserID: u.ID, CreatedAt: now()}); err != nil {
		t.Fatal(err)
	}
	lookups := map[string]func() (drafting.User, error){
		"UserByLogin":     func() (drafting.User, error) { return db.UserByLogin(ctx, u.Login) },
		"UserByID":        func() (drafting.User, error) { return db.UserByID(ctx, u.ID) },
		"UserByTokenHash": func() (drafting.User, error) { return db.UserByTokenHash(ctx, sum("token")) },
		"SessionByHash": func() (drafting.User, error) {
			_, owner, err := db.SessionByHash(ctx, sum("session"))
			return owner, err
		},
	}
	check := func(disabled bool) {
		t.Helper()
		for name, get := range lookups {
			got, err := get()
			if name == "UserByTokenHash" || name == "SessionByHash" {
				// Disabling deletes the account's credentials (issue 13):
				// enabling it again revives none of them.
				if drafting.ErrorKind(err) != drafting.KindNotFound {
					t.Errorf("%s after the account was disabled: %+v, %v; want not_found", name, got, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s with disabled=%v: %v", name, disabled, err)
			}
			if got.ID != u.ID || got.Disabled != disabled {
				t.Errorf("%s: user %d disabled=%v, want user %d disabled=%v", name, got.ID, got.Disabled, u.ID, disabled)
			}
		}
	}
	for _, disabled := range []bool{true, true, false, true} {
		if err := db.SetUserDisabled(ctx, u.ID, disabled, ev("user.disable")); err != nil {
			t.Fatalf("SetUserDisabled(%v): %v", disabled, err)
		}
		check(disabled)
	}
	if other, err := db.UserByID(ctx, bystander.ID); err != nil || other.Disabled {
		t.Errorf("bystander after disabling another user: %+v, %v", other, err)
	}
	err := db.SetUserDisabled(ctx, u.ID+1000, true, ev("user.disable"))
	wantKind(t, err, drafting.KindNotFound)
}

// testConcurrentRoleChanges has many writers change roles at once and checks
// that every change is recorded once and bumps the policy version once.
func testConcurrentRoleChanges(t *testing.T, b backend) {
	const (
		writers = 16
		each    = 5
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, _, _ := b.open(t)
	admin := mustUser(t, db, "admin")
	d, err := db.CreateDocument(ctx, newDoc("contended", admin.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	users := make([]drafting.User, writers/2) // two writers per user
	for i := range users {
		users[i] = mustUser(t, db, fmt.Sprintf("user%02d", i))
	}
	before, err := db.PolicyVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			u := users[w%len(users)]
			for i := range each {
				role := drafting.DocumentRoles[(w+i)%len(drafting.DocumentRoles)]
				err := setRole(ctx, db, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID, Role: role, GrantedBy: admin.ID}, ev("role.set"))
				if err != nil {
					errs <- fmt.Errorf("writer %d: grant %s to %s: %w", w, role, u.Login, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	after, err := db.PolicyVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before != writers*each {
		t.Errorf("policy version grew by %d over %d changes", after-before, writers*each)
	}
	changes, err := db.RoleChanges(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != writers*each {
		t.Errorf("role history holds %d changes, want %d", len(changes), writers*each)
	}
	roles, err := db.DocumentRoles(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != len(users) {
		t.Errorf("document has %d assignments, want one per user (%d)", len(roles), len(users))
	}
	// Each user's role is the one of their last recorded grant.
	last := map[int64]string{}
	for _, c := range changes {
		last[c.UserID] = c.Role
	}
	for _, a := range roles {
		if a.Role != last[a.UserID] {
			t.Errorf("%s holds %s but their last recorded grant is %s", a.Login, a.Role, last[a.UserID])
		}
	}
}
