package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/config"
	"redline/internal/drafting"
	"redline/internal/signing"
	"redline/internal/sqlstore"
)

// app is what every subcommand works on: the configuration, the stores and
// the service over them.
type app struct {
	cfg   config.Config
	db    *sqlstore.DB
	blobs drafting.Blobs
	svc   *drafting.Service
	op    *drafting.Operator // the command line's trusted operations
	enf   *authz.Enforcer
	log   *slog.Logger
	// publicChanged drops a document's cached public page (webui's
	// PublicChanged), set by mount; serve feeds it the database's
	// announcements (issue 18).
	publicChanged func(slug string)
}

// loadConfig reads REDLINE_* from the environment and, when fs is given, the
// flags in args.
func loadConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	return config.Load(os.Getenv, fs, args)
}

// open connects to the database and the blob store named by cfg, applies
// migrations, and builds the service.
func open(ctx context.Context, cfg config.Config, logOut io.Writer, hooks drafting.Hooks) (*app, error) {
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if cfg.DatabaseURL == "" || cfg.S3Endpoint == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("REDLINE_DATA_DIR: create %s: %w", cfg.DataDir, err)
		}
	}
	db, err := sqlstore.Open(ctx, cfg.DatabaseTarget())
	if err != nil {
		return nil, fmt.Errorf("open database (REDLINE_DATABASE_URL): %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	// Both backends have the write-once archive; a backend without one
	// would not compile here.
	var blobs drafting.Blobs
	if cfg.S3Endpoint != "" {
		blobs, err = blobstore.NewMinIO(ctx, blobstore.MinIOConfig{
			Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
			Bucket: cfg.S3Bucket, ArchiveBucket: cfg.S3Bucket + "-archive", TLS: cfg.S3TLS,
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open MinIO (REDLINE_S3_ENDPOINT %s): %w", cfg.S3Endpoint, err)
		}
	} else {
		blobs, err = blobstore.NewDisk(cfg.DataDir)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open blob folder (REDLINE_DATA_DIR): %w", err)
		}
	}
	enf, err := authz.New(db, log)
	if err == nil {
		err = enf.Reload(ctx)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("load access policy: %w", err)
	}
	// issue 16: adoptions are signed with the keys REDLINE_SIGNING_KEY_FILE
	// names; without any, they are signed once one is configured.
	var signer drafting.Signer
	if len(cfg.SigningKeyFiles) > 0 {
		keys, err := signing.LoadKeyring(cfg.SigningKeyFiles)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("REDLINE_SIGNING_KEY_FILE: %w", err)
		}
		signer = signing.Adopter{Keys: keys}
	}
	svc := drafting.NewService(db, blobs, drafting.Options{MaxTextBytes: cfg.MaxTextBytes, Hooks: hooks,
		Authorizer: enf, PolicyChanged: enf.Reload, PolicySync: enf.Sync, Signer: signer})
	return &app{cfg: cfg, db: db, blobs: blobs, svc: svc, op: drafting.NewOperator(svc), enf: enf, log: log}, nil
}

func (a *app) Close() error { return a.db.Close() }

// fail prints err for a command and returns the exit code 1.
func fail(stderr io.Writer, cmd string, err error) int {
	var e *drafting.Error
	if errors.As(err, &e) && e.Message != "" && e.Kind != drafting.KindInternal {
		fmt.Fprintf(stderr, "redline %s: %s\n", cmd, e.Message)
	} else {
		fmt.Fprintf(stderr, "redline %s: %v\n", cmd, err)
	}
	return 1
}
