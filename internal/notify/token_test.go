package notify_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"redline/internal/notify"
)

func signer(t testing.TB) *notify.Signer {
	s, err := notify.NewSigner(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenRoundTrip(t *testing.T) {
	s := signer(t)
	for _, tok := range []notify.Token{
		{Purpose: notify.Unsubscribe, User: 1, Document: "0123456789abcdef0123456789abcdef", Topics: notify.Replies, Lang: "ru"},
		{Purpose: notify.Unsubscribe, User: 1<<62 + 5, Document: "d", Topics: notify.AllTopics, Lang: "en"},
		{Purpose: notify.Feed, User: 42, Gen: 1<<32 - 1, Lang: "ru"},
	} {
		enc := s.Sign(tok)
		if len(enc) > 120 || strings.ContainsAny(enc, "/+=?&#%") {
			t.Errorf("token %q is too long or not URL-safe", enc)
		}
		got, err := s.Verify(enc)
		if err != nil || got != tok {
			t.Errorf("Verify(Sign(%+v)) = %+v, %v", tok, got, err)
		}
	}
}

func TestTokenForgery(t *testing.T) {
	s := signer(t)
	enc := s.Sign(notify.Token{Purpose: notify.Unsubscribe, User: 7, Document: "doc", Topics: notify.Revisions})
	other, _ := notify.NewSigner(bytes.Repeat([]byte("x"), 32))
	if _, err := other.Verify(enc); !errors.Is(err, notify.ErrBadToken) {
		t.Errorf("a token of another installation verified: %v", err)
	}
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range enc {
		for _, c := range []byte{alphabet[(strings.IndexByte(alphabet, enc[i])+1)%64]} {
			bad := enc[:i] + string(c) + enc[i+1:]
			if got, err := s.Verify(bad); err == nil {
				// The last character carries padding bits a change may not touch.
				if got.User == 7 && got.Document == "doc" && got.Topics == notify.Revisions && i == len(enc)-1 {
					continue
				}
				t.Errorf("altered token %q verified as %+v", bad, got)
			}
		}
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 300), enc + "A", enc[:len(enc)-1], "!!!!"} {
		if _, err := s.Verify(bad); !errors.Is(err, notify.ErrBadToken) {
			t.Errorf("Verify(%q) = %v, want ErrBadToken", bad, err)
		}
	}
	if _, err := notify.NewSigner([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

// FuzzVerifyToken: no input crashes Verify, and whatever it accepts signs
// back to itself.
func FuzzVerifyToken(f *testing.F) {
	s := signer(f)
	f.Add(s.Sign(notify.Token{Purpose: notify.Unsubscribe, User: 7, Document: "doc", Topics: notify.Revisions}))
	f.Add(s.Sign(notify.Token{Purpose: notify.Feed, User: 1, Gen: 3}))
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, tok string) {
		got, err := s.Verify(tok)
		if err != nil {
			if !errors.Is(err, notify.ErrBadToken) {
				t.Fatalf("error %v is not ErrBadToken", err)
			}
			return
		}
		if again := s.Sign(got); again != tok {
			if back, err := s.Verify(again); err != nil || back != got {
				t.Fatalf("accepted %q as %+v, which signs to %q", tok, got, again)
			}
		}
	})
}
