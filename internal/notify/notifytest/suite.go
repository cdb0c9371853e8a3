package notifytest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/notify"
)

// Run is the conformance suite of notify.Store. newStore returns an empty
// store; users 1–3 and documents "doc-a" and "doc-b" exist in whatever the
// store refers to.
func Run(t *testing.T, newStore func(t *testing.T) notify.Store) {
	ctx := context.Background()
	t0 := time.Date(2011, 11, 30, 9, 0, 0, 0, time.UTC)
	item := func(user, seq int64, doc string, mail bool, planned time.Time) notify.Item {
		return notify.Item{User: user, Document: doc, Topic: notify.Revisions, Mail: mail, PlannedAt: planned,
			Event: live.Event{ID: seq, Document: doc, Kind: live.RevisionCommitted, ActorID: 9,
				Data: live.Payload{Revision: seq, Actor: "chair", At: t0.Add(time.Duration(seq) * time.Second)}}}
	}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pending := func(t *testing.T, s notify.Store) []notify.Item {
		t.Helper()
		its, err := s.Pending(ctx, 100)
		must(t, err)
		return its
	}
	ids := func(its []notify.Item) []int64 {
		var out []int64
		for _, it := range its {
			out = append(out, it.ID)
		}
		return out
	}

	t.Run("Cursor", func(t *testing.T) {
		s := newStore(t)
		c, err := s.Cursor(ctx)
		if err != nil || c != 0 {
			t.Fatalf("Cursor of an empty store = %d, %v", c, err)
		}
		must(t, s.AddItems(ctx, 0, 5, []notify.Item{item(1, 3, "doc-a", true, t0)}))
		if c, _ := s.Cursor(ctx); c != 5 {
			t.Fatalf("Cursor = %d, want 5", c)
		}
		if err := s.AddItems(ctx, 0, 7, []notify.Item{item(2, 6, "doc-a", true, t0)}); !errors.Is(err, notify.ErrConflict) {
			t.Fatalf("AddItems from a stale cursor: %v, want ErrConflict", err)
		}
		if c, _ := s.Cursor(ctx); c != 5 || len(pending(t, s)) != 1 {
			t.Fatalf("a refused AddItems changed something: cursor %d, %d pending", c, len(pending(t, s)))
		}
		must(t, s.AddItems(ctx, 5, 5, nil))
	})

	t.Run("Items", func(t *testing.T) {
		s := newStore(t)
		in := item(1, 3, "doc-a", true, t0.Add(123456*time.Microsecond))
		in.Topic = notify.Decisions
		in.Event.Kind = live.ProposalDecided
		in.Event.Data = live.Payload{Proposal: 4, Decision: "rejected", Reason: "дублирует п. 12 «…»", Revision: 0,
			Votes: &live.Votes{For: 3, Against: 112, Abstained: 5}, Actor: "chair", At: t0}
		must(t, s.AddItems(ctx, 0, 3, []notify.Item{in, item(2, 3, "doc-a", false, t0)}))
		// The same person and event again (a replanned batch) is ignored.
		must(t, s.AddItems(ctx, 3, 4, []notify.Item{item(1, 3, "doc-a", true, t0), item(3, 4, "doc-b", true, t0)}))
		got := pending(t, s)
		if len(got) != 2 || got[0].User != 3 {
			t.Fatalf("pending %v, want 2 items, user 3's first (not the feed-only one, not the repeat)", got)
		}
		g := got[1]
		if g.ID == 0 || g.User != 1 || g.Document != "doc-a" || g.Topic != notify.Decisions || !g.Mail ||
			!g.PlannedAt.Equal(in.PlannedAt) || g.Event.ID != 3 || g.Event.Kind != live.ProposalDecided ||
			g.Event.ActorID != 9 || g.Event.Data.Reason != in.Event.Data.Reason || g.Event.Data.Votes == nil ||
			*g.Event.Data.Votes != *in.Event.Data.Votes || !g.Event.Data.At.Equal(t0) {
			t.Fatalf("item stored as %+v (event %+v), want %+v", g, g.Event, in)
		}
	})

	t.Run("PendingOrder", func(t *testing.T) {
		s := newStore(t)
		must(t, s.AddItems(ctx, 0, 3, []notify.Item{
			item(1, 3, "doc-a", true, t0.Add(2*time.Minute)),
			item(2, 3, "doc-a", true, t0),
			item(3, 3, "doc-a", true, t0.Add(time.Minute)),
		}))
		got := pending(t, s)
		if len(got) != 3 || got[0].User != 2 || got[1].User != 3 || got[2].User != 1 {
			t.Fatalf("pending users %v, want oldest planned first (2, 3, 1)", got)
		}
		two, err := s.Pending(ctx, 2)
		must(t, err)
		if len(two) != 2 {
			t.Fatalf("Pending(2) returned %d", len(two))
		}
		must(t, s.Skip(ctx, []int64{got[0].ID}))
		if left := pending(t, s); len(left) != 2 || left[0].User != 3 {
			t.Fatalf("after Skip: %v", left)
		}
		if err := notifyEnqueue(ctx, s, "u2-e3", got[0]); !errors.Is(err, notify.ErrConflict) {
			t.Fatalf("Enqueue of a skipped item: %v, want ErrConflict", err)
		}
	})

	t.Run("Outbox", func(t *testing.T) {
		s := newStore(t)
		must(t, s.AddItems(ctx, 0, 4, []notify.Item{item(1, 3, "doc-a", true, t0), item(1, 4, "doc-a", true, t0), item(2, 4, "doc-a", true, t0)}))
		its := pending(t, s)
		msg := []byte("Subject: =?utf-8?q?=D0=9F?=\r\n\r\nline.\r\n..dot\r\n\x00\xff")
		m, err := s.Enqueue(ctx, notify.Mail{Key: "u1-e3", User: 1, Document: "doc-a", From: "redline@example.org",
			To: "ivanov@example.org", Message: msg, Items: ids(its[:2]), CreatedAt: t0})
		must(t, err)
		if m.ID == 0 {
			t.Fatal("Enqueue returned no ID")
		}
		if left := pending(t, s); len(left) != 1 || left[0].User != 2 {
			t.Fatalf("pending after Enqueue: %v, want only user 2's", left)
		}
		if _, err := s.Enqueue(ctx, notify.Mail{Key: "u1-e3", User: 1, Document: "doc-a", To: "x@y", Message: msg,
			Items: ids(its[2:]), CreatedAt: t0}); !errors.Is(err, notify.ErrConflict) {
			t.Fatalf("Enqueue of an existing key: %v, want ErrConflict", err)
		}
		if _, err := s.Enqueue(ctx, notify.Mail{Key: "u2-e4", User: 2, Document: "doc-a", To: "x@y", Message: msg,
			Items: ids(its), CreatedAt: t0}); !errors.Is(err, notify.ErrConflict) {
			t.Fatalf("Enqueue with mailed items: %v, want ErrConflict", err)
		}
		if left := pending(t, s); len(left) != 1 {
			t.Fatalf("a refused Enqueue marked items: %d pending, want 1", len(left))
		}

		if got, err := s.Claim(ctx, t0.Add(-time.Second), 10, time.Minute); err != nil || len(got) != 0 {
			t.Fatalf("Claim before the mail is due: %v, %v", got, err)
		}
		got, err := s.Claim(ctx, t0, 10, time.Minute)
		must(t, err)
		if len(got) != 1 {
			t.Fatalf("Claim returned %d mails, want 1 (the refused ones were not stored)", len(got))
		}
		c := got[0]
		if c.ID != m.ID || c.Key != "u1-e3" || c.From != "redline@example.org" || c.To != "ivanov@example.org" ||
			!bytes.Equal(c.Message, msg) || c.Attempts != 1 || len(c.Items) != 2 {
			t.Fatalf("claimed %+v", c)
		}
		if again, _ := s.Claim(ctx, t0.Add(59*time.Second), 10, time.Minute); len(again) != 0 {
			t.Fatal("a leased mail was claimed again within its lease")
		}
		again, err := s.Claim(ctx, t0.Add(61*time.Second), 10, time.Minute)
		must(t, err)
		if len(again) != 1 || again[0].Attempts != 2 {
			t.Fatalf("after the lease ran out: %+v, want the mail again, attempt 2", again)
		}
		must(t, s.Retry(ctx, m.ID, t0.Add(10*time.Minute), "451 try later"))
		if got, _ := s.Claim(ctx, t0.Add(9*time.Minute), 10, time.Minute); len(got) != 0 {
			t.Fatal("a mail to retry later was claimed early")
		}
		got, err = s.Claim(ctx, t0.Add(10*time.Minute), 10, time.Minute)
		must(t, err)
		if len(got) != 1 || got[0].Attempts != 3 {
			t.Fatalf("retry: %+v", got)
		}
		must(t, s.Sent(ctx, m.ID, t0.Add(10*time.Minute)))
		if got, _ := s.Claim(ctx, t0.Add(24*time.Hour), 10, time.Minute); len(got) != 0 {
			t.Fatal("a sent mail was claimed")
		}

		m2, err := s.Enqueue(ctx, notify.Mail{Key: "u2-e4", User: 2, Document: "doc-a", To: "x@y", Message: msg,
			Items: ids(pending(t, s)), CreatedAt: t0})
		must(t, err)
		if _, err := s.Claim(ctx, t0, 10, time.Minute); err != nil {
			t.Fatal(err)
		}
		must(t, s.Fail(ctx, m2.ID, t0, "550 no such user"))
		if got, _ := s.Claim(ctx, t0.Add(24*time.Hour), 10, time.Minute); len(got) != 0 {
			t.Fatal("a failed mail was claimed")
		}
	})

	t.Run("ConcurrentClaims", func(t *testing.T) {
		s := newStore(t)
		const mails = 30
		var items []notify.Item
		for i := range mails {
			items = append(items, item(1, int64(i+1), "doc-a", true, t0))
		}
		must(t, s.AddItems(ctx, 0, mails, items))
		for _, it := range pending(t, s) {
			_, err := s.Enqueue(ctx, notify.Mail{Key: fmt.Sprintf("u1-e%d", it.Event.ID), User: 1, Document: "doc-a",
				To: "x@y", Message: []byte("m"), Items: []int64{it.ID}, CreatedAt: t0})
			must(t, err)
		}
		var (
			mu     sync.Mutex
			seen   = map[int64]int{}
			wg     sync.WaitGroup
			errs   = make(chan error, 6)
			claims = 0
		)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.Claim(ctx, t0, 4, time.Hour)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					claims++
					for _, m := range got {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
		if len(seen) != mails {
			t.Fatalf("%d mails claimed, want %d", len(seen), mails)
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("mail %d claimed %d times within its lease", id, n)
			}
		}
	})

	t.Run("Feed", func(t *testing.T) {
		s := newStore(t)
		must(t, s.AddItems(ctx, 0, 9, []notify.Item{
			item(1, 3, "doc-a", true, t0), item(1, 7, "doc-b", false, t0), item(1, 5, "doc-a", true, t0),
			item(2, 9, "doc-a", true, t0),
		}))
		its := pending(t, s)
		_, err := s.Enqueue(ctx, notify.Mail{Key: "u1-e3", User: 1, Document: "doc-a", To: "x@y", Message: []byte("m"),
			Items: []int64{its[0].ID}, CreatedAt: t0})
		must(t, err)
		feed, err := s.Feed(ctx, 1, 10)
		must(t, err)
		var seqs []int64
		for _, it := range feed {
			seqs = append(seqs, it.Event.ID)
		}
		if fmt.Sprint(seqs) != "[7 5 3]" {
			t.Fatalf("feed of user 1: events %v, want [7 5 3] (newest first, mailed and feed-only alike)", seqs)
		}
		two, err := s.Feed(ctx, 1, 2)
		must(t, err)
		if len(two) != 2 || two[0].Event.ID != 7 {
			t.Fatalf("Feed(2) = %v", two)
		}
	})
}

func notifyEnqueue(ctx context.Context, s notify.Store, key string, it notify.Item) error {
	_, err := s.Enqueue(ctx, notify.Mail{Key: key, User: it.User, Document: it.Document, To: "x@y",
		Message: []byte("m"), Items: []int64{it.ID}, CreatedAt: it.PlannedAt})
	return err
}
