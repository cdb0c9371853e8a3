package notify

import (
	"context"
	"errors"
	"time"

	"redline/internal/live"
)

// ErrConflict is what a Store returns (wrapped or not) when another worker
// did the step first: it moved the cursor, mailed the items, or holds the
// key. The step is then simply over.
var ErrConflict = errors.New("notify: done by another worker")

// ErrNotFound is what a Directory returns for a document or account that
// does not exist.
var ErrNotFound = errors.New("notify: not found")

// Item is one event one person is to hear about.
type Item struct {
	ID        int64 // set by the store
	User      int64
	Document  string
	Topic     Topics     // the single topic that made it theirs
	Event     live.Event // stored with the item (its payload is small)
	Mail      bool       // false: for the feed only
	PlannedAt time.Time
}

// Mail is a finished message in the outbox.
type Mail struct {
	ID       int64  // set by the store
	Key      string // unique; the Message-ID is made from it
	User     int64
	Document string
	From     string // envelope sender
	To       string // envelope recipient
	Message  []byte // RFC 5322, CRLF line ends, sent as is on every attempt
	Items    []int64
	// Set by the store.
	CreatedAt time.Time
	NextAt    time.Time // due from then
	Attempts  int       // claims so far
	SentAt    time.Time
	FailedAt  time.Time
	LastError string
}

// Log is the audit log, read from a cursor.
type Log interface {
	// Events returns up to limit rows of every document with Seq > after,
	// in increasing Seq, with the visibility promise of live.Source: once
	// row n is readable no row before it appears later.
	Events(ctx context.Context, after int64, limit int) ([]live.Record, error)
}

// Store is the durable side of notifications: a cursor over the audit log,
// the planned items, and the outbox. Each method is one transaction. See
// notifytest.Run for its conformance suite.
type Store interface {
	// Cursor returns the Seq of the last audit row planned; 0 at first.
	Cursor(ctx context.Context) (int64, error)
	// AddItems stores items and moves the cursor from from to through,
	// atomically. ErrConflict when the cursor is not at from. An item for
	// a (User, Event.ID) already stored is ignored.
	AddItems(ctx context.Context, from, through int64, items []Item) error
	// Pending returns up to limit items with Mail set that are neither in
	// a mail nor skipped, oldest planned first (then by ID).
	Pending(ctx context.Context, limit int) ([]Item, error)
	// Skip marks items as never to be mailed (their person may no longer
	// read the document, takes no mail, or they grew stale).
	Skip(ctx context.Context, ids []int64) error
	// Enqueue stores m (due at m.CreatedAt) and marks m.Items as mailed in
	// it, atomically. ErrConflict when m.Key exists or an item is mailed
	// or skipped already.
	Enqueue(ctx context.Context, m Mail) (Mail, error)
	// Claim leases up to n mails that are neither sent nor failed, due at
	// now, and not leased by anyone until after now: each is leased until
	// now+lease, and its Attempts counted. Concurrent claims never return
	// the same mail while its lease lasts.
	Claim(ctx context.Context, now time.Time, n int, lease time.Duration) ([]Mail, error)
	// Sent records that mail id was accepted by the SMTP server at at.
	Sent(ctx context.Context, id int64, at time.Time) error
	// Retry releases mail id to be tried again from next, recording why.
	Retry(ctx context.Context, id int64, next time.Time, reason string) error
	// Fail gives up on mail id at at, recording why.
	Fail(ctx context.Context, id int64, at time.Time, reason string) error
	// Feed returns up to limit of user's items, mailed or not, newest
	// first (by event ID).
	Feed(ctx context.Context, user int64, limit int) ([]Item, error)
}

// Account is a person as notifications need them.
type Account struct {
	ID      int64
	Login   string
	Name    string // display name; the login when empty
	Email   string // "" : no mail
	Lang    string // "ru" or "en"
	FeedGen uint32 // the generation their feed link must carry
}

// Recipient is a person who may read a document, with their choices for
// it.
type Recipient struct {
	Account
	Topics Topics // what they want to hear about (DefaultTopics until they choose)
	Mail   bool   // false: feed only
}

// DocInfo is what a mail says about a document.
type DocInfo struct {
	ID, Slug, Title string
}

// Directory answers the questions Plan and Compose ask about people and
// documents. Errors: ErrNotFound, or the store's own.
type Directory interface {
	// Document returns the document with ID id.
	Document(ctx context.Context, id string) (DocInfo, error)
	// Recipients returns everyone who may read doc now (enabled, with a
	// role on it), with their choices for it.
	Recipients(ctx context.Context, doc string) ([]Recipient, error)
	// Recipient returns one of them; ok is false when user may no longer
	// read doc.
	Recipient(ctx context.Context, doc string, user int64) (r Recipient, ok bool, err error)
	// Account returns the (enabled) account with ID id.
	Account(ctx context.Context, id int64) (Account, error)
	// ProposalAuthor returns the author of doc's proposal number n.
	ProposalAuthor(ctx context.Context, doc string, n int64) (int64, error)
	// ThreadPeople returns the authors of the comments in the thread that
	// comment belongs to (its root and every reply).
	ThreadPeople(ctx context.Context, doc string, comment int64) ([]int64, error)
}

// Preferences changes people's choices.
type Preferences interface {
	// Unsubscribe turns topics off for user on doc.
	Unsubscribe(ctx context.Context, user int64, doc string, topics Topics) error
}

// Mailer hands a message to an SMTP server.
type Mailer interface {
	// Send delivers msg from from to to. It returns nil once the server
	// accepted the message (its 250 to DATA), and an error that
	// IsPermanent reports on when the server refused it for good.
	Send(ctx context.Context, from, to string, msg []byte) error
}
