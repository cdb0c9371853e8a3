package auth

import (
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	th := NewThrottle(3, time.Minute)
	th.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := th.Allowed("user:a", "ip:1"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
		th.Fail("user:a", "ip:1")
	}
	if ok, wait := th.Allowed("user:a", "ip:2"); ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("fourth attempt on the account from another address: ok %v wait %s", ok, wait)
	}
	if ok, _ := th.Allowed("user:b", "ip:1"); ok {
		t.Fatal("another account from the throttled address was allowed")
	}
	if ok, _ := th.Allowed("user:b", "ip:3"); !ok {
		t.Fatal("an unrelated account and address were refused")
	}
	now = now.Add(time.Minute)
	if ok, _ := th.Allowed("user:a", "ip:1"); !ok {
		t.Fatal("still refused after the window")
	}
	th.Fail("user:c")
	th.Succeed("user:c")
	if len(th.keys) != 0 && th.keys["user:c"] != nil {
		t.Fatal("success did not forget the account's failures")
	}
}

func TestSessionExpired(t *testing.T) {
	c := time.Unix(1_700_000_000, 0)
	if SessionExpired(c, c, c.Add(time.Hour)) {
		t.Error("fresh session expired")
	}
	if !SessionExpired(c, c, c.Add(SessionIdleTimeout+time.Second)) {
		t.Error("idle session not expired")
	}
	if !SessionExpired(c, c.Add(SessionAbsoluteTimeout), c.Add(SessionAbsoluteTimeout+time.Second)) {
		t.Error("old but active session not expired")
	}
}
