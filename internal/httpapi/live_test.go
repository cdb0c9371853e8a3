package httpapi_test

// --- issue 17 ---

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/live"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
)

// liveServer is a real HTTP server over the API and the live routes, with
// the server's and the shell's timeouts cut to a second, so that a stream
// outliving them shows they do not apply to it.
type liveServer struct {
	t      *testing.T
	url    string
	svc    *drafting.Service
	st     *stack.Stack
	tokens map[string]string
}

func newLiveServer(t *testing.T, backend string, opt httpapi.LiveOptions) *liveServer {
	t.Helper()
	st := stack.New(t, backend)
	svc := st.Service(t, drafting.Options{})
	sh, err := shell.New(svc, shell.Options{RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	httpapi.Mount(sh, svc)
	hub := live.New(st.DB.LiveSource(), live.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_ = st.DB.WatchEvents(ctx, func(doc string, seq int64) {
			if doc == "" {
				hub.PokeAll()
			} else {
				hub.Notify(doc, seq)
			}
		})
	}()
	httpapi.MountLive(sh, svc, hub, opt)
	srv := httptest.NewUnstartedServer(sh.Handler())
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
	srv.Start()
	t.Cleanup(func() {
		hub.Close()
		cancel()
		srv.Close()
	})
	s := &liveServer{t: t, url: srv.URL, svc: svc, st: st, tokens: map[string]string{}}
	for _, u := range []struct {
		login string
		admin bool
	}{{"admin", true}, {"chair", false}, {"member", false}, {"outsider", false}} {
		stack.MustUser(t, svc, u.login, u.admin)
		token, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := drafting.NewOperator(svc).CreateToken(context.Background(), u.login, "test", hash); err != nil {
			t.Fatal(err)
		}
		s.tokens[u.login] = token
	}
	return s
}

func (s *liveServer) do(login, method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[login])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (s *liveServer) must(want int, login, method, path string, body any) map[string]any {
	s.t.Helper()
	got, out := s.do(login, method, path, body)
	if got != want {
		s.t.Fatalf("%s %s as %q: %d %v, want %d", method, path, login, got, out, want)
	}
	return out
}

// sseEvent is one event read from a stream.
type sseEvent struct {
	ID, Kind string
	Data     map[string]any
}

type sseStream struct {
	resp   *http.Response
	events chan sseEvent
}

// openStream opens path as login with Last-Event-ID lastID ("" for none).
func (s *liveServer) openStream(login, path, lastID string) (*sseStream, int) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if login != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[login])
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	st := &sseStream{resp: resp, events: make(chan sseEvent, 100)}
	s.t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Kind != "" {
					st.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Kind = line[7:]
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(line[6:]), &ev.Data)
			}
		}
	}()
	return st, resp.StatusCode
}

func (st *sseStream) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-st.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30 s")
	}
	return sseEvent{}
}

