package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The listener's reconnect backoff.
const (
	watchBackoffMin = 100 * time.Millisecond
	watchBackoffMax = 5 * time.Second
)

// watchIdlePing is how long the listener sits silent before pinging, so a
// peer that vanished without closing the connection (a dead host, a dropped
// NAT entry) is noticed in about a minute rather than when TCP keepalive
// gives up. A variable so a test can shorten it.
var watchIdlePing = time.Minute

// listenerApplicationName names the listener's connection in
// pg_stat_activity.
const listenerApplicationName = "redline policy listener"

// WatchPolicy calls changed whenever a role change is committed, by this
// instance or another on the same database, until ctx ends; it then returns
// nil.
//
// On PostgreSQL it holds a connection of its own, outside the pool, that
// LISTENs for the notifications SetRole and RemoveRole send. It calls changed
// once more each time it starts listening, the first time included, since
// whatever was notified while it was not listening is lost: a caller that
// reloads on every call never misses a change. When the connection fails
// it reconnects with backoff (up to 5 s between attempts), for as long as
// ctx lasts; the failures themselves are not reported, and the caller's
// periodic PolicyVersion check, which goes through the pool, is what
// surfaces an outage.
//
// On SQLite only one instance uses the database and SetRole's caller
// already knows about its change, so WatchPolicy just waits for ctx to end.
//
// changed runs on WatchPolicy's goroutine, one call at a time; notifications
// that arrive meanwhile wait for it to return.
func (db *DB) WatchPolicy(ctx context.Context, changed func()) error {
	if db.dialect != DialectPostgres {
		<-ctx.Done()
		return nil
	}
	backoff := watchBackoffMin
	for {
		listened := db.listenPolicy(ctx, changed)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			backoff = watchBackoffMin
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, watchBackoffMax)
	}
}

// listenPolicy connects, listens and calls changed for every notification
// until the connection fails or ctx ends. It reports whether it got as far
// as listening. Why it stopped does not matter to WatchPolicy, which tries
// again either way.
func (db *DB) listenPolicy(ctx context.Context, changed func()) (listened bool) {
	cfg := db.pgConfig.Copy()
	cfg.RuntimeParams["application_name"] = listenerApplicationName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer func() {
		// ctx may be over already; closing sends Terminate and may wait.
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+policyChannel); err != nil {
		return false
	}
	changed()
	for {
		waitCtx, cancel := context.WithTimeout(ctx, watchIdlePing)
		_, err := conn.WaitForNotification(waitCtx)
		timedOut := waitCtx.Err() != nil
		cancel()
		switch {
		case err == nil:
			changed()
		case ctx.Err() != nil:
			return true
		case timedOut && (pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)):
			// pgx keeps a connection whose wait merely timed out; check
			// that the server is still there.
			if err := conn.Ping(ctx); err != nil {
				return true
			}
		default:
			return true
		}
	}
}
