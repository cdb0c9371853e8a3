package sqlstore_test

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"redline/internal/drafting"
)

// proxy forwards TCP connections to target until Close cuts them all and
// stops listening, which the store sees as its database going away.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.Close)
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

func (p *proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestPostgresOutage checks that a database that goes away mid-run is
// reported as unavailable (503), never as internal or not found.
func TestPostgresOutage(t *testing.T) {
	_, _, dsn := backends[1].open(t) // a fresh, migrated database
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	db := mustOpen(t, u.String())
	ctx := context.Background()
	user := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("outage", user.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}

	p.Close()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	checks := map[string]func() error{
		"Ping": func() error { return db.Ping(ctx) },
		"UserByLogin": func() error {
			_, err := db.UserByLogin(ctx, "chair")
			return err
		},
		"CommitRevision": func() error {
			_, err := commitRevision(ctx, db, rev(d.ID, user.ID, "lost?"), 0, ev("revision.commit"))
			return err
		},
		"ListDocuments": func() error {
			_, err := db.ListDocuments(ctx)
			return err
		},
	}
	for name, call := range checks {
		if err := call(); drafting.ErrorKind(err) != drafting.KindUnavailable {
			t.Errorf("%s with the database gone: kind %q (%v), want unavailable", name, drafting.ErrorKind(err), err)
		}
	}
}

// TestSQLiteLockedDatabase checks that a writer waits for another process's
// write lock instead of failing, and that one whose caller gives up first is
// told the store is unavailable.
func TestSQLiteLockedDatabase(t *testing.T) {
	db, driver, dsn := backends[0].open(t)
	ctx := context.Background()
	user := mustUser(t, db, "chair")
	d, err := db.CreateDocument(ctx, newDoc("locked", user.ID), nil, ev("document.create"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	hold := func() *sql.Conn {
		t.Helper()
		c, err := other.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	release := func(c *sql.Conn) {
		t.Helper()
		if _, err := c.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Error(err)
		}
		c.Close()
	}

	c := hold()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = commitRevision(short, db, rev(d.ID, user.ID, "impatient"), 0, ev("revision.commit"))
	cancel()
	if drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Errorf("commit while locked, caller gives up: kind %q (%v), want unavailable", drafting.ErrorKind(err), err)
	}

	time.AfterFunc(500*time.Millisecond, func() { release(c) })
	start := time.Now()
	r, err := commitRevision(ctx, db, rev(d.ID, user.ID, "patient"), 0, ev("revision.commit"))
	if err != nil {
		t.Fatalf("commit while locked for 500ms: %v; want it to wait under busy_timeout", err)
	}
	if waited := time.Since(start); r.Number != 1 || waited < 400*time.Millisecond {
		t.Errorf("commit returned revision %d after %v; want 1 after waiting for the lock", r.Number, waited)
	}
}
