// Package signing signs adoption statements with the secretariat's Ed25519
// keys in OpenSSH's SSHSIG format, so that anyone can check an adopted text
// offline with a stock tool:
//
//	ssh-keygen -Y verify -f allowed_signers -I redline -n redline \
//	    -s statement.json.sig -O verify-time=<signed_at> < statement.json
//
// It holds the keys (generated here or by ssh-keygen, loaded from files, with
// validity periods for rotation), the canonical JSON adoption statement, the
// signature, the allowed_signers file that publishes the keys, and a verifier
// that checks the signature, the key's validity at the statement's date and
// the chain of statements of one document.
package signing

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Namespace is the SSHSIG namespace of Redline's signatures (ssh-keygen -n).
const Namespace = "redline"

// DefaultIdentity is the principal the published allowed_signers file names
// (ssh-keygen -I).
const DefaultIdentity = "redline"

// Key is one of the secretariat's keys: always its public half, and its
// private half when this server signs with it.
type Key struct {
	// Public is the public key; Fingerprint its SHA256 fingerprint as
	// ssh-keygen -l prints it ("SHA256:…").
	Public      ssh.PublicKey
	Fingerprint string
	// ValidAfter and ValidBefore bound the period the key signs for (both
	// inclusive, as in allowed_signers); a zero time is no bound.
	ValidAfter, ValidBefore time.Time
	// Source is the file the key was read from, for messages.
	Source string
	signer ssh.Signer
}

// CanSign reports whether the private half is loaded.
func (k *Key) CanSign() bool { return k.signer != nil }

// ValidAt reports whether t is within the key's validity period.
func (k *Key) ValidAt(t time.Time) bool {
	return (k.ValidAfter.IsZero() || !t.Before(k.ValidAfter)) && (k.ValidBefore.IsZero() || !t.After(k.ValidBefore))
}

// AuthorizedKey is the public key line: "ssh-ed25519 AAAA…".
func (k *Key) AuthorizedKey() string {
	return strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(k.Public)), "\n")
}

// Period renders the validity period for people: "2025-06-30T00:00:00Z – …".
func (k *Key) Period() string {
	f := func(t time.Time, open string) string {
		if t.IsZero() {
			return open
		}
		return t.UTC().Format(time.RFC3339)
	}
	return f(k.ValidAfter, "…") + " – " + f(k.ValidBefore, "…")
}

// Errors of key handling.
var (
	// ErrKeyFile: a key or keys file cannot be read or understood.
	ErrKeyFile = errors.New("bad key file")
	// ErrNoSigningKey: no key with a private half is valid at the date.
	ErrNoSigningKey = errors.New("no signing key valid at that date")
)

// Generate makes a new Ed25519 key and returns it in OpenSSH's private key
// format (as ssh-keygen -t ed25519 writes it, without a passphrase) with its
// Key.
func Generate(comment string) ([]byte, *Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, nil, fmt.Errorf("encode key: %w", err)
	}
	return pem.EncodeToMemory(block), newKey(signer.PublicKey(), signer, ""), nil
}

func newKey(pub ssh.PublicKey, signer ssh.Signer, source string) *Key {
	return &Key{Public: pub, Fingerprint: ssh.FingerprintSHA256(pub), Source: source, signer: signer}
}

// ParsePrivateKey reads an unencrypted OpenSSH (or PKCS#8) Ed25519 private
// key.
func ParsePrivateKey(data []byte) (*Key, error) {
	raw, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("%w: the key is protected by a passphrase; Redline signs unattended, so remove it (ssh-keygen -p -N '' -f FILE) and protect the file instead", ErrKeyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not an OpenSSH private key: %v", ErrKeyFile, err)
	}
	var priv ed25519.PrivateKey
	switch k := raw.(type) {
	case *ed25519.PrivateKey:
		priv = *k
	case ed25519.PrivateKey:
		priv = k
	default:
		return nil, fmt.Errorf("%w: a %T key; Redline signs with Ed25519 keys (redline keygen or ssh-keygen -t ed25519)", ErrKeyFile, raw)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFile, err)
	}
	return newKey(signer.PublicKey(), signer, ""), nil
}

// ParsePublicKey reads one public key line ("ssh-ed25519 AAAA… comment").
func ParsePublicKey(line []byte) (*Key, error) {
	pub, _, _, rest, err := ssh.ParseAuthorizedKey(line)
	if err != nil {
		return nil, fmt.Errorf("%w: not a public key line: %v", ErrKeyFile, err)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("%w: more than one public key", ErrKeyFile)
	}
	if pub.Type() != ssh.KeyAlgoED25519 {
		return nil, fmt.Errorf("%w: a %s key; Redline signs with Ed25519 keys", ErrKeyFile, pub.Type())
	}
	return newKey(pub, nil, ""), nil
}

// Keyring is the set of the secretariat's keys, current and retired, in the
// order they were configured.
type Keyring struct {
	Keys []*Key
}

