package notify

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Security is how the connection to the SMTP server is protected.
type Security uint8

// The kinds of protection.
const (
	// StartTLS: connect in the clear and upgrade with STARTTLS before
	// anything else; a server that does not offer it is an error
	// (smtp://, the default, port 587).
	StartTLS Security = iota
	// ImplicitTLS: TLS from the first byte (smtps://, port 465).
	ImplicitTLS
	// Plain: no TLS at all (smtp://…?tls=none), for a relay on the same
	// host; with credentials only to a loopback address.
	Plain
)

// String returns "starttls", "tls" or "none".
func (s Security) String() string {
	switch s {
	case StartTLS:
		return "starttls"
	case ImplicitTLS:
		return "tls"
	case Plain:
		return "none"
	}
	return "security(" + strconv.Itoa(int(s)) + ")"
}

// SMTPConfig is how to reach the SMTP server, from REDLINE_SMTP_URL.
type SMTPConfig struct {
	Host     string
	Port     string
	Security Security
	Username string // "" for no authentication
	Password string
	From     mail.Address  // the sender of every mail (envelope and header)
	HELO     string        // the name we greet with (default "localhost")
	Timeout  time.Duration // per message, connection included (default 60 s)
	// TLS overrides the TLS configuration (tests give their own roots);
	// nil verifies the server against the system's roots and Host.
	TLS *tls.Config
	// Digest is how long a person's first pending item waits for others
	// to join it in one mail (digest=, default 10 min: Options.Window).
	Digest time.Duration
}

// ParseSMTPURL parses REDLINE_SMTP_URL:
//
//	smtp://[user[:password]@]host[:port]?from=ADDRESS[&tls=starttls|none][&helo=NAME][&timeout=60s][&digest=10m]
//	smtps://[user[:password]@]host[:port]?from=ADDRESS[&helo=NAME][&timeout=60s][&digest=10m]
//
// User and password are percent-encoded; from is an address with an
// optional name ("Redline <redline@example.org>", percent-encoded). The
// default port is 587 for smtp and 465 for smtps. An empty URL means no
// mail: ok is false and the error nil. Errors never repeat the password.
func ParseSMTPURL(raw string) (cfg SMTPConfig, ok bool, err error) {
	if strings.TrimSpace(raw) == "" {
		return SMTPConfig{}, false, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return SMTPConfig{}, false, fmt.Errorf("not a URL: %s", strings.ReplaceAll(err.Error(), raw, "…"))
	}
	switch u.Scheme {
	case "smtp":
		cfg.Security, cfg.Port = StartTLS, "587"
	case "smtps":
		cfg.Security, cfg.Port = ImplicitTLS, "465"
	default:
		return SMTPConfig{}, false, fmt.Errorf("scheme %q is not smtp:// or smtps://", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return SMTPConfig{}, false, errors.New("no host: write smtp://host:port?from=…")
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" {
		return SMTPConfig{}, false, errors.New("a path or fragment means nothing here; options go after ?")
	}
	cfg.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPConfig{}, false, fmt.Errorf("port %q is not 1–65535", p)
		}
		cfg.Port = p
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		if cfg.Username == "" {
			return SMTPConfig{}, false, errors.New("a password without a user name")
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return SMTPConfig{}, false, errors.New("the options after ? are not a valid query")
	}
	cfg.HELO, cfg.Timeout = "localhost", 60*time.Second
	for key, vals := range q {
		if len(vals) != 1 {
			return SMTPConfig{}, false, fmt.Errorf("option %s given %d times", key, len(vals))
		}
		v := vals[0]
		switch key {
		case "from":
			a, err := mail.ParseAddress(v)
			if err != nil {
				return SMTPConfig{}, false, fmt.Errorf("from=%q is not an e-mail address: %v", v, err)
			}
			cfg.From = *a
		case "tls":
			switch {
			case u.Scheme == "smtps" && v != "tls":
				return SMTPConfig{}, false, fmt.Errorf("tls=%s with smtps://, which is TLS from the start", v)
			case v == "starttls":
				cfg.Security = StartTLS
			case v == "none":
				cfg.Security = Plain
			case v == "tls":
				cfg.Security = ImplicitTLS
			default:
				return SMTPConfig{}, false, fmt.Errorf("tls=%q is not starttls, tls or none", v)
			}
		case "helo":
			if v == "" || strings.ContainsAny(v, " \r\n") {
				return SMTPConfig{}, false, fmt.Errorf("helo=%q is not a host name", v)
			}
			cfg.HELO = v
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second || d > 10*time.Minute {
				return SMTPConfig{}, false, fmt.Errorf("timeout=%q is not a duration between 1s and 10m", v)
			}
			cfg.Timeout = d
		case "digest":
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second || d > 24*time.Hour {
				return SMTPConfig{}, false, fmt.Errorf("digest=%q is not a duration between 1s and 24h", v)
			}
			cfg.Digest = d
		default:
			return SMTPConfig{}, false, fmt.Errorf("unknown option %q (from, tls, helo, timeout, digest)", key)
		}
	}
	if cfg.From.Address == "" {
		return SMTPConfig{}, false, errors.New("from= is required: the address mail is sent from")
	}
	if cfg.Security == Plain && cfg.Username != "" && !isLoopback(cfg.Host) {
		return SMTPConfig{}, false, fmt.Errorf("tls=none with a password to %s would send it in the clear; use STARTTLS or smtps://", cfg.Host)
	}
	return cfg, true, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Addr returns host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, c.Port) }

// String describes the configuration without its password, for the log.
func (c SMTPConfig) String() string {
	scheme := "smtp"
	if c.Security == ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: c.Addr()}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	q := url.Values{"from": {c.From.String()}}
	if c.Security == Plain {
		q.Set("tls", "none")
	}
	u.RawQuery = q.Encode()
	return u.String()
}
