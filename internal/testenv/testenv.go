// Package testenv gives tests the real services that make test starts: a
// PostgreSQL server and a MinIO server on loopback. Without the variables that
// name them a test skips, naming the variable; under make test
// (REDLINE_TEST_REQUIRE_SERVICES=1) it fails instead.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// The variables make test sets.
const (
	EnvRequire     = "REDLINE_TEST_REQUIRE_SERVICES"
	EnvPostgresURL = "REDLINE_TEST_POSTGRES_URL" // an admin URL; tests make their own databases
	EnvMinIOAddr   = "REDLINE_TEST_MINIO_ENDPOINT"
	EnvMinIOUser   = "REDLINE_TEST_MINIO_ACCESS_KEY"
	EnvMinIOPass   = "REDLINE_TEST_MINIO_SECRET_KEY"
	EnvMinIOBin    = "REDLINE_TEST_MINIO_BIN" // the minio server binary, for tests that start and stop their own
)

func need(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s is not set but %s is: the service this test needs is missing", name, EnvRequire)
		}
		t.Skipf("%s is not set; run make test to start the service", name)
	}
	return v
}

// RandomName returns prefix followed by 12 random lowercase hex digits.
func RandomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// PostgresURL creates a fresh, empty database on the test server and returns
// its URL; the database is dropped when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := need(t, EnvPostgresURL)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgresURL, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := RandomName("redline_test_")
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database (is PostgreSQL at %s up?): %v", EnvPostgresURL, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// MinIO describes a reachable MinIO server.
type MinIO struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
}

// SharedMinIO returns the MinIO server that make test started.
func SharedMinIO(t testing.TB) MinIO {
	t.Helper()
	return MinIO{
		Endpoint:  need(t, EnvMinIOAddr),
		AccessKey: need(t, EnvMinIOUser),
		SecretKey: need(t, EnvMinIOPass),
	}
}

// MinIOProcess is a MinIO server a test started for itself, so it can stop it.
type MinIOProcess struct {
	MinIO
	bin, dir string
	cmd      *exec.Cmd
	t        testing.TB
}

// StartMinIO starts a private MinIO server on a free loopback port with its
// data in a temporary folder; it is killed when the test ends.
func StartMinIO(t testing.TB) *MinIOProcess {
	t.Helper()
	p := &MinIOProcess{
		MinIO: MinIO{AccessKey: "redline-test", SecretKey: "redline-test-secret"},
		bin:   need(t, EnvMinIOBin),
		dir:   t.TempDir(),
		t:     t,
	}
	p.Endpoint = "127.0.0.1:" + FreePort(t)
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// Start (re)starts the server on its port and waits until it answers.
func (p *MinIOProcess) Start() {
	p.t.Helper()
	consolePort := FreePort(p.t)
	cmd := exec.Command(p.bin, "server", "--quiet", "--address", p.Endpoint,
		"--console-address", "127.0.0.1:"+consolePort, filepath.Join(p.dir, "data"))
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+p.AccessKey, "MINIO_ROOT_PASSWORD="+p.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "CI=true")
	logf, err := os.OpenFile(filepath.Join(p.dir, "minio.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start minio: %v", err)
	}
	_ = logf.Close()
	p.cmd = cmd
	WaitHTTP(p.t, "http://"+p.Endpoint+"/minio/health/live", 60*time.Second)
}

// Stop kills the server and waits for it to exit.
func (p *MinIOProcess) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// WaitHTTP polls url until it answers with a status below 500.
func WaitHTTP(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := httpGet(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within %s: %v", url, timeout, last)
}

// Required reports whether make test demands every service.
func Required() bool { return strings.TrimSpace(os.Getenv(EnvRequire)) != "" }
