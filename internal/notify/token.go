package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrBadToken is returned for a token that this installation did not sign,
// or that was altered.
var ErrBadToken = errors.New("notify: invalid or altered link")

// Purpose says what a token grants.
type Purpose byte

// The purposes.
const (
	// Unsubscribe turns Topics off for User on Document: the one-click
	// link of a mail. It never expires, so the link in an old mail works.
	Unsubscribe Purpose = 'u'
	// Feed reads User's Atom feed while Gen is the user's current feed
	// generation; resetting the feed address bumps it.
	Feed Purpose = 'f'
)

// Token is what a signed link carries. Its fields are not secret (they
// are readable in the link); the signature makes them unforgeable.
type Token struct {
	Purpose  Purpose
	User     int64
	Document string // the document's ID; "" for a feed
	Topics   Topics // for Unsubscribe: the topics to turn off
	Lang     string // "ru" or "en": the page it leads to is in this language
	Gen      uint32 // for Feed
}

// Signer signs and verifies tokens with the installation's secret key.
type Signer struct {
	key []byte
}

// MinKeyBytes is the shortest key NewSigner accepts.
const MinKeyBytes = 32

// maxTokenLen bounds what Verify decodes: a token is under 150 characters.
const maxTokenLen = 256

// NewSigner returns a signer with key, which must be at least MinKeyBytes
// of secret random bytes shared by every instance (the store keeps one,
// made at first start).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("notify: signing key of %d bytes, want at least %d", len(key), MinKeyBytes)
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

const tokenVersion = 1

// Sign returns t as a URL-safe token.
func (s *Signer) Sign(t Token) string {
	p := make([]byte, 0, 64)
	p = append(p, tokenVersion, byte(t.Purpose), byte(t.Topics))
	if Lang(t.Lang) == "en" {
		p = append(p, 'e')
	} else {
		p = append(p, 'r')
	}
	p = binary.AppendUvarint(p, uint64(t.User))
	p = binary.AppendUvarint(p, uint64(t.Gen))
	p = append(p, t.Document...)
	return base64.RawURLEncoding.EncodeToString(append(p, s.mac(p)...))
}

func (s *Signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("redline notify token\x00"))
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// Verify returns the token that tok carries, or ErrBadToken.
func (s *Signer) Verify(tok string) (Token, error) {
	if len(tok) > maxTokenLen {
		return Token{}, ErrBadToken
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 4+2+16 {
		return Token{}, ErrBadToken
	}
	payload, mac := b[:len(b)-16], b[len(b)-16:]
	if !hmac.Equal(mac, s.mac(payload)) {
		return Token{}, ErrBadToken
	}
	// Signed by us: the layout is ours, but parse it defensively anyway.
	if payload[0] != tokenVersion {
		return Token{}, ErrBadToken
	}
	t := Token{Purpose: Purpose(payload[1]), Topics: Topics(payload[2]), Lang: "ru"}
	if payload[3] == 'e' {
		t.Lang = "en"
	}
	rest := payload[4:]
	user, n := binary.Uvarint(rest)
	if n <= 0 || user > 1<<63-1 {
		return Token{}, ErrBadToken
	}
	rest = rest[n:]
	gen, n := binary.Uvarint(rest)
	if n <= 0 || gen > 1<<32-1 {
		return Token{}, ErrBadToken
	}
	t.User, t.Gen, t.Document = int64(user), uint32(gen), string(rest[n:])
	if t.Purpose != Unsubscribe && t.Purpose != Feed || t.Topics&^AllTopics != 0 {
		return Token{}, ErrBadToken
	}
	return t, nil
}

// Installation returns a short, stable name of the installation derived
// from its key, which Message-IDs carry so that two installations (or one
// reinstalled on a fresh database) never reuse each other's IDs.
func (s *Signer) Installation() string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("redline installation\x00"))
	return hex.EncodeToString(m.Sum(nil)[:5])
}
