package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/testenv"
)

// Issue 13: hostile and careless users, against real redline serve
// processes on PostgreSQL and MinIO.

// cheapHash is the argon2id cost the tests give most servers (8 MiB, one
// pass) so that a hundred sign-ins take seconds; TestHostileLoad runs the
// production cost.
const cheapHash = "m=8192,t=1,p=1"

// hardStack is a PostgreSQL database and a MinIO bucket of one test, and
// the environment that points redline at them.
type hardStack struct {
	t   *testing.T
	env []string
}

func newHardStack(t *testing.T, extra ...string) *hardStack {
	t.Helper()
	m := testenv.SharedMinIO(t)
	env := []string{
		"REDLINE_DATA_DIR=" + t.TempDir(),
		"REDLINE_DATABASE_URL=" + testenv.PostgresURL(t),
		"REDLINE_S3_ENDPOINT=" + m.Endpoint,
		"REDLINE_S3_ACCESS_KEY=" + m.AccessKey,
		"REDLINE_S3_SECRET_KEY=" + m.SecretKey,
		"REDLINE_S3_BUCKET=" + testenv.RandomName("harden-"),
		"REDLINE_PASSWORD_HASH=" + cheapHash,
		"REDLINE_LOG_LEVEL=warn",
	}
	return &hardStack{t: t, env: append(env, extra...)}
}