// Add adds k, refusing a key that is already there.
func (r *Keyring) Add(k *Key) error {
	for _, o := range r.Keys {
		if o.Fingerprint == k.Fingerprint {
			return fmt.Errorf("%w: key %s is listed twice (%s and %s)", ErrKeyFile, k.Fingerprint, o.Source, k.Source)
		}
	}
	if !k.ValidAfter.IsZero() && !k.ValidBefore.IsZero() && k.ValidBefore.Before(k.ValidAfter) {
		return fmt.Errorf("%w: key %s (%s) is valid before %s but only after %s", ErrKeyFile, k.Fingerprint, k.Source,
			k.ValidBefore.Format(time.RFC3339), k.ValidAfter.Format(time.RFC3339))
	}
	r.Keys = append(r.Keys, k)
	return nil
}

// Lookup returns the key with that fingerprint, or nil.
func (r *Keyring) Lookup(fingerprint string) *Key {
	if r == nil {
		return nil
	}
	for _, k := range r.Keys {
		if k.Fingerprint == fingerprint {
			return k
		}
	}
	return nil
}

// CanSign reports whether some key has its private half loaded.
func (r *Keyring) CanSign() bool {
	return r != nil && slices.ContainsFunc(r.Keys, (*Key).CanSign)
}

// SignerAt returns the key that signs a statement dated t: among the keys
// with a private half valid at t, the one valid from the latest date (the
// newest after a rotation), the last configured on a tie.
func (r *Keyring) SignerAt(t time.Time) (*Key, error) {
	var best *Key
	if r != nil {
		for _, k := range r.Keys {
			if k.CanSign() && k.ValidAt(t) && (best == nil || !k.ValidAfter.Before(best.ValidAfter)) {
				best = k
			}
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w (%s)", ErrNoSigningKey, t.UTC().Format(time.RFC3339))
	}
	return best, nil
}

// LoadKeyring reads the keys REDLINE_SIGNING_KEY_FILE names: each path is
// an OpenSSH private key (it signs, valid without bounds), a public key line
// (a retired key whose private half is gone: it is published so older
// statements still verify), or a keys file listing keys with their validity:
//
//	# key file                     validity (RFC 3339 or YYYY-MM-DD, UTC)
//	signing-2024.pub               valid-before=2025-06-30T00:00:00Z
//	/etc/redline/signing-2025      valid-after=2025-06-30T00:00:00Z
//
// Paths in a keys file are relative to its folder.
func LoadKeyring(paths []string) (*Keyring, error) {
	r := &Keyring{}
	for _, p := range paths {
		if err := r.load(p, time.Time{}, time.Time{}, true); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Keyring) load(path string, after, before time.Time, listOK bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrKeyFile, err)
	}
	trimmed := bytes.TrimSpace(data)
	var k *Key
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN ")):
		k, err = ParsePrivateKey(data)
	case bytes.HasPrefix(trimmed, []byte("ssh-")) && !bytes.Contains(trimmed, []byte("\n")):
		k, err = ParsePublicKey(trimmed)
	case listOK:
		return r.loadList(path, data)
	default:
		return fmt.Errorf("%w: %s: neither an OpenSSH private key nor a public key line", ErrKeyFile, path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	k.Source, k.ValidAfter, k.ValidBefore = path, after, before
	return r.Add(k)
}

func (r *Keyring) loadList(path string, data []byte) error {
	dir := filepath.Dir(path)
	before := len(r.Keys)
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		var after, before time.Time
		for _, f := range fields[1:] {
			name, val, _ := strings.Cut(f, "=")
			t, err := parseTime(strings.Trim(val, `"`))
			if err != nil || (name != "valid-after" && name != "valid-before") {
				return fmt.Errorf("%w: %s:%d: %q is not valid-after=TIME or valid-before=TIME (RFC 3339 or YYYY-MM-DD)", ErrKeyFile, path, n, f)
			}
			if name == "valid-after" {
				after = t
			} else {
				before = t
			}
		}
		file := fields[0]
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		if err := r.load(file, after, before, false); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrKeyFile, path, err)
	}
	if len(r.Keys) == before {
		return fmt.Errorf("%w: %s lists no key (expected an OpenSSH private key, a public key line, or lines \"KEYFILE [valid-after=…] [valid-before=…]\")", ErrKeyFile, path)
	}
	return nil
}

// parseTime reads RFC 3339 or a date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Parse(time.DateOnly, s)
}

// sshTime is a time as allowed_signers and ssh-keygen -O verify-time take
// it: YYYYMMDDHHMMSSZ, in UTC.
func sshTime(t time.Time) string { return t.UTC().Format("20060102150405") + "Z" }

// SSHTime formats t for ssh-keygen's -O verify-time.
func SSHTime(t time.Time) string { return sshTime(t) }

