package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// ShortenSQLiteWait sets SQLite's own wait for the write lock
// (busy_timeout) to ms on every connection the pool may hand out, and
// reports the setting each one then has. The DSN cannot lower it: modernc
// runs busy_timeout pragmas in no fixed order.
func ShortenSQLiteWait(ctx context.Context, db *DB, ms int) error {
	conns := make([]*sql.Conn, 0, sqliteMaxConns)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range sqliteMaxConns {
		c, err := db.db.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", ms)); err != nil {
			return err
		}
		var got int
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&got); err != nil {
			return err
		}
		if got != ms {
			return fmt.Errorf("busy_timeout is %d, want %d", got, ms)
		}
	}
	return nil
}
