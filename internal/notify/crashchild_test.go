package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"redline/internal/live"
	"redline/internal/notify"
	"redline/internal/notify/notifytest"
)

// The crash test (crash_test.go, built with -tags failpoints) runs this
// test binary as a child that steps the notification pipeline once on a
// durable store and a real SMTP server, and kills itself at a failpoint.
const (
	envCrashChild = "REDLINE_NOTIFY_CRASH_CHILD" // the folder of the child's store
	envCrashSMTP  = "REDLINE_NOTIFY_CRASH_SMTP"  // the SMTP server's port
	envCrashClock = "REDLINE_NOTIFY_CRASH_CLOCK" // the child's time, Unix seconds
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashChild); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "crash child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashWorld is the same every time: one document, four people, eight
// events, so that every run of the child plans the same items and
// composes the same mails (to ivanov, petrov and sidorov).
func crashWorld() (*notifytest.Directory, *notifytest.Log) {
	dir := notifytest.NewDirectory()
	dir.AddDocument(doc)
	for _, a := range []notify.Account{
		{ID: ivanov, Login: "ivanov", Name: "Иван Иванов", Email: "ivanov@example.org", Lang: "ru"},
		{ID: petrov, Login: "petrov", Name: "Peter Petrov", Email: "petrov@example.org", Lang: "en"},
		{ID: chair, Login: "chair", Email: "chair@example.org", Lang: "ru"},
		{ID: sidorov, Login: "sidorov", Email: "sidorov@example.org", Lang: "ru"},
	} {
		dir.AddAccount(a)
	}
	dir.Join(doc.ID, ivanov, notify.DefaultTopics, true)
	dir.Join(doc.ID, petrov, notify.AllTopics, true)
	dir.Join(doc.ID, chair, notify.AllTopics, true)
	dir.Join(doc.ID, sidorov, notify.Revisions|notify.Adoptions, true)
	dir.SetAuthor(doc.ID, 3, ivanov)
	dir.SetAuthor(doc.ID, 5, ivanov)
	dir.SetThread(doc.ID, 30, ivanov, petrov)
	log := &notifytest.Log{}
	add := func(kind string, actor int64, data map[string]string) {
		login := map[int64]string{ivanov: "ivanov", petrov: "petrov", chair: "chair"}[actor]
		log.Add(live.Record{Document: doc.ID, Kind: kind, ActorID: actor, ActorLogin: login, Data: data,
			At: t0.Add(time.Duration(len(login)) * time.Minute)})
	}
	add("revision.commit", chair, map[string]string{"number": "5"})
	add("proposal.merge", chair, map[string]string{"proposal": "3", "number": "6"})
	add("comment.create", petrov, map[string]string{"comment": "31", "revision": "6", "reply_to": "30"})
	add("adoption.create", chair, map[string]string{"revision": "6", "stage": "basis"})
	add("revision.commit", chair, map[string]string{"number": "7"})
	add("proposal.rejected", chair, map[string]string{"number": "5", "reason": "дублирует п. 12"})
	add("comment.create", ivanov, map[string]string{"comment": "32", "revision": "7", "reply_to": "30"})
	add("adoption.create", chair, map[string]string{"revision": "7", "stage": "final"})
	return dir, log
}

// crashMails are the keys of the mails crashWorld's events make.
var crashMails = []string{"u1-e2", "u2-e1", "u4-e1"}

func crashChild(dir string) error {
	store, err := notifytest.OpenStore(filepath.Join(dir, "state.json"))
	if err != nil {
		return err
	}
	secs, err := strconv.ParseInt(os.Getenv(envCrashClock), 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", envCrashClock, err)
	}
	now := time.Unix(secs, 0).UTC()
	cfg, _, err := notify.ParseSMTPURL("smtp://127.0.0.1:" + os.Getenv(envCrashSMTP) + "?from=redline@example.org&tls=none&timeout=30s")
	if err != nil {
		return err
	}
	signer, err := notify.NewSigner(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		return err
	}
	r := &notify.Renderer{From: mail.Address{Name: "Redline", Address: "redline@example.org"},
		Links: notify.Links{Base: "https://redline.example.org"}, Signer: signer, Location: msk}
	d, l := crashWorld()
	n := notify.New(l, d, store, notify.NewSMTP(cfg), r, notify.Options{
		Window: 10 * time.Minute, Lease: 5 * time.Minute, Batch: 2,
		Clock:  func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	// Plan, then once the window has passed, compose and send.
	if err := n.Step(context.Background()); err != nil {
		return err
	}
	now = now.Add(10 * time.Minute)
	return n.Step(context.Background())
}
