//go:build failpoints

package main

// issue 16: crash safety of signing adoptions in the outbox.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"redline/internal/drafting"
	"redline/internal/failpoint"
	"redline/internal/reliability"
	"redline/internal/signing"
)

// TestCrashSigning kills a real `redline serve` that signs adoptions with
// SIGKILL at each failpoint of signing (signed but not recorded, recorded
// but not copied, copied but not marked), on its 1st and 2nd hit, on
// SQLite and disk and on PostgreSQL and MinIO; restarts it, adopts once
// more, lets the outbox run, and requires every adoption signed exactly
// once as of its own date (none "signed later": the key was there all
// along), numbered 1, 2, 3 … with an unbroken chain that verifies, each
// statement and signature in write-once storage byte for byte, and the
// invariant checker content.
func TestCrashSigning(t *testing.T) {
	if !failpoint.Enabled {
		t.Fatal("built without -tags failpoints")
	}
	var out, errb bytes.Buffer
	key := filepath.Join(t.TempDir(), "signing")
	if code := cmdKeygen([]string{"--out", key}, &out, &errb); code != 0 {
		t.Fatalf("keygen: %s", errb.String())
	}
	keys, err := signing.LoadKeyring([]string{key})
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		fp, backend string
		nth         int
	}
	var runs []run
	for _, fp := range failpoint.Signing {
		runs = append(runs, run{fp, "sqlite+disk", 1}, run{fp, "sqlite+disk", 2}, run{fp, "postgres+minio", 1})
	}
	fired := make(chan string, len(runs))
	t.Run("runs", func(t *testing.T) {
		for _, r := range runs {
			t.Run(fmt.Sprintf("%s-%d-%s", r.fp, r.nth, r.backend), func(t *testing.T) {
				t.Parallel()
				if crashSigningOnce(t, keys, key, r.backend, r.fp, r.nth) {
					fired <- r.fp
				} else {
					fired <- ""
				}
			})
		}
	})
	close(fired)
	count := map[string]int{}
	for f := range fired {
		count[f]++
	}
	// Each run adopts more often than its failpoint's hit count before the
	// restart, so every one must die there.
	if count[""] > 0 {
		t.Fatalf("%d runs were not killed at their failpoint: %v", count[""], count)
	}
	t.Logf("killed at the armed failpoint: %v (\"\": not reached, killed by the test)", count)
}

func crashSigningOnce(t *testing.T, keys *signing.Keyring, key, backend, fp string, nth int) bool {
	ctx := context.Background()
	env := append(crashEnv(t, backend), "REDLINE_SIGNING_KEY_FILE="+key)
	chairTok, _, adminTok := seedCrash(t, env)
	acks := reliability.NewAckLog(nil)
	hc := reliability.NewHTTPClient(20 * time.Second)
	chair := &reliability.Client{Token: chairTok, Login: "chair", HTTP: hc, Acks: acks}
	admin := &reliability.Client{Token: adminTok, Login: "admin", HTTP: hc, Acks: acks}
	// adoptOnce commits, approves and adopts the head (as a basis first,
	// then as a whole, reopened at once); it returns an error only when the
	// server cannot be reached.
	adoptOnce := func(i int) error {
		check := func(what string, r reliability.Response, err error, want int) error {
			if err == nil && r.Status != want {
				t.Fatalf("%s: %d %s", what, r.Status, r.Body)
			}
			return err
		}
		head, _, r, err := chair.Head(ctx, "doc")
		if err := check("head", r, err, 200); err != nil {
			return err
		}
		head, sum, r, err := chair.Commit(ctx, "doc", head, fmt.Sprintf("Итоговый документ.\n\n%d. Пункт %d.\n", i+1, i))
		if err := check("commit", r, err, 201); err != nil {
			return err
		}
		r, err = chair.Approve(ctx, "doc", head, sum)
		if err := check("approve", r, err, 201); err != nil {
			return err
		}
		state, r, err := admin.State(ctx, "doc")
		if err := check("state", r, err, 200); err != nil {
			return err
		}
		stage := drafting.StageFinal
		if state == string(drafting.StateDrafting) {
			stage = drafting.StageBasis
		}
		r, err = chair.Adopt(ctx, "doc", head, stage)
		if err := check("adopt", r, err, 201); err != nil {
			return err
		}
		if stage == drafting.StageFinal {
			r, err = admin.Reopen(ctx, "doc", "поправки после принятия в целом")
			return check("reopen", r, err, 201)
		}
		return nil
	}

	srv := startServe(t, append(env, failpoint.Env+"="+fp+":"+fmt.Sprint(nth)))
	chair.Base, admin.Base = srv.base, srv.base
	died := false
	for i := 0; i < nth+2 && !died; i++ {
		died = adoptOnce(i) != nil
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	if !died {
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
	hit := strings.Contains(srv.stderr.String(), "failpoint "+fp+": SIGKILL")

	srv2 := startServe(t, env)
	chair.Base, admin.Base = srv2.base, srv2.base
	if state, r, err := admin.State(ctx, "doc"); err != nil || r.Status != 200 {
		t.Fatalf("after restart: state: %v %d %s", err, r.Status, r.Body)
	} else if state == drafting.StageFinal {
		if r, err := admin.Reopen(ctx, "doc", "продолжение работы после перезапуска"); err != nil || r.Status != 201 {
			t.Fatalf("after restart: reopen: %v %d %s", err, r.Status, r.Body)
		}
	}
	if err := adoptOnce(100); err != nil {
		t.Fatalf("after restart: adopt: %v\n%s", err, srv2.stderr.String())
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
	d, err := a.db.DocumentBySlug(ctx, "doc")
	if err != nil {
		t.Fatal(err)
	}
	as, err := a.db.Adoptions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	sts, err := a.db.Statements(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) < 2 || len(sts) != len(as) {
		t.Fatalf("%d adoptions, %d statements", len(as), len(sts))
	}
	var statements, signatures [][]byte
	for i, st := range sts {
		if st.AdoptionID != as[i].ID || st.Number != int64(i+1) {
			t.Fatalf("statement %d is of adoption %d, number %d; want adoption %d", i+1, st.AdoptionID, st.Number, as[i].ID)
		}
		if st.SignedLater || !st.SignedAt.Equal(as[i].CreatedAt) {
			t.Errorf("adoption %d signed at %s (later: %v), not as of its date %s", st.Number, st.SignedAt, st.SignedLater, as[i].CreatedAt)
		}
		if st.ArchivedAt.IsZero() {
			t.Errorf("statement %d not copied to write-once storage", st.Number)
		}
		for k, want := range map[string][]byte{drafting.StatementKey(d.ID, st.Number): st.Statement,
			drafting.SignatureKey(d.ID, st.Number): st.Signature} {
			got, err := a.blobs.GetArchive(ctx, k)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("archived %s: %v, %d bytes, want the recorded %d", k, err, len(got), len(want))
			}
		}
		statements, signatures = append(statements, st.Statement), append(signatures, st.Signature)
	}
	if _, err := signing.VerifyChain(statements, signatures, keys); err != nil {
		t.Errorf("the chain: %v", err)
	}
	rep, err := reliability.Check(ctx, a.db, a.blobs, acks.Acks())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) > 0 {
		t.Fatalf("%s:%d on %s: violations after the crash: %v", fp, nth, backend, rep.Violations)
	}
	return hit
}
