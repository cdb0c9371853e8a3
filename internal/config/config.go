// Package config reads Redline's configuration from REDLINE_* environment
// variables and the matching flags of serve.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"redline/internal/notify"
)

// Config is Redline's configuration.
type Config struct {
	DataDir        string   // REDLINE_DATA_DIR: SQLite file and blob folder of the embedded default
	Addr           string   // REDLINE_ADDR: listen address
	DatabaseURL    string   // REDLINE_DATABASE_URL: postgres://… or empty for SQLite under DataDir
	S3Endpoint     string   // REDLINE_S3_ENDPOINT: host:port of MinIO; empty for local disk
	S3AccessKey    string   // REDLINE_S3_ACCESS_KEY (secret: also _FILE)
	S3SecretKey    string   // REDLINE_S3_SECRET_KEY (secret: also _FILE)
	S3Bucket       string   // REDLINE_S3_BUCKET: drafts bucket; the archive bucket is <bucket>-archive
	S3TLS          bool     // REDLINE_S3_TLS
	MaxTextBytes   int64    // REDLINE_MAX_TEXT_BYTES
	TrustedProxies []string // REDLINE_TRUSTED_PROXIES: comma-separated IPs or CIDRs; none by default
	BaseURL        string   // REDLINE_BASE_URL: public URL, e.g. https://redline.example.org
	LogLevel       slog.Level
	LoginAttempts  int           // REDLINE_LOGIN_ATTEMPTS: failed sign-ins per account and per address before 429
	LoginWindow    time.Duration // REDLINE_LOGIN_WINDOW: how long failed sign-ins count
	// SigningKeyFiles (REDLINE_SIGNING_KEY_FILE, comma-separated) are the
	// secretariat's signing keys: OpenSSH private keys, public keys of
	// retired keys, or keys files with validity periods (see
	// signing.LoadKeyring). None: adoptions are not signed.
	SigningKeyFiles []string
	// SMTP (REDLINE_SMTP_URL, secret: also _FILE) is how notification
	// mail is sent; nil when the variable is empty: no mail.
	SMTP *notify.SMTPConfig

	// issue 13: hostile and careless users.
	LoginAddressAttempts int           // REDLINE_LOGIN_ADDRESS_ATTEMPTS: failed sign-ins per client address before 429
	HashConcurrency      int           // REDLINE_HASH_CONCURRENCY: password hashes computed at once
	MetricsToken         string        // REDLINE_METRICS_TOKEN (secret: also _FILE): bearer token /metrics requires
	MetricsAllow         []string      // REDLINE_METRICS_ALLOW: addresses/CIDRs /metrics answers
	IdempotencyTTL       time.Duration // REDLINE_IDEMPOTENCY_TTL: how long an Idempotency-Key's answer is kept
	MemoryLimitMiB       int64         // REDLINE_MEMORY_LIMIT_MIB: the Go runtime's soft memory limit
	MaxOpenProposals     int           // REDLINE_MAX_OPEN_PROPOSALS: open proposals per member and document
	CommentsPerMinute    int           // REDLINE_COMMENTS_PER_MINUTE: comments per member per minute
	// PasswordHash (REDLINE_PASSWORD_HASH) is argon2id's cost for new
	// password hashes: memory in KiB, passes, lanes.
	PasswordHash PasswordHash
}

// PasswordHash is argon2id's cost: m=KiB,t=passes,p=lanes.
type PasswordHash struct {
	MemoryKiB, Time uint32
	Threads         uint8
}

// Var describes one setting: its variable, flag, default and help.
type Var struct {
	Env, Flag, Default, Help string
	Secret                   bool
}

