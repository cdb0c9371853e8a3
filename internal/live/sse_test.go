package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/live/livetest"
)

// streamServer serves the stream of the document named by ?doc= (default
// "d") for members, as the API's handler will after authenticating.
func streamServer(t *testing.T, h *live.Hub, o live.StreamOptions) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(streamHandler(h, o))
	srv.Config.RegisterOnShutdown(h.Close)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func streamHandler(h *live.Hub, o live.StreamOptions) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc := r.URL.Query().Get("doc")
		if doc == "" {
			doc = "d"
		}
		err := h.ServeStream(w, r, doc, o)
		switch {
		case errors.Is(err, live.ErrBadEventID):
			http.Error(w, "invalid_event_id", http.StatusBadRequest)
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}
	})
}

func open(t *testing.T, url, lastID string) *stream {
	t.Helper()
	s, err := openStream(ctxT(t), http.DefaultClient, url, lastID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// events reads n events (skipping heartbeats) and returns their IDs.
func events(t *testing.T, s *stream, n int) []int64 {
	t.Helper()
	var ids []int64
	for range n {
		ev, err := s.nextEvent()
		if err != nil {
			t.Fatalf("after %v: %v", ids, err)
		}
		id, err := strconv.ParseInt(ev.ID, 10, 64)
		if err != nil {
			t.Fatalf("event id %q: %v", ev.ID, err)
		}
		ids = append(ids, id)
	}
	return ids
}

// waitFor polls cond until it holds; the bound only turns a hang into a
// failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStreamFrames(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	srv := streamServer(t, h, live.StreamOptions{Retry: 2500 * time.Millisecond})
	s := open(t, srv.URL, "")
	if got := s.resp.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q", got)
	}
	first, err := s.next()
	if err != nil || first.Retry != "2500" {
		t.Fatalf("first block %+v, %v; want retry: 2500", first, err)
	}
	r := src.Add("d", "proposal.create", map[string]string{"number": "3", "title": "Поправка\nк пункту 11 </script>", "base": "2"})
	h.Notify("d", r.Seq)
	ev, err := s.nextEvent()
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID != strconv.FormatInt(r.Seq, 10) || ev.Event != "proposal.opened" {
		t.Fatalf("event %+v", ev)
	}
	var p live.Payload
	if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
		t.Fatalf("data %q: %v", ev.Data, err)
	}
	if p.Proposal != 3 || p.Base != 2 || p.Title != "Поправка\nк пункту 11 </script>" {
		t.Errorf("payload %+v", p)
	}
}

func TestStreamResume(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	srv := streamServer(t, h, live.StreamOptions{})
	rendered := commit(src, "d", 1) // the page was rendered at this event
	var all []live.Record
	for i := range 2 {
		all = append(all, commit(src, "d", i+2)) // between render and connect
	}
	s := open(t, srv.URL+"?last_event_id="+strconv.FormatInt(rendered.Seq, 10), "")
	for i := range 2 {
		all = append(all, publish(src, "d", i+4, h))
	}
	got := events(t, s, 3)
	s.Close() // disconnected after three ...
	waitFor(t, "the server to notice the disconnect", func() bool { return h.Stats().Subscribers == 0 })
	for i := range 3 {
		all = append(all, commit(src, "d", i+6))
	}
	// ... the browser reconnects to the same URL with Last-Event-ID, which
	// wins over the parameter.
	s2 := open(t, srv.URL+"?last_event_id="+strconv.FormatInt(rendered.Seq, 10), strconv.FormatInt(got[2], 10))
	got = append(got, events(t, s2, 4)...)
	last := publish(src, "d", 9, h)
	got = append(got, events(t, s2, 1)...)
	equal(t, "events across the reconnect", got, append(seqs(all...), last.Seq))
}

func TestStreamBadEventID(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	srv := streamServer(t, h, live.StreamOptions{})
	for _, bad := range []string{"-1", "abc", "1 2", "01", "99999999999999999999", "1e3", "+5"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Last-Event-ID", bad)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Errorf("Last-Event-ID %q: %d %s, want 400 before any stream", bad, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	resp, err := http.Get(srv.URL + "?last_event_id=x&last_event_id=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two last_event_id parameters: %d, want 400", resp.StatusCode)
	}
	if st := h.Stats(); st.Topics != 0 {
		t.Errorf("a refused request left %d topics", st.Topics)
	}
}

func TestStreamUnavailable(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	srv := streamServer(t, h, live.StreamOptions{})
	src.FailNext(1, errors.New("database down"))
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("during an outage: %d, want 503", resp.StatusCode)
	}
}

