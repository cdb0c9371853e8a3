package cluster_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"redline/internal/config"
)

// TestComposeClusterProfile reads compose.yaml's profile "cluster" (the
// topology scripts/cluster.sh runs on one machine, for real deployments) and
// checks what the failover test relies on: two PostgreSQL servers, one
// waiting for the other on every commit; four MinIO nodes with two drives of
// their own each; three Redline instances configured alike, naming both
// database servers; a balancer health-checking the instances on /readyz and
// the MinIO nodes; and nothing of the profile started by a plain
// `docker compose up`.
func TestComposeClusterProfile(t *testing.T) {
	b, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Profiles    []string          `yaml:"profiles"`
			Command     any               `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			DependsOn   any               `yaml:"depends_on"`
		} `yaml:"services"`
		Configs map[string]struct {
			Content string `yaml:"content"`
		} `yaml:"configs"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	want := []string{"pg-primary", "pg-standby", "minio-1", "minio-2", "minio-3", "minio-4", "redline-1", "redline-2", "redline-3", "lb"}
	for name, s := range compose.Services {
		inCluster := slices.Contains(s.Profiles, "cluster")
		if slices.Contains(want, name) != inCluster {
			t.Errorf("service %s: profiles %v", name, s.Profiles)
		}
	}
	for _, name := range want {
		if _, ok := compose.Services[name]; !ok {
			t.Errorf("the cluster profile has no %s", name)
		}
	}
	command := func(name string) string {
		switch c := compose.Services[name].Command.(type) {
		case string:
			return c
		case []any:
			return fmt.Sprint(c...)
		}
		return ""
	}

	primary, standby := command("pg-primary"), command("pg-standby")
	if !strings.Contains(primary, "synchronous_commit=on") || !strings.Contains(primary, "synchronous_standby_names=pg_standby") {
		t.Errorf("pg-primary does not wait for its standby on commit: %s", primary)
	}
	if !strings.Contains(standby, "application_name=pg_standby") || !strings.Contains(standby, "pg_basebackup") || !strings.Contains(standby, "-R") {
		t.Errorf("pg-standby is not a streaming standby named pg_standby: %s", standby)
	}

	volumes := map[string]string{}
	for i := 1; i <= 4; i++ {
		name := fmt.Sprintf("minio-%d", i)
		if c := command(name); !strings.Contains(c, "http://minio-{1...4}:9000/data{1...2}") {
			t.Errorf("%s does not run the 4-node erasure set: %s", name, c)
		}
		vs := compose.Services[name].Volumes
		if len(vs) != 2 {
			t.Errorf("%s has %d drives, not 2", name, len(vs))
		}
		for _, v := range vs {
			vol, _, _ := strings.Cut(v, ":")
			if other, ok := volumes[vol]; ok {
				t.Errorf("%s and %s share the drive %s", name, other, vol)
			}
			volumes[vol] = name
		}
	}

	single := compose.Services["redline"].Environment
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("redline-%d", i)
		env := compose.Services[name].Environment
		for _, v := range config.Vars {
			_, direct := env[v.Env]
			_, file := env[v.Env+"_FILE"]
			if !direct && !file {
				t.Errorf("%s does not set %s", name, v.Env)
			}
		}
		for k, v := range single {
			if k == "REDLINE_DATABASE_URL_FILE" || k == "REDLINE_S3_ENDPOINT" || k == "REDLINE_TRUSTED_PROXIES" {
				continue
			}
			if env[k] != v {
				t.Errorf("%s sets %s=%q, the single server %q", name, k, env[k], v)
			}
		}
		if env["REDLINE_S3_ENDPOINT"] != "lb:9000" {
			t.Errorf("%s reaches MinIO at %q, not through the balancer", name, env["REDLINE_S3_ENDPOINT"])
		}
		vals := map[string]string{}
		for k, v := range env {
			vals[k] = v
		}
		delete(vals, "REDLINE_DATABASE_URL_FILE")
		delete(vals, "REDLINE_S3_SECRET_KEY_FILE")
		vals["REDLINE_DATABASE_URL"] = "postgres://redline:x@pg-primary:5432,pg-standby:5432/redline?target_session_attrs=read-write"
		vals["REDLINE_S3_SECRET_KEY"] = "secret"
		if _, err := config.Load(func(k string) string { return vals[k] }, nil, nil); err != nil {
			t.Errorf("%s's environment does not load: %v", name, err)
		}
	}

	lb := compose.Configs["haproxy-cfg"].Content
	for _, line := range []string{"option httpchk GET /readyz", "option httpchk GET /minio/health/live", "retry-on conn-failure",
		"server redline-1 redline-1:8080 check", "server redline-2 redline-2:8080 check", "server redline-3 redline-3:8080 check",
		"server minio-1 minio-1:9000 check", "server minio-4 minio-4:9000 check"} {
		if !strings.Contains(lb, line) {
			t.Errorf("the balancer's configuration lacks %q", line)
		}
	}
}
