package textdiff

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// expensivePairs are inputs whose Result depends on the budgets: the ones a
// time limit used to make depend on the machine's load.
func expensivePairs() []struct {
	name     string
	old, new string
	mode     Mode
} {
	r := rand.New(rand.NewPCG(3, 4))
	var manyA, manyB strings.Builder
	for manyA.Len() < 512<<10 {
		p := shuffledWords(r, 150)
		ws := strings.Fields(p)
		r.Shuffle(len(ws), func(i, j int) { ws[i], ws[j] = ws[j], ws[i] })
		manyA.WriteString(p + "\n\n")
		manyB.WriteString(strings.Join(ws, " ") + "\n\n")
	}
	c := corpus4MB()
	return []struct {
		name     string
		old, new string
		mode     Mode
	}{
		{"shuffled paragraphs, char mode", manyA.String(), manyB.String(), ModeChar},
		{"shuffled paragraphs, word mode", manyA.String(), manyB.String(), ModeWord},
		{"4 MB, 10% changed, char mode", c.base, c.b, ModeChar},
	}
}

func renderJSON(t *testing.T, r *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDeterministicUnderLoad runs the same diffs with the CPU to themselves
// and then starved (GOMAXPROCS=1 and a goroutine that never stops working)
// and wants byte-identical output: budgets are counted in work.
func TestDeterministicUnderLoad(t *testing.T) {
	pairs := expensivePairs()
	want := make([][]byte, len(pairs))
	degraded := false
	for k, p := range pairs {
		r := Diff(p.old, p.new, Options{Mode: p.mode})
		degraded = degraded || r.Degraded
		want[k] = renderJSON(t, r)
	}
	if !degraded {
		t.Fatal("no pair hit a budget: the test would not notice a time limit")
	}

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			x := uint64(1)
			for !stop.Load() {
				for range 1000 {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
			_ = x
		})
	}
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	for k, p := range pairs {
		got := renderJSON(t, Diff(p.old, p.new, Options{Mode: p.mode}))
		if !bytes.Equal(got, want[k]) {
			t.Errorf("%s: output differs on a starved CPU (%d vs %d bytes)", p.name, len(got), len(want[k]))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		r, err := DiffContext(ctx, p.old, p.new, Options{Mode: p.mode})
		cancel()
		if err != nil {
			t.Fatalf("%s: DiffContext: %v", p.name, err)
		}
		if got := renderJSON(t, r); !bytes.Equal(got, want[k]) {
			t.Errorf("%s: DiffContext's output differs from Diff's", p.name)
		}
	}
}

// TestDiffContextCancelled: a request whose time is up is an error, never a
// coarser Result.
func TestDiffContextCancelled(t *testing.T) {
	p := expensivePairs()[0]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r, err := DiffContext(ctx, p.old, p.new, Options{Mode: p.mode}); !errors.Is(err, context.Canceled) || r != nil {
		t.Fatalf("DiffContext after cancel = %v, %v; want nil, context.Canceled", r != nil, err)
	}
	ctx, cancel = context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	r, err := DiffContext(ctx, p.old, p.new, Options{Mode: p.mode})
	switch {
	case err == nil:
		// Finished within the millisecond: then it is Diff's own Result.
		if !bytes.Equal(renderJSON(t, r), renderJSON(t, Diff(p.old, p.new, Options{Mode: p.mode}))) {
			t.Fatal("DiffContext finished but differs from Diff")
		}
	case !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("DiffContext past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

// TestCacheKey: everything that decides a Result is in the key.
func TestCacheKey(t *testing.T) {
	keys := map[string]Options{}
	for _, o := range []Options{{}, {Mode: ModeChar}, {Mode: ModeLine}, {MaxPairCost: 10}, {MaxTotalCost: 10}, {MaxAlignCost: 10}} {
		k := o.CacheKey()
		if prev, ok := keys[k]; ok {
			t.Errorf("%+v and %+v share the key %q", prev, o, k)
		}
		keys[k] = o
		if !strings.Contains(k, "e"+EngineVersion) {
			t.Errorf("key %q lacks the engine version", k)
		}
	}
	if (Options{}).CacheKey() != (Options{Mode: ModeWord, MaxPairCost: DefaultMaxPairCost}).CacheKey() {
		t.Error("defaults spelled out change the key")
	}
}

// TestNormalizeNewlines: CRLF against LF is no change once normalised; a
// lone CR is left for the caller to refuse.
func TestNormalizeNewlines(t *testing.T) {
	lf := "Статья 1.\n\nТекст статьи.\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	if got := NormalizeNewlines(crlf); got != lf {
		t.Fatalf("NormalizeNewlines(%q) = %q", crlf, got)
	}
	if r := Diff(lf, NormalizeNewlines(crlf), Options{}); r.Stats != (Stats{}) {
		t.Fatalf("CRLF against LF: %+v", r.Stats)
	}
	if got := NormalizeNewlines("a\rb"); got != "a\rb" {
		t.Fatalf("lone CR changed: %q", got)
	}
}
