package reliability_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"redline/internal/apidoc/apidoctest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/reliability"
	"redline/internal/sqlstore"
	"redline/internal/testenv"
)

// Bounds the fault tests hold Redline to.
const (
	maxFailLatency = 15 * time.Second // a request during a fault is answered within this
	maxRecovery    = 30 * time.Second // a commit succeeds within this of the fault clearing
)

// faultStack is Redline's real API over a database and a MinIO, with
// writers committing through HTTP and recording what they were answered.
type faultStack struct {
	t     *testing.T
	db    *sqlstore.DB
	blobs *blobstore.MinIO
	srv   *httptest.Server
	acks  *reliability.AckLog
	token string

	mu          sync.Mutex
	statuses    map[int]int
	noRetry     int           // 503 answers without Retry-After
	slowest     time.Duration // longest request that did not succeed
	clearedAt   time.Time
	recoveredAt time.Time
	transport   int // transport errors (the client's own timeout)
}

func newFaultStack(t *testing.T, pgURL, minioEndpoint, access, secret string) *faultStack {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	bucket := testenv.RandomName("fault-")
	blobs, err := blobstore.NewMinIO(ctx, blobstore.MinIOConfig{Endpoint: minioEndpoint, AccessKey: access, SecretKey: secret,
		Bucket: bucket, ArchiveBucket: bucket + "-archive"})
	if err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enf.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	svc := drafting.NewService(db, blobs, drafting.Options{Authorizer: enf, PolicyChanged: enf.Reload})
	h, err := httpapi.New(svc, httpapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := drafting.NewOperator(svc).CreateUser(ctx, drafting.NewUser{Login: "chair", PasswordHash: "$argon2id$x", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		text := "Проект итогового документа.\n"
		slug := fmt.Sprintf("doc-%d", i)
		if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: slug, Title: "Документ", Text: &text}); err != nil {
			t.Fatal(err)
		}
		if _, err := drafting.NewOperator(svc).GrantRole(ctx, "chair", drafting.RoleChair, slug); err != nil {
			t.Fatal(err)
		}
	}
	tok, hash, _ := auth.NewToken()
	if _, err := drafting.NewOperator(svc).CreateToken(ctx, "chair", "", hash); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(apidoctest.Handler(t, h))
	t.Cleanup(srv.Close)
	return &faultStack{t: t, db: db, blobs: blobs, srv: srv, acks: reliability.NewAckLog(nil), token: tok, statuses: map[int]int{}}
}

// write runs writers committing on the heads they read until stop closes.
func (f *faultStack) write(writers int, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	var seq atomic.Int64
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &reliability.Client{Base: f.srv.URL, Token: f.token, Login: "chair", Acks: f.acks,
				HTTP: reliability.NewHTTPClient(2 * maxFailLatency)}
			slug := fmt.Sprintf("doc-%d", w%2)
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx := context.Background()
				start := time.Now()
				head, _, r, err := c.Head(ctx, slug)
				if err == nil && r.Status == http.StatusOK {
					_, _, r, err = c.Commit(ctx, slug, head, fmt.Sprintf("Пункт %d.\n", seq.Add(1)))
				}
				f.record(r, err, time.Since(start))
				if err != nil || r.Status >= 500 {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	return &wg
}

func (f *faultStack) record(r reliability.Response, err error, took time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.transport++
		f.slowest = max(f.slowest, took)
		return
	}
	f.statuses[r.Status]++
	if r.Status == http.StatusCreated {
		if !f.clearedAt.IsZero() && f.recoveredAt.IsZero() {
			f.recoveredAt = time.Now()
		}
		return
	}
	f.slowest = max(f.slowest, took)
	if r.Status == http.StatusServiceUnavailable && r.RetryAfter == "" {
		f.noRetry++
	}
}

