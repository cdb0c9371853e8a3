package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"redline/internal/signing"
	"redline/internal/testenv"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestKeygen(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "secretariat")
	code, out, errs := runCmd("keygen", "--out", key, "--comment", "secretariat 2025")
	if code != 0 {
		t.Fatalf("keygen: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ssh-ed25519 AAAA") || !strings.HasSuffix(lines[0], " secretariat 2025") || !strings.HasPrefix(lines[1], "SHA256:") {
		t.Fatalf("keygen printed %q", out)
	}
	fi, err := os.Stat(key)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key: %v %v", fi.Mode(), err)
	}
	pub, _ := os.ReadFile(key + ".pub")
	if strings.TrimSpace(string(pub)) != lines[0] {
		t.Errorf("%s.pub is %q", key, pub)
	}
	keygen := testenv.Tool(t, "ssh-keygen", "openssh-client")
	if got, err := exec.Command(keygen, "-l", "-f", key).Output(); err != nil || !strings.Contains(string(got), lines[1]) {
		t.Errorf("ssh-keygen -l reads %q (%v), want %s", got, err, lines[1])
	}
	// Never overwrite a key.
	before, _ := os.ReadFile(key)
	if code, _, errs := runCmd("keygen", "--out", key); code != 1 || !strings.Contains(errs, "exists") {
		t.Errorf("keygen over an existing key: %d %q", code, errs)
	}
	if after, _ := os.ReadFile(key); !bytes.Equal(before, after) {
		t.Error("the existing key changed")
	}
	if code, _, _ := runCmd("keygen", "extra"); code != 2 {
		t.Errorf("keygen with an argument: %d", code)
	}
}

type adoptionFiles struct {
	dir, text, statement, signature, pub, allowed string
	raw                                           []byte
}

// adopt signs an adoption of text with the keys and writes the files a
// reader downloads.
func adopt(t *testing.T, dir string, ring *signing.Keyring, text string, n int64, prev []byte, at time.Time) adoptionFiles {
	t.Helper()
	sum := sha256.Sum256([]byte(text))
	s := signing.Statement{Document: "klastery-2011", Title: "Итоговый документ", Language: "ru", Adoption: n,
		Revision: n + 3, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(text)), Stage: "basis", AdoptedAt: at, SignedAt: at}
	if prev != nil {
		s.Previous = signing.Hash(prev)
	}
	st, sig, err := ring.Sign(s)
	if err != nil {
		t.Fatal(err)
	}
	f := adoptionFiles{dir: dir, raw: st}
	name := filepath.Join(dir, "klastery-2011-r"+string(rune('0'+n+3)))
	f.text, f.statement, f.signature = name+".md", name+".adoption.json", name+".adoption.json.sig"
	f.allowed = filepath.Join(dir, "allowed_signers")
	for p, b := range map[string][]byte{f.text: []byte(text), f.statement: st, f.signature: sig, f.allowed: ring.AllowedSigners(signing.DefaultIdentity)} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestVerifyAdoption(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key")
	if code, _, errs := runCmd("keygen", "--out", key); code != 0 {
		t.Fatal(errs)
	}
	ring, err := signing.LoadKeyring([]string{key})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2011, 11, 30, 12, 0, 0, 0, time.UTC)
	a1 := adopt(t, dir, ring, "1. Принять за основу.\n", 1, nil, at)
	a2 := adopt(t, dir, ring, "1. Принять в целом.\n", 2, a1.raw, at.Add(time.Hour))

	for _, keys := range [][]string{{"--key", key + ".pub"}, {"--keys", a1.allowed}} {
		code, out, errs := runCmd(append([]string{"verify-adoption", a1.text, a1.statement, a1.signature}, keys...)...)
		if code != 0 || !strings.HasPrefix(out, "OK: "+a1.text+" is revision 4 of \"klastery-2011\"") {
			t.Fatalf("verify-adoption %v: %d\n%s%s", keys, code, out, errs)
		}
	}
	// Flags first, and the chain.
	if code, out, errs := runCmd("verify-adoption", "--keys", a2.allowed, "--previous", a1.statement, a2.text, a2.statement, a2.signature); code != 0 || !strings.Contains(out, "follows adoption 1") {
		t.Fatalf("verify-adoption with --previous: %d\n%s%s", code, out, errs)
	}

	other := filepath.Join(dir, "other")
	if code, _, errs := runCmd("keygen", "--out", other); code != 0 {
		t.Fatal(errs)
	}
	changed := filepath.Join(dir, "changed.md")
	if err := os.WriteFile(changed, []byte("1. Принять за основу!\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badStatement := filepath.Join(dir, "bad.json")
	b := bytes.Replace(a1.raw, []byte(`"stage":"basis"`), []byte(`"stage":"final"`), 1)
	if err := os.WriteFile(badStatement, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"another text", []string{changed, a1.statement, a1.signature, "--keys", a1.allowed}, "text does not match"},
		{"a changed statement", []string{a1.text, badStatement, a1.signature, "--keys", a1.allowed}, "bad signature"},
		{"another key", []string{a1.text, a1.statement, a1.signature, "--key", other + ".pub"}, "unknown key"},
		{"a wrong previous", []string{a2.text, a2.statement, a2.signature, "--keys", a1.allowed, "--previous", a2.statement}, "chain of adoptions broken"},
		{"a garbled signature", []string{a1.text, a1.statement, a1.text, "--keys", a1.allowed}, "malformed signature"},
		{"a missing file", []string{filepath.Join(dir, "nope"), a1.statement, a1.signature, "--keys", a1.allowed}, "no such file"},
	} {
		code, out, errs := runCmd(append([]string{"verify-adoption"}, c.args...)...)
		if code != 1 || out != "" || !strings.HasPrefix(errs, "FAILED: ") || !strings.Contains(errs, c.want) {
			t.Errorf("%s: %d %q %q, want exit 1 and FAILED … %s", c.name, code, out, errs, c.want)
		}
	}
	for _, args := range [][]string{
		{a1.text, a1.statement, a1.signature},
		{a1.text, a1.statement, "--keys", a1.allowed},
		{a1.text, a1.statement, a1.signature, "--keys", a1.allowed, "--key", key + ".pub"},
		{a1.text, a1.statement, a1.signature, "--bogus"},
	} {
		if code, _, _ := runCmd(append([]string{"verify-adoption"}, args...)...); code != 2 {
			t.Errorf("verify-adoption %v: exit %d, want 2", args, code)
		}
	}
}

