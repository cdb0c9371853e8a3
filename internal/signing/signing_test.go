package signing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hiddeco/sshsig"

	"redline/internal/testenv"
)

var (
	day1     = time.Date(2011, 11, 30, 12, 0, 0, 0, time.UTC)
	rotation = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
)

// mustKey generates a key, writes its private half under dir/name and
// returns it.
func mustKey(t *testing.T, dir, name string) *Key {
	t.Helper()
	pemBytes, k, err := Generate("redline " + name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := WritePrivateKey(path, pemBytes); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".pub", []byte(k.AuthorizedKey()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k.Source = path
	return k
}

func statementOf(text string, n int64, prev []byte, at time.Time) Statement {
	sum := sha256.Sum256([]byte(text))
	s := Statement{
		Document: "klastery-2011", Title: "Итоговый документ конференции «Кластеры» <&> \u2028",
		Language: "ru", Adoption: n, Revision: n + 3, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(text)),
		Stage: "basis", AdoptedAt: at, SignedAt: at, Votes: &Votes{For: 31, Against: 2, Abstained: 1},
	}
	if prev != nil {
		s.Previous = Hash(prev)
	}
	return s
}

// sshVerify runs ssh-keygen -Y verify as a reader would and returns its
// output and whether it accepted.
func sshVerify(t *testing.T, dir string, allowed, statement, signature []byte, at time.Time) (string, bool) {
	t.Helper()
	keygen := testenv.Tool(t, "ssh-keygen", "openssh-client")
	as := filepath.Join(dir, "allowed_signers")
	sig := filepath.Join(dir, "statement.json.sig")
	if err := os.WriteFile(as, allowed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sig, signature, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(keygen, "-Y", "verify", "-f", as, "-I", DefaultIdentity, "-n", Namespace, "-s", sig, "-O", "verify-time="+SSHTime(at))
	cmd.Stdin = bytes.NewReader(statement)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run ssh-keygen: %v", err)
	}
	return string(out), err == nil
}

// TestSSHKeygenVerifies: OpenSSH's own client accepts each statement with
// the published allowed_signers, and refuses a changed byte and a
// signature by another key; the Go verifier agrees, and also refuses a
// statement whose previous-adoption hash does not match.
func TestSSHKeygenVerifies(t *testing.T) {
	dir := t.TempDir()
	k := mustKey(t, dir, "signing")
	k.ValidAfter = time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)
	ring := &Keyring{}
	if err := ring.Add(k); err != nil {
		t.Fatal(err)
	}
	allowed := ring.AllowedSigners(DefaultIdentity)

	text1, text2 := "1. Принять за основу.\n", "1. Принять в целом.\n"
	st1, sig1, err := ring.Sign(statementOf(text1, 1, nil, day1))
	if err != nil {
		t.Fatal(err)
	}
	second := statementOf(text2, 2, st1, day1.Add(24*time.Hour))
	second.Stage, second.Votes = "final", nil
	st2, sig2, err := ring.Sign(second)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct{ st, sig []byte }{{st1, sig1}, {st2, sig2}} {
		out, ok := sshVerify(t, dir, allowed, c.st, c.sig, day1.Add(time.Duration(i)*24*time.Hour))
		if !ok || !strings.Contains(out, `Good "redline" signature for redline with ED25519 key `+k.Fingerprint) {
			t.Fatalf("ssh-keygen refused statement %d:\n%s\n%s", i+1, out, allowed)
		}
		if _, _, err := Verify(c.st, c.sig, ring); err != nil {
			t.Fatalf("Verify statement %d: %v", i+1, err)
		}
	}
	if _, err := VerifyChain([][]byte{st1, st2}, [][]byte{sig1, sig2}, ring); err != nil {
		t.Fatalf("VerifyChain: %v", err)
	}
	if s, _, _ := Verify(st1, sig1, ring); VerifyText(s, []byte(text1)) != nil || !errors.Is(VerifyText(s, []byte(text2)), ErrTextMismatch) {
		t.Error("VerifyText does not tell the adopted text from another")
	}

	t.Run("a changed byte", func(t *testing.T) {
		for _, at := range []int{2, bytes.Index(st1, []byte(`"revision":`)) + 11, len(st1) - 3} {
			bad := bytes.Clone(st1)
			bad[at] ^= 1
			if out, ok := sshVerify(t, dir, allowed, bad, sig1, day1); ok {
				t.Fatalf("ssh-keygen accepted a statement with byte %d changed:\n%s", at, out)
			}
			if _, _, err := Verify(bad, sig1, ring); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("Verify with byte %d changed: %v", at, err)
			}
		}
	})
	t.Run("another key", func(t *testing.T) {
		other := mustKey(t, dir, "other")
		otherRing := &Keyring{Keys: []*Key{other}}
		st, sig, err := otherRing.Sign(statementOf(text1, 1, nil, day1))
		if err != nil {
			t.Fatal(err)
		}
		if out, ok := sshVerify(t, dir, allowed, st, sig, day1); ok {
			t.Fatalf("ssh-keygen accepted a signature by an unpublished key:\n%s", out)
		}
		if _, _, err := Verify(st, sig, ring); !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("Verify of a signature by another key: %v", err)
		}
		// The same statement bytes, re-signed by the other key: the
		// statement names the published key but the signature is not its.
		sigOther, err := signBytes(other, st1)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Verify(st1, sigOther, &Keyring{Keys: []*Key{k, other}}); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Verify of a statement naming another key: %v", err)
		}
	})
	t.Run("a previous-adoption hash that does not match", func(t *testing.T) {
		forged := statementOf(text2, 2, []byte("some other history"), day1.Add(24*time.Hour))
		st, sig, err := ring.Sign(forged)
		if err != nil {
			t.Fatal(err)
		}
		// The signature is genuine, so ssh-keygen accepts it; the chain
		// check is what refuses it.
		if out, ok := sshVerify(t, dir, allowed, st, sig, day1.Add(24*time.Hour)); !ok {
			t.Fatalf("ssh-keygen refused a well-signed statement:\n%s", out)
		}
		if _, err := VerifyChain([][]byte{st1, st}, [][]byte{sig1, sig}, ring); !errors.Is(err, ErrChainBroken) {
			t.Fatalf("VerifyChain with a wrong previous hash: %v", err)
		}
		s, _, err := Verify(st, sig, ring)
		if err != nil {
			t.Fatal(err)
		}
		prev, _ := ParseStatement(st1)
		if err := Follows(s, prev, st1); !errors.Is(err, ErrChainBroken) {
			t.Fatalf("Follows with a wrong previous hash: %v", err)
		}
	})
	t.Run("signed by ssh-keygen, verified by Go", func(t *testing.T) {
		keygen := testenv.Tool(t, "ssh-keygen", "openssh-client")
		path := filepath.Join(t.TempDir(), "statement.json")
		if err := os.WriteFile(path, st1, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(keygen, "-Y", "sign", "-f", k.Source, "-n", Namespace, path).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -Y sign with a key Generate wrote: %v\n%s", err, out)
		}
		sig, err := os.ReadFile(path + ".sig")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Verify(st1, sig, ring); err != nil {
			t.Fatalf("Verify of ssh-keygen's signature: %v", err)
		}
		pub, err := exec.Command(keygen, "-y", "-f", k.Source).Output()
		if err != nil || !strings.HasPrefix(string(pub), k.AuthorizedKey()) {
			t.Fatalf("ssh-keygen -y reads %q (%v), want %q", pub, err, k.AuthorizedKey())
		}
	})
}

