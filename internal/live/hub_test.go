package live_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/live/livetest"
)

// wait bounds every wait in these tests: generous, since it only turns a
// hang into a failure and never decides an outcome.
const wait = 30 * time.Second

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

func commit(src *livetest.Source, doc string, n int) live.Record {
	return src.Add(doc, "revision.commit", map[string]string{"number": strconv.Itoa(n)})
}

// publish appends a commit to doc and notifies the hubs of it, as a
// committing instance and the NOTIFY it sends do.
func publish(src *livetest.Source, doc string, n int, hubs ...*live.Hub) live.Record {
	r := commit(src, doc, n)
	for _, h := range hubs {
		h.Notify(doc, r.Seq)
	}
	return r
}

func subscribe(t *testing.T, h *live.Hub, doc string, o live.SubscribeOptions) *live.Subscription {
	t.Helper()
	if o.Audience == live.Members && o.Login == "" {
		o.Login = "member"
	}
	s, err := h.Subscribe(ctxT(t), doc, o)
	if err != nil {
		t.Fatalf("subscribe to %s: %v", doc, err)
	}
	t.Cleanup(s.Close)
	return s
}

// next reads n events and returns their IDs.
func next(t *testing.T, s *live.Subscription, n int) []int64 {
	t.Helper()
	ids := make([]int64, 0, n)
	for range n {
		ev, err := s.Next(ctxT(t))
		if err != nil {
			t.Fatalf("after %v: %v", ids, err)
		}
		ids = append(ids, ev.ID)
	}
	return ids
}

func seqs(recs ...live.Record) []int64 {
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.Seq
	}
	return ids
}

func equal(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func newHub(t *testing.T, src live.Source, o live.Options) *live.Hub {
	h := live.New(src, o)
	t.Cleanup(h.Close)
	return h
}

func TestHubDeliversInOrder(t *testing.T) {
	src := livetest.NewSource()
	old := commit(src, "d", 1)
	h := newHub(t, src, live.Options{})
	s := subscribe(t, h, "d", live.SubscribeOptions{})
	if s.Cursor() != old.Seq {
		t.Fatalf("a new subscription starts at %d, want the newest event %d", s.Cursor(), old.Seq)
	}
	var want []live.Record
	for i := range 3 {
		want = append(want, publish(src, "d", i+2, h))
		src.Add("other", "revision.commit", map[string]string{"number": "1"})
	}
	equal(t, "events", next(t, s, 3), seqs(want...))
}

func TestResumeLosesNothingDuplicatesNothing(t *testing.T) {
	src := livetest.NewSource()
	a := newHub(t, src, live.Options{Batch: 2}) // two instances on one database
	b := newHub(t, src, live.Options{Batch: 2})
	var all []live.Record
	for i := range 3 {
		all = append(all, commit(src, "d", i+1))
	}
	s := subscribe(t, a, "d", live.SubscribeOptions{Resume: true, After: 0})
	for i := range 3 {
		all = append(all, publish(src, "d", i+4, a, b))
	}
	got := next(t, s, 4)
	s.Close() // the browser goes away after four events ...
	for i := range 5 {
		all = append(all, publish(src, "d", i+7, a, b))
	}
	// ... and comes back to the other instance with its Last-Event-ID.
	s2 := subscribe(t, b, "d", live.SubscribeOptions{Resume: true, After: got[len(got)-1]})
	got = append(got, next(t, s2, 7)...)
	all = append(all, publish(src, "d", 12, a, b))
	got = append(got, next(t, s2, 1)...)
	equal(t, "events across a reconnect to another instance", got, seqs(all...))
	// Events come in order, so a repeat would come before this one.
	r := publish(src, "d", 13, a, b)
	equal(t, "the next event", next(t, s2, 1), seqs(r))
}

func TestLostNotificationHealedByTheNextOrThePoll(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	s := subscribe(t, h, "d", live.SubscribeOptions{})
	lost := commit(src, "d", 1) // its NOTIFY never arrives
	healed := publish(src, "d", 2, h)
	equal(t, "a lost notification healed by the next", next(t, s, 2), seqs(lost, healed))

	lost = commit(src, "d", 3)
	h.PokeAll() // the periodic poll
	equal(t, "a lost notification healed by the poll", next(t, s, 1), seqs(lost))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx, time.Millisecond); close(done) }()
	lost = commit(src, "d", 4)
	equal(t, "a lost notification healed by Run", next(t, s, 1), seqs(lost))
	cancel()
	<-done
}