// TestVerifyAdoptionRotation: after a rotation, a statement signed with the
// old key before it still verifies; one dated outside its key's validity is
// refused.
func TestVerifyAdoptionRotation(t *testing.T) {
	dir := t.TempDir()
	oldKey, newKey := filepath.Join(dir, "signing-2024"), filepath.Join(dir, "signing-2025")
	for _, k := range []string{oldKey, newKey} {
		if code, _, errs := runCmd("keygen", "--out", k); code != 0 {
			t.Fatal(errs)
		}
	}
	keys := filepath.Join(dir, "keys")
	if err := os.WriteFile(keys, []byte("signing-2024 valid-before=2025-06-30\nsigning-2025 valid-after=2025-06-30\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ring, err := signing.LoadKeyring([]string{keys})
	if err != nil {
		t.Fatal(err)
	}
	old, err := signing.LoadKeyring([]string{oldKey})
	if err != nil {
		t.Fatal(err)
	}
	published := ring.AllowedSigners(signing.DefaultIdentity)
	a1 := adopt(t, dir, ring, "old\n", 1, nil, time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC))
	a2 := adopt(t, t.TempDir(), ring, "new\n", 2, a1.raw, time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC))
	// The old key signing after its end date (as if it had leaked).
	forged := adopt(t, t.TempDir(), old, "forged\n", 1, nil, time.Date(2025, 8, 1, 10, 0, 0, 0, time.UTC))
	allowed := filepath.Join(dir, "published_allowed_signers")
	if err := os.WriteFile(allowed, published, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, a := range []adoptionFiles{a1, a2} {
		if code, out, errs := runCmd("verify-adoption", a.text, a.statement, a.signature, "--keys", allowed); code != 0 {
			t.Fatalf("after the rotation: %d %s%s", code, out, errs)
		}
	}
	code, _, errs := runCmd("verify-adoption", forged.text, forged.statement, forged.signature, "--keys", allowed)
	if code != 1 || !strings.Contains(errs, "key not valid at the statement's date") {
		t.Fatalf("a statement dated outside its key's validity: %d %q", code, errs)
	}
}
