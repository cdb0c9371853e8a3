package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"redline/internal/shell"
)

// discard is a ResponseWriter that keeps nothing, so that the test measures
// the handlers, not a recorder.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(status int)      { d.status = status }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }

// BenchmarkPublicPageAgainstBareGin (issue 18) measures how many requests
// the real Redline's public page of a 200 KB adopted text, cached, answers
// over loopback HTTP as a fraction of a bare Gin handler writing the same
// bytes, on the 200 path and on the 304 path (the target: at least 90%):
//
//	go test -run '^$' -bench PublicPageAgainstBareGin -benchtime 1x ./cmd/loadpublic/
//
// A benchmark, not a test: on a shared machine one round's ratio ranges
// from a quarter to twice the median, so the figure is read, not asserted;
// TestPublicPageWork asserts what does not depend on the machine's load. Both servers run in this process, each
// under shell.NewHTTPServer as serve runs Redline, and are loaded in turn
// by the same client (16 keep-alive connections) in interleaved rounds, so
// other work on the machine slows both alike: each round's ratio of its two back-to-back runs, the median
// of the rounds' ratios. It also logs what each costs called directly, without the
// network (the work that differs between them), for the record.
func BenchmarkPublicPageAgainstBareGin(b *testing.B) {
	t := b
	h, err := build(context.Background(), b.TempDir(), 200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
	serve := func(handler http.Handler) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := shell.NewHTTPServer(ln.Addr().String(), handler)
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		return "http://" + ln.Addr().String() + "/public/" + slug
	}
	realURL, bareURL := serve(h.real), serve(h.bare)
	const (
		rounds = 11
		conns  = 16
		run    = 200 * time.Millisecond
	)
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	load := func(url, etag string, want int) float64 {
		var ok atomic.Int64
		var bad atomic.Int64
		deadline := time.Now().Add(run)
		var wg sync.WaitGroup
		start := time.Now()
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8")
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				for time.Now().Before(deadline) {
					resp, err := client.Do(req)
					if err != nil {
						bad.Add(1)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == want {
						ok.Add(1)
					} else {
						bad.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if bad.Load() > 0 {
			t.Fatalf("%s: %d failed requests", url, bad.Load())
		}
		return float64(ok.Load()) / time.Since(start).Seconds()
	}
	cases := []struct {
		name    string
		url     string
		handler http.Handler
		etag    string
		want    int
	}{
		{"bare 200", bareURL, h.bare, "", 200},
		{"redline 200", realURL, h.real, "", 200},
		{"bare 304", bareURL, h.bare, h.etag, 304},
		{"redline 304", realURL, h.real, h.etag, 304},
	}
	for _, c := range cases { // warm up: connections, the page's cache
		load(c.url, c.etag, c.want)
	}
	rates := make([][]float64, len(cases))
	ratios := [2][]float64{}
	for range rounds {
		for i, c := range cases {
			rates[i] = append(rates[i], load(c.url, c.etag, c.want))
		}
		// Each round's pair ran back to back: its ratio is the least
		// disturbed by what else the machine did.
		ratios[0] = append(ratios[0], rates[1][len(rates[1])-1]/rates[0][len(rates[0])-1])
		ratios[1] = append(ratios[1], rates[3][len(rates[3])-1]/rates[2][len(rates[2])-1])
	}
	for i, c := range cases {
		t.Logf("%-12s %6.0f req/s over loopback (median of %d rounds: %.0f); called directly: %v per request",
			c.name, median(rates[i]), rounds, rates[i], direct(t, c.handler, c.etag, c.want))
	}
	for k, name := range []string{"200", "304"} {
		ratio := median(ratios[k])
		t.Logf("redline %s: %.0f%% of bare Gin's throughput (median of the rounds' ratios %.2f)", name, 100*ratio, ratios[k])
		b.ReportMetric(100*ratio, "%bare_"+name)
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// direct is the median time of a request to handler called directly.
func direct(t testing.TB, handler http.Handler, etag string, want int) time.Duration {
	const n = 2000
	req, _ := http.NewRequest(http.MethodGet, "http://redline.test/public/"+slug, nil)
	req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	w := &discard{h: http.Header{}}
	var times []time.Duration
	for range 5 {
		start := time.Now()
		for range n {
			clear(w.h)
			w.status = 0
			handler.ServeHTTP(w, req)
		}
		times = append(times, time.Since(start)/n)
		if w.status != want {
			t.Fatalf("status %d, want %d", w.status, want)
		}
	}
	slices.Sort(times)
	return times[2]
}

// TestPublicPageWork (issue 18): a cached public page answered in front of
// the shell's middleware allocates no more than a bare Gin handler writing
// the same bytes, plus the answer's own request id, on the 200 path and on
// the 304 path: the work per request, which unlike a throughput does not
// depend on what else the machine is doing. Before issue 18 the page went
// through every middleware (identification, a deadline, a body limit, a CSP
// nonce, the request log): 25 allocations per request on either path.
func TestPublicPageWork(t *testing.T) {
	h, err := build(context.Background(), t.TempDir(), 200)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.close)
	allocs := func(handler http.Handler, etag string, want int) float64 {
		req, _ := http.NewRequest(http.MethodGet, "http://redline.test/public/"+slug, nil)
		req.Header.Set("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.8")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		w := &discard{h: http.Header{}}
		n := testing.AllocsPerRun(500, func() {
			clear(w.h)
			handler.ServeHTTP(w, req)
		})
		if w.status != want {
			t.Fatalf("status %d, want %d", w.status, want)
		}
		return n
	}
	for _, c := range []struct {
		name string
		etag string
		want int
	}{{"200", "", 200}, {"304", h.etag, 304}} {
		bare, real := allocs(h.bare, c.etag, c.want), allocs(h.real, c.etag, c.want)
		t.Logf("%s: redline %.0f allocations per request, bare Gin %.0f", c.name, real, bare)
		if real > bare+2 {
			t.Errorf("%s: redline allocates %.0f times per request, bare Gin %.0f: the cached page is not answered in front of the middleware", c.name, real, bare)
		}
	}
}