// setup opens the service in this process on the stack and runs fn, for
// accounts, documents and roles made before a server starts.
func (h *hardStack) setup(fn func(ctx context.Context, a *app)) {
	h.t.Helper()
	for _, kv := range h.env {
		k, v, _ := strings.Cut(kv, "=")
		h.t.Setenv(k, v)
	}
	cfg, err := loadConfig(nil, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx := context.Background()
	a, err := open(ctx, cfg, io.Discard, drafting.Hooks{})
	if err != nil {
		h.t.Fatal(err)
	}
	defer a.Close()
	fn(ctx, a)
}

// serve starts a redline serve process on the stack: bin with binEnv (a
// binary without the race detector, for memory figures) or, when bin is
// empty, this test binary.
func (h *hardStack) serve(bin string, binEnv []string) *server {
	h.t.Helper()
	if bin == "" {
		return startServe(h.t, h.env)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(append(os.Environ(), binEnv...), h.env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &lockedBuffer{}, lines: make(chan string, 100)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	s.base = s.find(h.t, regexp.MustCompile(`listening on (http://\S+)`))
	return s
}

// mustHash is a password hash at cost (m=…,t=…,p=…).
func mustHash(t testing.TB, pw, cost string) string {
	t.Helper()
	var p auth.Params
	var threads uint32
	if _, err := fmt.Sscanf(cost, "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil {
		t.Fatal(err)
	}
	p.Threads = uint8(threads)
	h, err := auth.NewHasher(auth.HasherOptions{Params: p}).Hash(context.Background(), pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// mustAccount creates an account with a password hash and returns a token.
func mustAccount(t testing.TB, ctx context.Context, a *app, login, hash string, admin bool) string {
	t.Helper()
	if _, err := a.op.CreateUser(ctx, drafting.NewUser{Login: login, DisplayName: login, PasswordHash: hash, Admin: admin}); err != nil {
		t.Fatal(err)
	}
	tok, th, _ := auth.NewToken()
	if _, err := a.op.CreateToken(ctx, login, "", th); err != nil {
		t.Fatal(err)
	}
	return tok
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

func (a answer) reason() string {
	var e struct {
		Error struct {
			Reason  string         `json:"reason"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(a.body), &e)
	return e.Error.Reason
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// do sends a request: body is JSON (any), url.Values (a form) or nil; auth
// is a token ("rl_…"), a session cookie value ("cookie:…") or "".
func do(t testing.TB, method, u, auth string, body any, header ...string) answer {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	switch {
	case strings.HasPrefix(auth, "cookie:"):
		req.AddCookie(&http.Cookie{Name: "redline_session", Value: strings.TrimPrefix(auth, "cookie:")})
	case auth != "":
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, u, err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestSignInBurstIsNotARace is point 2: 29 wrong guesses and the right
// password sent at once to one account. Each attempt is reserved before it
// is judged, so at most REDLINE_LOGIN_ATTEMPTS (5) are judged and the rest
// get 429 with Retry-After and the wait in minutes; the right password,
// tried after the burst, is refused unjudged too.
func TestSignInBurstIsNotARace(t *testing.T) {
	h := newHardStack(t)
	h.setup(func(ctx context.Context, a *app) {
		mustAccount(t, ctx, a, "anna", mustHash(t, "right-password", cheapHash), false)
	})
	srv := h.serve("", nil)
	var mu sync.Mutex
	count := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 30 {
		pw := fmt.Sprintf("wrong-guess-%d", i)
		if i == 17 {
			pw = "right-password"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := do(t, "POST", srv.base+"/api/v1/session", "", map[string]string{"login": "anna", "password": pw})
			mu.Lock()
			count[r.status]++
			mu.Unlock()
			if r.status == 429 && (r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "minute")) {
				t.Errorf("429 without the wait: %v %s", r.header, r.body)
			}
		}()
	}
	close(start)
	wg.Wait()
	judged := count[200] + count[401]
	t.Logf("30 attempts at once: %v", count)
	if judged > 5 || count[429] < 25 || judged+count[429] != 30 {
		t.Fatalf("30 attempts at once: %v; want at most 5 judged (200 or 401), the rest 429", count)
	}
	if count[200] == 0 {
		r := do(t, "POST", srv.base+"/api/v1/session", "", map[string]string{"login": "anna", "password": "right-password"})
		if r.status != 429 || r.reason() != "rate_limited" || !strings.Contains(r.body, `"retry_after_minutes"`) {
			t.Fatalf("the right password after the burst: %d %s", r.status, r.body)
		}
	}
}

// TestOneTypistDoesNotLockTheHall is point 3: five wrong passwords from one
// address lock that account only; another account from the same address
// signs in, and the sign-in page says, in Russian and English, how many
// minutes to wait.
func TestOneTypistDoesNotLockTheHall(t *testing.T) {
	h := newHardStack(t)
	hash := mustHash(t, "hall-password", cheapHash)
	h.setup(func(ctx context.Context, a *app) {
		mustAccount(t, ctx, a, "typist", hash, false)
		mustAccount(t, ctx, a, "neighbour", hash, false)
	})
	srv := h.serve("", nil)
	form := func(login, pw, lang string) answer {
		return do(t, "POST", srv.base+"/signin", "", url.Values{"login": {login}, "password": {pw}}, "Accept-Language", lang)
	}
	for i := range 5 {
		if r := form("typist", "wrong", "ru"); r.status != 401 {
			t.Fatalf("wrong password %d: %d", i, r.status)
		}
	}
	ru := form("typist", "hall-password", "ru")
	en := form("typist", "hall-password", "en")
	for _, r := range []answer{ru, en} {
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("the locked account: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
	}
	if !strings.Contains(ru.body, "Попробуйте через 1 мин.") || !strings.Contains(en.body, "Try again in 1 min.") {
		t.Fatalf("the page does not say how long to wait:\n%s\n%s", excerpt(ru.body, "мин"), excerpt(en.body, "min."))
	}
	if r := form("neighbour", "hall-password", "ru"); r.status != 303 {
		t.Fatalf("another account from the same address: %d, want 303 (signed in)", r.status)
	}
}

func excerpt(s, near string) string {
	i := strings.Index(s, near)
	if i < 0 {
		return "(no " + near + ")"
	}
	return s[max(0, i-200):min(len(s), i+100)]
}

// TestHall is the hall of "Done when": 100 accounts sign in from one
// address while one of them types a wrong password 20 times; the other 99
// all get in.
func TestHall(t *testing.T) {
	h := newHardStack(t)
	hash := mustHash(t, "hall-password", cheapHash)
	h.setup(func(ctx context.Context, a *app) {
		for i := range 100 {
			if _, err := a.op.CreateUser(ctx, drafting.NewUser{Login: fmt.Sprintf("delegate-%d", i), PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
		}
	})
	srv := h.serve("", nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[string]map[int]int{"others": {}, "typist": {}}
	record := func(who string, status int) {
		mu.Lock()
		statuses[who][status]++
		mu.Unlock()
	}
	start := time.Now()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 20 {
			r := do(t, "POST", srv.base+"/api/v1/session", "", map[string]string{"login": "delegate-0", "password": fmt.Sprintf("typo-%d", i)})
			record("typist", r.status)
		}
	}()
	for i := 1; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			login := fmt.Sprintf("delegate-%d", i)
			// A person whose attempt meets a busy server tries again, as
			// the 503's Retry-After asks.
			for range 20 {
				r := do(t, "POST", srv.base+"/api/v1/session", "", map[string]string{"login": login, "password": "hall-password"})
				if r.status != 503 {
					record("others", r.status)
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
			record("others", 503)
		}()
	}
	wg.Wait()
	t.Logf("hall of 100 in %s: the 99 got %v, the typist %v", time.Since(start).Round(time.Millisecond), statuses["others"], statuses["typist"])
	if statuses["others"][200] != 99 {
		t.Fatalf("the 99 got %v, want 200 for all", statuses["others"])
	}
	if statuses["typist"][401] > 5 || statuses["typist"][429] < 15 {
		t.Fatalf("the typist got %v, want at most 5 judged and the rest 429", statuses["typist"])
	}
}
