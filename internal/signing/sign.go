package signing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Errors of verification; each wraps one of these.
var (
	// ErrBadSignature: the signature does not verify, or is not in the
	// redline namespace, or the statement names another key.
	ErrBadSignature = errors.New("bad signature")
	// ErrUnknownKey: the signature is by a key that is not published.
	ErrUnknownKey = errors.New("unknown key")
	// ErrKeyNotValid: the key was not valid at the statement's signing date.
	ErrKeyNotValid = errors.New("key not valid at the statement's date")
	// ErrTextMismatch: the text is not the one the statement names.
	ErrTextMismatch = errors.New("text does not match the statement")
	// ErrChainBroken: a statement does not follow the previous one.
	ErrChainBroken = errors.New("chain of adoptions broken")
)

// Sign signs s with the key valid at s.SignedAt (see SignerAt), after
// setting s.Key to it, and returns the statement's bytes and the armored
// signature ("-----BEGIN SSH SIGNATURE-----"), as ssh-keygen -Y sign -n
// redline writes it.
func (r *Keyring) Sign(s Statement) (statement, signature []byte, err error) {
	k, err := r.SignerAt(s.SignedAt)
	if err != nil {
		return nil, nil, err
	}
	s.Key = k.Fingerprint
	statement, err = s.Marshal()
	if err != nil {
		return nil, nil, err
	}
	sig, err := sshsig.Sign(bytes.NewReader(statement), k.signer, sshsig.HashSHA512, Namespace)
	if err != nil {
		return nil, nil, fmt.Errorf("sign statement: %w", err)
	}
	return statement, sshsig.Armor(sig), nil
}

// maxSignature bounds an armored signature; an Ed25519 one is about 300
// bytes.
const maxSignature = 16 << 10

// ParseSignature reads an armored SSHSIG signature: one "SSH SIGNATURE"
// block and nothing else but white space.
func ParseSignature(armored []byte) (*sshsig.Signature, error) {
	if len(armored) > maxSignature {
		return nil, fmt.Errorf("%w signature: larger than %d bytes", ErrMalformed, maxSignature)
	}
	block, rest := pem.Decode(armored)
	if block == nil || block.Type != sshsig.PEMType {
		return nil, fmt.Errorf("%w signature: no -----BEGIN SSH SIGNATURE----- block", ErrMalformed)
	}
	if len(bytes.TrimSpace(rest)) > 0 || len(bytes.TrimSpace(armored[:bytes.Index(armored, []byte("-----BEGIN"))])) > 0 {
		return nil, fmt.Errorf("%w signature: text around the SSH SIGNATURE block", ErrMalformed)
	}
	sig, err := sshsig.ParseSignature(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w signature: %v", ErrMalformed, err)
	}
	return sig, nil
}

// Verify checks that signature is a valid SSHSIG signature of statement in
// the redline namespace by one of keys, that the statement is well formed
// and names that key, and that the key was valid at the statement's
// signing date. It returns the statement and the key.
func Verify(statement, signature []byte, keys *Keyring) (Statement, *Key, error) {
	sig, err := ParseSignature(signature)
	if err != nil {
		return Statement{}, nil, err
	}
	if sig.Namespace != Namespace {
		return Statement{}, nil, fmt.Errorf("%w: signed for namespace %q, not %q", ErrBadSignature, sig.Namespace, Namespace)
	}
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	k := keys.Lookup(fp)
	if k == nil {
		return Statement{}, nil, fmt.Errorf("%w: signed by %s, which is not among the %d published key(s)", ErrUnknownKey, fp, len(keys.Keys))
	}
	if err := sshsig.Verify(bytes.NewReader(statement), sig, k.Public, sig.HashAlgorithm, Namespace); err != nil {
		return Statement{}, nil, fmt.Errorf("%w: the signature by %s does not match the statement (%v)", ErrBadSignature, fp, err)
	}
	s, err := ParseStatement(statement)
	if err != nil {
		return Statement{}, nil, err
	}
	if s.Key != fp {
		return Statement{}, nil, fmt.Errorf("%w: the statement names key %s but is signed by %s", ErrBadSignature, s.Key, fp)
	}
	if !k.ValidAt(s.SignedAt) {
		return Statement{}, nil, fmt.Errorf("%w: key %s is valid %s, the statement was signed at %s", ErrKeyNotValid, fp, k.Period(), s.SignedAt.UTC().Format(time.RFC3339))
	}
	return s, k, nil
}

// VerifyText checks that text is the one s names: its SHA-256 and size.
func VerifyText(s Statement, text []byte) error {
	return VerifyTextFrom(s, bytes.NewReader(text))
}

// VerifyTextFrom is VerifyText on a text read from r.
func VerifyTextFrom(s Statement, r io.Reader) error {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("read text: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != s.SHA256 || n != s.Size {
		return fmt.Errorf("%w: the file's SHA-256 is %s (%d bytes); the statement names %s (%d bytes)", ErrTextMismatch, got, n, s.SHA256, s.Size)
	}
	return nil
}

// Follows checks that next follows prev, whose bytes are prevBytes, in the
// chain of one document's adoptions.
func Follows(next Statement, prev Statement, prevBytes []byte) error {
	switch {
	case next.Document != prev.Document:
		return fmt.Errorf("%w: the previous statement is of document %q, not %q", ErrChainBroken, prev.Document, next.Document)
	case next.Adoption != prev.Adoption+1:
		return fmt.Errorf("%w: adoption %d does not follow adoption %d", ErrChainBroken, next.Adoption, prev.Adoption)
	case next.Previous != Hash(prevBytes):
		return fmt.Errorf("%w: adoption %d names previous statement %s, but adoption %d's statement hashes to %s", ErrChainBroken, next.Adoption, next.Previous, prev.Adoption, Hash(prevBytes))
	case next.AdoptedAt.Before(prev.AdoptedAt):
		return fmt.Errorf("%w: adoption %d is dated before adoption %d", ErrChainBroken, next.Adoption, prev.Adoption)
	}
	return nil
}

// VerifyChain checks a document's statements, oldest first, with their
// signatures: each verifies, the first is adoption 1, and each follows the
// one before.
func VerifyChain(statements, signatures [][]byte, keys *Keyring) ([]Statement, error) {
	if len(statements) != len(signatures) {
		return nil, fmt.Errorf("%w: %d statements but %d signatures", ErrMalformed, len(statements), len(signatures))
	}
	out := make([]Statement, len(statements))
	for i := range statements {
		s, _, err := Verify(statements[i], signatures[i], keys)
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i+1, err)
		}
		if i == 0 && s.Adoption != 1 {
			return nil, fmt.Errorf("%w: the first statement is adoption %d", ErrChainBroken, s.Adoption)
		}
		if i > 0 {
			if err := Follows(s, out[i-1], statements[i-1]); err != nil {
				return nil, err
			}
		}
		out[i] = s
	}
	return out, nil
}
