package main

// issue 16: signed adoptions and Akoma Ntoso, checked by real clients
// (OpenSSH's ssh-keygen, libxml2's xmllint) against what real `redline
// serve` processes publish.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"redline/internal/apidoc/apidoctest"
	"redline/internal/signing"
	"redline/internal/testenv"
	"redline/internal/webui/demo"
)

// signingEnv is one data folder served by successive redline serve
// processes, with an administrator who chairs every document it creates.
type signingEnv struct {
	t     *testing.T
	env   []string
	dir   string // files the clients read
	token string
	srv   *server
}

func (e *signingEnv) redline(stdin string, args ...string) string {
	e.t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env, cmd.Stdin = append(append(os.Environ(), "REDLINE_TEST_AS_MAIN=1"), e.env...), strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("redline %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// serve stops the running server, if any, and starts one with the signing
// keys (REDLINE_SIGNING_KEY_FILE) and the arguments.
func (e *signingEnv) serve(keys string, args ...string) {
	e.t.Helper()
	e.stop()
	e.srv = startServe(e.t, append(append([]string(nil), e.env...), "REDLINE_SIGNING_KEY_FILE="+keys), args...)
}

func (e *signingEnv) stop() {
	if e.srv == nil {
		return
	}
	_ = e.srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := e.srv.cmd.Wait(); err != nil {
		e.t.Fatalf("server did not stop cleanly: %v\n%s", err, e.srv.stderr.String())
	}
	e.srv = nil
}

func (e *signingEnv) call(method, path string, body any, want int) []byte {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.base+path, r)
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := apidoctest.Client(e.t).Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

// public fetches a path as an anonymous reader.
func (e *signingEnv) public(path string) []byte {
	e.t.Helper()
	resp, err := apidoctest.Client(e.t).Get(e.srv.base + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

func (e *signingEnv) save(name string, b []byte) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// create makes a document with text as revision 1, chaired by the
// administrator.
func (e *signingEnv) create(slug, title, lang, text string) {
	e.t.Helper()
	e.call("POST", "/api/v1/documents", map[string]any{"slug": slug, "title": title, "language": lang, "text": text}, 201)
	e.call("PUT", "/api/v1/documents/"+slug+"/members/boss", map[string]any{"role": "chair"}, 200)
}

// commit makes the next revision and returns its number.
func (e *signingEnv) commit(slug string, base int64, text string) int64 {
	e.t.Helper()
	var r struct{ Number int64 }
	_ = json.Unmarshal(e.call("POST", "/api/v1/documents/"+slug+"/revisions",
		map[string]any{"base": base, "text": text, "message": "правка"}, 201), &r)
	return r.Number
}

// adopt approves revision n and adopts it at stage, with the vote when
// one is given ({for, against, abstained}).
func (e *signingEnv) adopt(slug string, n int64, stage string, vote ...int) {
	e.t.Helper()
	var r struct{ SHA256 string }
	_ = json.Unmarshal(e.call("GET", fmt.Sprintf("/api/v1/documents/%s/revisions/%d", slug, n), nil, 200), &r)
	e.call("POST", fmt.Sprintf("/api/v1/documents/%s/revisions/%d/approvals", slug, n), map[string]any{"sha256": r.SHA256}, 201)
	body := map[string]any{"stage": stage}
	if len(vote) == 3 {
		body["vote"] = map[string]int{"for": vote[0], "against": vote[1], "abstained": vote[2]}
	}
	e.call("POST", fmt.Sprintf("/api/v1/documents/%s/revisions/%d/adopt", slug, n), body, 201)
}

type publishedStatement struct {
	Number      int64
	Revision    int64
	Stage       string
	SHA256      string
	Key         string
	SignedLater bool   `json:"signed_later"`
	URL         string `json:"statement_url"`
	SigURL      string `json:"signature_url"`
}

// statements waits until the document has want signed statements (the
// outbox signs adoptions made before a key at start) and returns them.
func (e *signingEnv) statements(slug string, want int) []publishedStatement {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var r struct{ Statements []publishedStatement }
		_ = json.Unmarshal(e.public("/api/v1/public/documents/"+slug+"/statements"), &r)
		if len(r.Statements) >= want {
			if len(r.Statements) != want {
				e.t.Fatalf("%s has %d statements, want %d", slug, len(r.Statements), want)
			}
			return r.Statements
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s has %d statements after 60 s, want %d\n%s", slug, len(r.Statements), want, e.srv.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// download saves a statement, its signature and the adopted text it names
// as the public page offers them, and returns their paths.
func (e *signingEnv) download(slug string, st publishedStatement) (text, statement, signature string) {
	e.t.Helper()
	prefix := fmt.Sprintf("%s-%d", slug, st.Number)
	text = e.save(prefix+".md", e.public(fmt.Sprintf("/api/v1/public/documents/%s/download/%d.md", slug, st.Revision)))
	statement = e.save(prefix+".json", e.public(st.URL))
	signature = e.save(prefix+".json.sig", e.public(st.SigURL))
	return text, statement, signature
}

// sshVerify runs ssh-keygen -Y verify as the public page tells a reader
// to, and returns its combined output and whether it accepted.
func sshVerify(t *testing.T, sshKeygen, allowed, statement, signature string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(statement)
	if err != nil {
		t.Fatal(err)
	}
	verifyTime := ""
	if st, err := signing.ParseStatement(b); err == nil {
		verifyTime = signing.SSHTime(st.SignedAt)
	} else {
		// A tampered statement may not parse; its signing date is read
		// from the JSON as a reader would.
		var w struct {
			SignedAt time.Time `json:"signed_at"`
		}
		if json.Unmarshal(b, &w) != nil {
			t.Fatalf("%s: not JSON", statement)
		}
		verifyTime = signing.SSHTime(w.SignedAt)
	}
	cmd := exec.Command(sshKeygen, "-Y", "verify", "-f", allowed, "-I", "redline", "-n", "redline", "-s", signature,
		"-O", "verify-time="+verifyTime)
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run ssh-keygen: %v", err)
	}
	return string(out), err == nil
}

// verifyAdoption runs redline verify-adoption and returns its output and
// exit code.
func verifyAdoption(args ...string) (string, int) {
	var out, errb bytes.Buffer
	code := cmdVerifyAdoption(args, &out, &errb)
	return out.String() + errb.String(), code
}

// randomResolution is a random resolution in Russian or English: preamble
// paragraphs, numbered operative items, sub-items and a heading.
func randomResolution(rng *rand.Rand, russian bool) string {
	words := []string{"кластер", "поддержка", "инновации", "город", "развитие", "практика", "проблема", "участник"}
	subs := []string{"а)", "б)", "в)", "г)"}
	preamble := []string{"Участники конференции,", "отмечая", "признавая"}
	if !russian {
		words = []string{"cluster", "support", "innovation", "city", "growth", "practice", "problem", "member"}
		subs = []string{"(a)", "(b)", "(c)", "(d)"}
		preamble = []string{"The Conference,", "Noting", "Recognising"}
	}
	sentence := func() string {
		n := 3 + rng.IntN(8)
		ws := make([]string, n)
		for i := range ws {
			ws[i] = words[rng.IntN(len(words))]
		}
		return strings.Join(ws, " ")
	}
	var ps []string
	ps = append(ps, preamble[0])
	for i := 0; i < 1+rng.IntN(3); i++ {
		ps = append(ps, preamble[1+rng.IntN(2)]+" "+sentence()+",")
	}
	if rng.IntN(2) == 0 {
		if russian {
			ps = append(ps, "## Раздел I")
		} else {
			ps = append(ps, "## Part I")
		}
	}
	for i := 1; i <= 2+rng.IntN(6); i++ {
		ps = append(ps, fmt.Sprintf("%d. %s:", i, sentence()))
		for j := 0; j < rng.IntN(4); j++ {
			ps = append(ps, subs[j]+" "+sentence()+";")
		}
	}
	return strings.Join(ps, "\n\n") + "\n"
}

// TestSignedAdoptionsThroughServer: real redline serve processes over one
// data folder. Adoptions made before a key are signed when one is
// configured (signed later); every adoption's statement and signature,
// downloaded from the public routes, is accepted by ssh-keygen -Y verify
// with the keys published at /.well-known/redline-keys and by redline
// verify-adoption, and refused with one byte changed, signed by another
// key, or with another previous statement's hash; after a rotation the old
// key's statements still verify, a statement dated outside its key's
// validity is refused; and every Akoma Ntoso file the server writes
// (public downloads and members' exports, the demo conference and random
// Russian and English texts) validates against the OASIS schema.
func TestSignedAdoptionsThroughServer(t *testing.T) {
	sshKeygen := testenv.Tool(t, "ssh-keygen", "openssh-client")
	xmllint := testenv.Tool(t, "xmllint", "libxml2-utils")
	schema, err := filepath.Abs("../../internal/akn/testdata/schema/akomantoso30.xsd")
	if err != nil {
		t.Fatal(err)
	}
	e := &signingEnv{t: t, dir: t.TempDir(),
		env: []string{"REDLINE_DATA_DIR=" + t.TempDir(), "REDLINE_DATABASE_URL=", "REDLINE_S3_ENDPOINT=", "REDLINE_LOG_LEVEL=error"}}
	e.redline("signing-e2e-1\n", "user", "add", "boss", "--admin")
	e.token = e.redline("", "token", "create", "boss")
	keys := t.TempDir()
	keygen := func(name string) string {
		p := filepath.Join(keys, name)
		var out, errb bytes.Buffer
		if code := cmdKeygen([]string{"--out", p}, &out, &errb); code != 0 {
			t.Fatalf("keygen: %s", errb.String())
		}
		return p
	}
	k1, k2, other := keygen("k1"), keygen("k2"), keygen("other")

	// 1. No key yet: the demo conference's adoption and one more are not
	// signed, and nothing is published.
	e.serve("", "--demo")
	ru := "rezolyuciya"
	e.create(ru, "Резолюция конференции", "ru", randomResolution(rand.New(rand.NewPCG(1, 1)), true))
	e.adopt(ru, 1, "basis")
	resp, err := http.Get(e.srv.base + "/.well-known/redline-keys")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("keys without a key configured: %d, want 404", resp.StatusCode)
	}
	if got := e.statements(ru, 0); len(got) != 0 {
		t.Fatalf("statements without a key: %v", got)
	}

	// 2. Key k1: the earlier adoption is signed later; new ones at once.
	e.serve(k1)
	first := e.statements(ru, 1)
	if !first[0].SignedLater {
		t.Errorf("an adoption made before the key is not marked signed later: %+v", first[0])
	}
	head := e.commit(ru, 1, randomResolution(rand.New(rand.NewPCG(1, 2)), true))
	e.adopt(ru, head, "final", 112, 3, 5)
	en := "charter"
	e.create(en, "Charter & <rules>", "en", randomResolution(rand.New(rand.NewPCG(2, 1)), false))
	e.adopt(en, 1, "final")
	docs := map[string]int{ru: 2, en: 1, demo.Slug: 1}
	for i := range 4 {
		slug := fmt.Sprintf("random-%d", i)
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(i)))
		russian := i%2 == 0
		lang := map[bool]string{true: "ru", false: "en"}[russian]
		e.create(slug, fmt.Sprintf("Random %d", i), lang, randomResolution(rng, russian))
		e.adopt(slug, 1, "basis")
		n := e.commit(slug, 1, randomResolution(rng, russian))
		e.commit(slug, n, randomResolution(rng, russian)) // a draft, never adopted
		docs[slug] = 1
	}
	allowed := e.save("allowed_signers", e.public("/.well-known/redline-keys"))

	type downloaded struct{ slug, text, statement, signature string }
	var all []downloaded
	for slug, n := range docs {
		for _, st := range e.statements(slug, n) {
			text, statement, signature := e.download(slug, st)
			all = append(all, downloaded{slug, text, statement, signature})
		}
	}
	if len(all) != 8 {
		t.Fatalf("%d statements published, want 8", len(all))
	}
	t.Run("ssh-keygen accepts every statement", func(t *testing.T) {
		for _, d := range all {
			if out, ok := sshVerify(t, sshKeygen, allowed, d.statement, d.signature); !ok || !strings.Contains(out, `Good "redline" signature`) {
				t.Errorf("%s: ssh-keygen refused: %s", filepath.Base(d.statement), out)
			}
			if out, code := verifyAdoption(d.text, d.statement, d.signature, "--keys", allowed); code != 0 {
				t.Errorf("%s: redline verify-adoption: %d %s", filepath.Base(d.statement), code, out)
			}
		}
		// The vote recorded with the final adoption is in its statement.
		b, _ := os.ReadFile(filepath.Join(e.dir, ru+"-2.json"))
		if !bytes.Contains(b, []byte(`"votes":{"abstained":5,"against":3,"for":112}`)) {
			t.Errorf("the statement of an adoption with a vote lacks it: %s", b)
		}
		if b, _ := os.ReadFile(filepath.Join(e.dir, ru+"-1.json")); !bytes.Contains(b, []byte(`"votes":null`)) {
			t.Errorf("the statement of an adoption without a vote: %s", b)
		}
		// The chain: the final adoption follows the basis.
		s1, s2 := filepath.Join(e.dir, ru+"-1.json"), filepath.Join(e.dir, ru+"-2.json")
		if out, code := verifyAdoption(filepath.Join(e.dir, ru+"-2.md"), s2, s2+".sig", "--keys", allowed, "--previous", s1); code != 0 {
			t.Errorf("chain: %d %s", code, out)
		}
	})
	t.Run("ssh-keygen refuses tampering", func(t *testing.T) {
		s1, s2 := filepath.Join(e.dir, ru+"-1.json"), filepath.Join(e.dir, ru+"-2.json")
		b, _ := os.ReadFile(s2)
		// One changed byte: the revision's hash.
		i := bytes.Index(b, []byte(`"sha256":"`)) + len(`"sha256":"`)
		changed := bytes.Clone(b)
		changed[i] ^= 1
		if changed[i] > 'f' || changed[i] < '0' {
			changed[i] = '0'
		}
		p := e.save("changed.json", changed)
		if out, ok := sshVerify(t, sshKeygen, allowed, p, s2+".sig"); ok {
			t.Errorf("ssh-keygen accepted a statement with one byte changed: %s", out)
		}
		// Another previous statement's hash.
		var w map[string]any
		_ = json.Unmarshal(b, &w)
		forgedPrev := bytes.Replace(b, []byte(w["previous"].(string)), []byte(signing.Hash([]byte("another statement"))), 1)
		p = e.save("previous.json", forgedPrev)
		if out, ok := sshVerify(t, sshKeygen, allowed, p, s2+".sig"); ok {
			t.Errorf("ssh-keygen accepted a statement whose previous hash was changed: %s", out)
		}
		if out, code := verifyAdoption(filepath.Join(e.dir, ru+"-2.md"), p, s2+".sig", "--keys", allowed, "--previous", s1); code != 1 {
			t.Errorf("verify-adoption accepted a changed previous hash: %d %s", code, out)
		}
		// A genuine statement whose previous is not the one given.
		other1 := filepath.Join(e.dir, en+"-1.json")
		if out, code := verifyAdoption(filepath.Join(e.dir, ru+"-2.md"), s2, s2+".sig", "--keys", allowed, "--previous", other1); code != 1 || !strings.Contains(out, "chain") {
			t.Errorf("verify-adoption accepted another document's statement as the previous one: %d %s", code, out)
		}
		// Signed by another key, with ssh-keygen itself.
		p = e.save("other.json", b)
		cmd := exec.Command(sshKeygen, "-Y", "sign", "-f", other, "-n", "redline", p)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -Y sign: %v %s", err, out)
		}
		if out, ok := sshVerify(t, sshKeygen, allowed, p, p+".sig"); ok {
			t.Errorf("ssh-keygen accepted a signature by another key: %s", out)
		}
		if out, code := verifyAdoption(filepath.Join(e.dir, ru+"-2.md"), p, p+".sig", "--keys", allowed); code != 1 {
			t.Errorf("verify-adoption accepted a signature by another key: %d %s", code, out)
		}
	})
	t.Run("the public page's commands verify its downloads", func(t *testing.T) {
		page := string(e.public("/public/" + ru))
		var keys struct {
			Keys []struct{ Fingerprint string }
		}
		_ = json.Unmarshal(e.public("/api/v1/public/keys"), &keys)
		if len(keys.Keys) != 1 || !strings.Contains(html.UnescapeString(page), keys.Keys[0].Fingerprint) {
			t.Errorf("the public page does not show the key's fingerprint %v", keys.Keys)
		}
		diffPage := html.UnescapeString(string(e.public("/public/" + ru + "/diff?from=1&to=2")))
		if len(keys.Keys) != 1 || !strings.Contains(diffPage, keys.Keys[0].Fingerprint) || !strings.Contains(diffPage, "/.well-known/redline-keys") {
			t.Errorf("the public redline page does not show the keys")
		}
		m := regexp.MustCompile(`(?s)<pre id="verify-commands"><code>(.*?)</code></pre>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no verify commands on the public page")
		}
		commands := html.UnescapeString(m[1])
		// Save the downloads under the names the page's links give them.
		work := t.TempDir()
		for _, link := range regexp.MustCompile(`<a href="([^"]+)" download="([^"]+)"`).FindAllStringSubmatch(page, -1) {
			href, name := html.UnescapeString(link[1]), html.UnescapeString(link[2])
			if err := os.WriteFile(filepath.Join(work, name), e.public(href), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var cur struct{ Revision int64 }
		_ = json.Unmarshal(e.public("/api/v1/public/documents/"+ru), &cur)
		text := e.public(fmt.Sprintf("/api/v1/public/documents/%s/download/%d.md", ru, cur.Revision))
		textName := regexp.MustCompile(`sha256sum (\S+)`).FindStringSubmatch(commands)
		if textName == nil {
			t.Fatalf("no sha256sum command: %s", commands)
		}
		if err := os.WriteFile(filepath.Join(work, textName[1]), text, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-e", "-c", strings.ReplaceAll(commands, "ssh-keygen", sshKeygen))
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), `Good "redline" signature`) {
			t.Fatalf("the page's commands: %v\n%s\n%s", err, commands, out)
		}
		st, _ := os.ReadFile(filepath.Join(e.dir, ru+"-2.json"))
		var w struct{ SHA256 string }
		_ = json.Unmarshal(st, &w)
		if !strings.Contains(string(out), w.SHA256+"  "+textName[1]) {
			t.Errorf("sha256sum does not print the statement's hash %s:\n%s", w.SHA256, out)
		}
		feed := string(e.public("/public/" + ru + "/feed.atom"))
		for _, want := range []string{"/statements/1.json\"", "/statements/2.json.sig\""} {
			if !strings.Contains(feed, want) {
				t.Errorf("the feed lacks %s:\n%s", want, feed)
			}
		}
	})
	t.Run("Akoma Ntoso validates", func(t *testing.T) {
		var files []string
		for slug := range docs {
			var dv struct{ Head struct{ Number int64 } }
			_ = json.Unmarshal(e.call("GET", "/api/v1/documents/"+slug, nil, 200), &dv)
			for n := int64(1); n <= dv.Head.Number; n++ {
				files = append(files, e.save(fmt.Sprintf("%s-r%d.akn.xml", slug, n),
					e.call("GET", fmt.Sprintf("/api/v1/documents/%s/revisions/%d/export.akn.xml", slug, n), nil, 200)))
			}
			var pub struct{ Revision int64 }
			_ = json.Unmarshal(e.public("/api/v1/public/documents/"+slug), &pub)
			x := e.public(fmt.Sprintf("/api/v1/public/documents/%s/download/%d.akn.xml", slug, pub.Revision))
			if slug == ru && !bytes.Contains(x, []byte(`value="112" refersTo="#votesFor"`)) {
				t.Errorf("the Akoma Ntoso file of an adoption with a vote lacks it")
			}
			files = append(files, e.save(slug+"-public.akn.xml", x))
		}
		out, err := exec.Command(xmllint, append([]string{"--noout", "--nonet", "--schema", schema}, files...)...).CombinedOutput()
		if err != nil || strings.Count(string(out), " validates") != len(files) {
			t.Errorf("xmllint: %v\n%s", err, out)
		}
	})
	// 3. Rotation: k1 retired (its public half only, valid until now), k2
	// signs from now on.
	cut := time.Now().UTC().Truncate(time.Second).Add(time.Second)
	pub1 := k1 + ".pub"
	list := e.save("keys.list", []byte(fmt.Sprintf("%s valid-before=%s\n%s valid-after=%s\n", pub1, cut.Format(time.RFC3339),
		k2, cut.Format(time.RFC3339))))
	time.Sleep(time.Until(cut.Add(100 * time.Millisecond)))
	e.serve(list)
	rotated := "random-0"
	e.adopt(rotated, 3, "final")
	t.Run("rotation", func(t *testing.T) {
		allowed2 := e.save("allowed_signers.2", e.public("/.well-known/redline-keys"))
		sts := e.statements(rotated, 2)
		if sts[0].Key == sts[1].Key {
			t.Fatalf("the adoption after the rotation is signed by the old key %s", sts[1].Key)
		}
		text, statement, signature := e.download(rotated, sts[1])
		for _, d := range append(all, downloaded{rotated, text, statement, signature}) {
			if out, ok := sshVerify(t, sshKeygen, allowed2, d.statement, d.signature); !ok {
				t.Errorf("%s after the rotation: ssh-keygen refused: %s", filepath.Base(d.statement), out)
			}
			if out, code := verifyAdoption(d.text, d.statement, d.signature, "--keys", allowed2); code != 0 {
				t.Errorf("%s after the rotation: verify-adoption: %d %s", filepath.Base(d.statement), code, out)
			}
		}
		// A statement signed with the old key after its validity ended.
		kr, err := signing.LoadKeyring([]string{k1})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(statement)
		st, _ := signing.ParseStatement(b)
		st.SignedAt = cut.Add(time.Hour)
		late, sig, err := kr.Sign(st)
		if err != nil {
			t.Fatal(err)
		}
		p := e.save("late.json", late)
		e.save("late.json.sig", sig)
		if out, code := verifyAdoption(text, p, p+".sig", "--keys", allowed2); code != 1 || !strings.Contains(out, "not valid") {
			t.Errorf("verify-adoption accepted a statement dated outside its key's validity: %d %s", code, out)
		}
		if out, ok := sshVerify(t, sshKeygen, allowed2, p, p+".sig"); ok {
			t.Errorf("ssh-keygen accepted a statement dated outside its key's validity: %s", out)
		}
	})
}