// signBytes signs arbitrary bytes with k, as a forger holding k would.
func signBytes(k *Key, msg []byte) ([]byte, error) {
	sig, err := sshsig.Sign(bytes.NewReader(msg), k.signer, sshsig.HashSHA512, Namespace)
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// TestRotation: statements signed with an old key still verify after a new
// key is added, with ssh-keygen and in Go; a statement dated outside its
// key's validity is refused by both.
func TestRotation(t *testing.T) {
	dir := t.TempDir()
	old := mustKey(t, dir, "signing-2024")
	newer := mustKey(t, dir, "signing-2025")

	// Before the rotation: the old key alone, without bounds.
	before, err := LoadKeyring([]string{old.Source})
	if err != nil {
		t.Fatal(err)
	}
	st1, sig1, err := before.Sign(statementOf("text one", 1, nil, day1))
	if err != nil {
		t.Fatal(err)
	}
	// The rotation: the old private key is destroyed, its public half kept
	// with an end date; the new key signs from then on.
	if err := os.Remove(old.Source); err != nil {
		t.Fatal(err)
	}
	list := "# Redline keys\n\nsigning-2024.pub valid-before=2025-06-30T00:00:00Z\n" +
		"signing-2025     valid-after=2025-06-30\n"
	keysFile := filepath.Join(dir, "keys")
	if err := os.WriteFile(keysFile, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	after, err := LoadKeyring([]string{keysFile})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Keys) != 2 || after.Keys[0].CanSign() || !after.Keys[1].CanSign() ||
		!after.Keys[0].ValidBefore.Equal(rotation) || !after.Keys[1].ValidAfter.Equal(rotation) {
		t.Fatalf("keys file read as %+v", after.Keys)
	}
	later := rotation.Add(48 * time.Hour)
	st2, sig2, err := after.Sign(statementOf("text two", 2, st1, later))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := ParseStatement(st2); s.Key != newer.Fingerprint {
		t.Fatalf("signed after the rotation by %s, want the new key %s", s.Key, newer.Fingerprint)
	}
	allowed := after.AllowedSigners(DefaultIdentity)
	for i, c := range []struct {
		st, sig []byte
		at      time.Time
	}{{st1, sig1, day1}, {st2, sig2, later}} {
		if out, ok := sshVerify(t, dir, allowed, c.st, c.sig, c.at); !ok {
			t.Fatalf("ssh-keygen refused statement %d after the rotation:\n%s\n%s", i+1, out, allowed)
		}
	}
	if _, err := VerifyChain([][]byte{st1, st2}, [][]byte{sig1, sig2}, after); err != nil {
		t.Fatalf("VerifyChain across the rotation: %v", err)
	}
	// The old key, had it leaked, signing a statement dated after its end.
	forged, forgedSig, err := before.Sign(statementOf("text three", 1, nil, later))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Verify(forged, forgedSig, after); !errors.Is(err, ErrKeyNotValid) {
		t.Fatalf("Verify of a statement dated after its key's end: %v", err)
	}
	if out, ok := sshVerify(t, dir, allowed, forged, forgedSig, later); ok {
		t.Fatalf("ssh-keygen accepted a statement dated after its key's end:\n%s", out)
	}
	// And nothing signs a date before the new key when the old one is gone.
	if _, _, err := after.Sign(statementOf("x", 1, nil, day1)); !errors.Is(err, ErrNoSigningKey) {
		t.Fatalf("signing a date no private key covers: %v", err)
	}
}

func TestAllowedSignersRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, b := mustKey(t, dir, "a"), mustKey(t, dir, "b")
	a.ValidBefore, b.ValidAfter = rotation, rotation
	ring := &Keyring{Keys: []*Key{a, b}}
	text := ring.AllowedSigners("secretariat@example.org")
	got, err := ParseAllowedSigners(text)
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(got.Keys) != 2 || got.Keys[0].Fingerprint != a.Fingerprint || !got.Keys[0].ValidBefore.Equal(rotation) ||
		!got.Keys[1].ValidAfter.Equal(rotation) || !got.Keys[1].ValidBefore.IsZero() {
		t.Fatalf("round trip: %+v\n%s", got.Keys, text)
	}
	hand := "# by hand\n*@example.org namespaces=\"file,redline\" " + a.AuthorizedKey() + " comment here\n" +
		"x@example.org namespaces=\"git\" " + b.AuthorizedKey() + "\n"
	got, err = ParseAllowedSigners([]byte(hand))
	if err != nil || len(got.Keys) != 1 || got.Keys[0].Fingerprint != a.Fingerprint {
		t.Fatalf("hand-written file: %v %+v", err, got)
	}
	for _, bad := range []string{"", a.AuthorizedKey(), "x@y cert-authority " + a.AuthorizedKey(), "x@y valid-after=\"2025\" " + a.AuthorizedKey(), "x@y ssh-ed25519 AAAA"} {
		if _, err := ParseAllowedSigners([]byte(bad)); !errors.Is(err, ErrKeyFile) {
			t.Errorf("ParseAllowedSigners(%q) = %v, want ErrKeyFile", bad, err)
		}
	}
}

