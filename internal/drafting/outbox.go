package drafting

import (
	"context"
	"fmt"
	"time"

	"redline/internal/failpoint"
)

// The archive outbox: an adoption's row goes in with its archive copy
// queued; the copy is made at once when it can be, and retried until done,
// also after a restart (Operator.RunOutbox).

// archive copies one adoption's text to write-once storage and marks it done.
// Every step is idempotent, so a retry after a crash anywhere is safe.
func (c *core) archive(ctx context.Context, a Adoption) error {
	text, err := c.readBlob(ctx, a.DocumentID, a.SHA256)
	if err != nil {
		return fmt.Errorf("archive adoption %d: %w", a.ID, err)
	}
	failpoint.Hit(failpoint.BeforeArchive)
	if err := c.blobs.Archive(ctx, ArchiveKey(a.DocumentID, a.SHA256), text, a.SHA256); err != nil {
		return fmt.Errorf("archive adoption %d: %w", a.ID, err)
	}
	failpoint.Hit(failpoint.AfterArchive)
	// Signed before the copy is marked made: an adoption whose copy is
	// marked and that has no statement was made before a key existed.
	if err := c.sign(ctx, a); err != nil {
		return fmt.Errorf("archive adoption %d: %w", a.ID, err)
	}
	if err := c.store.MarkArchived(ctx, a.ID, c.clock()); err != nil {
		return fmt.Errorf("archive adoption %d: mark done: %w", a.ID, err)
	}
	return nil
}

// processOutbox makes every pending archive copy once, and signs what is
// unsigned when a key can; it returns the number of copies made and the
// first error.
func (c *core) processOutbox(ctx context.Context) (int, error) {
	pending, err := c.store.PendingArchives(ctx)
	if err != nil {
		return 0, fmt.Errorf("read outbox: %w", err)
	}
	done := 0
	var first error
	for _, a := range pending {
		if err := c.archive(ctx, a); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		done++
	}
	// issue 16: adoptions made before a key was configured, and statement
	// copies cut short.
	if _, err := c.processStatements(ctx); err != nil && first == nil {
		first = err
	}
	return done, first
}

// runOutbox processes the outbox every interval until ctx ends, reporting
// failures to logf.
func (c *core) runOutbox(ctx context.Context, interval time.Duration, logf func(err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := c.processOutbox(ctx); err != nil && logf != nil && ctx.Err() == nil {
			logf(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
