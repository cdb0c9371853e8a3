// Package migrations holds Redline's database schema as goose SQL migrations,
// one folder per dialect with the same numbers in each, embedded in the binary.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// FS holds every migration, under postgres/ and sqlite/.
var FS fs.FS = files

// Postgres holds the PostgreSQL migrations at its root, as goose expects.
var Postgres = sub("postgres")

// SQLite holds the SQLite migrations at its root, as goose expects.
var SQLite = sub("sqlite")

// sub cannot fail in practice: fs.Sub only rejects invalid path names, and
// both names are constants the tests read through.
func sub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		return nil
	}
	return sub
}
