package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"redline/internal/auth"
	"redline/internal/authz"
	"redline/internal/config"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/live"
	"redline/internal/shell"
	"redline/internal/webui"
)

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "create a demo admin account and the demo conference's working group and document, and print their passwords and a token")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "redline serve: bad configuration:\n%v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	metrics := shell.NewMetrics()
	a, err := open(ctx, cfg, stderr, metrics.Hooks())
	if err != nil {
		return fail(stderr, "serve", err)
	}
	defer a.Close()
	// Role changes made by other instances arrive by LISTEN/NOTIFY on
	// PostgreSQL; the periodic version check is the backstop for a missed one.
	go func() {
		if err := a.db.WatchPolicy(ctx, a.enf.Changed); err != nil {
			a.log.Error("watch policy changes", "err", err.Error())
		}
	}()
	go a.enf.Run(ctx, authz.DefaultInterval)
	// Adopted texts are copied to write-once storage by an outbox: a copy
	// that failed or was cut short by a crash is made here. Of several
	// instances on one database, one runs it at a time (issue 18): every
	// outbox worker belongs inside this one Exclusive.
	go func() {
		_ = a.db.Exclusive(ctx, "outbox", 2*time.Second, func(ctx context.Context) {
			a.op.RunOutbox(ctx, 5*time.Second, func(err error) { a.log.Error("archive adopted text", "err", err.Error()) })
		})
	}()
	if cfg.MemoryLimitMiB > 0 {
		// A soft limit: the collector works harder as the heap nears it, so
		// a burst of garbage (argon2's 64 MiB a hash) is returned sooner.
		debug.SetMemoryLimit(cfg.MemoryLimitMiB << 20)
	}
	a.db.SetIdempotencyTTL(cfg.IdempotencyTTL)
	go purgeIdempotencyKeys(ctx, a, cfg.IdempotencyTTL)
	sh, ui, hub, err := mount(a, cfg, metrics)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	// The public pages are cached per instance and dropped when the
	// database announces an adoption or a reopening, from any instance
	// (issue 18); the watch's count check every second is the backstop for
	// a lost announcement, the minute's refresh (mount) the last resort.
	go func() { _ = a.db.WatchPublic(ctx, time.Second, a.publicChanged) }()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(stderr, "serve", fmt.Errorf("REDLINE_ADDR: listen on %s: %w", cfg.Addr, err))
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Redline is listening on %s\n", base)
	// issue 17: notifications and the live streams (live.go)
	notifier, err := startNotify(ctx, a, sh, ui, cmp.Or(cfg.BaseURL, base), stdout)
	if err != nil {
		ln.Close()
		return fail(stderr, "serve", err)
	}
	closeLive := startLive(ctx, a, hub, notifier.Poke)
	if *demo {
		if err := seedDemo(ctx, a.svc, a.op, stdout, base); err != nil {
			ln.Close()
			return fail(stderr, "serve", err)
		}
	}
	srv := shell.NewHTTPServer(cfg.Addr, sh.Handler())
	srv.RegisterOnShutdown(closeLive)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("serving", "addr", ln.Addr().String(), "database", dialect(a), "blobs", blobKind(cfg.S3Endpoint))
	select {
	case err := <-errc:
		return fail(stderr, "serve", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fail(stderr, "serve", fmt.Errorf("shut down: %w", err))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(stderr, "serve", err)
	}
	return 0
}

// mount builds what serve answers with: the shell with the API and the
// pages mounted on it. Every route serve registers is registered here (the
// OpenAPI description's test walks them).
func mount(a *app, cfg config.Config, metrics *shell.Metrics) (*shell.Shell, *webui.UI, *live.Hub, error) {
	ui, err := webui.New(a.svc, webui.Options{Logger: a.log, BaseURL: cfg.BaseURL, PublicRefresh: time.Minute})
	if err != nil {
		return nil, nil, nil, err
	}
	a.publicChanged = ui.PublicChanged
	sh, err := shell.New(a.svc, shell.Options{Logger: a.log, TrustedProxies: cfg.TrustedProxies, Metrics: metrics,
		TLS: cfg.UsesTLS(), LoginAttempts: cfg.LoginAttempts, LoginWindow: cfg.LoginWindow, BaseURL: cfg.BaseURL,
		LoginAddressAttempts: cfg.LoginAddressAttempts, ThrottleStore: a.db,
		Hasher: auth.HasherOptions{Concurrency: cfg.HashConcurrency, Params: auth.Params{
			Memory: cfg.PasswordHash.MemoryKiB, Time: cfg.PasswordHash.Time, Threads: cfg.PasswordHash.Threads}},
		MetricsToken: cfg.MetricsToken, MetricsAllow: cfg.MetricsAllow,
		MaxOpenProposals: cfg.MaxOpenProposals, CommentsPerMinute: cfg.CommentsPerMinute})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("REDLINE_TRUSTED_PROXIES: %w", err)
	}
	httpapi.Mount(sh, a.svc)
	ui.Mount(sh)
	hub := mountLive(a, sh) // issue 17 (live.go)
	return sh, ui, hub, nil
}

// purgeIdempotencyKeys deletes expired Idempotency-Key answers every few
// minutes until ctx ends.
func purgeIdempotencyKeys(ctx context.Context, a *app, ttl time.Duration) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		if n, err := a.db.PurgeIdempotencyKeys(ctx, time.Now().Add(-ttl)); err != nil {
			a.log.Warn("purge idempotency keys", "err", err.Error())
		} else if n > 0 {
			a.log.Info("purged idempotency keys", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func dialect(a *app) string { return a.db.Dialect() }

func blobKind(endpoint string) string {
	if endpoint != "" {
		return "minio " + endpoint
	}
	return "disk"
}

// seedDemo makes sure a demo admin exists, printing its password when it is
// created, and prints a fresh token for it.
func seedDemo(ctx context.Context, svc *drafting.Service, op *drafting.Operator, stdout io.Writer, base string) error {
	const login = "demo"
	pw := ""
	if _, err := svc.UserByLogin(ctx, login); drafting.ErrorKind(err) == drafting.KindNotFound {
		pw, err = randomPassword()
		if err != nil {
			return err
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := op.CreateUser(ctx, drafting.NewUser{Login: login, DisplayName: "Demo administrator", PasswordHash: hash, Admin: true}); err != nil {
			return fmt.Errorf("create demo user: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("look up demo user: %w", err)
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	if _, err := op.CreateToken(ctx, login, "make run", hash); err != nil {
		return fmt.Errorf("create demo token: %w", err)
	}
	fmt.Fprintf(stdout, "\nDemo account: login %q", login)
	if pw != "" {
		fmt.Fprintf(stdout, ", password %q", pw)
	} else {
		fmt.Fprint(stdout, " (created earlier; its password was printed then)")
	}
	fmt.Fprintf(stdout, "\nAPI token:    %s\n\nTry:\n  curl -H 'Authorization: Bearer %s' %s/api/v1/documents\n\n", token, token, base)
	return seedConference(ctx, svc, login, stdout, base)
}