// AllowedSigners writes the allowed_signers file that publishes the keys
// for ssh-keygen -Y verify: every key, for identity, only for the redline
// namespace, within its validity period.
func (r *Keyring) AllowedSigners(identity string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Redline: keys that sign adoption statements (namespace %q).\n", Namespace)
	fmt.Fprintf(&b, "# ssh-keygen -Y verify -f THIS_FILE -I %s -n %s -s STATEMENT.sig -O verify-time=SIGNED_AT < STATEMENT\n", identity, Namespace)
	for _, k := range r.Keys {
		fmt.Fprintf(&b, "# %s, valid %s\n", k.Fingerprint, k.Period())
		opts := []string{fmt.Sprintf("namespaces=%q", Namespace)}
		if !k.ValidAfter.IsZero() {
			opts = append(opts, fmt.Sprintf("valid-after=%q", sshTime(k.ValidAfter)))
		}
		if !k.ValidBefore.IsZero() {
			opts = append(opts, fmt.Sprintf("valid-before=%q", sshTime(k.ValidBefore)))
		}
		fmt.Fprintf(&b, "%s %s %s\n", identity, strings.Join(opts, ","), k.AuthorizedKey())
	}
	return b.Bytes()
}

// ParseAllowedSigners reads an allowed_signers file (the one Redline
// publishes, or one written by hand): the keys allowed for the redline
// namespace, with their validity. Certificate authorities are refused.
func ParseAllowedSigners(data []byte) (*Keyring, error) {
	r := &Keyring{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, ok, err := parseSignerLine(line)
		if errors.Is(err, ErrKeyFile) {
			return nil, fmt.Errorf("allowed_signers line %d: %w", n, err)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: allowed_signers line %d: %v", ErrKeyFile, n, err)
		}
		if !ok {
			continue
		}
		k.Source = fmt.Sprintf("allowed_signers line %d", n)
		if err := r.Add(k); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: allowed_signers: %v", ErrKeyFile, err)
	}
	if len(r.Keys) == 0 {
		return nil, fmt.Errorf("%w: allowed_signers lists no key for the %q namespace", ErrKeyFile, Namespace)
	}
	return r, nil
}

// parseSignerLine reads "principals [options] keytype base64 [comment]";
// ok is false for a key not allowed in the redline namespace.
func parseSignerLine(line string) (*Key, bool, error) {
	principals, rest, found := strings.Cut(line, " ")
	if strings.HasPrefix(principals, "ssh-") {
		return nil, false, errors.New("this is a public key line, not an allowed_signers line (which starts with the signer's identity); give a single key with --key")
	}
	if !found {
		return nil, false, errors.New("no key")
	}
	rest = strings.TrimLeft(rest, " \t")
	var opts string
	if !strings.HasPrefix(rest, "ssh-") && !strings.HasPrefix(rest, "ecdsa-") && !strings.HasPrefix(rest, "sk-") {
		// Options: comma-separated, no spaces outside double quotes.
		i, quoted := 0, false
		for ; i < len(rest) && (quoted || rest[i] != ' ' && rest[i] != '\t'); i++ {
			if rest[i] == '"' {
				quoted = !quoted
			}
		}
		opts, rest = rest[:i], strings.TrimLeft(rest[i:], " \t")
	}
	k, err := ParsePublicKey([]byte(rest))
	if err != nil {
		// A comment after the key is allowed: parse the first two fields.
		f := strings.Fields(rest)
		if len(f) < 2 {
			return nil, false, err
		}
		if k, err = ParsePublicKey([]byte(f[0] + " " + f[1])); err != nil {
			return nil, false, err
		}
	}
	for _, o := range splitOptions(opts) {
		name, val, _ := strings.Cut(o, "=")
		val = strings.Trim(val, `"`)
		switch strings.ToLower(name) {
		case "namespaces":
			if !slices.Contains(strings.Split(val, ","), Namespace) {
				return nil, false, nil
			}
		case "valid-after", "valid-before":
			t, err := parseSSHTime(val)
			if err != nil {
				return nil, false, fmt.Errorf("%s: %v", name, err)
			}
			if strings.EqualFold(name, "valid-after") {
				k.ValidAfter = t
			} else {
				k.ValidBefore = t
			}
		case "cert-authority":
			return nil, false, errors.New("certificate authorities are not supported; list the key itself")
		case "":
		default:
			return nil, false, fmt.Errorf("unknown option %q", name)
		}
	}
	return k, true, nil
}

func splitOptions(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// parseSSHTime reads YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]; without Z the time
// is local, as ssh-keygen reads it.
func parseSSHTime(s string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(s, "Z") {
		loc, s = time.UTC, strings.TrimSuffix(s, "Z")
	}
	for _, layout := range []string{"20060102", "200601021504", "20060102150405"} {
		if len(s) == len(layout) {
			return time.ParseInLocation(layout, s, loc)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not YYYYMMDD[HHMM[SS]][Z]", s)
}

// WritePrivateKey creates path with the private key, readable only by its
// owner; it refuses to overwrite an existing file.
func WritePrivateKey(path string, pemBytes []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
		}
	}()
	if _, err = io.Copy(f, bytes.NewReader(pemBytes)); err != nil {
		return err
	}
	return f.Sync()
}
