package auth

import (
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("пароль-секрет")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") {
		t.Errorf("hash %q is not PHC argon2id", h)
	}
	if err := CheckPassword(h, "пароль-секрет"); err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if err := CheckPassword(h, "пароль-секреТ"); err != ErrMismatch {
		t.Errorf("wrong password: got %v, want ErrMismatch", err)
	}
	h2, _ := HashPassword("пароль-секрет")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestPasswordLimits(t *testing.T) {
	for _, pw := range []string{"", "short", strings.Repeat("x", 257), "bad\xffutf8xx"} {
		if _, err := HashPassword(pw); err == nil {
			t.Errorf("HashPassword(%q) accepted", pw)
		}
	}
	if _, err := HashPassword(strings.Repeat("я", 256)); err != nil {
		t.Errorf("256 Cyrillic characters refused: %v", err)
	}
}

func TestToken(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix) || len(hash) != 64 || HashToken(tok) != hash {
		t.Errorf("token %q hash %q", tok, hash)
	}
	tok2, _, _ := NewToken()
	if tok == tok2 {
		t.Error("tokens repeat")
	}
}
