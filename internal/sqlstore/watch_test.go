package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/testenv"
)

// watcher runs WatchPolicy in the background and counts its calls.
type watcher struct {
	calls chan time.Time
	done  chan error
	stop  context.CancelFunc
	once  sync.Once
}

func startWatcher(t *testing.T, watch func(context.Context, func()) error) *watcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{calls: make(chan time.Time, 64), done: make(chan error, 1), stop: cancel}
	go func() { w.done <- watch(ctx, func() { w.calls <- time.Now() }) }()
	t.Cleanup(func() { w.shutdown(t) })
	return w
}

// shutdown ends the watcher and checks that it returns nil promptly. Only
// the first call does anything.
func (w *watcher) shutdown(t *testing.T) {
	t.Helper()
	w.once.Do(func() {
		w.stop()
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("WatchPolicy returned %v after its context ended, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("WatchPolicy did not return within 5 s of its context ending")
		}
	})
}

// heardWithin bounds the wait for a notification or a reconnection in
// these tests. It is a liveness bound, not a latency target: what the
// tests prove is that the call comes (and, with expectNone, that no other
// does), and how long it took is logged. 2 s bounds failed on a loaded CI
// machine.
const heardWithin = 30 * time.Second

// expect waits for a call until within after since, and reports how long
// after since it came.
func (w *watcher) expect(t *testing.T, since time.Time, within time.Duration, what string) time.Duration {
	t.Helper()
	select {
	case at := <-w.calls:
		return at.Sub(since)
	case <-time.After(time.Until(since.Add(within))):
		t.Fatalf("%s: changed was not called within %v", what, within)
		return 0
	}
}

// expectNone checks that no call comes for a while.
func (w *watcher) expectNone(t *testing.T, wait time.Duration, what string) {
	t.Helper()
	select {
	case <-w.calls:
		t.Errorf("%s: changed was called, want no call", what)
	case <-time.After(wait):
	}
}

// TestWatchPolicy checks, on the real PostgreSQL, that one instance hears of
// a role change made through another (within heardWithin; the figure is
// logged), also after its listening connection was killed, and that a change that failed is not announced.
func TestWatchPolicy(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	listener, writer := mustOpen(t, url), mustOpen(t, url)
	u := mustUser(t, writer, "member")
	d, err := writer.CreateDocument(ctx, newDoc("watched", u.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	grant := func(role string) (start time.Time) {
		t.Helper()
		start = time.Now()
		if err := setRole(ctx, writer, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID, Role: role}, ev("role.set")); err != nil {
			t.Fatal(err)
		}
		return start
	}

	w := startWatcher(t, listener.WatchPolicy)
	// The first call says it is listening: anything before was missed.
	w.expect(t, time.Now(), heardWithin, "start listening")
	w.expectNone(t, 200*time.Millisecond, "idle")

	start := grant(drafting.RoleMember)
	t.Logf("grant noticed after %v", w.expect(t, start, heardWithin, "grant"))
	start = grant(drafting.RoleChair)
	t.Logf("regrant noticed after %v", w.expect(t, start, heardWithin, "regrant"))
	start = time.Now()
	if err := removeRole(ctx, writer, d.ID, u.ID, 0, ev("role.remove")); err != nil {
		t.Fatal(err)
	}
	t.Logf("revoke noticed after %v", w.expect(t, start, heardWithin, "revoke"))

	// A change that rolled back is not announced.
	err = setRole(ctx, writer, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID + 1000, Role: drafting.RoleMember}, ev("role.set"))
	wantKind(t, err, drafting.KindNotFound)
	err = removeRole(ctx, writer, d.ID, u.ID, 0, ev("role.remove"))
	wantKind(t, err, drafting.KindNotFound)
	w.expectNone(t, 500*time.Millisecond, "failed changes")

	// Kill the listener's connection from outside, as a failover or an
	// administrator would.
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	const qPID = `SELECT pid FROM pg_stat_activity
WHERE datname = current_database() AND application_name = 'redline policy listener'`
	listenerPID := func() (pids []int64) {
		t.Helper()
		rows, err := raw.QueryContext(ctx, qPID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var pid int64
			if err := rows.Scan(&pid); err != nil {
				t.Fatal(err)
			}
			pids = append(pids, pid)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return pids
	}
	before := listenerPID()
	if len(before) != 1 {
		t.Fatalf("listener backends before the kill: %v, want exactly one", before)
	}
	var killed bool
	start = time.Now()
	if err := raw.QueryRowContext(ctx, `SELECT pg_terminate_backend($1)`, before[0]).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate listener backend %d: %v, %v", before[0], killed, err)
	}
	// It reconnects and says so, since notifications may have been lost.
	t.Logf("listening again after %v", w.expect(t, start, heardWithin, "reconnect"))
	after := listenerPID()
	if len(after) != 1 || after[0] == before[0] {
		t.Fatalf("listener backends after the kill: %v (was %v), want one new one", after, before)
	}
	start = grant(drafting.RoleObserver)
	t.Logf("grant after reconnect noticed after %v", w.expect(t, start, heardWithin, "grant after reconnect"))

	w.shutdown(t)
	if pids := listenerPID(); len(pids) != 0 {
		// Closing is asynchronous on the server side; give it a moment.
		time.Sleep(500 * time.Millisecond)
		if pids := listenerPID(); len(pids) != 0 {
			t.Errorf("listener backends after WatchPolicy returned: %v, want none", pids)
		}
	}
}

// TestWatchPolicySQLite checks that on SQLite, one instance only, WatchPolicy
// just waits for its context, calling nothing.
func TestWatchPolicySQLite(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t, "sqlite://"+filepath.Join(t.TempDir(), "redline.db"))
	u := mustUser(t, db, "member")
	d, err := db.CreateDocument(ctx, newDoc("watched", u.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	w := startWatcher(t, db.WatchPolicy)
	if err := setRole(ctx, db, drafting.RoleAssignment{DocumentID: d.ID, UserID: u.ID, Role: drafting.RoleChair}, ev("role.set")); err != nil {
		t.Fatal(err)
	}
	w.expectNone(t, 300*time.Millisecond, "sqlite")
	select {
	case err := <-w.done:
		t.Fatalf("WatchPolicy returned %v before its context ended", err)
	default:
	}
	w.shutdown(t)
}
