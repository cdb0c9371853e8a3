package sqlstore

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"redline/internal/drafting"
	"redline/internal/live"
)

// eventsChannel is what the events_notify trigger (migration 0009) notifies
// on PostgreSQL, with "<document_id> <seq>" as the payload.
const eventsChannel = "redline_events"

// LiveSource is the audit log read as the live streams' source.
type LiveSource struct{ db *DB }

var _ live.Source = LiveSource{}

// LiveSource returns the audit log as a live.Source.
func (db *DB) LiveSource() LiveSource { return LiveSource{db} }

// Replay implements live.Source: the document's audit rows after after.
func (s LiveSource) Replay(ctx context.Context, doc string, after int64, limit int) ([]live.Record, error) {
	if doc == "" {
		return nil, drafting.E(drafting.KindInvalid, "sqlstore.Replay", "a document is required")
	}
	evs, err := s.db.Events(ctx, doc, after, limit)
	if err != nil {
		return nil, err
	}
	return records(evs), nil
}

// Last implements live.Source: the seq of the document's newest audit row.
func (s LiveSource) Last(ctx context.Context, doc string) (int64, error) {
	const q = `SELECT COALESCE(MAX(seq), 0) FROM events WHERE document_id = ?`
	var last int64
	if err := s.db.db.QueryRowContext(ctx, s.db.rebind(q), doc).Scan(&last); err != nil {
		return 0, fail("sqlstore.Last", "read the last event", err, nil)
	}
	return last, nil
}

// Events implements notify.Log: every document's audit rows after after.
func (s LiveSource) Events(ctx context.Context, after int64, limit int) ([]live.Record, error) {
	evs, err := s.db.Events(ctx, "", after, limit)
	if err != nil {
		return nil, err
	}
	return records(evs), nil
}

func records(evs []drafting.Event) []live.Record {
	out := make([]live.Record, len(evs))
	for i, e := range evs {
		out[i] = live.Record{Seq: e.Seq, Document: e.DocumentID, Kind: e.Kind, ActorID: e.ActorID,
			ActorLogin: e.ActorLogin, Data: e.Data, At: e.At}
	}
	return out
}

// LastEvent returns the document's newest audit event of kind. Errors:
// not_found (none), unavailable, internal.
func (db *DB) LastEvent(ctx context.Context, documentID, kind string) (drafting.Event, error) {
	const (
		op = "sqlstore.LastEvent"
		q  = `SELECT ` + eventColumns + ` WHERE e.document_id = ? AND e.kind = ? ORDER BY e.seq DESC LIMIT 1`
	)
	e, err := scanEvent(db.db.QueryRowContext(ctx, db.rebind(q), documentID, kind))
	if err != nil {
		return drafting.Event{}, fail(op, "select the last "+kind, err, messages{drafting.KindNotFound: "no such event"})
	}
	return e, nil
}

// WatchEvents calls changed(doc, seq) for every audit row committed by any
// instance on the database, until ctx ends; it then returns nil. It calls
// changed("", 0) each time it starts listening, the first time included,
// since what was committed while it did not listen is not notified again:
// take that as "look at everything".
//
// On PostgreSQL it LISTENs on a connection of its own, outside the pool,
// reconnecting with backoff as WatchPolicy does. On SQLite only this
// process writes: it is woken by this DB's own commits, with changed("", 0)
// (a commit does not say which document it touched).
//
// changed runs on WatchEvents' goroutine, one call at a time.
func (db *DB) WatchEvents(ctx context.Context, changed func(doc string, seq int64)) error {
	if db.dialect != DialectPostgres {
		changed("", 0)
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-db.committed:
				changed("", 0)
			}
		}
	}
	backoff := watchBackoffMin
	for {
		listened := db.listenEvents(ctx, changed)
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

func (db *DB) listenEvents(ctx context.Context, changed func(string, int64)) (listened bool) {
	cfg := db.pgConfig.Copy()
	cfg.RuntimeParams["application_name"] = "redline events listener"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+eventsChannel); err != nil {
		return false
	}
	changed("", 0)
	for {
		waitCtx, cancel := context.WithTimeout(ctx, watchIdlePing)
		n, err := conn.WaitForNotification(waitCtx)
		timedOut := waitCtx.Err() != nil
		cancel()
		switch {
		case err == nil:
			doc, seq, ok := strings.Cut(n.Payload, " ")
			id, perr := strconv.ParseInt(seq, 10, 64)
			if !ok || perr != nil {
				changed("", 0)
				continue
			}
			changed(doc, id)
		case ctx.Err() != nil:
			return true
		case timedOut && (pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)):
			if err := conn.Ping(ctx); err != nil {
				return true
			}
		default:
			return true
		}
	}
}

// signalCommit wakes WatchEvents on SQLite after a committed write.
func (db *DB) signalCommit() {
	if db.committed == nil {
		return
	}
	select {
	case db.committed <- struct{}{}:
	default:
	}
}
