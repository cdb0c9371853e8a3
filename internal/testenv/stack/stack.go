// Package stack builds Redline's real storage for tests: SQLite and a blob
// folder in a temporary directory, or PostgreSQL and MinIO from make test.
package stack

import (
	"context"
	"path/filepath"
	"testing"

	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/sqlstore"
	"redline/internal/testenv"
)

// Backends names the storage combinations every integration test runs on.
var Backends = []string{"sqlite+disk", "postgres+minio"}

// Stack is a migrated database and a blob store.
type Stack struct {
	Name    string
	DB      *sqlstore.DB
	Blobs   drafting.Blobs
	BlobDir string // the disk backend's folder (texts under blobs/); empty for MinIO
	MinIO   *blobstore.MinIOConfig
	// Enforcer is the authorizer Service built, if it built one.
	Enforcer *authz.Enforcer
}

// New builds the named backend; PostgreSQL and MinIO come from testenv (skip
// or fail as it decides when they are missing).
func New(t testing.TB, backend string) *Stack {
	t.Helper()
	ctx := context.Background()
	s := &Stack{Name: backend}
	switch backend {
	case "sqlite+disk":
		dir := t.TempDir()
		db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "redline.db"))
		if err != nil {
			t.Fatal(err)
		}
		s.DB = db
		s.BlobDir = dir
		disk, err := blobstore.NewDisk(s.BlobDir)
		if err != nil {
			t.Fatal(err)
		}
		s.Blobs = disk
	case "postgres+minio":
		url := testenv.PostgresURL(t)
		m := testenv.SharedMinIO(t)
		db, err := sqlstore.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		s.DB = db
		bucket := testenv.RandomName("rl-")
		cfg := blobstore.MinIOConfig{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey,
			Bucket: bucket, ArchiveBucket: bucket + "-archive"}
		s.MinIO = &cfg
		mc, err := blobstore.NewMinIO(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.Blobs = mc
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	t.Cleanup(func() { s.DB.Close() })
	if err := s.DB.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// Service returns a drafting service over the stack, deciding with the real
// Casbin enforcer over the stack's role assignments (unless opt names
// another authorizer).
func (s *Stack) Service(t testing.TB, opt drafting.Options) *drafting.Service {
	t.Helper()
	if opt.Authorizer == nil {
		enf, err := authz.New(s.DB, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := enf.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.Enforcer = enf
		opt.Authorizer = enf
		opt.PolicyChanged = enf.Reload
	}
	return drafting.NewService(s.DB, s.Blobs, opt)
}

// MustRole gives login the role on the document with this slug (as the CLI
// would).
func MustRole(t testing.TB, svc *drafting.Service, login, role, slug string) {
	t.Helper()
	if _, err := drafting.NewOperator(svc).GrantRole(context.Background(), login, role, slug); err != nil {
		t.Fatal(err)
	}
}

// MustUser creates an account with a throwaway password hash.
func MustUser(t testing.TB, svc *drafting.Service, login string, admin bool) drafting.User {
	t.Helper()
	u, err := drafting.NewOperator(svc).CreateUser(context.Background(), drafting.NewUser{Login: login,
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", Admin: admin})
	if err != nil {
		t.Fatal(err)
	}
	return u
}
