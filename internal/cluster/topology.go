//go:build cluster

package cluster

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Topology is a cluster brought up by scripts/cluster.sh: its addresses,
// credentials and the commands that inject faults.
type Topology struct {
	Root string // the repository, where scripts/cluster.sh is
	Dir  string // the cluster's state folder
	Log  io.Writer

	LB          string   // http://host:port of the balancer in front of the instances
	Instances   []string // http://host:port of each instance, redline1 first
	AdminLogin  string
	AdminToken  string
	DatabaseURL string // both PostgreSQL servers, target_session_attrs=read-write
	S3Endpoint  string // host:port of the balancer in front of the MinIO nodes
	S3AccessKey string
	S3SecretKey string
	Bin         string   // the redline binary the instances run
	RedlineEnv  []string // REDLINE_* variables the instances and the CLI run with

	env map[string]string
}

// Up runs scripts/cluster.sh up in dir (which must be empty or absent) with
// the given number of instances and reads what it made.
func Up(ctx context.Context, root, dir string, instances int, log io.Writer) (*Topology, error) {
	t := &Topology{Root: root, Dir: dir, Log: log}
	if err := t.script(ctx, "up", "--instances", strconv.Itoa(instances)); err != nil {
		return t, err
	}
	return t, t.load()
}

func (t *Topology) load() error {
	// cluster.env is shell (values quoted with printf %q): let bash read it
	// and print each variable it sets, NUL-terminated.
	out, err := exec.Command("bash", "-c", `set -a; . "$1"; for k in $(sed -n 's/^\([A-Z0-9_]*\)=.*/\1/p' "$1"); do printf '%s=%s\0' "$k" "${!k}"; done`,
		"_", filepath.Join(t.Dir, "cluster.env")).Output()
	if err != nil {
		return fmt.Errorf("read cluster.env: %w", err)
	}
	t.env = map[string]string{}
	for _, kv := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			t.env[k] = v
		}
	}
	n, _ := strconv.Atoi(t.env["INSTANCES"])
	t.LB = "http://127.0.0.1:" + t.env["LB_PORT"]
	t.Instances = nil
	for i := 1; i <= n; i++ {
		t.Instances = append(t.Instances, "http://127.0.0.1:"+t.env[fmt.Sprintf("REDLINE%d_PORT", i)])
	}
	t.AdminLogin, t.AdminToken = t.env["ADMIN_LOGIN"], t.env["ADMIN_TOKEN"]
	t.DatabaseURL = t.env["DATABASE_URL"]
	t.S3Endpoint = "127.0.0.1:" + t.env["S3_PORT"]
	t.S3AccessKey, t.S3SecretKey = t.env["MINIO_ACCESS_KEY"], t.env["MINIO_SECRET_KEY"]
	t.Bin = t.env["REDLINE_BIN"]
	b, err := os.ReadFile(filepath.Join(t.Dir, "redline.env"))
	if err != nil {
		return fmt.Errorf("read redline.env: %w", err)
	}
	t.RedlineEnv = strings.Fields(string(b))
	if t.LB == "http://127.0.0.1:" || len(t.Instances) == 0 || t.AdminToken == "" || t.Bin == "" {
		return fmt.Errorf("cluster env in %s is incomplete", t.Dir)
	}
	return nil
}

func (t *Topology) script(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(t.Root, "scripts/cluster.sh"), "--dir", t.Dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if t.Log != nil {
		fmt.Fprintf(t.Log, "$ cluster.sh %s\n%s", strings.Join(args, " "), out.String())
	}
	if err != nil {
		return fmt.Errorf("cluster.sh %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return nil
}

// Kill sends SIGKILL to a node: minio1..4, redline1..N, pg1, pg2, haproxy.
func (t *Topology) Kill(ctx context.Context, node string) error { return t.script(ctx, "kill", node) }

// Start starts a stopped node again.
func (t *Topology) Start(ctx context.Context, node string) error { return t.script(ctx, "start", node) }

// Promote makes the standby the primary (the primary must be dead).
func (t *Topology) Promote(ctx context.Context) error { return t.script(ctx, "promote") }

// Rejoin rebuilds a dead PostgreSQL node as the new primary's synchronous
// standby.
func (t *Topology) Rejoin(ctx context.Context, node string) error {
	return t.script(ctx, "rejoin", node)
}

// Status returns what cluster.sh status prints.
func (t *Topology) Status(ctx context.Context) string {
	out, _ := exec.CommandContext(ctx, "bash", filepath.Join(t.Root, "scripts/cluster.sh"), "--dir", t.Dir, "status").CombinedOutput()
	return string(out)
}

// Down stops every process of the cluster and removes its folder (keeps it
// when keep is set, for the logs).
func (t *Topology) Down(keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if keep {
		return t.script(ctx, "down", "--keep")
	}
	return t.script(ctx, "down")
}

// CLI runs the redline binary with the instances' configuration.
func (t *Topology) CLI(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, t.Bin, args...)
	cmd.Env = append(append(os.Environ(), t.RedlineEnv...), "REDLINE_DATA_DIR="+filepath.Join(t.Dir, "redline1"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Haproxy sends one command to HAProxy's runtime API and returns its answer.
func (t *Topology) Haproxy(cmd string) (string, error) {
	c, err := net.DialTimeout("unix", filepath.Join(t.Dir, "haproxy.sock"), 2*time.Second)
	if err != nil {
		return "", fmt.Errorf("haproxy socket: %w", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		return "", fmt.Errorf("haproxy %q: %w", cmd, err)
	}
	b, err := io.ReadAll(bufio.NewReader(c))
	if err != nil {
		return "", fmt.Errorf("haproxy %q: %w", cmd, err)
	}
	return string(b), nil
}

// SetInstances puts redline1..n in service behind the balancer and the
// others in maintenance.
func (t *Topology) SetInstances(n int) error {
	for i := range t.Instances {
		state := "ready"
		if i >= n {
			state = "maint"
		}
		out, err := t.Haproxy(fmt.Sprintf("set server redline/redline%d state %s", i+1, state))
		if err != nil {
			return err
		}
		if s := strings.TrimSpace(out); s != "" {
			return fmt.Errorf("haproxy: set redline%d %s: %s", i+1, state, s)
		}
	}
	return nil
}

// ServerStates returns HAProxy's view of each server ("redline/redline1" →
// "UP", "DOWN", "MAINT" …).
func (t *Topology) ServerStates() (map[string]string, error) {
	out, err := t.Haproxy("show stat")
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "# ")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("haproxy show stat: %v", err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	states := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) <= col["status"] {
			continue
		}
		sv := row[col["svname"]]
		if sv == "FRONTEND" || sv == "BACKEND" {
			continue
		}
		states[row[col["pxname"]]+"/"+sv] = row[col["status"]]
	}
	return states, nil
}