func TestStaleNotificationCostsNothing(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	s := subscribe(t, h, "d", live.SubscribeOptions{})
	r := publish(src, "d", 1, h)
	next(t, s, 1)
	before := src.Replays()
	for range 100 {
		h.Notify("d", r.Seq) // its own NOTIFY coming back, repeated
		h.Notify("nobody-listens", 1_000_000)
	}
	r2 := publish(src, "d", 2, h)
	equal(t, "event", next(t, s, 1), seqs(r2))
	if n := src.Replays() - before; n != 1 {
		t.Errorf("%d reads for one new event among 200 stale notifications, want 1", n)
	}
}

func TestSlowSubscriberDroppedOthersKeepUp(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{QueueLen: 4})
	slow := subscribe(t, h, "d", live.SubscribeOptions{})
	fast := subscribe(t, h, "d", live.SubscribeOptions{})
	var all []live.Record
	for i := range 20 {
		all = append(all, publish(src, "d", i+1, h))
		// In step with the fast reader, so it never has more than one
		// event queued, while the slow one reads nothing.
		equal(t, "fast reader", next(t, fast, 1), seqs(all[i]))
	}
	got := next(t, slow, 4) // what fitted in its queue
	if _, err := slow.Next(ctxT(t)); !errors.Is(err, live.ErrSlow) {
		t.Fatalf("slow subscriber after its queue: %v, want ErrSlow", err)
	}
	if st := h.Stats(); st.Dropped != 1 || st.Subscribers != 1 {
		t.Errorf("stats %+v, want 1 dropped and 1 subscriber left", st)
	}
	// It reconnects from its last event and loses nothing.
	again := subscribe(t, h, "d", live.SubscribeOptions{Resume: true, After: got[len(got)-1]})
	got = append(got, next(t, again, 16)...)
	equal(t, "slow subscriber after resuming", got, seqs(all...))
}

func TestAudiences(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	member := subscribe(t, h, "d", live.SubscribeOptions{Audience: live.Members, Login: "ivanov"})
	public := subscribe(t, h, "d", live.SubscribeOptions{Audience: live.Public})
	sum := "0000000000000000000000000000000000000000000000000000000000000000"
	rows := []live.Record{
		src.Add("d", "revision.commit", map[string]string{"number": "2", "sha256": sum}),
		src.Add("d", "comment.create", map[string]string{"comment": "1", "revision": "2"}),
		src.Add("d", "hall.item", map[string]string{"label": "11"}),
		src.Add("d", "hall.item", map[string]string{"label": "12", "public": "true"}),
		src.Add("d", "adoption.create", map[string]string{"revision": "2", "stage": "basis", "sha256": sum}),
		src.Add("d", "role.revoke", map[string]string{"login": "someone-else"}),
		src.Add("d", "user.create", map[string]string{"login": "x"}),
	}
	h.Notify("d", rows[len(rows)-1].Seq)
	equal(t, "member", next(t, member, 5), seqs(rows[:5]...))
	equal(t, "public", next(t, public, 2), seqs(rows[3], rows[4]))
	// A public reader resuming from the start is replayed public events only.
	late := subscribe(t, h, "d", live.SubscribeOptions{Audience: live.Public, Resume: true})
	for _, want := range []live.Record{rows[3], rows[4]} {
		ev, err := late.Next(ctxT(t))
		if err != nil || ev.ID != want.Seq || ev.Data.Actor != "" {
			t.Fatalf("public replay: %+v %v, want event %d without its actor", ev, err, want.Seq)
		}
	}
	if _, err := h.Subscribe(ctxT(t), "d", live.SubscribeOptions{Audience: live.Internal}); err == nil {
		t.Error("an internal subscription was accepted")
	}
}

