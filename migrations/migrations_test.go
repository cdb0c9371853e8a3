package migrations_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"redline/internal/testenv"
	"redline/migrations"
)

// TestTwins checks that every migration has a twin with the same name in the
// other dialect.
func TestTwins(t *testing.T) {
	names := func(fsys fs.FS) []string {
		t.Helper()
		m, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	pg, lite := names(migrations.Postgres), names(migrations.SQLite)
	if len(pg) == 0 || !slices.Equal(pg, lite) {
		t.Errorf("postgres migrations %v and sqlite migrations %v differ", pg, lite)
	}
	all, err := fs.Glob(migrations.FS, "*/*.sql")
	if err != nil || len(all) != len(pg)+len(lite) {
		t.Errorf("FS holds %v (%v), want both folders", all, err)
	}
}

// tables are every table the migrations create.
var tables = []string{
	"users", "api_tokens", "documents", "revisions",
	"document_roles", "role_changes", "policy_version", "sessions",
	"proposals", "approvals", "adoptions", "events", "idempotency_keys",
	"comments", "comment_versions", "reopenings",
}

// TestUpDownUp applies every migration, rolls all of them back and applies
// them again, on each dialect, so the Down halves are exercised too.
func TestUpDownUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dialect goose.Dialect
		fsys    fs.FS
		open    func(t *testing.T) *sql.DB
	}{
		{"sqlite", goose.DialectSQLite3, migrations.SQLite, func(t *testing.T) *sql.DB {
			db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db")+"?_pragma=foreign_keys(1)")
			if err != nil {
				t.Fatal(err)
			}
			return db
		}},
		{"postgres", goose.DialectPostgres, migrations.Postgres, func(t *testing.T) *sql.DB {
			db, err := sql.Open("pgx", testenv.PostgresURL(t))
			if err != nil {
				t.Fatal(err)
			}
			return db
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := tc.open(t)
			defer db.Close()
			p, err := goose.NewProvider(tc.dialect, db, tc.fsys, goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			up := func() {
				t.Helper()
				if _, err := p.Up(ctx); err != nil {
					t.Fatalf("up: %v", err)
				}
				for _, table := range tables {
					if _, err := db.ExecContext(ctx, "SELECT COUNT(*) FROM "+table); err != nil {
						t.Fatalf("%s table after up: %v", table, err)
					}
				}
			}
			up()
			if _, err := p.DownTo(ctx, 0); err != nil {
				t.Fatalf("down: %v", err)
			}
			for _, table := range tables {
				if _, err := db.ExecContext(ctx, "SELECT 1 FROM "+table); err == nil {
					t.Errorf("table %s survived the down migrations", table)
				}
			}
			up()
		})
	}
}
