// Package livetest holds an in-memory live.Source and the conformance suite
// every Source must pass (the store's audit log runs it on SQLite and
// PostgreSQL).
package livetest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"redline/internal/live"
)

// Source is an in-memory audit log: rows get increasing Seq numbers across
// documents, as the real log's do.
type Source struct {
	mu      sync.Mutex
	seq     int64
	docs    map[string][]live.Record
	failN   int
	failErr error
	replays int
}

var _ live.Source = (*Source)(nil)

// NewSource returns an empty log.
func NewSource() *Source { return &Source{docs: map[string][]live.Record{}} }

// Append stores r with the next Seq (and the current time when r.At is
// zero) and returns it.
func (s *Source) Append(r live.Record) live.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	r.Seq = s.seq
	if r.At.IsZero() {
		r.At = time.Now().UTC().Truncate(time.Microsecond)
	}
	s.docs[r.Document] = append(s.docs[r.Document], r)
	return r
}

// Add appends a row of kind with data to doc.
func (s *Source) Add(doc, kind string, data map[string]string) live.Record {
	return s.Append(live.Record{Document: doc, Kind: kind, Data: data})
}

// FailNext makes the next n calls to Replay or Last fail with err: the
// database outage a test cannot order from a real server mid-call.
func (s *Source) FailNext(n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failErr = n, err
}

// Replays returns how many times Replay was called.
func (s *Source) Replays() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replays
}

func (s *Source) failing() error {
	if s.failN > 0 {
		s.failN--
		return s.failErr
	}
	return nil
}

// Replay implements live.Source.
func (s *Source) Replay(ctx context.Context, doc string, after int64, limit int) ([]live.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replays++
	if err := s.failing(); err != nil {
		return nil, err
	}
	rows := s.docs[doc]
	i := sort.Search(len(rows), func(i int) bool { return rows[i].Seq > after })
	rows = rows[i:]
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return append([]live.Record(nil), rows...), nil
}

// Last implements live.Source.
func (s *Source) Last(ctx context.Context, doc string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.failing(); err != nil {
		return 0, err
	}
	rows := s.docs[doc]
	if len(rows) == 0 {
		return 0, nil
	}
	return rows[len(rows)-1].Seq, nil
}

// Fixture is a Source under test and a way to write to it.
type Fixture struct {
	Source live.Source
	// Append stores a row (Seq is ignored) through the store's own write
	// path and returns it as stored, Seq included. It is called from
	// several goroutines at once.
	Append func(ctx context.Context, r live.Record) (live.Record, error)
	// Docs are IDs of three existing documents the rows may belong to.
	Docs [3]string
}

// Run is the conformance suite of live.Source.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	ctx := context.Background()
	t.Run("Empty", func(t *testing.T) {
		f := newFixture(t)
		last, err := f.Source.Last(ctx, f.Docs[0])
		if err != nil || last != 0 {
			t.Fatalf("Last of a document without rows = %d, %v; want 0, nil", last, err)
		}
		recs, err := f.Source.Replay(ctx, f.Docs[0], 0, 10)
		if err != nil || len(recs) != 0 {
			t.Fatalf("Replay of a document without rows = %v, %v; want none", recs, err)
		}
	})
	t.Run("OrderFilterLimit", func(t *testing.T) {
		f := newFixture(t)
		at := time.Date(2011, 11, 30, 12, 0, 0, 123456000, time.UTC)
		var want []live.Record
		for i := range 9 {
			doc := f.Docs[i%2]
			r, err := f.Append(ctx, live.Record{Document: doc, Kind: "revision.commit",
				Data: map[string]string{"number": fmt.Sprint(i + 1), "title": "Пункт «11»"}, At: at.Add(time.Duration(i) * time.Second)})
			if err != nil {
				t.Fatal(err)
			}
			if doc == f.Docs[0] {
				want = append(want, r)
			}
		}
		last, err := f.Source.Last(ctx, f.Docs[0])
		if err != nil || last != want[len(want)-1].Seq {
			t.Fatalf("Last = %d, %v; want %d", last, err, want[len(want)-1].Seq)
		}
		all, err := f.Source.Replay(ctx, f.Docs[0], 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(want) {
			t.Fatalf("Replay returned %d rows, want %d (only the document's)", len(all), len(want))
		}
		for i, r := range all {
			w := want[i]
			if r.Seq != w.Seq || r.Document != w.Document || r.Kind != w.Kind || !r.At.Equal(w.At) ||
				r.Data["number"] != w.Data["number"] || r.Data["title"] != w.Data["title"] {
				t.Errorf("row %d = %+v, want %+v", i, r, w)
			}
		}
		page, err := f.Source.Replay(ctx, f.Docs[0], want[1].Seq, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 2 || page[0].Seq != want[2].Seq || page[1].Seq != want[3].Seq {
			t.Fatalf("Replay after %d limit 2 = %v, want rows %d and %d", want[1].Seq, page, want[2].Seq, want[3].Seq)
		}
		if none, err := f.Source.Replay(ctx, f.Docs[0], last, 10); err != nil || len(none) != 0 {
			t.Fatalf("Replay after the last row = %v, %v; want none", none, err)
		}
	})
	t.Run("VisibleInOrder", func(t *testing.T) {
		// Writers append concurrently while a reader follows the document
		// from its cursor, as a topic does: it must see every row, since a
		// row it skipped because a later one was visible first would never
		// be delivered.
		f := newFixture(t)
		const writers, each = 4, 25
		var (
			wg      sync.WaitGroup
			errs    = make(chan error, writers)
			stopped = make(chan struct{})
		)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					doc := f.Docs[(w+i)%3]
					if _, err := f.Append(ctx, live.Record{Document: doc, Kind: "comment.create",
						Data: map[string]string{"comment": fmt.Sprint(w*each + i)}}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		go func() { wg.Wait(); close(stopped) }()
		var seen []int64
		after := int64(0)
		follow := func() error {
			recs, err := f.Source.Replay(ctx, f.Docs[0], after, 7)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if r.Seq <= after {
					return fmt.Errorf("Replay after %d returned %d", after, r.Seq)
				}
				after = r.Seq
				seen = append(seen, r.Seq)
			}
			return nil
		}
	loop:
		for {
			select {
			case <-stopped:
				break loop
			default:
			}
			if err := follow(); err != nil {
				t.Fatal(err)
			}
		}
		for {
			n := len(seen)
			if err := follow(); err != nil {
				t.Fatal(err)
			}
			if len(seen) == n {
				break
			}
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		all, err := f.Source.Replay(ctx, f.Docs[0], 0, writers*each)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(seen) {
			t.Fatalf("a reader following the document saw %d rows, the document has %d: rows became visible out of order", len(seen), len(all))
		}
		for i := range all {
			if all[i].Seq != seen[i] {
				t.Fatalf("row %d: followed %d, stored %d", i, seen[i], all[i].Seq)
			}
		}
	})
	t.Run("Canceled", func(t *testing.T) {
		f := newFixture(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := f.Source.Replay(cctx, f.Docs[0], 0, 10); err == nil {
			t.Errorf("Replay with a canceled context succeeded; want an error")
		}
	})
}
