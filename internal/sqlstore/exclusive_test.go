package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"redline/internal/sqlstore"
	"redline/internal/testenv"
)

// worker is one instance's Exclusive worker: it says when it starts and
// stops, and counts how many workers run at once.
type worker struct {
	name    string
	started chan struct{}
	ended   chan struct{}
	stop    context.CancelFunc
	done    chan error
	once    sync.Once
}

func startWorker(t *testing.T, db *sqlstore.DB, name string, running, most *atomic.Int64) *worker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{name: name, started: make(chan struct{}, 8), ended: make(chan struct{}, 8), stop: cancel, done: make(chan error, 1)}
	go func() {
		w.done <- db.Exclusive(ctx, "outbox-test", 100*time.Millisecond, func(ctx context.Context) {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			w.started <- struct{}{}
			<-ctx.Done()
			running.Add(-1)
			w.ended <- struct{}{}
		})
	}()
	t.Cleanup(func() { w.shutdown(t) })
	return w
}

// shutdown ends the worker's instance and checks that Exclusive returns
// nil promptly. Only the first call does anything.
func (w *worker) shutdown(t *testing.T) {
	t.Helper()
	w.once.Do(func() {
		w.stop()
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("%s: Exclusive returned %v, want nil", w.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("%s: Exclusive did not return within 10 s of its context ending", w.name)
		}
	})
}

func waitFor(t *testing.T, ch chan struct{}, within time.Duration, what string) bool {
	t.Helper()
	select {
	case <-ch:
		return true
	case <-time.After(within):
		t.Fatalf("%s: not within %v", what, within)
		return false
	}
}

func quiet(ch chan struct{}, wait time.Duration) bool {
	select {
	case <-ch:
		return false
	case <-time.After(wait):
		return true
	}
}

// TestExclusive (issue 18): three instances on one PostgreSQL, each with an
// Exclusive worker of the same name: exactly one runs; when it stops (its
// instance shuts down) another takes over; when its lock's connection is
// cut (a failover, an administrator), its worker is stopped and one runs
// again.
func TestExclusive(t *testing.T) {
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	var running, most atomic.Int64
	var ws []*worker
	for _, n := range []string{"a", "b", "c"} {
		ws = append(ws, startWorker(t, mustOpen(t, url), n, &running, &most))
	}
	// Exactly one starts; the others wait, however long.
	first := -1
	deadline := time.After(10 * time.Second)
	for first < 0 {
		for i, w := range ws {
			select {
			case <-w.started:
				first = i
			default:
			}
		}
		if first < 0 {
			select {
			case <-deadline:
				t.Fatal("no worker started within 10 s")
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	for i, w := range ws {
		if i != first && !quiet(w.started, 700*time.Millisecond) {
			t.Fatalf("worker %s started while %s held the lock", w.name, ws[first].name)
		}
	}

	// Its instance shuts down: one of the others takes over.
	holder := ws[first]
	holder.shutdown(t)
	waitFor(t, holder.ended, time.Second, "the holder's worker stops")
	rest := append(append([]*worker(nil), ws[:first]...), ws[first+1:]...)
	next := awaitOne(t, rest)
	if most.Load() != 1 {
		t.Fatalf("%d workers ran at once, want 1", most.Load())
	}

	// Cut the new holder's lock connection from the server side.
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var killed bool
	err = raw.QueryRowContext(ctx, `SELECT bool_and(pg_terminate_backend(pid)) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&killed)
	if err != nil || !killed {
		t.Fatalf("terminate the lock holder's backend: %v %v", killed, err)
	}
	waitFor(t, next.ended, 10*time.Second, "the worker whose lock connection was cut stops")
	awaitOne(t, rest)
}

// awaitOne waits until one of ws has started its worker and returns it.
func awaitOne(t *testing.T, ws []*worker) *worker {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		for _, w := range ws {
			select {
			case <-w.started:
				return w
			default:
			}
		}
		select {
		case <-deadline:
			t.Fatal("no worker took over within 15 s")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestExclusiveSQLite: on SQLite, one process uses the database and the
// worker runs at once.
func TestExclusiveSQLite(t *testing.T) {
	db := mustOpen(t, "sqlite://"+filepath.Join(t.TempDir(), "redline.db"))
	var running, most atomic.Int64
	w := startWorker(t, db, "only", &running, &most)
	waitFor(t, w.started, 5*time.Second, "the worker starts")
	w.shutdown(t)
	waitFor(t, w.ended, time.Second, "the worker stops")
}