// Vars lists every setting, in the order the README's table shows them.
var Vars = []Var{
	{"REDLINE_DATA_DIR", "data-dir", "./data", "folder for the SQLite database and blobs of the embedded default", false},
	{"REDLINE_ADDR", "addr", "127.0.0.1:8080", "address to listen on", false},
	{"REDLINE_DATABASE_URL", "database-url", "", "postgres://… selects PostgreSQL; empty means SQLite under the data folder", true},
	{"REDLINE_S3_ENDPOINT", "s3-endpoint", "", "MinIO host:port; empty means blobs on local disk", false},
	{"REDLINE_S3_ACCESS_KEY", "s3-access-key", "", "MinIO access key", true},
	{"REDLINE_S3_SECRET_KEY", "s3-secret-key", "", "MinIO secret key", true},
	{"REDLINE_S3_BUCKET", "s3-bucket", "redline-drafts", "drafts bucket (versioned); the archive bucket is <bucket>-archive (Object Lock)", false},
	{"REDLINE_S3_TLS", "s3-tls", "false", "use HTTPS to reach MinIO", false},
	{"REDLINE_MAX_TEXT_BYTES", "max-text-bytes", "4194304", "largest revision text accepted, in bytes", false},
	{"REDLINE_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed; none by default", false},
	{"REDLINE_BASE_URL", "base-url", "", "public URL of this server, e.g. https://redline.example.org", false},
	{"REDLINE_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", false},
	{"REDLINE_LOGIN_ATTEMPTS", "login-attempts", "5", "failed sign-ins judged per account; further attempts get 429 for a wait that grows with each failure", false},
	{"REDLINE_LOGIN_WINDOW", "login-window", "15m", "how long failed sign-ins count, e.g. 15m", false},
	{"REDLINE_SIGNING_KEY_FILE", "signing-key-file", "", "comma-separated signing key files: OpenSSH Ed25519 private keys, public keys of retired keys, or keys files with valid-after/valid-before per key; empty: adoptions are not signed", false},
	{"REDLINE_SMTP_URL", "smtp-url", "", "SMTP server for notification mail: smtp://user:password@host:587?from=ADDRESS (STARTTLS; &tls=none for a relay on this host) or smtps://…:465; empty: no mail", true},
	// issue 13: hostile and careless users.
	{"REDLINE_LOGIN_ADDRESS_ATTEMPTS", "login-address-attempts", "300", "failed sign-ins allowed per client address within the login window before 429 (a hall shares one address)", false},
	{"REDLINE_HASH_CONCURRENCY", "hash-concurrency", "2", "password hashes (argon2id, 64 MiB each) computed at once; more wait briefly, then get 503", false},
	{"REDLINE_METRICS_TOKEN", "metrics-token", "", "bearer token /metrics requires; empty: none", true},
	{"REDLINE_METRICS_ALLOW", "metrics-allow", "", "comma-separated IPs/CIDRs /metrics answers; empty: every address", false},
	{"REDLINE_IDEMPOTENCY_TTL", "idempotency-ttl", "24h", "how long the answer to an Idempotency-Key is kept", false},
	{"REDLINE_MEMORY_LIMIT_MIB", "memory-limit-mib", "400", "the Go runtime's soft memory limit in MiB (0: none)", false},
	{"REDLINE_MAX_OPEN_PROPOSALS", "max-open-proposals", "20", "open proposals a member may have on one document", false},
	{"REDLINE_COMMENTS_PER_MINUTE", "comments-per-minute", "30", "comments a member may post per minute", false},
	{"REDLINE_PASSWORD_HASH", "password-hash", "m=65536,t=3,p=2", "argon2id cost of new password hashes: memory in KiB, passes, lanes (stored hashes keep theirs)", false},
}

// Load reads the configuration from getenv, then lets flags in args (when fs
// is not nil) override it, then validates it. A secret may also be given as
// the path of a file in <NAME>_FILE. Errors name the variable at fault.
func Load(getenv func(string) string, fs *flag.FlagSet, args []string) (Config, error) {
	values := make(map[string]string, len(Vars))
	for _, v := range Vars {
		val := getenv(v.Env)
		if v.Secret {
			if path := getenv(v.Env + "_FILE"); path != "" {
				if val != "" {
					return Config{}, fmt.Errorf("%s and %s_FILE are both set; set one", v.Env, v.Env)
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return Config{}, fmt.Errorf("%s_FILE: %w", v.Env, err)
				}
				val = strings.TrimRight(string(b), "\r\n")
			}
		}
		if val == "" {
			val = v.Default
		}
		values[v.Env] = val
	}
	if fs != nil {
		ptrs := make(map[string]*string, len(Vars))
		for _, v := range Vars {
			ptrs[v.Env] = fs.String(v.Flag, values[v.Env], v.Help+" ("+v.Env+")")
		}
		if err := fs.Parse(args); err != nil {
			return Config{}, err
		}
		for env, p := range ptrs {
			values[env] = *p
		}
	}
	return parse(values)
}

