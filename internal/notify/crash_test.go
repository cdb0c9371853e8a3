//go:build failpoints

package notify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"redline/internal/failpoint"
	"redline/internal/notify/notifytest"
)

// TestCrash kills the notification pipeline with SIGKILL at each of its
// failpoints (the nth time it is reached), restarts it, and checks what
// arrived at a real SMTP server: every mail exactly once; or, when the
// kill fell between the server's acceptance and the outbox's record of it
// (mail-after-data), that one mail twice, byte for byte the same and with
// the same Message-ID, as the package documents.
func TestCrash(t *testing.T) {
	cases := []struct {
		point string
		nth   int
	}{
		{"", 0}, // no crash: the baseline
		{failpoint.MailAfterPlan, 1}, {failpoint.MailAfterPlan, 2}, {failpoint.MailAfterPlan, 4},
		{failpoint.MailAfterCompose, 1}, {failpoint.MailAfterCompose, 3},
		{failpoint.MailAfterClaim, 1}, {failpoint.MailAfterClaim, 2},
		{failpoint.MailAfterData, 1}, {failpoint.MailAfterData, 2}, {failpoint.MailAfterData, 3},
	}
	for _, c := range cases {
		name := "none"
		if c.point != "" {
			name = c.point + ":" + strconv.Itoa(c.nth)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTPD(t)
			dir := t.TempDir()
			clock := t0.Add(time.Hour)
			run := func(fp string) error {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), envCrashChild+"="+dir, envCrashSMTP+"="+srv.Port,
					envCrashClock+"="+strconv.FormatInt(clock.Unix(), 10), failpoint.Env+"="+fp)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Logf("child (%s): %v\n%s", fp, err, out)
				}
				return err
			}
			if c.point != "" {
				err := run(fmt.Sprintf("%s:%d", c.point, c.nth))
				var ee *exec.ExitError
				if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() ||
					ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
					t.Fatalf("the child was not killed at %s:%d: %v", c.point, c.nth, err)
				}
				clock = clock.Add(time.Hour) // past the lease of whatever it had claimed
			}
			if err := run(""); err != nil {
				t.Fatalf("restart: %v", err)
			}
			clock = clock.Add(time.Hour)
			if err := run(""); err != nil {
				t.Fatalf("second restart: %v", err)
			}

			// What arrived.
			byID := map[string][][]byte{}
			for _, m := range srv.messages(t) {
				id := parse(t, m.Raw).header.Get("Message-ID")
				byID[id] = append(byID[id], m.Raw)
			}
			var ids []string
			for id := range byID {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			var want []string
			r := renderer(t)
			for _, key := range crashMails {
				want = append(want, r.MessageID(key))
			}
			sort.Strings(want)
			if !slices.Equal(ids, want) {
				t.Fatalf("Message-IDs %v, want %v", ids, want)
			}
			doubled := 0
			for id, copies := range byID {
				switch {
				case len(copies) == 1:
				case len(copies) == 2 && c.point == failpoint.MailAfterData && bytes.Equal(copies[0], copies[1]):
					doubled++
				default:
					t.Errorf("%s arrived %d times", id, len(copies))
				}
			}
			if c.point == failpoint.MailAfterData && doubled != 1 {
				t.Errorf("%d mails arrived twice after a kill between DATA and its record, want exactly 1", doubled)
			}

			// The outbox agrees: everything sent, nothing pending.
			store, err := notifytest.OpenStore(filepath.Join(dir, "state.json"))
			if err != nil {
				t.Fatal(err)
			}
			mails := store.Mails()
			if len(mails) != len(crashMails) {
				t.Fatalf("%d mails in the outbox, want %d", len(mails), len(crashMails))
			}
			for _, m := range mails {
				if m.SentAt.IsZero() || !m.FailedAt.IsZero() {
					t.Errorf("outbox mail %s: sent %v, failed %v", m.Key, m.SentAt, m.FailedAt)
				}
			}
			if p, _ := store.Pending(context.Background(), 100); len(p) != 0 {
				t.Errorf("%d items still pending", len(p))
			}
		})
	}
}
