package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"redline/internal/apidoc/apidoctest"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as the redline command itself, so
// serve is exercised as a real process with real signals.
func TestMain(m *testing.M) {
	if os.Getenv("REDLINE_TEST_AS_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// TestServeDemo is what make run does: serve --demo on an empty data folder,
// no services installed. With the printed token a document is created and
// three revisions committed and read back; SIGTERM stops it cleanly.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, []string{"REDLINE_DATA_DIR=" + dir, "REDLINE_DATABASE_URL=", "REDLINE_S3_ENDPOINT="}, "--demo")
	base := srv.base
	tokenRe := regexp.MustCompile(`API token:\s+(rl_\S+)`)
	pwRe := regexp.MustCompile(`password "([^"]+)"`)
	token, password := srv.find(t, tokenRe), srv.find(t, pwRe)
	if password == "" {
		t.Fatal("no password printed")
	}
	cmd, stderr := srv.cmd, srv.stderr

	call := func(method, path string, body any, want int) []byte {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := apidoctest.Client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return b
	}
	call("POST", "/api/v1/documents", map[string]any{"slug": "demo", "title": "Итоговый документ"}, 201)
	// The administrator creates documents but commits only as a chair:
	// appointing themselves is one call.
	call("PUT", "/api/v1/documents/demo/members/demo", map[string]any{"role": "chair"}, 200)
	var texts []string
	for i := 1; i <= 3; i++ {
		text := strings.Repeat(fmt.Sprintf("%d. Пункт проекта.\n\n", i), i)
		texts = append(texts, text)
		call("POST", "/api/v1/documents/demo/revisions", map[string]any{"base": i - 1, "text": text}, 201)
	}
	for i, want := range texts {
		if got := string(call("GET", fmt.Sprintf("/api/v1/documents/demo/revisions/%d/text", i+1), nil, 200)); got != want {
			t.Errorf("revision %d: %q, want %q", i+1, got, want)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not exit cleanly: %v\n%s", err, stderr.String())
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not stop within 25 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
		t.Errorf("no JSON shutdown log line: %s", stderr.String())
	}
}

// server is a redline serve process started by a test.
type server struct {
	cmd    *exec.Cmd
	base   string
	stderr *lockedBuffer
	lines  chan string
	seen   []string
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs this test binary as `redline serve` on a free loopback
// port with env added, and waits for it to print its address.
func startServe(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append(os.Environ(), "REDLINE_TEST_AS_MAIN=1"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &lockedBuffer{}, lines: make(chan string, 100)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	s.base = s.find(t, regexp.MustCompile(`listening on (http://\S+)`))
	return s
}

// find waits up to 30 s for a printed line matching re and returns its
// first group.
func (s *server) find(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	for _, l := range s.seen {
		if m := re.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("serve exited before printing %s: %s", re, s.stderr.String())
			}
			s.seen = append(s.seen, l)
			if m := re.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		case <-deadline:
			t.Fatalf("serve printed no %s in 30 s: %s", re, s.stderr.String())
		}
	}
}
