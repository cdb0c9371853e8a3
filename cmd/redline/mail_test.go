package main

// --- issue 17: notifications through redline serve to a real SMTP server ---

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/testenv"
)

// smtpServer is internal/notify's aiosmtpd server (testdata/smtpd.py) in
// its own process: every accepted message lands in Dir as <n>.eml.
type smtpServer struct {
	Port, Dir string
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	py := ""
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		if p, err := exec.LookPath(name); err == nil && exec.Command(p, "-c", "import aiosmtpd").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		if testenv.Required() {
			t.Fatalf("no python3 can import aiosmtpd but %s is set", testenv.EnvRequire)
		}
		t.Skip("no python3 can import aiosmtpd: install Debian's python3-aiosmtpd (make test does)")
	}
	s := &smtpServer{Port: testenv.FreePort(t), Dir: t.TempDir()}
	cmd := exec.Command(py, "../../internal/notify/testdata/smtpd.py", "--port", s.Port, "--dir", s.Dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- strings.TrimSpace(line) == "ready"
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("smtpd.py did not start")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("smtpd.py did not start within 30 s")
	}
	return s
}

// gotMail is one message the server accepted.
type gotMail struct {
	To        []string `json:"rcpt_tos"`
	Header    mail.Header
	Text      string // the plain text part
	HTML      string
	MessageID string
}

// messages reads every message accepted so far, ordered by recipient.
func (s *smtpServer) messages(t *testing.T) []gotMail {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(s.Dir, "*.eml"))
	var out []gotMail
	for _, name := range names {
		var m gotMail
		env, err := os.ReadFile(strings.TrimSuffix(name, ".eml") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(env, &m); err != nil {
			t.Fatal(err)
		}
		raw, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m.Header, m.MessageID = msg.Header, msg.Header.Get("Message-ID")
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p) // multipart decodes quoted-printable
			switch {
			case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
				m.Text = string(b)
			case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
				m.HTML = string(b)
			}
		}
		raw.Close()
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i].To, ",") < strings.Join(out[j].To, ",") })
	return out
}