func TestStreamHeartbeat(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	tick := make(chan time.Time)
	srv := streamServer(t, h, live.WithTicker(live.StreamOptions{}, tick))
	s := open(t, srv.URL, "")
	if ev, err := s.next(); err != nil || ev.Retry == "" {
		t.Fatalf("first block %+v %v", ev, err)
	}
	for range 3 {
		tick <- time.Now()
		ev, err := s.next()
		if err != nil || !ev.Comment {
			t.Fatalf("after a tick: %+v, %v; want a comment", ev, err)
		}
	}
	r := publish(src, "d", 1, h)
	equal(t, "an event after heartbeats", events(t, s, 1), seqs(r))
}

func TestStreamOutlivesServerWriteTimeout(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	srv := httptest.NewUnstartedServer(streamHandler(h, live.StreamOptions{}))
	srv.Config.WriteTimeout = 100 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	s := open(t, srv.URL, "")
	time.Sleep(300 * time.Millisecond) // past the server's WriteTimeout
	r := publish(src, "d", 1, h)
	equal(t, "an event after the server's write timeout", events(t, s, 1), seqs(r))
}

func TestStreamMaxAge(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{})
	srv := streamServer(t, h, live.StreamOptions{MaxAge: 50 * time.Millisecond})
	s := open(t, srv.URL, "")
	for {
		_, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestShutdownEndsAllStreams(t *testing.T) {
	src := livetest.NewSource()
	h := live.New(src, live.Options{})
	srv := streamServer(t, h, live.StreamOptions{})
	var streams []*stream
	for i := range 5 {
		s := open(t, srv.URL+"?doc=d"+strconv.Itoa(i%2), "")
		if _, err := s.next(); err != nil {
			t.Fatal(err)
		}
		streams = append(streams, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.Config.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with open streams: %v", err)
	}
	for i, s := range streams {
		if _, err := s.next(); err != io.EOF {
			t.Errorf("stream %d after shutdown: %v, want the end of the stream", i, err)
		}
	}
}

// smallBuffers makes a listener whose connections have a small send buffer,
// so a client that stops reading blocks the server's writes after a few
// kilobytes instead of megabytes.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		_ = c.(*net.TCPConn).SetWriteBuffer(4096)
	}
	return c, err
}

func TestStreamSlowClientDropped(t *testing.T) {
	src := livetest.NewSource()
	h := newHub(t, src, live.Options{QueueLen: 8})
	srv := httptest.NewUnstartedServer(streamHandler(h, live.StreamOptions{WriteTimeout: 200 * time.Millisecond}))
	srv.Listener = smallBuffers{srv.Listener}
	srv.Start()
	t.Cleanup(srv.Close)

	slowClient := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{
		Control: func(_, _ string, c syscall.RawConn) error {
			var err error
			_ = c.Control(func(fd uintptr) {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048)
			})
			return err
		},
	}).DialContext}}
	slow, err := openStream(ctxT(t), slowClient, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast := open(t, srv.URL, "")
	waitFor(t, "both subscribers", func() bool { return h.Stats().Subscribers == 2 })

	// Publish in step with the fast client, with payloads of a few hundred
	// bytes, until the slow one, which reads nothing, is dropped.
	title := strings.Repeat("поправка ", 20)
	var all []live.Record
	for i := 0; h.Stats().Dropped == 0; i++ {
		if i == 20000 {
			t.Fatal("the slow client was never dropped")
		}
		r := src.Add("d", "proposal.create", map[string]string{"number": strconv.Itoa(i + 1), "title": title})
		h.Notify("d", r.Seq)
		all = append(all, r)
		equal(t, "fast client", events(t, fast, 1), seqs(r))
	}
	for i := range 10 {
		r := publish(src, "d", i, h)
		all = append(all, r)
		equal(t, "fast client after the drop", events(t, fast, 1), seqs(r))
	}
	if st := h.Stats(); st.Dropped != 1 || st.Subscribers != 1 {
		t.Fatalf("stats %+v: want exactly the slow client dropped", st)
	}
	// The slow client finally reads: what reached it, in order, then the
	// end of the stream; it resumes from there and misses nothing.
	var got []int64
	for {
		ev, err := slow.nextEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		id, _ := strconv.ParseInt(ev.ID, 10, 64)
		got = append(got, id)
	}
	if len(got) == 0 || len(got) >= len(all) {
		t.Fatalf("the slow client read %d of %d events before its stream ended", len(got), len(all))
	}
	again := open(t, srv.URL, strconv.FormatInt(got[len(got)-1], 10))
	got = append(got, events(t, again, len(all)-len(got))...)
	equal(t, "slow client after resuming", got, seqs(all...))
}
