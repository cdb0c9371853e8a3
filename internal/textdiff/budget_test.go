package textdiff

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// peakHeap runs f and returns the largest heap in use seen while it ran
// (sampled every millisecond) and how long it took.
func peakHeap(f func()) (peak uint64, took time.Duration) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak = base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	})
	start := time.Now()
	f()
	took = time.Since(start)
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	return max(peak, ms.HeapInuse) - base, took
}

// shuffledWords returns n words of text in a random order.
func shuffledWords(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = corpusWords[r.IntN(len(corpusWords))]
	}
	return strings.Join(ws, " ")
}

// TestBudgets feeds Diff inputs built to be expensive and checks that each
// finishes within 2 s and 256 MB of heap, degrading where it must and not
// where it need not.
func TestBudgets(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	g1, g2 := newCorpusGen(7), newCorpusGen(8)
	oneParagraph := func(s string) string { return strings.ReplaceAll(s, "\n\n", "\n") }
	bigA := oneParagraph(g1.resolution(4 << 20))
	bigB := oneParagraph(g2.resolution(4 << 20))
	// bigA with a dozen words edited: one 4 MB paragraph, nearly unchanged.
	bigEdited := func() string {
		ls := strings.Split(bigA, "\n")
		for range 12 {
			k := r.IntN(len(ls))
			ls[k] = g1.editWords(ls[k], 1)
		}
		return strings.Join(ls, "\n")
	}()
	var tinyA, tinyB strings.Builder
	for i := 0; tinyA.Len() < 4<<20; i++ {
		tinyA.WriteString(strconv.Itoa(i) + "\n\n")
		tinyB.WriteString(strconv.Itoa(i*7+3) + "\n\n")
	}
	// Two paragraphs with the same words in different orders: similar enough
	// to be paired, as costly as a word diff within budget can be.
	shufA := shuffledWords(r, 2400)
	shufWords := strings.Fields(shufA)
	r.Shuffle(len(shufWords), func(i, j int) { shufWords[i], shufWords[j] = shufWords[j], shufWords[i] })
	shufB := strings.Join(shufWords, " ")
	var manyA, manyB strings.Builder
	for manyA.Len() < 1<<20 {
		p := shuffledWords(r, 150)
		ws := strings.Fields(p)
		r.Shuffle(len(ws), func(i, j int) { ws[i], ws[j] = ws[j], ws[i] })
		manyA.WriteString(p + "\n\n")
		manyB.WriteString(strings.Join(ws, " ") + "\n\n")
	}

	tests := []struct {
		name         string
		old, new     string
		mode         Mode
		wantDegraded bool
		check        func(t *testing.T, r *Result)
	}{
		{name: "4 MB one paragraph, different", old: bigA, new: bigB, wantDegraded: true},
		{name: "4 MB one paragraph, 12 words edited", old: bigA, new: bigEdited, wantDegraded: true,
			check: func(t *testing.T, r *Result) {
				// Degraded to lines first, but the changed lines are still
				// diffed word by word: a few words, not 4 MB.
				if r.Stats.WordsInserted > 40 || r.Stats.WordsDeleted > 40 {
					t.Errorf("edits shown too coarsely: %+v", r.Stats)
				}
			}},
		{name: "4 MB one paragraph, char mode", old: bigA, new: bigEdited, mode: ModeChar, wantDegraded: true},
		{name: "4 MB of one-line paragraphs", old: tinyA.String(), new: tinyB.String(), wantDegraded: true},
		{name: "shuffled paragraph pair", old: shufA, new: shufB},
		{name: "shuffled paragraph pair, char mode", old: shufA, new: shufB, mode: ModeChar, wantDegraded: true},
		{name: "1 MB of shuffled paragraphs", old: manyA.String(), new: manyB.String()},
		{name: "1 MB of shuffled paragraphs, char mode", old: manyA.String(), new: manyB.String(), mode: ModeChar, wantDegraded: true},
		{name: "4 MB, 10% changed", old: corpus4MB().base, new: corpus4MB().b},
		{name: "4 MB, different", old: corpus4MB().base, new: corpus4MB().d},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *Result
			peak, took := peakHeap(func() { res = Diff(tt.old, tt.new, raceOptions(tt.mode)) })
			t.Logf("%v, peak heap %.1f MB, degraded %v: %s", took.Round(time.Millisecond), float64(peak)/(1<<20), res.Degraded, res.DegradedReason)
			if res.OldText() != tt.old || res.NewText() != tt.new {
				t.Fatal("texts not reproduced")
			}
			// Budgets are counted in work, so only a gross guard on time: a
			// budget that stopped bounding the work shows as minutes.
			if took > 30*time.Second*raceSlowdown {
				t.Errorf("took %v, want well under 30 s", took)
			}
			if peak > 256<<20 {
				t.Errorf("peak heap %d MB, want at most 256 MB", peak>>20)
			}
			if res.Degraded != tt.wantDegraded {
				t.Errorf("degraded = %v, want %v", res.Degraded, tt.wantDegraded)
			}
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

type corpus4 struct{ base, b, d string }

var corpus4MB = sync.OnceValue(func() corpus4 {
	base, cases := corpus(2012, 4<<20)
	return corpus4{base, cases[1].text, cases[3].text}
})

// raceOptions are the default options for mode: budgets are counted in
// work, so the race detector changes how long Diff takes, never its Result.
func raceOptions(mode Mode) Options {
	return Options{Mode: mode}
}
