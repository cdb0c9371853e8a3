package notify_test

import (
	"strings"
	"testing"
	"time"

	"redline/internal/notify"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // Security host port user from helo timeout, or "error: <part of the message>"
	}{
		{"", "none"},
		{"  ", "none"},
		{"smtp://mail.example.org?from=redline@example.org", "starttls mail.example.org 587  redline@example.org localhost 1m0s"},
		{"smtp://bot:s3cr%40t@mail.example.org:2525?from=Redline%20%3Credline@example.org%3E&helo=redline.example.org&timeout=20s",
			"starttls mail.example.org 2525 bot redline@example.org redline.example.org 20s"},
		{"smtps://bot:pw@smtp.yandex.ru?from=bot@yandex.ru", "tls smtp.yandex.ru 465 bot bot@yandex.ru localhost 1m0s"},
		{"smtp://127.0.0.1:25?from=r@x.org&tls=none", "none 127.0.0.1 25  r@x.org localhost 1m0s"},
		{"smtp://u:p@localhost:25?from=r@x.org&tls=none", "none localhost 25 u r@x.org localhost 1m0s"},
		{"smtp://[::1]:25?from=r@x.org&tls=none", "none ::1 25  r@x.org localhost 1m0s"},
		{"smtp://u:p@mail.example.org:25?from=r@x.org&tls=none", "error: in the clear"},
		{"smtp://mail.example.org", "error: from= is required"},
		{"smtp://mail.example.org?from=not-an-address", "error: not an e-mail address"},
		{"http://mail.example.org?from=r@x.org", "error: not smtp:// or smtps://"},
		{"smtp://mail.example.org:0?from=r@x.org", "error: port"},
		{"smtp://mail.example.org:99999?from=r@x.org", "error: port"},
		{"smtp:mail.example.org?from=r@x.org", "error: no host"},
		{"smtp://?from=r@x.org", "error: no host"},
		{"smtp://mail.example.org/path?from=r@x.org", "error: path"},
		{"smtp://mail.example.org?from=r@x.org&tls=maybe", "error: tls="},
		{"smtps://mail.example.org?from=r@x.org&tls=none", "error: smtps://"},
		{"smtp://mail.example.org?from=r@x.org&port=1", "error: unknown option"},
		{"smtp://mail.example.org?from=r@x.org&from=s@x.org", "error: 2 times"},
		{"smtp://mail.example.org?from=r@x.org&timeout=1ms", "error: timeout="},
		{"smtp://mail.example.org?from=r@x.org&helo=a%20b", "error: helo="},
		{"smtp://:pw@mail.example.org?from=r@x.org", "error: without a user"},
		{"smtp://mail.example.org?from=r@x.org&digest=0s", "error: digest="},
		{"smtp://mail.example.org?from=r@x.org&digest=25h", "error: digest="},
	}
	for _, tt := range tests {
		cfg, ok, err := notify.ParseSMTPURL(tt.url)
		var got string
		switch {
		case err != nil:
			got = "error: " + err.Error()
			if !strings.Contains(got, strings.TrimPrefix(tt.want, "error: ")) || !strings.HasPrefix(tt.want, "error: ") {
				t.Errorf("%q: %s, want %s", tt.url, got, tt.want)
			}
			continue
		case !ok:
			got = "none"
		default:
			got = strings.Join([]string{cfg.Security.String(), cfg.Host, cfg.Port, cfg.Username, cfg.From.Address, cfg.HELO, cfg.Timeout.String()}, " ")
		}
		if got != tt.want {
			t.Errorf("%q: %s, want %s", tt.url, got, tt.want)
		}
	}
}

func TestSMTPURLKeepsThePasswordSecret(t *testing.T) {
	for _, raw := range []string{
		"smtp://bot:hunter2@mail.example.org:bad?from=r@x.org",
		"smtp://bot:hunter2@mail.example.org?from=r@x.org&bad=1",
		"smtp://bot:hunter2@mail example.org?from=r@x.org",
		"smtp://bot:hunter2@mail.example.org:25?from=r@x.org&tls=none",
		"smtp://bot:hunter2@mail.example.org?from=bad",
		"smtp://bot:hunter2@%zz?from=r@x.org",
	} {
		_, _, err := notify.ParseSMTPURL(raw)
		if err == nil {
			t.Errorf("%q was accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error for %q shows the password: %v", raw, err)
		}
	}
	cfg, _, err := notify.ParseSMTPURL("smtp://bot:hunter2@mail.example.org?from=r@x.org")
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "mail.example.org:587") {
		t.Errorf("String() = %q", s)
	}
	if cfg.Password != "hunter2" || cfg.Timeout != time.Minute {
		t.Errorf("parsed %+v", cfg)
	}
}

// TestParseSMTPURLDigest: digest= sets how long a digest collects (issue 17).
func TestParseSMTPURLDigest(t *testing.T) {
	cfg, ok, err := notify.ParseSMTPURL("smtp://127.0.0.1:25?from=r@x.org&tls=none&digest=3s")
	if err != nil || !ok || cfg.Digest != 3*time.Second {
		t.Fatalf("digest=3s: %+v %v %v", cfg, ok, err)
	}
	if cfg, _, _ := notify.ParseSMTPURL("smtp://127.0.0.1:25?from=r@x.org&tls=none"); cfg.Digest != 0 {
		t.Fatalf("no digest=: %v, want 0 (the notifier's default)", cfg.Digest)
	}
}
