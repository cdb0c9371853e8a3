package reliability_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"redline/internal/drafting"
	"redline/internal/reliability"
	"redline/internal/testenv/stack"
)

// The history of the concurrency test, in porcupine's terms (see
// reliability.RevisionLog).
type (
	opIn  = reliability.LogInput
	opOut = reliability.LogOutput
)

var revisionLog = reliability.RevisionLog

// TestConcurrentCommitsLinearize: 32 clients on 4 documents, on PostgreSQL
// and MinIO, race to commit (compare-and-set on the head they last saw) and
// read heads, revision lists and texts; porcupine checks the recorded
// history against the append-only log, and the invariant checker that every
// acknowledged commit is kept. A lost update would be a commit acknowledged
// on a base that was not the head, or a read that misses one.
func TestConcurrentCommitsLinearize(t *testing.T) {
	const (
		clients = 32
		docs    = 4
		perCli  = 320 // 10 240 operations
	)
	ctx := context.Background()
	st := stack.New(t, "postgres+minio")
	svc := st.Service(t, drafting.Options{})
	admin := stack.MustUser(t, svc, "admin", true)
	slugs := make([]string, docs)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("doc-%d", i)
		if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: slugs[i], Title: "Документ"}); err != nil {
			t.Fatal(err)
		}
	}
	users := make([]drafting.User, clients)
	for i := range users {
		users[i] = stack.MustUser(t, svc, fmt.Sprintf("chair%d", i), false)
		stack.MustRole(t, svc, users[i].Login, drafting.RoleChair, slugs[i%docs])
	}
	acks := reliability.NewAckLog(nil)
	start := time.Now()
	clock := func() int64 { return time.Since(start).Nanoseconds() }
	var (
		mu        sync.Mutex
		history   []porcupine.Operation
		committed atomic.Int64
		conflicts atomic.Int64
	)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, slug := users[c], slugs[c%docs]
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			var seen int64 // the head this client last saw
			for i := range perCli {
				in := opIn{Doc: slug}
				var out opOut
				call := clock()
				switch r := rng.IntN(100); {
				case r < 45:
					text := fmt.Sprintf("Пункт %d клиента %d.\n", i, c)
					in.Kind, in.Base, in.SHA256 = "commit", seen, sum(text)
					rev, err := svc.Documents.Commit(ctx, &u, slug, seen, []byte(text), "")
					switch {
					case err == nil:
						out = opOut{OK: true, N: rev.Number}
						seen = rev.Number
						committed.Add(1)
						acks.Add(reliability.Ack{Op: reliability.OpCommit, Doc: slug, Number: rev.Number, SHA256: rev.SHA256})
					case drafting.ErrorKind(err) == drafting.KindConflict:
						head, _ := drafting.ErrorDetails(err)["head"].(int64)
						out = opOut{N: head}
						seen = head
						conflicts.Add(1)
					default:
						errs <- fmt.Errorf("client %d commit: %w", c, err)
						return
					}
				case r < 75:
					in.Kind = "head"
					v, err := svc.Documents.Get(ctx, &u, slug)
					if err != nil {
						errs <- fmt.Errorf("client %d read head: %w", c, err)
						return
					}
					if v.Head != nil {
						out = opOut{OK: true, N: v.Head.Number, SHA256: v.Head.SHA256}
						seen = v.Head.Number
					}
				case r < 90:
					in.Kind = "list"
					rs, err := svc.Documents.Revisions(ctx, &u, slug, 20, 0)
					if err != nil {
						errs <- fmt.Errorf("client %d list: %w", c, err)
						return
					}
					out.OK = true
					for _, r := range rs {
						out.SHA256s = append(out.SHA256s, r.SHA256)
					}
				default:
					if seen == 0 {
						continue
					}
					in.Kind, in.Base = "text", seen-int64(rng.IntN(int(min(seen, 5))))
					_, b, err := svc.Documents.Text(ctx, &u, slug, in.Base)
					if err != nil {
						errs <- fmt.Errorf("client %d read text: %w", c, err)
						return
					}
					out = opOut{OK: true, SHA256: sum(string(b))}
				}
				ret := clock()
				mu.Lock()
				history = append(history, porcupine.Operation{ClientId: c, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	res := porcupine.CheckOperationsTimeout(revisionLog, history, 60*time.Second)
	t.Logf("%d operations (%d commits, %d stale-base conflicts) from %d clients on %d documents in %s (%.0f ops/s); porcupine: %s",
		len(history), committed.Load(), conflicts.Load(), clients, docs, elapsed.Round(time.Millisecond),
		float64(len(history))/elapsed.Seconds(), res)
	if len(history) < 10000 {
		t.Fatalf("only %d operations", len(history))
	}
	if res != porcupine.Ok {
		t.Fatalf("the history is not linearizable against the revision log (%s)", res)
	}
	rep, err := reliability.Check(ctx, st.DB, st.Blobs, acks.Acks())
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, v := range rep.Violations {
		if v.Invariant == reliability.InvAckLost {
			lost++
		}
	}
	t.Logf("lost updates: %d of %d acknowledged commits; violations: %d", lost, rep.Acks, len(rep.Violations))
	if len(rep.Violations) > 0 {
		t.Fatalf("violations: %v", rep.Violations)
	}
	if rep.Revisions != int(committed.Load()) {
		t.Fatalf("%d revisions stored, %d commits acknowledged", rep.Revisions, committed.Load())
	}
}

// TestLinearizabilityModelCatchesLostUpdate feeds the model the histories a
// broken compare-and-set would produce, so the check above cannot pass
// vacuously.
func TestLinearizabilityModelCatchesLostUpdate(t *testing.T) {
	op := func(c int, in opIn, out opOut, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: in, Output: out, Call: call, Return: ret}
	}
	bad := map[string][]porcupine.Operation{
		"two commits on one base both succeed": {
			op(0, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "a"}, opOut{OK: true, N: 1}, 0, 10),
			op(1, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "b"}, opOut{OK: true, N: 1}, 1, 11),
		},
		"a read after an acknowledged commit misses it": {
			op(0, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "a"}, opOut{OK: true, N: 1}, 0, 10),
			op(1, opIn{Doc: "d", Kind: "head"}, opOut{}, 20, 30),
		},
		"a list skips a revision": {
			op(0, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "a"}, opOut{OK: true, N: 1}, 0, 10),
			op(0, opIn{Doc: "d", Kind: "commit", Base: 1, SHA256: "b"}, opOut{OK: true, N: 2}, 11, 20),
			op(1, opIn{Doc: "d", Kind: "list"}, opOut{OK: true, SHA256s: []string{"b"}}, 30, 40),
		},
		"a conflict names a head that never was": {
			op(0, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "a"}, opOut{OK: true, N: 1}, 0, 10),
			op(1, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "b"}, opOut{N: 7}, 20, 30),
		},
	}
	for name, h := range bad {
		if porcupine.CheckOperations(revisionLog, h) {
			t.Errorf("%s: the model accepted it", name)
		}
	}
	good := []porcupine.Operation{
		op(0, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "a"}, opOut{OK: true, N: 1}, 0, 10),
		op(1, opIn{Doc: "d", Kind: "commit", Base: 0, SHA256: "b"}, opOut{N: 1}, 5, 15),
		op(2, opIn{Doc: "d", Kind: "list"}, opOut{OK: true, SHA256s: []string{"a"}}, 16, 20),
	}
	if !porcupine.CheckOperations(revisionLog, good) {
		t.Error("the model refused a correct history")
	}
}
