package config

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DataDir: "./data", Addr: "127.0.0.1:8080", S3Bucket: "redline-drafts",
		MaxTextBytes: 4 << 20, LogLevel: slog.LevelInfo, LoginAttempts: 5, LoginWindow: 15 * time.Minute,
		LoginAddressAttempts: 300, HashConcurrency: 2, IdempotencyTTL: 24 * time.Hour, MemoryLimitMiB: 400,
		MaxOpenProposals: 20, CommentsPerMinute: 30, PasswordHash: PasswordHash{MemoryKiB: 65536, Time: 3, Threads: 2},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(c.DatabaseTarget(), "sqlite:///") || !strings.HasSuffix(c.DatabaseTarget(), "/data/redline.db") {
		t.Errorf("DatabaseTarget = %q", c.DatabaseTarget())
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c, err := Load(env(map[string]string{"REDLINE_ADDR": "127.0.0.1:1"}), fs, []string{"--addr", "127.0.0.1:2", "--data-dir", "/tmp/x"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:2" || c.DataDir != "/tmp/x" {
		t.Errorf("got addr %q dir %q", c.Addr, c.DataDir)
	}
}

func TestSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{
		"REDLINE_S3_ENDPOINT": "127.0.0.1:9000", "REDLINE_S3_ACCESS_KEY": "k",
		"REDLINE_S3_SECRET_KEY_FILE": path,
	}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.S3SecretKey != "s3cr3t" {
		t.Errorf("secret = %q", c.S3SecretKey)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"REDLINE_ADDR":                   {"REDLINE_ADDR": "nonsense"},
		"REDLINE_DATABASE_URL":           {"REDLINE_DATABASE_URL": "mysql://x"},
		"REDLINE_S3_ENDPOINT":            {"REDLINE_S3_ENDPOINT": "http://x:9000", "REDLINE_S3_ACCESS_KEY": "a", "REDLINE_S3_SECRET_KEY": "b"},
		"REDLINE_S3_ACCESS_KEY":          {"REDLINE_S3_ENDPOINT": "x:9000", "REDLINE_S3_SECRET_KEY": "b"},
		"REDLINE_S3_BUCKET":              {"REDLINE_S3_ENDPOINT": "x:9000", "REDLINE_S3_ACCESS_KEY": "a", "REDLINE_S3_SECRET_KEY": "b", "REDLINE_S3_BUCKET": "Bad_Bucket"},
		"REDLINE_S3_TLS":                 {"REDLINE_S3_TLS": "maybe"},
		"REDLINE_MAX_TEXT_BYTES":         {"REDLINE_MAX_TEXT_BYTES": "-5"},
		"REDLINE_TRUSTED_PROXIES":        {"REDLINE_TRUSTED_PROXIES": "10.0.0.0/8, not-an-ip"},
		"REDLINE_BASE_URL":               {"REDLINE_BASE_URL": "ftp://x"},
		"REDLINE_LOG_LEVEL":              {"REDLINE_LOG_LEVEL": "loud"},
		"REDLINE_LOGIN_ATTEMPTS":         {"REDLINE_LOGIN_ATTEMPTS": "0"},
		"REDLINE_LOGIN_WINDOW":           {"REDLINE_LOGIN_WINDOW": "forever"},
		"REDLINE_LOGIN_ADDRESS_ATTEMPTS": {"REDLINE_LOGIN_ADDRESS_ATTEMPTS": "0"},
		"REDLINE_HASH_CONCURRENCY":       {"REDLINE_HASH_CONCURRENCY": "many"},
		"REDLINE_METRICS_ALLOW":          {"REDLINE_METRICS_ALLOW": "10.0.0.0/8,nowhere"},
		"REDLINE_IDEMPOTENCY_TTL":        {"REDLINE_IDEMPOTENCY_TTL": "1s"},
		"REDLINE_MEMORY_LIMIT_MIB":       {"REDLINE_MEMORY_LIMIT_MIB": "-1"},
		"REDLINE_MAX_OPEN_PROPOSALS":     {"REDLINE_MAX_OPEN_PROPOSALS": "0"},
		"REDLINE_COMMENTS_PER_MINUTE":    {"REDLINE_COMMENTS_PER_MINUTE": "x"},
		"REDLINE_PASSWORD_HASH":          {"REDLINE_PASSWORD_HASH": "m=64,t=3,p=2"},
		"REDLINE_S3_SECRET_KEY":          {"REDLINE_S3_SECRET_KEY": "a", "REDLINE_S3_SECRET_KEY_FILE": "/nonexistent"},
		"REDLINE_SIGNING_KEY_FILE":       {"REDLINE_SIGNING_KEY_FILE": "/nonexistent/key"},
		"REDLINE_SMTP_URL":               {"REDLINE_SMTP_URL": "smtp://mail.example.org"},
	}
	for name, vars := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(env(vars), nil, nil)
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("error %v does not name %s", err, name)
			}
		})
	}
}

func TestEveryVarHasAFlag(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := Load(env(nil), fs, nil); err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars {
		if fs.Lookup(v.Flag) == nil {
			t.Errorf("%s has no flag --%s", v.Env, v.Flag)
		}
	}
}

func TestSigningKeyFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b keys")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(env(map[string]string{"REDLINE_SIGNING_KEY_FILE": " " + a + " ,, " + b + ","}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{a, b}, c.SigningKeyFiles); diff != "" {
		t.Errorf("SigningKeyFiles (-want +got):\n%s", diff)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if c, err = Load(env(nil), fs, []string{"--signing-key-file", a}); err != nil || len(c.SigningKeyFiles) != 1 {
		t.Errorf("--signing-key-file: %v %v", c.SigningKeyFiles, err)
	}
	for _, bad := range []string{dir, a + "," + filepath.Join(dir, "missing")} {
		_, err := Load(env(map[string]string{"REDLINE_SIGNING_KEY_FILE": bad}), nil, nil)
		if err == nil || !strings.Contains(err.Error(), "REDLINE_SIGNING_KEY_FILE") {
			t.Errorf("REDLINE_SIGNING_KEY_FILE=%s: %v", bad, err)
		}
	}
}

func TestSMTPURL(t *testing.T) {
	c, err := Load(env(map[string]string{"REDLINE_SMTP_URL": "smtps://bot:hunter2@smtp.example.org?from=redline@example.org"}), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTP == nil || c.SMTP.Host != "smtp.example.org" || c.SMTP.Port != "465" || c.SMTP.Password != "hunter2" ||
		c.SMTP.From.Address != "redline@example.org" {
		t.Errorf("SMTP = %+v", c.SMTP)
	}
	path := filepath.Join(t.TempDir(), "smtp")
	if err := os.WriteFile(path, []byte("smtp://bot:hunter2@smtp.example.org:bad?from=r@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(env(map[string]string{"REDLINE_SMTP_URL_FILE": path}), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "REDLINE_SMTP_URL") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a bad REDLINE_SMTP_URL_FILE: %v; want an error naming the variable and not the password", err)
	}
}