// waitMails waits until n messages arrived, then a while longer to see
// that no more come.
func (s *smtpServer) waitMails(t *testing.T, n int) []gotMail {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for len(s.messages(t)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d mails arrived within 90 s, want %d", len(s.messages(t)), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(8 * time.Second) // past a digest window and a poll: nothing more may come
	got := s.messages(t)
	if len(got) != n {
		t.Fatalf("%d mails arrived, want exactly %d", len(got), n)
	}
	return got
}

// mailSite is a SQLite redline with a document and its people, served by
// redline serve processes mailing to smtp.
type mailSite struct {
	env    []string
	tokens map[string]string
}

func newMailSite(t *testing.T, smtp *smtpServer) *mailSite {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("REDLINE_DATABASE_URL", "")
	t.Setenv("REDLINE_S3_ENDPOINT", "")
	t.Setenv("REDLINE_DATA_DIR", dir)
	cfg, err := loadConfig(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := open(ctx, cfg, io.Discard, drafting.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	s := &mailSite{tokens: map[string]string{},
		env: []string{"REDLINE_DATA_DIR=" + dir, "REDLINE_DATABASE_URL=", "REDLINE_S3_ENDPOINT=",
			"REDLINE_BASE_URL=http://redline.test",
			"REDLINE_SMTP_URL=smtp://127.0.0.1:" + smtp.Port + "?from=redline@example.org&tls=none&digest=3s"}}
	op := drafting.NewOperator(a.svc)
	for _, login := range []string{"root", "chair", "anna", "boris", "carl"} {
		if _, err := op.CreateUser(ctx, drafting.NewUser{Login: login, DisplayName: strings.ToUpper(login[:1]) + login[1:],
			PasswordHash: "$argon2id$x", Admin: login == "root"}); err != nil {
			t.Fatal(err)
		}
		tok, th, _ := auth.NewToken()
		if _, err := op.CreateToken(ctx, login, "", th); err != nil {
			t.Fatal(err)
		}
		s.tokens[login] = tok
	}
	root, _ := a.svc.UserByLogin(ctx, "root")
	text := liveText
	if _, err := a.svc.Documents.Create(ctx, &root, drafting.NewDocument{Slug: "itogi", Title: "Итоговый документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	for login, role := range map[string]string{"chair": drafting.RoleChair, "anna": drafting.RoleMember, "boris": drafting.RoleMember, "carl": drafting.RoleMember} {
		if _, err := op.GrantRole(ctx, login, role, "itogi"); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// call sends a JSON (or, with form, a form) request as login.
func (s *mailSite) call(t *testing.T, base, login, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var (
		rd    io.Reader
		ctype = "application/json"
	)
	switch b := body.(type) {
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case nil:
	default:
		j, _ := json.Marshal(b)
		rd = strings.NewReader(string(j))
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+s.tokens[login])
	req.Header.Set("Content-Type", ctype)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (s *mailSite) must(t *testing.T, want int, base, login, method, path string, body any) map[string]any {
	t.Helper()
	code, out := s.call(t, base, login, method, path, body)
	if code != want {
		t.Fatalf("%s %s as %s: %d %v, want %d", method, path, login, code, out, want)
	}
	return out
}

// TestMailThroughServe: people choose on the settings page what they hear
// about; what members do through the API reaches them by mail from redline
// serve through a real SMTP server (aiosmtpd): once each, only those who
// chose it and have an address, never about their own acts, in their
// language, several events in one digest, plain text and HTML, with a
// one-click unsubscribe link that works. Then the server is killed right
// after an event, before its digest was sent, and restarted: the mail
// arrives exactly once.
func TestMailThroughServe(t *testing.T) {
	smtp := startSMTP(t)
	s := newMailSite(t, smtp)
	srv := startServe(t, s.env)
	srv.find(t, regexp.MustCompile(`Notification mail: (on), through`))
	base := srv.base
	settings := func(login, email, lang string, topics ...string) {
		form := url.Values{"email": {email}, "lang": {lang}, "mail": {"on"}}
		for _, tp := range topics {
			form.Set("topic_"+tp, "on")
		}
		if code, out := s.call(t, base, login, "POST", "/documents/itogi/notifications", form); code != http.StatusSeeOther {
			t.Fatalf("%s saves settings: %d %v", login, code, out)
		}
	}
	settings("anna", "anna@example.org", "en", "decisions", "replies", "adoptions")
	settings("boris", "boris@example.org", "ru", "decisions", "replies", "revisions", "adoptions")
	settings("chair", "chair@example.org", "ru", "decisions", "replies", "revisions", "adoptions")
	// carl keeps the defaults and gives no address: no mail.

	p := s.must(t, http.StatusCreated, base, "anna", "POST", "/api/v1/documents/itogi/proposals", map[string]any{"base": 1,
		"title": "Уточнение пункта 11", "text": strings.Replace(liveText, "поддержать", "всемерно поддержать", 1)})
	c := s.must(t, http.StatusCreated, base, "boris", "POST", "/api/v1/documents/itogi/comments", map[string]any{"revision": 1, "body": "Поддерживаю пункт 11."})
	s.must(t, http.StatusCreated, base, "anna", "POST", "/api/v1/documents/itogi/comments", map[string]any{"reply_to": c["id"], "body": "Спасибо!"})
	s.must(t, http.StatusCreated, base, "chair", "POST", "/api/v1/documents/itogi/proposals/"+jsonNum(p["number"])+"/merge", map[string]any{"head": 1})

	// anna: the decision on her amendment (not her own reply, not the
	// revision: she did not choose it). boris: the reply in his thread
	// and the new revision, in one digest. chair: boris's and anna's
	// comments are not replies to him, and he merged himself: nothing.
	got := smtp.waitMails(t, 2)
	anna, boris := got[0], got[1]
	if to := strings.Join(anna.To, ","); to != "anna@example.org" {
		t.Fatalf("first mail to %s", to)
	}
	if strings.Join(boris.To, ",") != "boris@example.org" {
		t.Fatalf("second mail to %v", boris.To)
	}
	if anna.Header.Get("Content-Language") != "en" || !strings.Contains(anna.Text, "Hello") {
		t.Errorf("anna's mail is not in English: %s\n%s", anna.Header.Get("Content-Language"), anna.Text)
	}
	if boris.Header.Get("Content-Language") != "ru" || !strings.Contains(boris.Text, "Здравствуйте") {
		t.Errorf("boris's mail is not in Russian: %s\n%s", boris.Header.Get("Content-Language"), boris.Text)
	}
	if anna.HTML == "" || boris.HTML == "" {
		t.Error("a mail has no HTML part")
	}
	if n := strings.Count(boris.Text, "http://redline.test/documents/itogi"); n < 2 {
		t.Errorf("boris's digest links %d events, want the reply and the revision in one mail:\n%s", n, boris.Text)
	}
	t.Logf("anna's mail:\n%s", anna.Text)
	t.Logf("boris's mail:\n%s", boris.Text)

	// The one-click unsubscribe (RFC 8058) turns the topics of the mail off.
	link := strings.Trim(boris.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(link, "http://redline.test/unsubscribe/") || boris.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q", boris.Header.Get("List-Unsubscribe"))
	}
	resp, err := http.Post(base+strings.TrimPrefix(link, "http://redline.test"), "application/x-www-form-urlencoded",
		strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	s.must(t, http.StatusCreated, base, "chair", "POST", "/api/v1/documents/itogi/revisions", map[string]any{"base": 2,
		"text": liveText + "\n\n13. Благодарят организаторов.", "message": "пункт 13"})
	// The header's link is "anything in this document": boris gets no
	// mail about the new revision.
	time.Sleep(10 * time.Second)
	if n := len(smtp.messages(t)); n != 2 {
		t.Fatalf("%d mails after boris unsubscribed, want still 2", n)
	}

	// A crash between the event and the mail: kill the server at once
	// after the event (the digest waits 3 s), restart it: one mail.
	s.must(t, http.StatusCreated, base, "chair", "POST", "/api/v1/documents/itogi/comments", map[string]any{"reply_to": c["id"], "body": "Учтём."})
	_ = srv.cmd.Process.Kill()
	_ = srv.cmd.Wait()
	if n := len(smtp.messages(t)); n != 2 {
		t.Fatalf("%d mails before the restart, want 2 (the kill came before the digest was due)", n)
	}
	again := startServe(t, s.env)
	_ = again
	got = smtp.waitMails(t, 3)
	var third []gotMail
	for _, m := range got {
		if m.MessageID != anna.MessageID && m.MessageID != boris.MessageID {
			third = append(third, m)
		}
	}
	if len(third) != 1 || strings.Join(third[0].To, ",") != "anna@example.org" || !strings.Contains(third[0].Text, "http://redline.test/documents/itogi") {
		t.Fatalf("after the restart: %+v, want one mail to anna about the chair's reply", third)
	}
}

func jsonNum(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}
