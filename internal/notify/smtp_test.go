package notify_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"redline/internal/notify"
)

// smtpMailer configures a Mailer by REDLINE_SMTP_URL's syntax.
func smtpMailer(t *testing.T, raw string) (*notify.SMTP, notify.SMTPConfig) {
	t.Helper()
	cfg, ok, err := notify.ParseSMTPURL(raw)
	if err != nil || !ok {
		t.Fatalf("ParseSMTPURL(%q): %v, %v", raw, ok, err)
	}
	cfg.Timeout = 30 * time.Second
	return notify.NewSMTP(cfg), cfg
}

// TestMailsArriveOverSMTP runs the whole pipeline against a real SMTP
// server in its own process: the mails arrive once each, to the right
// people, in their language, grouped into digests, and the one-click
// unsubscribe link in a received mail works.
func TestMailsArriveOverSMTP(t *testing.T) {
	srv := startSMTPD(t)
	mailer, _ := smtpMailer(t, "smtp://127.0.0.1:"+srv.Port+"?from=Redline%20%3Credline@example.org%3E&tls=none")
	w := newWorld(t, mailer)
	// The links in the mails lead to this server, which serves the
	// unsubscribe route as the web UI will.
	var handler http.Handler
	web := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { handler.ServeHTTP(rw, r) }))
	defer web.Close()
	w.r.Links.Base = web.URL
	handler = http.StripPrefix("/unsubscribe", w.n.UnsubscribeHandler(w.dir))

	ctx := context.Background()
	w.history()
	must(t, w.n.Step(ctx))
	w.clk.Add(5 * time.Minute)
	w.add("revision.commit", chair, map[string]string{"number": "7"})
	must(t, w.n.Step(ctx))
	if got := srv.messages(t); len(got) != 0 {
		t.Fatalf("%d mails before the window closed", len(got))
	}
	w.clk.Add(5 * time.Minute)
	must(t, w.n.Step(ctx))
	must(t, w.n.Step(ctx)) // nothing more to send

	got := srv.messages(t)
	if len(got) != 2 {
		t.Fatalf("%d mails arrived, want 2", len(got))
	}
	byTo := map[string]received{}
	for _, m := range got {
		if len(m.RcptTos) != 1 || m.MailFrom != "redline@example.org" || m.TLS {
			t.Errorf("envelope %s → %v (tls %v)", m.MailFrom, m.RcptTos, m.TLS)
		}
		byTo[m.RcptTos[0]] = m
	}
	iv, pe := byTo["ivanov@example.org"], byTo["petrov@example.org"]
	if iv.Raw == nil || pe.Raw == nil {
		t.Fatalf("recipients %v, want ivanov and petrov", slices.Collect(func(yield func(string) bool) {
			for k := range byTo {
				if !yield(k) {
					return
				}
			}
		}))
	}
	ivp, pep := parse(t, iv.Raw), parse(t, pe.Raw)
	if ivp.header.Get("Content-Language") != "ru" || !strings.HasSuffix(ivp.subject, "3 новых события") ||
		!strings.Contains(ivp.text, "Ваша поправка №3 принята") || !strings.Contains(ivp.text, "Ответ от petrov") {
		t.Errorf("ivanov's mail (ru, 3 items): %q\n%s", ivp.subject, ivp.text)
	}
	if pep.header.Get("Content-Language") != "en" || !strings.HasSuffix(pep.subject, "4 updates") ||
		!strings.Contains(pep.text, "New revision 7 (chair).") {
		t.Errorf("petrov's mail (en, 4 items): %q\n%s", pep.subject, pep.text)
	}
	for _, m := range w.store.Mails() {
		r := byTo[m.To]
		if m.SentAt.IsZero() || parse(t, r.Raw).header.Get("Message-ID") != w.r.MessageID(m.Key) {
			t.Errorf("outbox mail %s: sent %v, Message-ID %q", m.Key, m.SentAt, parse(t, r.Raw).header.Get("Message-ID"))
		}
	}

	// Petrov's mail program unsubscribes with one click (RFC 8058): a POST
	// to the List-Unsubscribe URL with List-Unsubscribe=One-Click.
	lu := strings.Trim(pep.header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(lu, web.URL+"/unsubscribe/") {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	resp, err := http.PostForm(lu, url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || w.dir.Topics(doc.ID, petrov) != 0 {
		t.Fatalf("one-click unsubscribe: %d, petrov's topics now %s", resp.StatusCode, w.dir.Topics(doc.ID, petrov))
	}
	// Ivanov unsubscribes from replies only, through the link in the body.
	var repliesLink string
	for _, line := range strings.Split(ivp.text, "\n") {
		if strings.Contains(line, "ответы в моих обсуждениях: ") {
			repliesLink = strings.TrimSpace(strings.SplitN(line, ": ", 2)[1])
		}
	}
	resp, err = http.PostForm(repliesLink, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || w.dir.Topics(doc.ID, ivanov) != notify.DefaultTopics&^notify.Replies {
		t.Fatalf("unsubscribe from replies: %d, ivanov's topics now %s", resp.StatusCode, w.dir.Topics(doc.ID, ivanov))
	}

	w.add("revision.commit", chair, map[string]string{"number": "8"})
	w.add("comment.create", petrov, map[string]string{"comment": "33", "revision": "8", "reply_to": "30"})
	w.add("adoption.create", chair, map[string]string{"revision": "8", "stage": "final"})
	must(t, w.n.Step(ctx))
	w.clk.Add(10 * time.Minute)
	must(t, w.n.Step(ctx))
	got = srv.messages(t)
	if len(got) != 3 || !slices.Equal(got[2].RcptTos, []string{"ivanov@example.org"}) {
		t.Fatalf("after unsubscribing: %d mails, the last to %v; want a third, to ivanov only", len(got), got[len(got)-1].RcptTos)
	}
	if p := parse(t, got[2].Raw); !strings.Contains(p.subject, "Редакция 8 принята в целом") || strings.Contains(p.text, "Ответ от") {
		t.Errorf("ivanov's third mail: %q\n%s", p.subject, p.text)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	cert, key, roots := tlsFiles(t)
	srv := startSMTPD(t, "--mode", "starttls", "--cert", cert, "--key", key, "--user", "bot", "--password", "pä ss:/@")
	u := url.URL{Scheme: "smtp", User: url.UserPassword("bot", "pä ss:/@"), Host: "127.0.0.1:" + srv.Port, RawQuery: "from=redline@example.org"}
	raw := u.String()
	m, cfg := smtpMailer(t, raw)
	cfg.TLS = trusting(roots)
	m = notify.NewSMTP(cfg)
	msg := []byte("From: redline@example.org\r\nTo: ivanov@example.org\r\nSubject: test\r\n\r\n.leading dot\r\nbody\r\n")
	if err := m.Send(context.Background(), "redline@example.org", "ivanov@example.org", msg); err != nil {
		t.Fatal(err)
	}
	got := srv.messages(t)
	if len(got) != 1 || !got[0].TLS || got[0].Auth == nil || *got[0].Auth != "bot" {
		t.Fatalf("received %+v, want one message over TLS, authenticated as bot", got)
	}
	if string(got[0].Raw) != string(msg) {
		t.Errorf("the server received %q, we sent %q", got[0].Raw, msg)
	}

	cfg.Password = "wrong"
	err := notify.NewSMTP(cfg).Send(context.Background(), "redline@example.org", "ivanov@example.org", msg)
	var se *notify.SMTPError
	if !errors.As(err, &se) || se.Stage != "auth" || notify.IsPermanent(err) {
		t.Errorf("a wrong password: %v; want an auth error, not the message's fault", err)
	}
	// Without trusting the server's certificate, nothing is sent.
	cfg.Password, cfg.TLS = "pä ss:/@", nil
	if err := notify.NewSMTP(cfg).Send(context.Background(), "redline@example.org", "ivanov@example.org", msg); !errors.As(err, &se) || se.Stage != "starttls" {
		t.Errorf("an untrusted certificate: %v, want a starttls error", err)
	}
}

func TestSMTPRefusesPlainWhenTLSIsRequired(t *testing.T) {
	srv := startSMTPD(t) // offers no STARTTLS
	m, _ := smtpMailer(t, "smtp://127.0.0.1:"+srv.Port+"?from=redline@example.org")
	err := m.Send(context.Background(), "redline@example.org", "ivanov@example.org", []byte("Subject: x\r\n\r\nx\r\n"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("a server without STARTTLS: %v", err)
	}
	if len(srv.messages(t)) != 0 {
		t.Fatal("a message was sent in the clear")
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	cert, key, roots := tlsFiles(t)
	srv := startSMTPD(t, "--mode", "smtps", "--cert", cert, "--key", key)
	_, cfg := smtpMailer(t, "smtps://127.0.0.1:"+srv.Port+"?from=redline@example.org")
	cfg.TLS = trusting(roots)
	if err := notify.NewSMTP(cfg).Send(context.Background(), "redline@example.org", "petrov@example.org",
		[]byte("Subject: x\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := srv.messages(t); len(got) != 1 || !got[0].TLS {
		t.Fatalf("received %+v", got)
	}
}

func TestSMTPRefusals(t *testing.T) {
	srv := startSMTPD(t, "--reject", "nobody@example.org", "--tempfail", "1")
	m, _ := smtpMailer(t, "smtp://127.0.0.1:"+srv.Port+"?from=redline@example.org&tls=none")
	ctx := context.Background()
	msg := []byte("Subject: x\r\n\r\nx\r\n")
	err := m.Send(ctx, "redline@example.org", "ivanov@example.org", msg)
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("451: %v, want a temporary error", err)
	}
	if err := m.Send(ctx, "redline@example.org", "ivanov@example.org", msg); err != nil {
		t.Fatalf("after the 451: %v", err)
	}
	err = m.Send(ctx, "redline@example.org", "nobody@example.org", msg)
	if !notify.IsPermanent(err) {
		t.Fatalf("550 to the recipient: %v, want a permanent error", err)
	}
	if got := srv.messages(t); len(got) != 1 {
		t.Fatalf("%d messages accepted, want 1", len(got))
	}
	closed := startSMTPD(t)
	closed.cmd.Process.Kill()
	closed.cmd.Wait()
	m, _ = smtpMailer(t, "smtp://127.0.0.1:"+closed.Port+"?from=redline@example.org&tls=none")
	if err := m.Send(ctx, "redline@example.org", "ivanov@example.org", msg); err == nil || notify.IsPermanent(err) {
		t.Fatalf("no server: %v, want a temporary error", err)
	}
}