// TestLiveStreams: a member's stream carries the document's events as they
// are committed (a revision, a comment, the hall's item), outliving the
// server's read and write timeouts and the shell's request deadline; a
// reconnect with Last-Event-ID gets exactly what it missed; the public
// stream carries only an open hall and adoptions; who may not read the
// document gets no stream.
func TestLiveStreams(t *testing.T) {
	for _, backend := range stack.Backends {
		t.Run(backend, func(t *testing.T) {
			s := newLiveServer(t, backend, httpapi.LiveOptions{Heartbeat: 200 * time.Millisecond})
			s.must(http.StatusCreated, "admin", "POST", "/api/v1/documents", map[string]any{"slug": "final", "title": "Итоговый документ",
				"text": "1. Первый пункт.\n\n11. Одиннадцатый пункт.\n"})
			stack.MustRole(t, s.svc, "chair", drafting.RoleChair, "final")
			stack.MustRole(t, s.svc, "member", drafting.RoleMember, "final")

			if _, code := s.openStream("", "/api/v1/documents/final/events/stream", ""); code != http.StatusUnauthorized {
				t.Errorf("anonymous member stream: %d, want 401", code)
			}
			// Not theirs: answered as if it did not exist (issue 13).
			if _, code := s.openStream("outsider", "/api/v1/documents/final/events/stream", ""); code != http.StatusNotFound {
				t.Errorf("outsider's member stream: %d, want 404", code)
			}
			if _, code := s.openStream("member", "/api/v1/documents/final/events/stream", "x1"); code != http.StatusBadRequest {
				t.Errorf("a bad Last-Event-ID: %d, want 400", code)
			}
			if _, code := s.openStream("", "/api/v1/public/documents/final/stream", ""); code != http.StatusNotFound {
				t.Errorf("public stream of a draft with a closed hall: %d, want 404", code)
			}

			st, _ := s.openStream("member", "/api/v1/documents/final/events/stream", "")
			// Past the server's ReadTimeout and WriteTimeout and the
			// shell's deadline, all one second.
			time.Sleep(2500 * time.Millisecond)
			s.must(http.StatusCreated, "chair", "POST", "/api/v1/documents/final/revisions",
				map[string]any{"base": 1, "text": "1. Первый пункт.\n\n11. Одиннадцатый пункт, изменённый.\n", "message": "правка"})
			ev := st.next(t)
			if ev.Kind != "revision.committed" || ev.Data["revision"] != float64(2) || ev.Data["actor"] != "chair" {
				t.Fatalf("first event = %+v, want revision 2 by chair", ev)
			}
			c := s.must(http.StatusCreated, "chair", "POST", "/api/v1/documents/final/comments",
				map[string]any{"revision": 2, "body": "Согласен с пунктом 11."})
			ev2 := st.next(t)
			if ev2.Kind != "comment.added" || ev2.Data["comment"] != c["id"] {
				t.Fatalf("second event = %+v, want comment %v", ev2, c["id"])
			}
			s.must(http.StatusForbidden, "member", "PUT", "/api/v1/documents/final/hall", map[string]any{"item": "11"})
			s.must(http.StatusBadRequest, "chair", "PUT", "/api/v1/documents/final/hall", map[string]any{"item": "1\n1"})
			h := s.must(http.StatusOK, "chair", "PUT", "/api/v1/documents/final/hall", map[string]any{"item": "11", "public": true})
			ev3 := st.next(t)
			if ev3.Kind != "item.current" || ev3.Data["item"] != "11" || ev3.ID != fmt.Sprint(h["event"]) {
				t.Fatalf("third event = %+v, want item 11 with id %v", ev3, h["event"])
			}
			got := s.must(http.StatusOK, "member", "GET", "/api/v1/documents/final/hall", nil)
			if got["item"] != "11" || got["revision"] != float64(2) || got["set_by"] != "chair" || got["public"] != true {
				t.Fatalf("hall = %v", got)
			}
			pub := s.must(http.StatusOK, "", "GET", "/api/v1/public/documents/final/hall", nil)
			if pub["item"] != "11" || pub["set_by"] != nil {
				t.Fatalf("public hall = %v, want item 11 and no people", pub)
			}

			// Resuming after the first event replays the other two, once.
			re, _ := s.openStream("member", "/api/v1/documents/final/events/stream", ev.ID)
			if e := re.next(t); e.ID != ev2.ID {
				t.Fatalf("resumed with %+v, want event %s", e, ev2.ID)
			}
			if e := re.next(t); e.ID != ev3.ID {
				t.Fatalf("resumed with %+v, want event %s", e, ev3.ID)
			}

			// The public sees the open hall, and nothing of members.
			ps, code := s.openStream("", "/api/v1/public/documents/final/stream", ev.ID)
			if code != http.StatusOK {
				t.Fatalf("public stream of an open hall: %d", code)
			}
			if e := ps.next(t); e.ID != ev3.ID || e.Data["actor"] != nil {
				t.Fatalf("public stream first gave %+v, want the hall's item without its actor", e)
			}
			s.must(http.StatusOK, "chair", "PUT", "/api/v1/documents/final/hall", map[string]any{"item": "1", "public": true})
			if e := ps.next(t); e.Kind != "item.current" || e.Data["item"] != "1" {
				t.Fatalf("public stream then gave %+v, want item 1", e)
			}
		})
	}
}

// TestLiveStreamsBounded: streams beyond MaxStreams are refused with 503
// and Retry-After, and a slot frees when a stream ends.
func TestLiveStreamsBounded(t *testing.T) {
	s := newLiveServer(t, "sqlite+disk", httpapi.LiveOptions{MaxStreams: 2})
	s.must(http.StatusCreated, "admin", "POST", "/api/v1/documents", map[string]any{"slug": "doc", "title": "Документ", "text": "1. Текст.\n"})
	stack.MustRole(t, s.svc, "member", drafting.RoleMember, "doc")
	a, _ := s.openStream("member", "/api/v1/documents/doc/events/stream", "")
	if _, code := s.openStream("member", "/api/v1/documents/doc/events/stream", ""); code != http.StatusOK {
		t.Fatalf("second stream: %d", code)
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1/documents/doc/events/stream", nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens["member"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third stream: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	a.resp.Body.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, code := s.openStream("member", "/api/v1/documents/doc/events/stream", ""); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed stream's slot was not freed within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
