package authz

import (
	"context"
	"errors"
	"testing"

	"redline/internal/drafting"
)

// TestSync (issue 18): a role changed in the source, with no notification
// and no Run, is in force after Sync; Sync on an unchanged version reads
// the version only; a failing source leaves the loaded roles and says so.
func TestSync(t *testing.T) {
	src := newSource()
	src.set(docA, 2, drafting.RoleMember)
	e, _ := mustNew(t, src)
	ctx := context.Background()
	user := drafting.Subject{UserID: 2}
	read := func() bool { return e.Allow(user, docA, drafting.ObjDocument, drafting.ActRead) }
	if !read() {
		t.Fatal("member cannot read")
	}

	loads := src.loads.Load()
	for range 3 {
		if err := e.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.loads.Load() - loads; n != 0 {
		t.Fatalf("Sync on an unchanged version loaded the roles %d times", n)
	}

	// Removed elsewhere (another instance): the cached decision stands
	// until Sync, which finds the new version and reloads once.
	src.set(docA, 2, "")
	if !read() {
		t.Fatal("the cached decision changed without a reload: the test proves nothing")
	}
	if err := e.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if read() {
		t.Fatal("a removed member still reads after Sync")
	}
	if n := src.loads.Load() - loads; n != 1 {
		t.Fatalf("Sync after one change loaded the roles %d times, want 1", n)
	}

	src.set(docA, 2, drafting.RoleObserver)
	src.setErr(errors.New("database down"))
	if err := e.Sync(ctx); err == nil {
		t.Fatal("Sync over a failing source: no error")
	}
	if read() {
		t.Fatal("a failed Sync changed the decisions")
	}
	src.setErr(nil)
	if err := e.Sync(ctx); err != nil || !read() {
		t.Fatalf("Sync after the source came back: %v, reads %v", err, read())
	}
}
