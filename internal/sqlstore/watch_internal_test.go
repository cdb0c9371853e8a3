package sqlstore

import (
	"context"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/testenv"
)

// TestWatchPolicyIdle checks that the listener's idle pings keep its
// connection: a wait that times out must not look like a lost connection,
// which would reconnect (and call changed) every time.
func TestWatchPolicyIdle(t *testing.T) {
	defer func(d time.Duration) { watchIdlePing = d }(watchIdlePing)
	watchIdlePing = 50 * time.Millisecond

	ctx := context.Background()
	db, err := Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC()
	u, err := db.CreateUser(ctx, drafting.User{Login: "member", CreatedAt: at}, drafting.Event{Kind: "user.create", At: at})
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.CreateDocument(ctx, drafting.Document{ID: "idle", Slug: "idle", Title: "idle", Language: "ru", ApprovalsRequired: 1,
		CreatedBy: u.ID, CreatedAt: at}, nil, drafting.Event{Kind: "document.create", At: at})
	if err != nil {
		t.Fatal(err)
	}

	watchCtx, cancel := context.WithCancel(ctx)
	calls := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() { done <- db.WatchPolicy(watchCtx, func() { calls <- struct{}{} }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchPolicy returned %v", err)
		}
	}()
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("the listener did not start within 5 s")
	}
	// Twenty idle timeouts and pings.
	select {
	case <-calls:
		t.Fatal("changed was called while idle: the listener reconnected after a ping timeout")
	case <-time.After(20 * watchIdlePing):
	}
	if err := db.InDocument(ctx, d.ID, func(tx drafting.DocumentTx) error {
		at := time.Now().UTC()
		if err := tx.SetRole(ctx, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID, Role: drafting.RoleMember, GrantedAt: at}); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, drafting.Event{Kind: "role.set", At: at})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-calls:
	case <-time.After(30 * time.Second):
		// A liveness bound: the point is that the grant is heard on the
		// connection the pings kept, whatever the machine's load.
		t.Fatal("a grant after idle pings was not noticed within 30 s")
	}
}
