package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// SMTP sends mail through the configured server, one connection per
// message (digests keep the volume small).
type SMTP struct {
	cfg SMTPConfig
}

var _ Mailer = (*SMTP)(nil)

// NewSMTP returns a Mailer for cfg.
func NewSMTP(cfg SMTPConfig) *SMTP { return &SMTP{cfg: cfg} }

// SMTPError is a refusal by the server, or a failure to talk to it, at a
// stage of the conversation: connect, hello, starttls, auth, mail, rcpt,
// data.
type SMTPError struct {
	Stage string
	Err   error
}

func (e *SMTPError) Error() string { return "smtp " + e.Stage + ": " + e.Err.Error() }
func (e *SMTPError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is the server refusing this message for
// good (a 5xx reply to its recipient or its content), so sending it again
// is pointless. A 5xx to the connection, the greeting, TLS, the login or
// the sender is the configuration's fault, not the message's, and is
// retried like any other failure.
func IsPermanent(err error) bool {
	var se *SMTPError
	var te *textproto.Error
	return errors.As(err, &se) && (se.Stage == "rcpt" || se.Stage == "data") &&
		errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

func (s *SMTP) tlsConfig() *tls.Config {
	if s.cfg.TLS != nil {
		c := s.cfg.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = s.cfg.Host
		}
		return c
	}
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
}

// Send implements Mailer. It returns as soon as the server has accepted
// the message; the QUIT after it is best effort.
func (s *SMTP) Send(ctx context.Context, from, to string, msg []byte) error {
	deadline := time.Now().Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := &net.Dialer{Deadline: deadline}
	var (
		conn net.Conn
		err  error
	)
	if s.cfg.Security == ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: s.tlsConfig()}).DialContext(ctx, "tcp", s.cfg.Addr())
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", s.cfg.Addr())
	}
	if err != nil {
		return &SMTPError{"connect", err}
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return &SMTPError{"connect", err}
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return &SMTPError{"connect", err}
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HELO); err != nil {
		return &SMTPError{"hello", err}
	}
	if s.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &SMTPError{"starttls", errors.New("the server does not offer STARTTLS (use tls=none only for a relay on this host)")}
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return &SMTPError{"starttls", err}
		}
	}
	if s.cfg.Username != "" {
		ok, mechs := c.Extension("AUTH")
		if !ok {
			return &SMTPError{"auth", errors.New("the server offers no AUTH but a user name is configured")}
		}
		var a smtp.Auth
		switch m := strings.Fields(strings.ToUpper(mechs)); {
		case slices.Contains(m, "PLAIN"):
			a = smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)
		case slices.Contains(m, "LOGIN"):
			a = &loginAuth{user: s.cfg.Username, pass: s.cfg.Password}
		default:
			return &SMTPError{"auth", fmt.Errorf("the server offers AUTH %s; PLAIN or LOGIN is needed", mechs)}
		}
		if err := c.Auth(a); err != nil {
			return &SMTPError{"auth", err}
		}
	}
	if err := c.Mail(from); err != nil {
		return &SMTPError{"mail", err}
	}
	if err := c.Rcpt(to); err != nil {
		return &SMTPError{"rcpt", err}
	}
	w, err := c.Data()
	if err != nil {
		return &SMTPError{"data", err}
	}
	if _, err := w.Write(msg); err != nil {
		return &SMTPError{"data", err}
	}
	if err := w.Close(); err != nil {
		return &SMTPError{"data", err}
	}
	_ = c.Quit()
	return nil
}

// loginAuth is the LOGIN mechanism, which some servers offer instead of
// PLAIN. Like smtp.PlainAuth it is used only over TLS or to localhost:
// ParseSMTPURL refuses a password over plain text to anywhere else.
type loginAuth struct{ user, pass string }

func (a *loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:":
		return []byte(a.user), nil
	case "password:":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN challenge %q", fromServer)
}