func TestRevokedMemberStreamEnds(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	ivanov := subscribe(t, h, "d", live.SubscribeOptions{Audience: live.Members, Login: "ivanov"})
	petrov := subscribe(t, h, "d", live.SubscribeOptions{Audience: live.Members, Login: "petrov"})
	public := subscribe(t, h, "d", live.SubscribeOptions{Audience: live.Public})
	r := src.Add("d", "role.revoke", map[string]string{"login": "ivanov", "role": "member"})
	h.Notify("d", r.Seq)
	if _, err := ivanov.Next(ctxT(t)); !errors.Is(err, live.ErrRevoked) {
		t.Fatalf("revoked member's stream: %v, want ErrRevoked", err)
	}
	a := src.Add("d", "adoption.create", map[string]string{"revision": "1", "stage": "final"})
	h.Notify("d", a.Seq)
	equal(t, "another member", next(t, petrov, 1), seqs(a))
	equal(t, "public", next(t, public, 1), seqs(a))

	h.EndUser("petrov")
	if _, err := petrov.Next(ctxT(t)); !errors.Is(err, live.ErrRevoked) {
		t.Fatalf("EndUser: %v, want ErrRevoked", err)
	}
}

func TestFarBehindGetsReset(t *testing.T) {
	src := livetest.NewSource()
	var last live.Record
	for i := range 30 {
		last = commit(src, "d", i+1)
	}
	h := newHub(t, src, live.Options{Batch: 4, MaxReplay: 10})
	s := subscribe(t, h, "d", live.SubscribeOptions{Resume: true, After: 1})
	ev, err := s.Next(ctxT(t))
	if err != nil || ev.Kind != live.Reset || ev.ID != last.Seq {
		t.Fatalf("first event %+v, %v; want a reset to %d", ev, err, last.Seq)
	}
	r := publish(src, "d", 31, h)
	equal(t, "after the reset", next(t, s, 1), seqs(r))
	// Within the bound it is replayed.
	s2 := subscribe(t, h, "d", live.SubscribeOptions{Resume: true, After: last.Seq - 8})
	got := next(t, s2, 9)
	if got[0] != last.Seq-7 || got[8] != r.Seq {
		t.Fatalf("replay within the bound: %v", got)
	}
}

func TestAheadOfThisInstance(t *testing.T) {
	// A browser that saw event n on an instance told sooner than this one
	// resumes here after n: this instance looks at once and never sends n
	// or anything before it again.
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	first := subscribe(t, h, "d", live.SubscribeOptions{}) // keeps the topic at its start
	seen := commit(src, "d", 1)                            // not notified here yet
	s := subscribe(t, h, "d", live.SubscribeOptions{Resume: true, After: seen.Seq})
	r := publish(src, "d", 2, h)
	equal(t, "resumed ahead", next(t, s, 1), seqs(r))
	equal(t, "the other", next(t, first, 2), seqs(seen, r))
}

func TestSourceOutage(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	boom := errors.New("connection refused")
	src.FailNext(1, boom)
	if _, err := h.Subscribe(ctxT(t), "d", live.SubscribeOptions{}); !errors.Is(err, live.ErrUnavailable) || !errors.Is(err, boom) {
		t.Fatalf("subscribe during an outage: %v, want ErrUnavailable wrapping the cause", err)
	}
	s := subscribe(t, h, "d", live.SubscribeOptions{})
	src.FailNext(1, boom)
	r1 := publish(src, "d", 1, h) // its read fails
	r2 := commit(src, "d", 2)
	h.PokeAll() // the next poll reads both
	equal(t, "after the outage", next(t, s, 2), seqs(r1, r2))
	if st := h.Stats(); st.SourceErrors != 2 {
		t.Errorf("source errors %d, want 2", st.SourceErrors)
	}
	src.FailNext(1, boom)
	if _, err := h.Subscribe(ctxT(t), "d", live.SubscribeOptions{Resume: true, After: 0}); !errors.Is(err, live.ErrUnavailable) {
		t.Fatalf("resume during an outage: %v, want ErrUnavailable", err)
	}
}