// run writes for a while, calls fault, writes through it for faultFor,
// calls clear, and waits for the first commit to succeed; it then checks
// the answers and the invariants and returns the recovery time.
func (f *faultStack) run(fault, clear func(), faultFor time.Duration) time.Duration {
	t := f.t
	stop := make(chan struct{})
	wg := f.write(8, stop)
	time.Sleep(time.Second)
	fault()
	time.Sleep(faultFor)
	clear()
	f.mu.Lock()
	f.clearedAt = time.Now()
	f.mu.Unlock()
	deadline := time.Now().Add(maxRecovery + maxFailLatency)
	for {
		f.mu.Lock()
		done := !f.recoveredAt.IsZero()
		f.mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Logf("answers %v, transport errors %d, slowest failed request %s", f.statuses, f.transport, f.slowest.Round(time.Millisecond))
	if f.recoveredAt.IsZero() {
		t.Fatalf("no commit succeeded within %s of the fault clearing", maxRecovery)
	}
	recovery := f.recoveredAt.Sub(f.clearedAt)
	if recovery > maxRecovery {
		t.Errorf("recovered in %s, over %s", recovery, maxRecovery)
	}
	for status, n := range f.statuses {
		if status != http.StatusCreated && status != http.StatusOK && status != http.StatusConflict && status != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d: a fault must be a 503", n, status)
		}
	}
	if f.noRetry > 0 {
		t.Errorf("%d answers 503 without Retry-After", f.noRetry)
	}
	if f.transport > 0 || f.slowest > maxFailLatency {
		t.Errorf("requests hung: %d transport errors, slowest %s (bound %s)", f.transport, f.slowest, maxFailLatency)
	}
	rep, err := reliability.Check(context.Background(), f.db, f.blobs, f.acks.Acks())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) > 0 {
		t.Fatalf("violations after the fault: %v", rep.Violations)
	}
	t.Logf("%d acknowledged commits kept, 0 violations; recovered %s after the fault cleared", rep.Acks, recovery.Round(time.Millisecond))
	return recovery
}

// TestPostgresStoppedImmediately stops a private PostgreSQL with pg_ctl stop
// -m immediate during a burst of commits and starts it again: answers are
// 503 with Retry-After meanwhile, every acknowledged commit survives crash
// recovery, and Redline commits again without a restart.
func TestPostgresStoppedImmediately(t *testing.T) {
	pg := testenv.StartPostgres(t)
	m := testenv.SharedMinIO(t)
	f := newFaultStack(t, pg.URL, m.Endpoint, m.AccessKey, m.SecretKey)
	f.run(pg.StopImmediate, pg.Start, 2*time.Second)
}

// TestMinIOKilledDuringCommits kills a private MinIO during a burst of
// commits and starts it again.
func TestMinIOKilledDuringCommits(t *testing.T) {
	mp := testenv.StartMinIO(t)
	f := newFaultStack(t, testenv.PostgresURL(t), mp.Endpoint, mp.AccessKey, mp.SecretKey)
	f.run(mp.Stop, mp.Start, 2*time.Second)
}

// TestNetworkFaults puts a TCP proxy between Redline and MinIO, and between
// Redline and PostgreSQL, and makes it slow (300 ms per chunk), reset every
// connection (and refuse new ones), or black-hole traffic (hold it, as a
// partition does, until it heals).
func TestNetworkFaults(t *testing.T) {
	m := testenv.SharedMinIO(t)
	for _, target := range []string{"minio", "postgres"} {
		for _, mode := range []string{"latency", "reset", "blackhole"} {
			t.Run(target+"/"+mode, func(t *testing.T) {
				pgURL := testenv.PostgresURL(t)
				var p *faultProxy
				endpoint := m.Endpoint
				if target == "minio" {
					p = startFaultProxy(t, m.Endpoint)
					endpoint = p.addr()
				} else {
					u := mustParseURL(t, pgURL)
					p = startFaultProxy(t, u.Host)
					u.Host = p.addr()
					pgURL = u.String()
				}
				f := newFaultStack(t, pgURL, endpoint, m.AccessKey, m.SecretKey)
				f.run(func() { p.set(mode) }, func() { p.set("") }, 3*time.Second)
			})
		}
	}
}

// faultProxy forwards TCP connections to target, with a fault switched on
// and off by set.
type faultProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   string
	healed chan struct{} // closed unless black-holing
	conns  map[net.Conn]bool
}

func startFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, healed: make(chan struct{}), conns: map[net.Conn]bool{}}
	close(p.healed)
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.set("reset")
		p.set("")
	})
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

// set switches the fault: "" (none), "latency", "reset" or "blackhole".
func (p *faultProxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == "blackhole" && mode != "blackhole" {
		close(p.healed)
	}
	if mode == "blackhole" && p.mode != "blackhole" {
		p.healed = make(chan struct{})
	}
	p.mode = mode
	if mode == "reset" {
		for c := range p.conns {
			abort(c)
		}
	}
}

// abort closes c with a TCP RST.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		p.mu.Unlock()
		if mode == "reset" {
			abort(c)
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			abort(c)
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *faultProxy) pipe(dst, src net.Conn) {
	defer func() {
		abort(dst)
		abort(src)
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			mode, healed := p.mode, p.healed
			p.mu.Unlock()
			switch mode {
			case "latency":
				time.Sleep(300 * time.Millisecond)
			case "blackhole":
				<-healed
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			return
		}
	}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
