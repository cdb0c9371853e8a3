package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
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

// TestListCommentsPlan checks the work SQLite does to list a document's
// comments, as its query plan states it: a search of the comments index by
// document, already in id order, and each author found by primary key. A
// scan of every document's comments or a sort in a temporary B-tree would
// make the listing grow with the whole table rather than with the
// document. (testManyComments counts the Go side of the same listing.)
func TestListCommentsPlan(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+qListComments, "doc")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("plan: %q", plan)
	var byDocument, authorByKey bool
	for _, step := range plan {
		switch {
		case strings.Contains(step, "TEMP B-TREE"), strings.HasPrefix(step, "SCAN"):
			t.Errorf("plan step %q: the listing must search the document's index, not scan or sort", step)
		case strings.HasPrefix(step, "SEARCH c USING INDEX comments_document_id_idx (document_id=?)"):
			byDocument = true
		case strings.HasPrefix(step, "SEARCH u USING INTEGER PRIMARY KEY"):
			authorByKey = true
		}
	}
	if !byDocument || !authorByKey {
		t.Errorf("plan %q: want a search of comments_document_id_idx by document and users by primary key", plan)
	}
}