func parse(v map[string]string) (Config, error) {
	c := Config{
		DataDir:     v["REDLINE_DATA_DIR"],
		Addr:        v["REDLINE_ADDR"],
		DatabaseURL: v["REDLINE_DATABASE_URL"],
		S3Endpoint:  v["REDLINE_S3_ENDPOINT"],
		S3AccessKey: v["REDLINE_S3_ACCESS_KEY"],
		S3SecretKey: v["REDLINE_S3_SECRET_KEY"],
		S3Bucket:    v["REDLINE_S3_BUCKET"],
		BaseURL:     strings.TrimRight(v["REDLINE_BASE_URL"], "/"),
	}
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, a...)...))
	}
	if c.DataDir == "" {
		bad("REDLINE_DATA_DIR", "must not be empty")
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("REDLINE_ADDR", "%q is not host:port", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("REDLINE_ADDR", "%q has no valid port", c.Addr)
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		switch {
		case err != nil:
			bad("REDLINE_DATABASE_URL", "not a URL")
		case u.Scheme != "postgres" && u.Scheme != "postgresql" && u.Scheme != "sqlite" && u.Scheme != "file":
			bad("REDLINE_DATABASE_URL", "scheme %q is not postgres://, sqlite:// or file:", u.Scheme)
		}
	}
	if c.S3Endpoint != "" {
		if strings.Contains(c.S3Endpoint, "://") {
			bad("REDLINE_S3_ENDPOINT", "give host:port without a scheme (use REDLINE_S3_TLS for https)")
		} else if _, _, err := net.SplitHostPort(c.S3Endpoint); err != nil {
			bad("REDLINE_S3_ENDPOINT", "%q is not host:port", c.S3Endpoint)
		}
		if c.S3AccessKey == "" {
			bad("REDLINE_S3_ACCESS_KEY", "required when REDLINE_S3_ENDPOINT is set")
		}
		if c.S3SecretKey == "" {
			bad("REDLINE_S3_SECRET_KEY", "required when REDLINE_S3_ENDPOINT is set")
		}
		if !validBucket(c.S3Bucket) || !validBucket(c.S3Bucket+"-archive") {
			bad("REDLINE_S3_BUCKET", "%q is not a valid bucket name (3–55 of a-z, 0-9, '-', '.')", c.S3Bucket)
		}
	}
	tls, err := strconv.ParseBool(v["REDLINE_S3_TLS"])
	if err != nil {
		bad("REDLINE_S3_TLS", "%q is not true or false", v["REDLINE_S3_TLS"])
	}
	c.S3TLS = tls
	n, err := strconv.ParseInt(v["REDLINE_MAX_TEXT_BYTES"], 10, 64)
	if err != nil || n < 1024 || n > 64<<20 {
		bad("REDLINE_MAX_TEXT_BYTES", "%q must be a number of bytes between 1024 and 67108864", v["REDLINE_MAX_TEXT_BYTES"])
	}
	c.MaxTextBytes = n
	for _, p := range strings.Split(v["REDLINE_TRUSTED_PROXIES"], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("REDLINE_TRUSTED_PROXIES", "%q is neither an IP address nor a CIDR", p)
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("REDLINE_BASE_URL", "%q is not an http(s) URL", c.BaseURL)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(v["REDLINE_LOG_LEVEL"])); err != nil {
		bad("REDLINE_LOG_LEVEL", "%q is not debug, info, warn or error", v["REDLINE_LOG_LEVEL"])
	}
	n, err = strconv.ParseInt(v["REDLINE_LOGIN_ATTEMPTS"], 10, 32)
	if err != nil || n < 1 || n > 1000 {
		bad("REDLINE_LOGIN_ATTEMPTS", "%q must be a number between 1 and 1000", v["REDLINE_LOGIN_ATTEMPTS"])
	}
	c.LoginAttempts = int(n)
	c.LoginWindow, err = time.ParseDuration(v["REDLINE_LOGIN_WINDOW"])
	if err != nil || c.LoginWindow < time.Second || c.LoginWindow > 24*time.Hour {
		bad("REDLINE_LOGIN_WINDOW", "%q must be a duration between 1s and 24h, e.g. 15m", v["REDLINE_LOGIN_WINDOW"])
	}
	for _, p := range strings.Split(v["REDLINE_SIGNING_KEY_FILE"], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err != nil {
			bad("REDLINE_SIGNING_KEY_FILE", "%v", err)
		} else if fi.IsDir() {
			bad("REDLINE_SIGNING_KEY_FILE", "%s is a folder, not a key or keys file", p)
		}
		c.SigningKeyFiles = append(c.SigningKeyFiles, p)
	}
	smtp, ok, err := notify.ParseSMTPURL(v["REDLINE_SMTP_URL"])
	switch {
	case err != nil:
		bad("REDLINE_SMTP_URL", "%v", err)
	case ok:
		c.SMTP = &smtp
	}
	parseHarden(&c, v, bad)
	return c, errors.Join(errs...)
}

