// Command redline-load drives a running Redline with virtual users for a
// fixed time on loopback: 80% reads (drafts and adopted texts), 15% commits
// and proposals, 4% comments, 1% approvals and adoptions. It records every
// acknowledged write in an ack log for `redline verify --log`, and reports
// throughput, p50/p99 latency per kind, errors and the server's peak RSS.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"redline/internal/reliability"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type stats struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	errors    map[string]int
	conflicts map[string]int
}

func (s *stats) add(kind string, d time.Duration, r reliability.Response, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latencies[kind] = append(s.latencies[kind], d)
	switch {
	case err != nil || r.Status >= 500 || r.Status == 0:
		s.errors[kind]++
	case r.Status == http.StatusConflict:
		s.conflicts[kind]++
	case r.Status >= 400:
		s.errors[kind]++
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("redline-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "http://127.0.0.1:8080", "Redline's address (loopback)")
	adminToken := fs.String("admin-token", "", "an administrator's API token (creates the documents and appoints chairs)")
	tokensFile := fs.String("tokens", "", `file of "login token" lines, one per virtual user`)
	users := fs.Int("users", 50, "virtual users")
	docs := fs.Int("docs", 8, "documents")
	duration := fs.Duration("duration", 3*time.Minute, "how long to run")
	acksFile := fs.String("acks", "acks.jsonl", "where to write the ack log")
	pid := fs.Int("pid", 0, "the server's process id, for its peak RSS")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !strings.HasPrefix(*base, "http://127.0.0.1:") && !strings.HasPrefix(*base, "http://localhost:") {
		fmt.Fprintln(stderr, "redline-load: -base must be a loopback address")
		return 2
	}
	vus, err := readTokens(*tokensFile)
	if err != nil || len(vus) < *users {
		fmt.Fprintf(stderr, "redline-load: -tokens: need %d users: %v\n", *users, err)
		return 2
	}
	af, err := os.Create(*acksFile)
	if err != nil {
		fmt.Fprintf(stderr, "redline-load: -acks: %v\n", err)
		return 1
	}
	defer af.Close()
	bw := bufio.NewWriter(af)
	acks := reliability.NewAckLog(bw)
	ctx := context.Background()
	hc := reliability.NewHTTPClient(30 * time.Second)
	hc.Transport.(*http.Transport).MaxIdleConnsPerHost = *users
	admin := &reliability.Client{Base: *base, Token: *adminToken, HTTP: hc, Acks: acks}
	slugs, err := setup(ctx, admin, vus[:*users], *docs)
	if err != nil {
		fmt.Fprintf(stderr, "redline-load: setup: %v\n", err)
		return 1
	}
	st := &stats{latencies: map[string][]time.Duration{}, errors: map[string]int{}, conflicts: map[string]int{}}
	start := time.Now()
	end := start.Add(*duration)
	var wg sync.WaitGroup
	for i := range *users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &reliability.Client{Base: *base, Token: vus[i][1], Login: vus[i][0], HTTP: hc, Acks: acks}
			vu(ctx, c, slugs, uint64(i), end, st)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(stdout, st, elapsed, *users, len(acks.Acks()), *pid)
	if err := errors.Join(acks.Err(), bw.Flush(), af.Sync()); err != nil {
		fmt.Fprintf(stderr, "redline-load: write acks: %v\n", err)
		return 1
	}
	return 0
}

func readTokens(name string) ([][2]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			out = append(out, [2]string{f[0], f[1]})
		}
	}
	return out, nil
}

// baseText is a ~10 KB resolution of 40 paragraphs.
func baseText() string {
	var b strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "%d. Участники конференции по государственной поддержке инновационных кластеров рекомендуют органам власти субъектов поддержать проекты кластера № %d.\n\n", i, i)
	}
	return b.String()
}

