package main

// --- issue 17: load on the live streams of a real server on PostgreSQL ---

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The load's size: make test runs it small (under the race detector);
// scripts/load-live.sh runs 500 clients at 20 events per second.
var (
	liveLoadClients = flag.Int("liveload.clients", 40, "live load test: SSE clients")
	liveLoadEvents  = flag.Int("liveload.events", 40, "live load test: events written")
	liveLoadRate    = flag.Int("liveload.rate", 20, "live load test: events per second")
)

// TestLiveLoad: a redline serve process on PostgreSQL (without the race
// detector) with N members' event streams open on one document, while a
// chair moves the hall's item at RATE per second through the API: every
// client receives every event, once and in order. It reports the delivery
// latency (from the event's time, set before its commit, to its arrival)
// at p50 and p99 over every client and event, and the server's peak RSS.
func TestLiveLoad(t *testing.T) {
	clients, events, rate := *liveLoadClients, *liveLoadEvents, *liveLoadRate
	f := newLiveFixture(t)
	bin, env := serverBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(append(os.Environ(), env...), "REDLINE_DATABASE_URL="+f.url, "REDLINE_S3_ENDPOINT=",
		"REDLINE_DATA_DIR="+f.dir, "REDLINE_LOG_LEVEL=warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	baseCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				baseCh <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-baseCh:
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not start within 60 s")
	}

	tr := &http.Transport{MaxIdleConnsPerHost: clients + 10, DialContext: (&net.Dialer{}).DialContext}
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		ids       []int64
		latencies []time.Duration
		err       error
	}
	results := make([]result, clients)
	var opened, done sync.WaitGroup
	opened.Add(clients)
	done.Add(clients)
	for i := range clients {
		go func() {
			defer done.Done()
			r := &results[i]
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/documents/itogi/events/stream", nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens["anna"])
			resp, err := client.Do(req)
			opened.Done()
			if err != nil {
				r.err = err
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				r.err = fmt.Errorf("status %d", resp.StatusCode)
				return
			}
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				now := time.Now()
				var p struct {
					At   time.Time `json:"at"`
					Item string    `json:"item"`
				}
				if json.Unmarshal([]byte(data), &p) != nil || p.Item == "" {
					continue
				}
				var id int64
				fmt.Sscan(strings.TrimPrefix(p.Item, "load-"), &id)
				r.ids = append(r.ids, id)
				r.latencies = append(r.latencies, now.Sub(p.At))
				if len(r.ids) == events {
					return
				}
			}
			r.err = fmt.Errorf("stream ended after %d events: %v", len(r.ids), sc.Err())
		}()
	}
	opened.Wait()
	// Every stream answered 200: each subscribed before its headers.
	time.Sleep(time.Second)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	start := time.Now()
	for i := 1; i <= events; i++ {
		<-tick.C
		if code, out := f.call(t, base, "chair", "PUT", "/api/v1/documents/itogi/hall", map[string]any{"item": fmt.Sprintf("load-%d", i)}); code != http.StatusOK {
			t.Fatalf("event %d: %d %v", i, code, out)
		}
	}
	tick.Stop()
	wrote := time.Since(start)
	waited := make(chan struct{})
	go func() { done.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(120 * time.Second):
		cancel()
		<-waited
	}
	var all []time.Duration
	want := make([]int64, events)
	for i := range want {
		want[i] = int64(i + 1)
	}
	for i, r := range results {
		if r.err != nil || !slices.Equal(r.ids, want) {
			t.Fatalf("client %d got %d of %d events (%v), err %v", i, len(r.ids), events, r.ids, r.err)
		}
		all = append(all, r.latencies...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))] }
	rss := peakRSS(t, cmd.Process.Pid)
	t.Logf("live load: %d clients × %d events at %d/s (written in %v) on PostgreSQL: every client got every event in order; latency p50 %v, p99 %v, max %v; server peak RSS %.1f MiB",
		clients, events, rate, wrote.Round(time.Millisecond), pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
		all[len(all)-1].Round(time.Millisecond), float64(rss)/(1<<20))
}
