package shell_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/auth"
	"redline/internal/drafting"
	"redline/internal/shell"
	"redline/internal/testenv/stack"
)

// TestCostlyRequestsTakeTurns (issue 13): ten costly requests sent at once
// by one account run at most two at a time; another account's request is
// not held up by them.
func TestCostlyRequestsTakeTurns(t *testing.T) {
	ctx := context.Background()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	sh, err := shell.New(svc, shell.Options{})
	if err != nil {
		t.Fatal(err)
	}
	op := drafting.NewOperator(svc)
	tokens := map[string]string{}
	for _, login := range []string{"anna", "boris"} {
		if _, err := op.CreateUser(ctx, drafting.NewUser{Login: login, PasswordHash: "$argon2id$x"}); err != nil {
			t.Fatal(err)
		}
		tok, hash, _ := auth.NewToken()
		if _, err := op.CreateToken(ctx, login, "", hash); err != nil {
			t.Fatal(err)
		}
		tokens[login] = tok
	}
	var running, most atomic.Int32
	release := make(chan struct{})
	g := sh.Group("/x", sh.JSONError)
	g.GET("/costly", sh.TakeTurns, func(c *gin.Context) {
		if shell.Actor(c).Login != "anna" {
			c.Status(http.StatusNoContent)
			return
		}
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		c.Status(http.StatusNoContent)
	})
	get := func(login string) int {
		req := httptest.NewRequest("GET", "/x/costly", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[login])
		rec := httptest.NewRecorder()
		sh.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); get("anna") }()
	}
	deadline := time.Now().Add(10 * time.Second)
	for running.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if code := get("boris"); code != http.StatusNoContent {
		t.Fatalf("another account's request while anna's wait: %d", code)
	}
	close(release)
	wg.Wait()
	if m := most.Load(); m != 2 {
		t.Fatalf("%d of anna's costly requests ran at once, want 2", m)
	}
}
