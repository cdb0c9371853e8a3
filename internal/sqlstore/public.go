package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// issue 18: a document's public page changes with an adoption or a
// reopening. Every instance keeps the page rendered in memory; the unit of
// work that inserts one announces it, and WatchPublic tells the instance's
// page cache which document's page to drop.

// publicChannel is the PostgreSQL notification channel of public page
// changes; a notification's payload is the document's slug, a space and a
// nonce of the unit of work that sent it.
const publicChannel = "redline_public"

// publicAckChannel carries, from every listening instance, the nonce of a
// change it has handled (its page dropped), so that the committing
// instance knows when every instance serves the new page.
const publicAckChannel = "redline_public_ack"

// publicListenerApplicationName names the listener's connection in
// pg_stat_activity.
const publicListenerApplicationName = "redline public listener"

// publicEchoWait bounds how long a unit of work that announced a change
// waits, after its commit, for every listening instance to have handled
// it: a listener that hangs delays adoptions by this much, no more.
const publicEchoWait = 5 * time.Second

// publicHub is what the units of work and WatchPublic share in one
// process: the listeners (SQLite: called directly after a commit) and, on
// PostgreSQL, the units of work waiting for their own announcement.
type publicHub struct {
	mu        sync.Mutex
	local     map[int]func(slug string) // SQLite: every WatchPublic's changed
	next      int
	listening int                    // PostgreSQL: WatchPublic connections listening now
	waiting   map[string]*publicWait // by nonce
}

// publicWait is a unit of work's count of the instances that have handled
// its announcement, and a signal at each one.
type publicWait struct {
	acks   int
	signal chan struct{}
}

// announcePublic queues the notification that the document's public page
// changed; PostgreSQL delivers it when the transaction commits, not before
// and not if it rolls back. It returns the nonce publicCommitted needs.
func (t *docTx) announcePublic(ctx context.Context) error {
	if t.public != "" {
		return nil // one announcement per unit of work
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	t.public = hex.EncodeToString(b)
	if t.db.dialect != DialectPostgres {
		return nil
	}
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, publicChannel, t.doc.Slug+" "+t.public); err != nil {
		return fail("sqlstore.announcePublic", "notify public page change", err, nil)
	}
	t.db.pub.expect(t.public)
	return nil
}

// expect registers a unit of work's nonce before its commit, so that its
// echo cannot arrive unseen.
func (h *publicHub) expect(nonce string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.listening == 0 {
		return
	}
	if h.waiting == nil {
		h.waiting = map[string]*publicWait{}
	}
	h.waiting[nonce] = &publicWait{signal: make(chan struct{}, 1)}
}

// publicCommitted runs after a unit of work that announced a public page
// change: committed says whether it committed. On SQLite it tells this
// process's listeners at once. On PostgreSQL, after a commit, it waits (up
// to publicEchoWait) until every instance listening on the database has
// handled the notification and said so on publicAckChannel, this one
// included, so that a reader who asks any instance right after the answer
// gets the new page. Hearing its own echo is not enough: PostgreSQL has
// then sent the others theirs, but another instance may not have handled
// it yet (on a busy machine it came after the next reader).
func (db *DB) publicCommitted(ctx context.Context, slug, nonce string, committed bool) {
	h := &db.pub
	if db.dialect != DialectPostgres {
		if !committed {
			return
		}
		h.mu.Lock()
		fns := make([]func(string), 0, len(h.local))
		for _, fn := range h.local {
			fns = append(fns, fn)
		}
		h.mu.Unlock()
		for _, fn := range fns {
			fn(slug)
		}
		return
	}
	h.mu.Lock()
	w := h.waiting[nonce]
	h.mu.Unlock()
	if w == nil {
		return
	}
	defer func() {
		h.mu.Lock()
		delete(h.waiting, nonce)
		h.mu.Unlock()
	}()
	if !committed {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, publicEchoWait)
	defer cancel()
	// Counted after the commit: an instance that starts listening later
	// reads the new page anyway.
	listeners := 1
	if err := db.db.QueryRowContext(ctx, db.rebind(qPublicListeners), publicListenerApplicationName).Scan(&listeners); err != nil || listeners < 1 {
		listeners = 1 // this instance's own, at least
	}
	for {
		h.mu.Lock()
		acks := w.acks
		h.mu.Unlock()
		if acks >= listeners {
			return
		}
		select {
		case <-w.signal:
		case <-ctx.Done():
			return
		}
	}
}

// qPublicListeners counts the sessions listening for public page changes
// on this database, every instance's.
const qPublicListeners = `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?`