func TestCloseEndsEverything(t *testing.T) {
	src := livetest.NewSource()
	h := live.New(src, live.Options{})
	subs := []*live.Subscription{
		subscribe(t, h, "a", live.SubscribeOptions{}),
		subscribe(t, h, "a", live.SubscribeOptions{Audience: live.Public}),
		subscribe(t, h, "b", live.SubscribeOptions{}),
	}
	h.Close()
	h.Close()
	for i, s := range subs {
		if _, err := s.Next(ctxT(t)); !errors.Is(err, live.ErrClosed) {
			t.Errorf("subscription %d after Close: %v, want ErrClosed", i, err)
		}
		if !errors.Is(s.Err(), live.ErrClosed) {
			t.Errorf("Err = %v", s.Err())
		}
	}
	if _, err := h.Subscribe(ctxT(t), "a", live.SubscribeOptions{}); !errors.Is(err, live.ErrClosed) {
		t.Errorf("subscribe after Close: %v, want ErrClosed", err)
	}
}

func TestTopicsGoAwayWithTheirSubscribers(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	s := subscribe(t, h, "d", live.SubscribeOptions{})
	s2 := subscribe(t, h, "d", live.SubscribeOptions{})
	if st := h.Stats(); st.Topics != 1 || st.Subscribers != 2 {
		t.Fatalf("stats %+v", st)
	}
	s.Close()
	s.Close()
	s2.Close()
	if st := h.Stats(); st.Topics != 0 || st.Subscribers != 0 {
		t.Fatalf("after closing every subscription: %+v", st)
	}
	s3 := subscribe(t, h, "d", live.SubscribeOptions{})
	r := publish(src, "d", 1, h)
	equal(t, "a fresh topic", next(t, s3, 1), seqs(r))
}

// TestConcurrentSubscribersSeeEverything runs writers, notifications that
// are sometimes lost, polls, small queues that drop, and subscribers that
// leave and come back to one of two hubs at random; every subscriber's
// history, stitched across its reconnections, must be exactly the
// document's events after it started.
func TestConcurrentSubscribersSeeEverything(t *testing.T) {
	src := livetest.NewSource()
	hubs := []*live.Hub{
		newHub(t, src, live.Options{QueueLen: 3, Batch: 5}),
		newHub(t, src, live.Options{QueueLen: 3, Batch: 5}),
	}
	const events, readers = 300, 8
	start := commit(src, "d", 0)
	done := make(chan struct{})
	var wg sync.WaitGroup
	got := make([][]int64, readers)
	errs := make(chan error, readers)
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			cursor := start.Seq
			for {
				h := hubs[rng.IntN(2)]
				s, err := h.Subscribe(context.Background(), "d", live.SubscribeOptions{Resume: true, After: cursor})
				if err != nil {
					errs <- err
					return
				}
				budget := 1 + rng.IntN(40)
				for range budget {
					if len(got[i]) == events {
						break
					}
					ctx, cancel := context.WithTimeout(context.Background(), wait)
					ev, err := s.Next(ctx)
					cancel()
					if errors.Is(err, live.ErrSlow) {
						break
					}
					if err != nil {
						s.Close()
						errs <- err
						return
					}
					got[i] = append(got[i], ev.ID)
					cursor = ev.ID
					if rng.IntN(8) == 0 {
						time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond) // a busy reader
					}
				}
				s.Close()
				if len(got[i]) == events {
					return
				}
			}
		}()
	}
	var want []int64
	rng := rand.New(rand.NewPCG(99, 2))
	go func() {
		defer close(done)
		for {
			select {
			case <-time.After(time.Millisecond):
				for _, h := range hubs {
					h.PokeAll()
				}
			case <-done:
				return
			}
		}
	}()
	for i := range events {
		r := commit(src, "d", i+1)
		want = append(want, r.Seq)
		for _, h := range hubs {
			if rng.IntN(5) != 0 { // one notification in five is lost
				h.Notify("d", r.Seq)
			}
		}
		if rng.IntN(10) == 0 {
			src.Add("other", "revision.commit", nil)
		}
		// Paced, so that most events reach readers live rather than by
		// replay; the outcome does not depend on it.
		time.Sleep(200 * time.Microsecond)
	}
	wg.Wait()
	done <- struct{}{}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	for i := range readers {
		equal(t, fmt.Sprintf("reader %d", i), got[i], want)
	}
	for i, h := range hubs {
		t.Logf("hub %d: %+v", i, h.Stats())
	}
}