func TestLoadKeyringErrors(t *testing.T) {
	dir := t.TempDir()
	k := mustKey(t, dir, "k")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string][]string{
		"missing file":      {filepath.Join(dir, "nope")},
		"twice":             {k.Source, k.Source + ".pub"},
		"garbage list":      {write("list1", "k valid-after=yesterday\n")},
		"unknown option":    {write("list2", "k valid-until=2025-01-01\n")},
		"inverted validity": {write("list3", "k valid-after=2026-01-01 valid-before=2025-01-01\n")},
		"nested list":       {write("list4", "list1\n")},
		"empty":             {write("empty", "# nothing\n")},
		"not a key":         {write("junk", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")},
	}
	for name, paths := range cases {
		if _, err := LoadKeyring(paths); !errors.Is(err, ErrKeyFile) {
			t.Errorf("%s: LoadKeyring = %v, want ErrKeyFile", name, err)
		}
	}
	keygen := testenv.Tool(t, "ssh-keygen", "openssh-client")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-t", "ed25519", "-N", "secret"}, "passphrase"},
		{[]string{"-t", "rsa", "-b", "2048", "-N", ""}, "Ed25519"},
	} {
		path := filepath.Join(dir, c.args[1]+c.want)
		args := append([]string{"-q", "-C", "test", "-f", path}, c.args...)
		if out, err := exec.Command(keygen, args...).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen %v: %v\n%s", args, err, out)
		}
		if _, err := LoadKeyring([]string{path}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ssh-keygen %v key: %v, want an error naming %q", c.args, err, c.want)
		}
	}
	// A key ssh-keygen made signs.
	path := filepath.Join(dir, "made-by-ssh-keygen")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ring, err := LoadKeyring([]string{path})
	if err != nil || !ring.CanSign() {
		t.Fatalf("a key from ssh-keygen: %v", err)
	}
}

