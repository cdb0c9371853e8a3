package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/live/livetest"
)

// The load test's size. make test runs it small (under the race detector);
// scripts/load-live.sh runs 500 clients at 20 events per second for 10 s.
var (
	loadClients = flag.Int("live.clients", 50, "load test: SSE clients")
	loadEvents  = flag.Int("live.events", 20, "load test: events published to them")
	loadRate    = flag.Int("live.rate", 20, "load test: events per second")
	loadRounds  = flag.Int("live.rounds", 1, "load test: rounds of (one client, then all clients), reported as medians")
)

// envLoadServer makes the test binary the load test's server.
const envLoadServer = "REDLINE_LIVE_LOAD_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(envLoadServer) != "" {
		os.Exit(loadServer())
	}
	os.Exit(m.Run())
}

// loadServer serves the streams of document "d" on a loopback port and
// obeys commands on standard input, one a line:
//
//	subs                 → the number of open subscriptions
//	publish N RATE       → publishes N events at RATE per second, then "ok"
//	stats                → the peak RSS in kB and the hub's counters
//
// It prints its address first, and exits when standard input closes.
func loadServer() int {
	src := livetest.NewSource()
	h := live.New(src, live.Options{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: streamHandler(h, live.StreamOptions{}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	out := bufio.NewWriter(os.Stdout)
	reply := func(format string, a ...any) {
		fmt.Fprintf(out, format+"\n", a...)
		out.Flush()
	}
	reply("%s", ln.Addr())
	in := bufio.NewScanner(os.Stdin)
	n := 0
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 1 && f[0] == "subs":
			reply("%d", h.Stats().Subscribers)
		case len(f) == 3 && f[0] == "publish":
			count, _ := strconv.Atoi(f[1])
			rate, _ := strconv.Atoi(f[2])
			tick := time.NewTicker(time.Second / time.Duration(rate))
			for range count {
				<-tick.C
				n++
				r := src.Append(live.Record{Document: "d", Kind: "revision.commit", At: time.Now(),
					Data: map[string]string{"number": strconv.Itoa(n)}})
				h.Notify("d", r.Seq)
			}
			tick.Stop()
			reply("ok")
		case len(f) == 1 && f[0] == "stats":
			st := h.Stats()
			reply("%d %d %d %d", peakRSS(), st.Delivered, st.Dropped, st.Replayed)
		default:
			reply("?")
		}
	}
	h.Close()
	_ = srv.Close()
	return 0
}

// peakRSS returns the process's peak resident set size in kB.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

type loadServerProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	url string
}

func (p *loadServerProc) ask(t *testing.T, cmd string) string {
	t.Helper()
	if _, err := fmt.Fprintln(p.in, cmd); err != nil {
		t.Fatal(err)
	}
	if !p.out.Scan() {
		t.Fatalf("server gone after %q: %v", cmd, p.out.Err())
	}
	return p.out.Text()
}

// loadResult is what one phase of the load test measured.
type loadResult struct {
	clients, events  int
	p50, p99, max    time.Duration
	reconnects       int
	dropped          int64
	peakRSSkB        int64
	deliveredPerSec  float64
	allReceivedInOrd bool
}

