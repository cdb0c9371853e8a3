package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// PostgresProcess is a private PostgreSQL cluster a test started for
// itself, so it can stop it hard (pg_ctl stop -m immediate: no checkpoint,
// crash recovery at the next start) and start it again.
type PostgresProcess struct {
	URL    string // admin URL of the "postgres" database
	Port   string
	bindir string
	dir    string
	t      testing.TB
}

// pgBindir finds initdb and pg_ctl the way scripts/services.sh does.
func pgBindir(t testing.TB) string {
	t.Helper()
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(matches) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(matches[i], "pg_ctl")); err == nil {
			return matches[i]
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	if Required() {
		t.Fatal("PostgreSQL binaries (initdb, pg_ctl) not found; make test installs them")
	}
	t.Skip("PostgreSQL binaries (initdb, pg_ctl) not found; run make test")
	return ""
}

// StartPostgres initialises and starts a private cluster on a free loopback
// port in a temporary folder; it is stopped and removed when the test ends.
// As root, the cluster runs as the postgres user (initdb refuses root).
func StartPostgres(t testing.TB) *PostgresProcess {
	t.Helper()
	p := &PostgresProcess{bindir: pgBindir(t), t: t, Port: FreePort(t)}
	dir, err := os.MkdirTemp("", "redline-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() {
		_ = p.pgCtl("stop", "-m", "immediate", "-w")
		_ = os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user (make test creates it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	out, err := p.command(filepath.Join(p.bindir, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput()
	if err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%s/postgres?sslmode=disable", p.Port)
	p.Start()
	return p
}

func (p *PostgresProcess) command(name string, args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func (p *PostgresProcess) pgCtl(args ...string) error {
	all := append([]string{"-D", filepath.Join(p.dir, "data")}, args...)
	out, err := p.command(filepath.Join(p.bindir, "pg_ctl"), all...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %w\n%s", args, err, out)
	}
	return nil
}

// Start (re)starts the server and waits until it accepts connections.
func (p *PostgresProcess) Start() {
	p.t.Helper()
	start := time.Now()
	err := p.pgCtl("start", "-w", "-t", "60", "-l", filepath.Join(p.dir, "postgres.log"),
		"-o", "-p "+p.Port+" -c listen_addresses=127.0.0.1 -k "+p.dir+" -c max_connections=100 -c fsync=on")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
		p.t.Fatalf("start postgres: %v\n%s", err, log)
	}
	p.t.Logf("postgres on 127.0.0.1:%s up in %s", p.Port, time.Since(start).Round(time.Millisecond))
}

// StopImmediate stops the server the hard way: every backend is killed, no
// checkpoint is written, and the next start runs crash recovery.
func (p *PostgresProcess) StopImmediate() {
	p.t.Helper()
	if err := p.pgCtl("stop", "-m", "immediate", "-w"); err != nil {
		p.t.Fatal(err)
	}
}