// acked counts an instance that has handled a nonce's notification.
func (h *publicHub) acked(nonce string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if w := h.waiting[nonce]; w != nil {
		w.acks++
		select {
		case w.signal <- struct{}{}:
		default:
		}
	}
}

// WatchPublic calls changed with a document's slug whenever an adoption or
// a reopening of it is committed, by this instance or another on the same
// database, and with "" when any page may have changed unannounced, until
// ctx ends; it then returns nil. changed runs on WatchPublic's goroutine
// (on SQLite, on the committing one), one call at a time per WatchPublic.
//
// On PostgreSQL it holds a connection of its own, outside the pool, that
// LISTENs on the channel redline_public. It calls changed("") each time it
// starts listening, the first time included, since what was announced
// while it was not listening is lost, and reconnects with backoff (up to
// 5 s) when the connection fails. On both databases, every interval (one
// second when zero) it also compares the number of adoptions, reopenings
// and signed statements (not announced: a page is signed within an
// interval) with what it saw last and calls changed("") when they
// differ: the backstop for a notification lost in any other way.
func (db *DB) WatchPublic(ctx context.Context, interval time.Duration, changed func(slug string)) error {
	if interval <= 0 {
		interval = time.Second
	}
	if db.dialect != DialectPostgres {
		return db.watchPublicLocal(ctx, interval, changed)
	}
	backoff := watchBackoffMin
	for {
		listened := db.listenPublic(ctx, interval, changed)
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

// watchPublicLocal is WatchPublic on SQLite: the units of work of this
// process call changed after their commit, and the version check runs
// every interval.
func (db *DB) watchPublicLocal(ctx context.Context, interval time.Duration, changed func(slug string)) error {
	var mu sync.Mutex // one call of changed at a time
	call := func(slug string) {
		mu.Lock()
		defer mu.Unlock()
		changed(slug)
	}
	h := &db.pub
	h.mu.Lock()
	if h.local == nil {
		h.local = map[int]func(string){}
	}
	id := h.next
	h.next++
	h.local[id] = call
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.local, id)
		h.mu.Unlock()
	}()
	last, _ := publicVersion(ctx, db.db)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if v, err := publicVersion(ctx, db.db); err == nil && v != last {
			last = v
			call("")
		}
	}
}

const qPublicVersion = `SELECT (SELECT COUNT(*) FROM adoptions) + (SELECT COUNT(*) FROM reopenings) +
(SELECT COUNT(*) FROM adoption_statements)`

// publicVersion counts adoptions, reopenings and signed statements (which
// the page shows, and which the outbox records after the adoption, issue
// 16): the tables only ever grow, so a different count means a public page
// may have changed. A count, not the largest id: ids are handed out before
// commit, so a smaller one can commit after a larger one.
func publicVersion(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, qPublicVersion).Scan(&v)
	return v, err
}

// listenPublic connects, listens and calls changed for every notification
// until the connection fails or ctx ends. It reports whether it got as far
// as listening.
func (db *DB) listenPublic(ctx context.Context, interval time.Duration, changed func(slug string)) (listened bool) {
	cfg := db.pgConfig.Copy()
	cfg.RuntimeParams["application_name"] = publicListenerApplicationName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	for _, ch := range []string{publicChannel, publicAckChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return false
		}
	}
	version := func() (int64, error) {
		vctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		var v int64
		err := conn.QueryRow(vctx, qPublicVersion).Scan(&v)
		return v, err
	}
	last, err := version()
	if err != nil {
		return true
	}
	h := &db.pub
	h.mu.Lock()
	h.listening++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.listening--
		h.mu.Unlock()
	}()
	changed("")
	for {
		waitCtx, cancel := context.WithTimeout(ctx, interval)
		n, err := conn.WaitForNotification(waitCtx)
		timedOut := waitCtx.Err() != nil
		cancel()
		switch {
		case err == nil && n.Channel == publicAckChannel:
			h.acked(n.Payload)
		case err == nil:
			slug, nonce, _ := strings.Cut(n.Payload, " ")
			changed(slug)
			// Handled: the committing instance may answer its caller.
			if nonce != "" {
				if _, err := conn.Exec(ctx, `SELECT pg_notify($1, $2)`, publicAckChannel, nonce); err != nil {
					return true
				}
			}
		case ctx.Err() != nil:
			return true
		case timedOut && (pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)):
			// The version check doubles as the connection's ping.
			v, err := version()
			if err != nil {
				return true
			}
			if v != last {
				last = v
				changed("")
			}
		default:
			return true
		}
	}
}
