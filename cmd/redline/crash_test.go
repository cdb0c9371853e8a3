//go:build failpoints

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"redline/internal/auth"
	"redline/internal/config"
	"redline/internal/drafting"
	"redline/internal/failpoint"
	"redline/internal/reliability"
	"redline/internal/testenv"
)

// crashRuns is how many times TestCrash kills a server; every tenth run is
// on PostgreSQL and MinIO, the others on SQLite and disk.
const crashRuns = 200

// TestCrash arms one failpoint at random in a real `redline serve`, drives
// a chair's and a member's requests until the process dies by SIGKILL at
// that point (or is killed there by the test when the point is not reached),
// restarts it, proves it serves again, lets the outbox run, and requires the
// invariant checker to find every acknowledged write kept and nothing
// broken.
func TestCrash(t *testing.T) {
	if !failpoint.Enabled {
		t.Fatal("built without -tags failpoints")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	hits := make(chan string, crashRuns)
	t.Run("runs", func(t *testing.T) {
		for i := range crashRuns {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			fp := failpoint.All[rng.IntN(len(failpoint.All))]
			nth := 1 + rng.IntN(3)
			backend := "sqlite+disk"
			if i%10 == 9 {
				backend = "postgres+minio"
			}
			t.Run(fmt.Sprintf("%03d-%s-%d-%s", i, fp, nth, backend), func(t *testing.T) {
				t.Parallel()
				if crashOnce(t, rng, backend, fp, nth) {
					hits <- fp
				} else {
					hits <- ""
				}
			})
		}
	})
	close(hits)
	count, runs := map[string]int{}, 0
	for h := range hits {
		count[h]++
		runs++
	}
	t.Logf("%d crash runs, 0 violations; killed at the armed failpoint: %v (\"\": not reached, killed by the test)", runs, count)
}

// crashEnv returns the environment for one run's server and CLI.
func crashEnv(t *testing.T, backend string) []string {
	env := []string{"REDLINE_DATA_DIR=" + t.TempDir(), "REDLINE_DATABASE_URL=", "REDLINE_S3_ENDPOINT=", "REDLINE_LOG_LEVEL=error"}
	if backend == "postgres+minio" {
		m := testenv.SharedMinIO(t)
		env = append(env, "REDLINE_DATABASE_URL="+testenv.PostgresURL(t), "REDLINE_S3_ENDPOINT="+m.Endpoint,
			"REDLINE_S3_ACCESS_KEY="+m.AccessKey, "REDLINE_S3_SECRET_KEY="+m.SecretKey,
			"REDLINE_S3_BUCKET="+testenv.RandomName("crash-"))
	}
	return env
}

// openEnv opens the app the way a subcommand would with env.
func openEnv(t *testing.T, env []string) *app {
	t.Helper()
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	cfg, err := config.Load(func(k string) string { return m[k] }, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := open(context.Background(), cfg, io.Discard, drafting.Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// seedCrash makes an admin, a chair and a member of document "doc" (with a
// first revision) and returns the chair's, the member's and the admin's
// tokens.
func seedCrash(t *testing.T, env []string) (chair, member, admin string) {
	t.Helper()
	ctx := context.Background()
	a := openEnv(t, env)
	defer a.Close()
	root, err := a.op.CreateUser(ctx, drafting.NewUser{Login: "admin", PasswordHash: "$argon2id$x", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	text := "Итоговый документ конференции.\n\nПринять за основу проект.\n"
	if _, err := a.svc.Documents.Create(ctx, &root, drafting.NewDocument{Slug: "doc", Title: "Итоговый документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, 3)
	for i, login := range []string{"chair", "member", "admin"} {
		if login != "admin" {
			if _, err := a.op.CreateUser(ctx, drafting.NewUser{Login: login, PasswordHash: "$argon2id$x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.op.GrantRole(ctx, login, login, "doc"); err != nil {
				t.Fatal(err)
			}
		}
		tok, hash, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.op.CreateToken(ctx, login, "crash", hash); err != nil {
			t.Fatal(err)
		}
		tokens[i] = tok
	}
	return tokens[0], tokens[1], tokens[2]
}

// crashOnce is one run; it reports whether the armed failpoint killed the
// server.
func crashOnce(t *testing.T, rng *rand.Rand, backend, fp string, nth int) bool {
	ctx := context.Background()
	env := crashEnv(t, backend)
	chairTok, memberTok, adminTok := seedCrash(t, env)
	acks := reliability.NewAckLog(nil)
	hc := reliability.NewHTTPClient(20 * time.Second)
	chair := &reliability.Client{Token: chairTok, Login: "chair", HTTP: hc, Acks: acks}
	member := &reliability.Client{Token: memberTok, Login: "member", HTTP: hc, Acks: acks}
	admin := &reliability.Client{Token: adminTok, Login: "admin", HTTP: hc, Acks: acks}

	srv := startServe(t, append(env, failpoint.Env+"="+fp+":"+fmt.Sprint(nth)))
	chair.Base, member.Base, admin.Base = srv.base, srv.base, srv.base
	steps := 6 * (nth + 1)
	died := false
	for i := 0; i < steps && !died; i++ {
		died = crashStep(ctx, i, rng, chair, member, admin) != nil
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	if !died {
		// Not reached: kill it anyway, at whatever it was doing.
		_ = srv.cmd.Process.Signal(syscall.SIGKILL)
	}
	select {
	case err := <-exited:
		var ee interface{ Sys() any }
		if !errors.As(err, &ee) {
			t.Fatalf("server exited without a signal: %v\n%s", err, srv.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("server still running after its failpoint:\n%s", srv.stderr.String())
	}
	fired := strings.Contains(srv.stderr.String(), "failpoint "+fp+": SIGKILL")

	// Restart without the failpoint: it must serve a commit on its head again.
	srv2 := startServe(t, env)
	chair.Base, member.Base, admin.Base = srv2.base, srv2.base, srv2.base
	// A crash right after a final adoption leaves the document closed: the
	// administrator reopens it, as the step would have.
	if state, r, err := admin.State(ctx, "doc"); err != nil || r.Status != 200 {
		t.Fatalf("after restart: state: %v %d %s", err, r.Status, r.Body)
	} else if state == drafting.StageFinal {
		if r, err := admin.Reopen(ctx, "doc", "продолжение работы после перезапуска"); err != nil || r.Status != 201 {
			t.Fatalf("after restart: reopen: %v %d %s", err, r.Status, r.Body)
		}
	}
	head, _, r, err := chair.Head(ctx, "doc")
	if err != nil || r.Status != 200 {
		t.Fatalf("after restart: head: %v %d %s\n%s", err, r.Status, r.Body, srv2.stderr.String())
	}
	if _, _, r, err := chair.Commit(ctx, "doc", head, fmt.Sprintf("После перезапуска %d.\n", head)); err != nil || r.Status != 201 {
		t.Fatalf("after restart: commit on head %d: %v %d %s", head, err, r.Status, r.Body)
	}
	_ = srv2.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv2.cmd.Wait(); err != nil {
		t.Fatalf("restarted server did not stop cleanly: %v\n%s", err, srv2.stderr.String())
	}

	a := openEnv(t, env)
	defer a.Close()
	if _, err := drafting.NewOperator(a.svc).ProcessOutbox(ctx); err != nil {
		t.Fatalf("outbox: %v", err)
	}
	rep, err := reliability.Check(ctx, a.db, a.blobs, acks.Acks())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) > 0 {
		t.Fatalf("%s:%d on %s: %d violations after the crash: %v", fp, nth, backend, len(rep.Violations), rep.Violations)
	}
	if rep.Acks == 0 {
		t.Fatalf("nothing was acknowledged before the crash")
	}
	return fired
}

// crashStep is step i of the chair's and member's work: two commits, a
// proposal, an approval and an adoption of the head (as a basis or as a
// whole; the administrator reopens a final one at once), an anchored
// comment. It returns an error only when the server cannot be reached.
func crashStep(ctx context.Context, i int, rng *rand.Rand, chair, member, admin *reliability.Client) error {
	head, sum, _, err := chair.Head(ctx, "doc")
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Итоговый документ конференции.\n\nПункт %d: поддержать кластеры %d.\n", i, rng.Int())
	switch i % 6 {
	case 0, 1:
		_, _, _, err = chair.Commit(ctx, "doc", head, text)
	case 2:
		_, _, err = member.Propose(ctx, "doc", head, text, "Поправка")
	case 3:
		_, err = chair.Approve(ctx, "doc", head, sum)
	case 4:
		stage := drafting.StageBasis
		if rng.IntN(2) == 0 {
			stage = drafting.StageFinal
		}
		var r reliability.Response
		r, err = chair.Adopt(ctx, "doc", head, stage)
		if err == nil && r.Status == 201 && stage == drafting.StageFinal {
			_, err = admin.Reopen(ctx, "doc", "поправки после принятия в целом")
		}
	case 5:
		quote := "Итоговый"
		_, _, err = member.Comment(ctx, "doc", head, "Уточнить.", &reliability.CommentAnchor{Start: 0, End: 8, Quote: quote,
			Suffix: " документ конференции.\n\nПункт "})
		if err == nil {
			_, _, err = member.Comment(ctx, "doc", head, "Общее замечание.", nil)
		}
	}
	return err
}
