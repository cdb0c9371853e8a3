package main

// --- issue 17: the session, live ---

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"redline/internal/httpapi"
	"redline/internal/live"
	"redline/internal/notify"
	"redline/internal/shell"
	"redline/internal/webui"
)

// livePoll is how often every open stream looks for new audit rows even
// without a notification: the backstop for a NOTIFY lost while the
// listener reconnected.
const livePoll = 5 * time.Second

// mountLive makes the event hub over the audit log and mounts the live
// routes on sh; startLive sets it going.
func mountLive(a *app, sh *shell.Shell) *live.Hub {
	hub := live.New(a.db.LiveSource(), live.Options{Logger: a.log})
	httpapi.MountLive(sh, a.svc, hub, httpapi.LiveOptions{})
	return hub
}

// startLive wakes the hub on this database's notifications of new audit
// rows (PostgreSQL: from every instance; SQLite: this one's commits), and
// on a periodic poll, calling wake on each notification too (the
// notifier's Poke). The hub is closed when ctx ends, or by the returned
// function (register it to run on shutdown: a stream never goes idle by
// itself).
func startLive(ctx context.Context, a *app, hub *live.Hub, wake func()) func() {
	go func() {
		err := a.db.WatchEvents(ctx, func(doc string, seq int64) {
			wake()
			if doc == "" {
				hub.PokeAll()
				return
			}
			hub.Notify(doc, seq)
		})
		if err != nil {
			a.log.Error("watch new events", "err", err.Error())
		}
	}()
	go hub.Run(ctx, livePoll)
	go func() {
		<-ctx.Done()
		hub.Close()
	}()
	return hub.Close
}

// notifyPoll is how often the notifier looks for new audit rows and due
// mails without being woken.
const notifyPoll = 5 * time.Second

// startNotify starts the notification pipeline (see internal/notify) over
// the audit log, mails through REDLINE_SMTP_URL when it is set, and mounts
// the settings pages, the feeds and the unsubscribe links. It says at
// start whether mail is sent. base is the public address links point to.
func startNotify(ctx context.Context, a *app, sh *shell.Shell, ui *webui.UI, base string, stdout io.Writer) (*notify.Notifier, error) {
	store := a.db.Notifications()
	key, err := store.Key(ctx)
	if err != nil {
		return nil, fmt.Errorf("notification key: %w", err)
	}
	signer, err := notify.NewSigner(key)
	if err != nil {
		return nil, err
	}
	links := notify.Links{Base: strings.TrimRight(base, "/")}
	r := &notify.Renderer{Links: links, Signer: signer}
	var (
		mailer notify.Mailer
		window time.Duration
	)
	if c := a.cfg.SMTP; c != nil {
		mailer, r.From, window = notify.NewSMTP(*c), c.From, c.Digest
		fmt.Fprintf(stdout, "Notification mail: on, through %s\n", c)
	} else {
		fmt.Fprintln(stdout, "Notification mail: off (REDLINE_SMTP_URL is not set): no mail is sent; personal feeds still work")
	}
	n := notify.New(a.db.LiveSource(), store, store, mailer, r, notify.Options{Window: window, Logger: a.log})
	ui.MountNotifications(sh, webui.Notifications{Notifier: n, Settings: store, Signer: signer, Links: links})
	go n.Run(ctx, notifyPoll)
	return n, nil
}
