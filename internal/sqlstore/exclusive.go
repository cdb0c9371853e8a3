package sqlstore

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// exclusiveApplicationName prefixes the name of an Exclusive connection in
// pg_stat_activity.
const exclusiveApplicationName = "redline exclusive "

// Exclusive runs fn only while this process holds the database lock named
// name, so that of all the instances calling Exclusive with that name on
// one database one runs fn at a time (issue 18: the outbox, whose work every
// instance would otherwise do three times over, and whose mail it would send
// three times). fn is a worker that runs until its context ends. Exclusive
// returns nil when ctx ends, after fn has returned.
//
// On PostgreSQL the lock is a session advisory lock (pg_try_advisory_lock)
// held by a connection of its own, outside the pool. An instance that does
// not get it tries again every retry. While fn runs, the connection is
// pinged every retry: when the ping fails (the server died, a failover, the
// connection was cut) the lock is gone with the session, so fn's context is
// cancelled, and once fn has returned Exclusive competes again, reconnecting
// with backoff. In that window (at most one retry plus the ping's 3-second
// bound) another instance that took the lock may run too: fn's work must
// stay idempotent, which the outbox's is. When fn returns by itself while
// ctx lasts, the lock is released and competed for again after retry.
//
// On SQLite one process uses the database: fn runs at once, and again after
// retry whenever it returns while ctx lasts.
func (db *DB) Exclusive(ctx context.Context, name string, retry time.Duration, fn func(ctx context.Context)) error {
	if retry <= 0 {
		retry = 5 * time.Second
	}
	backoff := watchBackoffMin
	for {
		if db.dialect != DialectPostgres {
			fn(ctx)
		} else if reached := db.exclusiveOnce(ctx, name, retry, fn); reached {
			backoff = watchBackoffMin
		}
		if ctx.Err() != nil {
			return nil
		}
		wait := retry
		if db.dialect == DialectPostgres {
			wait = min(retry, backoff)
			backoff = min(2*backoff, watchBackoffMax)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// exclusiveKey is the advisory lock's key for name: FNV-1a, 64 bits, of a
// prefix and the name, so Redline's locks keep clear of anyone else's.
func exclusiveKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("redline exclusive\x00" + name))
	return int64(h.Sum64())
}

// exclusiveOnce connects, waits for the lock, runs fn while it holds it and
// the connection answers, and returns once fn has returned, the connection
// failed or ctx ended. It reports whether it connected.
func (db *DB) exclusiveOnce(ctx context.Context, name string, retry time.Duration, fn func(ctx context.Context)) (connected bool) {
	cfg := db.pgConfig.Copy()
	cfg.RuntimeParams["application_name"] = exclusiveApplicationName + name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer func() {
		// Closing the session releases the lock, if it is still held.
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	key := exclusiveKey(name)
	ping := func() error {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		return conn.Ping(pctx)
	}
	t := time.NewTicker(retry)
	defer t.Stop()
	for {
		var got bool
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := conn.QueryRow(lctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got)
		cancel()
		if err != nil {
			return true
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return true
		case <-t.C:
		}
	}

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer stop()
		fn(runCtx)
	}()
	defer wg.Wait()
	defer stop()
	for {
		select {
		case <-runCtx.Done():
			if ctx.Err() == nil {
				// fn returned by itself: let another instance have a turn.
				uctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				_, _ = conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, key)
				cancel()
			}
			return true
		case <-t.C:
			if err := ping(); err != nil {
				return true
			}
		}
	}
}
