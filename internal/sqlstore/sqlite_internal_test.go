package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
)

// TestSQLiteConnectionSettings checks that every pooled connection, not just
// the first, carries the settings the store relies on.
func TestSQLiteConnectionSettings(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "settings.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "2", // FULL
	}
	// Hold several connections at once so the pool must open new ones.
	for i := range 4 {
		conn, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for pragma, v := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", i, pragma, err)
			}
			if got != v {
				t.Errorf("connection %d: %s = %q, want %q", i, pragma, got, v)
			}
		}
	}
}

func TestRebind(t *testing.T) {
	pg := &DB{dialect: DialectPostgres}
	lite := &DB{dialect: DialectSQLite}
	const q = `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`
	if got, want := pg.rebind(q), `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`; got != want {
		t.Errorf("postgres rebind = %q, want %q", got, want)
	}
	if got := lite.rebind(q); got != q {
		t.Errorf("sqlite rebind changed the query: %q", got)
	}
}
