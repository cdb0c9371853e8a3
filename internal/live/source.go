package live

import "context"

// Source is the durable history the hub reads events from: the audit log,
// which the store implements (see livetest.Run for its conformance suite).
//
// Its one promise beyond returning rows in order is that IDs become
// visible in order within a document: once a row with Seq n can be read,
// no row of the same document with a smaller Seq appears later. The audit
// log keeps it because a sequence number is taken under a lock that is
// held until the row commits, so rows commit in Seq order. (A plain
// database sequence would not: its numbers are handed out before commit,
// and a reader could see 12 before 11 committed and then never look back.)
type Source interface {
	// Replay returns up to limit rows of doc with Seq > after, in
	// increasing Seq, every kind included (the hub translates and filters
	// them, so a short page means the end has been reached). Errors are
	// the store's unavailable or internal kinds.
	Replay(ctx context.Context, doc string, after int64, limit int) ([]Record, error)
	// Last returns the Seq of doc's newest row, 0 when it has none.
	Last(ctx context.Context, doc string) (int64, error)
}
