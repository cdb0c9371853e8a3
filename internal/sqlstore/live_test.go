package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/live"
	"redline/internal/live/livetest"
)

// TestLiveSource runs live's Source conformance suite against the audit log
// on both dialects.
func TestLiveSource(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			livetest.Run(t, func(t *testing.T) livetest.Fixture {
				db, _, _ := b.open(t)
				ctx := context.Background()
				u := mustUser(t, db, "chair")
				var f livetest.Fixture
				for i := range f.Docs {
					d, err := db.CreateDocument(ctx, newDoc(fmt.Sprintf("live-%d", i), u.ID), nil, ev("document.create"))
					if err != nil {
						t.Fatal(err)
					}
					f.Docs[i] = d.ID
				}
				f.Source = db.LiveSource()
				f.Append = func(ctx context.Context, r live.Record) (live.Record, error) {
					if r.At.IsZero() {
						r.At = now()
					}
					e, err := db.AppendEvent(ctx, drafting.Event{DocumentID: r.Document, Kind: r.Kind, ActorID: r.ActorID,
						Data: r.Data, At: r.At})
					if err != nil {
						return live.Record{}, err
					}
					return live.Record{Seq: e.Seq, Document: e.DocumentID, Kind: e.Kind, ActorID: e.ActorID, Data: e.Data, At: e.At}, nil
				}
				return f
			})
		})
	}
}

// TestWatchEvents: a row committed through one store wakes WatchEvents on
// another handle of the same database (PostgreSQL: through NOTIFY, naming
// the document and seq) or on the same handle (SQLite: in process).
func TestWatchEvents(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db, _, dsn := b.open(t)
			other := db
			if b.name == "postgres" {
				other = mustOpen(t, dsn)
			}
			ctx, cancel := context.WithCancel(context.Background())
			type wake struct {
				doc string
				seq int64
			}
			got := make(chan wake, 64)
			done := make(chan error, 1)
			go func() { done <- other.WatchEvents(ctx, func(d string, s int64) { got <- wake{d, s} }) }()
			next := func() wake {
				t.Helper()
				select {
				case w := <-got:
					return w
				case <-time.After(30 * time.Second):
					t.Fatal("WatchEvents did not call back within 30 s")
				}
				return wake{}
			}
			if w := next(); w != (wake{}) {
				t.Fatalf("first call = %+v, want the look-at-everything call", w)
			}
			u := mustUser(t, db, "chair")
			d, err := db.CreateDocument(context.Background(), newDoc("watched", u.ID), nil, drafting.NewEvent("document.create", &u, "", now(), nil))
			if err != nil {
				t.Fatal(err)
			}
			e, err := db.AppendEvent(context.Background(), drafting.NewEvent("hall.item", &u, d.ID, now(), map[string]string{"label": "11"}))
			if err != nil {
				t.Fatal(err)
			}
			want := wake{d.ID, e.Seq}
			if b.name == "sqlite" {
				want = wake{}
			}
			for {
				w := next()
				if w == want {
					break
				}
				if b.name == "postgres" && w.seq >= e.Seq {
					t.Fatalf("woken with %+v, want %+v", w, want)
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("WatchEvents returned %v", err)
			}
		})
	}
}

// TestLastEvent: the newest event of a kind, not_found without one.
func TestLastEvent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db, _, _ := b.open(t)
			ctx := context.Background()
			u := mustUser(t, db, "chair")
			d, err := db.CreateDocument(ctx, newDoc("hall", u.ID), nil, ev("document.create"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.LastEvent(ctx, d.ID, "hall.item")
			wantKind(t, err, drafting.KindNotFound)
			for _, l := range []string{"10", "11"} {
				if _, err := db.AppendEvent(ctx, drafting.NewEvent("hall.item", &u, d.ID, now(), map[string]string{"label": l})); err != nil {
					t.Fatal(err)
				}
				if _, err := db.AppendEvent(ctx, drafting.NewEvent("comment.create", &u, d.ID, now(), nil)); err != nil {
					t.Fatal(err)
				}
			}
			e, err := db.LastEvent(ctx, d.ID, "hall.item")
			if err != nil || e.Data["label"] != "11" || e.ActorLogin != "chair" {
				t.Fatalf("LastEvent = %+v, %v; want label 11 by chair", e, err)
			}
		})
	}
}