// runLoad connects clients to the server, publishes events at rate, and
// checks that every client receives every event once and in order.
func runLoad(t *testing.T, p *loadServerProc, clients, events, rate int) loadResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(events/rate+120)*time.Second)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}}
	defer client.CloseIdleConnections()

	type result struct {
		ids        []int64
		lat        []time.Duration
		reconnects int
		err        error
	}
	results := make([]result, clients)
	var ready, done sync.WaitGroup
	ready.Add(clients)
	done.Add(clients)
	for i := range clients {
		go func() {
			defer done.Done()
			r := &results[i]
			lastID := ""
			signalled := false
			for len(r.ids) < events {
				s, err := openStream(ctx, client, p.url, lastID)
				if err != nil {
					r.err = err
					break
				}
				if !signalled {
					if _, err := s.next(); err != nil { // the retry block: subscribed
						r.err = err
						s.Close()
						break
					}
					signalled = true
					ready.Done()
				}
				for len(r.ids) < events {
					ev, err := s.nextEvent()
					now := time.Now()
					if err != nil {
						r.reconnects++
						break
					}
					var pl live.Payload
					if err := json.Unmarshal([]byte(ev.Data), &pl); err != nil {
						r.err = err
						break
					}
					id, _ := strconv.ParseInt(ev.ID, 10, 64)
					r.ids = append(r.ids, id)
					r.lat = append(r.lat, now.Sub(pl.At))
					lastID = ev.ID
				}
				s.Close()
				if r.err != nil || ctx.Err() != nil {
					break
				}
			}
			if !signalled {
				ready.Done()
			}
		}()
	}
	ready.Wait()
	for {
		n, _ := strconv.Atoi(p.ask(t, "subs"))
		if n >= clients {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	began := time.Now()
	if got := p.ask(t, fmt.Sprintf("publish %d %d", events, rate)); got != "ok" {
		t.Fatalf("publish: %q", got)
	}
	done.Wait()
	elapsed := time.Since(began)
	stats := strings.Fields(p.ask(t, "stats"))
	res := loadResult{clients: clients, events: events, allReceivedInOrd: true}
	res.peakRSSkB, _ = strconv.ParseInt(stats[0], 10, 64)
	res.dropped, _ = strconv.ParseInt(stats[2], 10, 64)
	var all []time.Duration
	var want []int64
	for i := range results {
		r := results[i]
		if r.err != nil {
			t.Fatalf("client %d: %v", i, r.err)
		}
		if i == 0 {
			want = r.ids
		}
		if len(r.ids) != events || !slices.Equal(r.ids, want) {
			res.allReceivedInOrd = false
			t.Errorf("client %d received %d events, client 0 %d (want %d each, the same ones)", i, len(r.ids), len(want), events)
		}
		for j := 1; j < len(r.ids); j++ {
			if r.ids[j] <= r.ids[j-1] {
				res.allReceivedInOrd = false
				t.Errorf("client %d: event %d after %d", i, r.ids[j], r.ids[j-1])
			}
		}
		res.reconnects += r.reconnects
		all = append(all, r.lat...)
	}
	slices.Sort(all)
	if len(all) > 0 {
		res.p50 = all[len(all)/2]
		res.p99 = all[min(len(all)-1, len(all)*99/100)]
		res.max = all[len(all)-1]
	}
	res.deliveredPerSec = float64(len(all)) / elapsed.Seconds()
	return res
}

// TestLoad starts a server in a child process (so its peak RSS is its own),
// connects clients to one document's stream, publishes events at a steady
// rate, and checks that every client receives every event exactly once and
// in order. It first measures a single client the same way, as the anchor
// the latency is compared with.
func TestLoad(t *testing.T) {
	clients, events, rate := *loadClients, *loadEvents, *loadRate
	if clients < 1 || events < 1 || rate < 1 {
		t.Fatal("-live.clients, -live.events and -live.rate must be positive")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envLoadServer+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &loadServerProc{cmd: cmd, in: in, out: bufio.NewScanner(outPipe)}
	t.Cleanup(func() {
		in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(wait):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	if !p.out.Scan() {
		t.Fatalf("the server printed no address: %v", p.out.Err())
	}
	p.url = "http://" + p.out.Text() + "/"

	var anchors, loads []loadResult
	for round := range *loadRounds {
		anchors = append(anchors, runLoad(t, p, 1, events, rate))
		res := runLoad(t, p, clients, events, rate)
		loads = append(loads, res)
		if t.Failed() {
			return
		}
		if !res.allReceivedInOrd {
			t.Fatal("not every client received every event")
		}
		a := anchors[round]
		t.Logf("round %d: anchor (1 client) p50 %v p99 %v; %d clients p50 %v p99 %v max %v, %d deliveries/s, %d dropped, %d reconnects",
			round+1, a.p50, a.p99, clients, res.p50, res.p99, res.max, int(res.deliveredPerSec), res.dropped, res.reconnects)
	}
	med := func(rs []loadResult, f func(loadResult) time.Duration) time.Duration {
		v := make([]time.Duration, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	ap99 := med(anchors, func(r loadResult) time.Duration { return r.p99 })
	p50 := med(loads, func(r loadResult) time.Duration { return r.p50 })
	p99 := med(loads, func(r loadResult) time.Duration { return r.p99 })
	last := loads[len(loads)-1]
	t.Logf("load: %d clients, %d events at %d/s, %d round(s): every client received every event once and in order; "+
		"median p50 %v, median p99 %v (%.1f× the p99 of one client, %v); server peak RSS %.1f MiB",
		clients, events, rate, len(loads), p50, p99, float64(p99)/float64(max(ap99, 1)), ap99, float64(last.peakRSSkB)/1024)
}