// setup creates the documents, makes every virtual user their chair, and
// adopts revision 1 of each (as the first user) so adopted texts can be read.
func setup(ctx context.Context, admin *reliability.Client, vus [][2]string, docs int) ([]string, error) {
	chair := &reliability.Client{Base: admin.Base, Token: vus[0][1], Login: vus[0][0], HTTP: admin.HTTP, Acks: admin.Acks}
	stamp := time.Now().Format("150405")
	var slugs []string
	for d := range docs {
		slug := fmt.Sprintf("load-%s-%d", stamp, d)
		r, err := admin.Do(ctx, "POST", "/api/v1/documents", map[string]any{"slug": slug, "title": "Итоговый документ", "text": baseText()})
		if err != nil || r.Status != http.StatusCreated {
			return nil, fmt.Errorf("create %s: %v %d %s", slug, err, r.Status, r.Body)
		}
		for _, u := range vus {
			r, err := admin.Do(ctx, "PUT", "/api/v1/documents/"+slug+"/members/"+u[0], map[string]any{"role": "chair"})
			if err != nil || r.Status >= 300 {
				return nil, fmt.Errorf("appoint %s: %v %d %s", u[0], err, r.Status, r.Body)
			}
		}
		_, sum, _, err := chair.Head(ctx, slug)
		if err != nil {
			return nil, err
		}
		if r, err := chair.Approve(ctx, slug, 1, sum); err != nil || r.Status != http.StatusCreated {
			return nil, fmt.Errorf("approve %s/1: %v %d %s", slug, err, r.Status, r.Body)
		}
		if r, err := chair.Adopt(ctx, slug, 1, "basis"); err != nil || r.Status != http.StatusCreated {
			return nil, fmt.Errorf("adopt %s/1: %v %d %s", slug, err, r.Status, r.Body)
		}
		slugs = append(slugs, slug)
	}
	return slugs, nil
}

// vu is one virtual user's loop.
func vu(ctx context.Context, c *reliability.Client, slugs []string, seed uint64, end time.Time, st *stats) {
	rng := rand.New(rand.NewPCG(seed, 42))
	text := baseText()
	for time.Now().Before(end) {
		slug := slugs[rng.IntN(len(slugs))]
		p := rng.IntN(100)
		t0 := time.Now()
		var (
			r    reliability.Response
			err  error
			kind string
		)
		switch {
		case p < 55:
			kind = "read-draft"
			var head int64
			head, _, r, err = c.Head(ctx, slug)
			if err == nil && head > 0 {
				r, err = c.Text(ctx, slug, head)
			}
		case p < 80:
			kind = "read-adopted"
			r, err = c.Adopted(ctx, slug)
			if err == nil && r.Status == http.StatusOK {
				r, err = c.Do(ctx, "GET", "/api/v1/public/documents/"+slug+"/download/1.txt", nil)
			}
		case p < 90:
			kind = "commit"
			var head int64
			head, _, r, err = c.Head(ctx, slug)
			if err == nil {
				_, _, r, err = c.Commit(ctx, slug, head, edit(text, rng))
			}
		case p < 95:
			kind = "proposal"
			var head int64
			head, _, r, err = c.Head(ctx, slug)
			if err == nil {
				_, r, err = c.Propose(ctx, slug, head, edit(text, rng), "Поправка")
			}
		case p < 99:
			kind = "comment"
			var head int64
			head, _, r, err = c.Head(ctx, slug)
			if err == nil {
				_, r, err = c.Comment(ctx, slug, head, "Предлагаю уточнить формулировку.", nil)
			}
		default:
			kind = "approve+adopt"
			var (
				head int64
				sum  string
			)
			head, sum, r, err = c.Head(ctx, slug)
			if err == nil {
				r, err = c.Approve(ctx, slug, head, sum)
				if err == nil && r.Status == http.StatusCreated {
					r, err = c.Adopt(ctx, slug, head, "basis")
				}
			}
		}
		st.add(kind, time.Since(t0), r, err)
	}
}

// edit changes one paragraph of text.
func edit(text string, rng *rand.Rand) string {
	paras := strings.Split(text, "\n\n")
	i := rng.IntN(len(paras) - 1)
	paras[i] += fmt.Sprintf(" Поправка %d.", rng.IntN(1_000_000))
	return strings.Join(paras, "\n\n")
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func report(w io.Writer, st *stats, elapsed time.Duration, users, acks, pid int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	total := 0
	kinds := make([]string, 0, len(st.latencies))
	for k, ds := range st.latencies {
		kinds = append(kinds, k)
		total += len(ds)
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "%d virtual users, %s: %d operations, %.1f ops/s, %d acknowledged writes\n",
		users, elapsed.Round(time.Second), total, float64(total)/elapsed.Seconds(), acks)
	fmt.Fprintf(w, "%-14s %8s %9s %9s %8s %9s\n", "kind", "ops", "p50", "p99", "errors", "409s")
	for _, k := range kinds {
		ds := st.latencies[k]
		fmt.Fprintf(w, "%-14s %8d %9s %9s %8d %9d\n", k, len(ds), pct(ds, 0.50).Round(100*time.Microsecond),
			pct(ds, 0.99).Round(100*time.Microsecond), st.errors[k], st.conflicts[k])
	}
	if pid > 0 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "VmHWM:") || strings.HasPrefix(l, "VmRSS:") {
					fmt.Fprintf(w, "server %s\n", strings.Join(strings.Fields(l), " "))
				}
			}
		}
	}
}