func TestStatementCanonical(t *testing.T) {
	s := statementOf("text", 2, []byte("prev"), day1.Add(1500*time.Millisecond))
	s.SignedAt = s.AdoptedAt.Add(time.Hour)
	s.SignedLater = true
	s.Key = "SHA256:" + strings.Repeat("A", 43)
	s.Title = "Tab\there, quote \" backslash \\ nul \x00 bell \x07 <&> \u2028 ё"
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"adopted_at":"2011-11-30T12:00:01Z","adoption":2,"document":"klastery-2011","format":"redline-adoption/1",` +
		`"key":"SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","language":"ru","previous":"` + Hash([]byte("prev")) + `",` +
		`"revision":5,"sha256":"` + s.SHA256 + `","signed_at":"2011-11-30T13:00:01Z","signed_later":true,"size":4,` +
		`"stage":"basis","title":"Tab\there, quote \" backslash \\ nul \u0000 bell \u0007 <&> ` + "\u2028" + ` ё",` +
		`"votes":{"abstained":1,"against":2,"for":31}}` + "\n"
	if string(b) != want {
		t.Fatalf("Marshal:\n%s\nwant\n%s", b, want)
	}
	got, err := ParseStatement(b)
	if err != nil {
		t.Fatal(err)
	}
	s.AdoptedAt, s.SignedAt = s.AdoptedAt.Truncate(time.Second), s.SignedAt.Truncate(time.Second)
	if diff := cmp.Diff(s, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	first := statementOf("text", 1, nil, day1)
	first.Key, first.Votes = s.Key, nil
	fb, err := first.Marshal()
	if err != nil || !bytes.Contains(fb, []byte(`"previous":null`)) || !bytes.Contains(fb, []byte(`"votes":null`)) {
		t.Fatalf("first adoption without votes: %s %v", fb, err)
	}
	for name, bad := range map[string]string{
		"spaces":        strings.Replace(want, `"adoption":2`, `"adoption": 2`, 1),
		"key order":     strings.Replace(want, `{"adopted_at":"2011-11-30T12:00:01Z","adoption":2,`, `{"adoption":2,"adopted_at":"2011-11-30T12:00:01Z",`, 1),
		"no final LF":   strings.TrimSuffix(want, "\n"),
		"CRLF":          strings.TrimSuffix(want, "\n") + "\r\n",
		"trailing data": want + "{}",
		"unknown field": strings.Replace(want, `"votes"`, `"extra":1,"votes"`, 1),
		"missing field": strings.Replace(want, `"size":4,`, ``, 1),
		"duplicate":     strings.Replace(want, `"size":4,`, `"size":4,"size":4,`, 1),
		"local time":    strings.Replace(want, `2011-11-30T12:00:01Z`, `2011-11-30T16:00:01+04:00`, 1),
		"escaped ё":     strings.Replace(want, `ё`, `\u0451`, 1),
		"HTML-escaped":  strings.Replace(want, `<&>`, `\u003c\u0026\u003e`, 1),
		"bad format":    strings.Replace(want, `redline-adoption/1`, `redline-adoption/2`, 1),
		"no previous":   strings.Replace(want, `"previous":"`+Hash([]byte("prev"))+`"`, `"previous":null`, 1),
		"negative vote": strings.Replace(want, `"for":31`, `"for":-1`, 1),
		"invalid UTF-8": strings.Replace(want, `ё`, "\xff", 1),
		"signed before": strings.Replace(want, `"signed_at":"2011-11-30T13:00:01Z"`, `"signed_at":"2011-11-30T11:00:01Z"`, 1),
		"uppercase hex": strings.Replace(want, s.SHA256, strings.ToUpper(s.SHA256), 1),
	} {
		if _, err := ParseStatement([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseStatement = %v, want ErrMalformed", name, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	pemBytes, _, err := Generate("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	k, err := ParsePrivateKey(pemBytes)
	if err != nil {
		f.Fatal(err)
	}
	ring := &Keyring{Keys: []*Key{k}}
	st, sig, err := ring.Sign(statementOf("text", 1, nil, day1))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(st, sig)
	f.Add(st, []byte("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"))
	f.Add([]byte(`{"format":"redline-adoption/1"}`+"\n"), sig)
	f.Fuzz(func(t *testing.T, statement, signature []byte) {
		s, key, err := Verify(statement, signature, ring)
		if err != nil {
			return
		}
		// Whatever verifies is a canonical statement signed by the key.
		if key != k || s.Key != k.Fingerprint {
			t.Fatalf("verified with key %v, statement names %s", key, s.Key)
		}
		if b, err := s.Marshal(); err != nil || !bytes.Equal(b, statement) {
			t.Fatalf("verified a non-canonical statement %q", statement)
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	s := statementOf("text", 2, []byte("prev"), day1)
	s.Key = "SHA256:" + strings.Repeat("A", 43)
	b, err := s.Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatement(data)
		if err != nil {
			return
		}
		if b, err := s.Marshal(); err != nil || !bytes.Equal(b, data) {
			t.Fatalf("accepted %q, which marshals to %q (%v)", data, b, err)
		}
	})
}

func FuzzParseAllowedSigners(f *testing.F) {
	_, k, err := Generate("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	k.ValidAfter = rotation
	f.Add((&Keyring{Keys: []*Key{k}}).AllowedSigners(DefaultIdentity))
	f.Add([]byte("x namespaces=\"a,\\\"b\" ssh-ed25519 AAAA c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseAllowedSigners(data)
		if err != nil {
			return
		}
		// What was read writes back and reads again the same.
		again, err := ParseAllowedSigners(r.AllowedSigners(DefaultIdentity))
		if err != nil || len(again.Keys) != len(r.Keys) {
			t.Fatalf("re-reading %d keys: %v", len(r.Keys), err)
		}
		for i := range r.Keys {
			a, b := r.Keys[i], again.Keys[i]
			if a.Fingerprint != b.Fingerprint || !a.ValidAfter.Equal(b.ValidAfter) || !a.ValidBefore.Equal(b.ValidBefore) {
				t.Fatalf("key %d changed: %+v → %+v", i, a, b)
			}
		}
	})
}