// parseHarden reads the limits of issue 13.
func parseHarden(c *Config, v map[string]string, bad func(name, format string, a ...any)) {
	num := func(name string, lo, hi int64) int64 {
		n, err := strconv.ParseInt(v[name], 10, 64)
		if err != nil || n < lo || n > hi {
			bad(name, "%q must be a number between %d and %d", v[name], lo, hi)
		}
		return n
	}
	c.LoginAddressAttempts = int(num("REDLINE_LOGIN_ADDRESS_ATTEMPTS", 1, 1_000_000))
	c.HashConcurrency = int(num("REDLINE_HASH_CONCURRENCY", 1, 64))
	c.MemoryLimitMiB = num("REDLINE_MEMORY_LIMIT_MIB", 0, 1<<20)
	c.MaxOpenProposals = int(num("REDLINE_MAX_OPEN_PROPOSALS", 1, 10_000))
	c.CommentsPerMinute = int(num("REDLINE_COMMENTS_PER_MINUTE", 1, 10_000))
	c.MetricsToken = v["REDLINE_METRICS_TOKEN"]
	for _, p := range strings.Split(v["REDLINE_METRICS_ALLOW"], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				bad("REDLINE_METRICS_ALLOW", "%q is neither an IP address nor a CIDR", p)
				continue
			}
		}
		c.MetricsAllow = append(c.MetricsAllow, p)
	}
	d, err := time.ParseDuration(v["REDLINE_IDEMPOTENCY_TTL"])
	if err != nil || d < time.Minute || d > 30*24*time.Hour {
		bad("REDLINE_IDEMPOTENCY_TTL", "%q must be a duration between 1m and 720h, e.g. 24h", v["REDLINE_IDEMPOTENCY_TTL"])
	}
	c.IdempotencyTTL = d
	var m, t, p uint32
	if _, err := fmt.Sscanf(v["REDLINE_PASSWORD_HASH"], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m < 1024 || m > 4<<20 || t < 1 || t > 100 || p < 1 || p > 16 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != v["REDLINE_PASSWORD_HASH"] {
		bad("REDLINE_PASSWORD_HASH", "%q must be m=KiB,t=passes,p=lanes, e.g. m=65536,t=3,p=2 (m 1024…4194304, t 1…100, p 1…16)", v["REDLINE_PASSWORD_HASH"])
	}
	c.PasswordHash = PasswordHash{MemoryKiB: m, Time: t, Threads: uint8(p)}
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for _, r := range b {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// SQLiteURL is the database of the embedded default.
func (c Config) SQLiteURL() string {
	path := filepath.Join(c.DataDir, "redline.db")
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "sqlite://" + path
}

// DatabaseTarget is the database URL to open: DatabaseURL, or the SQLite
// file under DataDir.
func (c Config) DatabaseTarget() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return c.SQLiteURL()
}

// UsesTLS reports whether the public URL is https.
func (c Config) UsesTLS() bool { return strings.HasPrefix(c.BaseURL, "https://") }
