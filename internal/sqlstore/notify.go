package sqlstore

// --- issue 17: notifications' store ---

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"redline/internal/drafting"
	"redline/internal/notify"
)

// Notifications is the store of notify: the planner's cursor over the
// audit log, the planned items, the outbox, and people's addresses and
// choices. Each method is one transaction.
type Notifications struct{ db *DB }

var (
	_ notify.Store       = Notifications{}
	_ notify.Directory   = Notifications{}
	_ notify.Preferences = Notifications{}
	_ notify.Log         = LiveSource{}
)

// Notifications returns the notifications' store.
func (db *DB) Notifications() Notifications { return Notifications{db} }

// conflict turns a unique violation into notify.ErrConflict.
func conflict(op, doing string, err error) error {
	if classify(err) == drafting.KindConflict {
		return fmt.Errorf("%s: %s: %w", op, doing, notify.ErrConflict)
	}
	return fail(op, doing, err, nil)
}

// Cursor implements notify.Store.
func (n Notifications) Cursor(ctx context.Context) (int64, error) {
	var seq int64
	if err := n.db.db.QueryRowContext(ctx, `SELECT seq FROM notify_cursor WHERE id = 1`).Scan(&seq); err != nil {
		return 0, fail("sqlstore.Cursor", "read the cursor", err, nil)
	}
	return seq, nil
}

// AddItems implements notify.Store.
func (n Notifications) AddItems(ctx context.Context, from, through int64, items []notify.Item) error {
	const (
		op      = "sqlstore.AddItems"
		qMove   = `UPDATE notify_cursor SET seq = ? WHERE id = 1 AND seq = ?`
		qInsert = `INSERT INTO notify_items (user_id, document_id, topic, event_id, event, mail, planned_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, event_id) DO NOTHING`
	)
	db := n.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.rebind(qMove), through, from)
		if err != nil {
			return fail(op, "move the cursor", err, nil)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return fmt.Errorf("%s: the cursor is not at %d: %w", op, from, notify.ErrConflict)
		}
		for _, it := range items {
			ev, err := json.Marshal(it.Event)
			if err != nil {
				return fmt.Errorf("%s: encode event %d: %w", op, it.Event.ID, err)
			}
			_, err = tx.ExecContext(ctx, db.rebind(qInsert), it.User, it.Document, int(it.Topic), it.Event.ID, string(ev),
				db.boolArg(it.Mail), db.timeArg(it.PlannedAt))
			if err != nil {
				return fail(op, "insert an item", err, nil)
			}
		}
		return nil
	})
}

const itemColumns = `id, user_id, document_id, topic, event, mail, planned_at FROM notify_items`

func scanItem(row interface{ Scan(...any) error }) (notify.Item, error) {
	var (
		it    notify.Item
		topic int
		ev    string
		mail  any
	)
	if err := row.Scan(&it.ID, &it.User, &it.Document, &topic, &ev, &mail, timeCol{&it.PlannedAt}); err != nil {
		return notify.Item{}, err
	}
	it.Topic, it.Mail = notify.Topics(topic), truthy(mail)
	if err := json.Unmarshal([]byte(ev), &it.Event); err != nil {
		return notify.Item{}, fmt.Errorf("decode item %d: %w", it.ID, err)
	}
	return it, nil
}

// truthy reads a boolean column of either dialect.
func truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case int64:
		return b != 0
	}
	return false
}

// boolArg encodes a boolean for the dialect.
func (db *DB) boolArg(b bool) any {
	if db.dialect == DialectSQLite {
		if b {
			return 1
		}
		return 0
	}
	return b
}

// Pending implements notify.Store.
func (n Notifications) Pending(ctx context.Context, limit int) ([]notify.Item, error) {
	q := `SELECT ` + itemColumns + ` WHERE mail = ? AND mail_id IS NULL AND skipped = ? ORDER BY planned_at, id LIMIT ?`
	rows, err := n.db.db.QueryContext(ctx, n.db.rebind(q), n.db.boolArg(true), n.db.boolArg(false), limit)
	if err != nil {
		return nil, fail("sqlstore.Pending", "select pending items", err, nil)
	}
	return collect(rows, scanItem)
}

// Skip implements notify.Store.
func (n Notifications) Skip(ctx context.Context, ids []int64) error {
	db := n.db
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE notify_items SET skipped = ? WHERE id = ? AND mail_id IS NULL`),
				db.boolArg(true), id); err != nil {
				return fail("sqlstore.Skip", "skip an item", err, nil)
			}
		}
		return nil
	})
}

// Enqueue implements notify.Store.
func (n Notifications) Enqueue(ctx context.Context, m notify.Mail) (notify.Mail, error) {
	const (
		op      = "sqlstore.Enqueue"
		qInsert = `INSERT INTO notify_mails (key, user_id, document_id, sender, recipient, message, created_at, next_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
		qMark = `UPDATE notify_items SET mail_id = ? WHERE id = ? AND mail_id IS NULL AND skipped = ?`
	)
	db := n.db
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.rebind(qInsert), m.Key, m.User, m.Document, m.From, m.To, m.Message,
			db.timeArg(m.CreatedAt), db.timeArg(m.CreatedAt)).Scan(&m.ID)
		if err != nil {
			return conflict(op, "insert the mail", err)
		}
		for _, id := range m.Items {
			res, err := tx.ExecContext(ctx, db.rebind(qMark), m.ID, id, db.boolArg(false))
			if err != nil {
				return fail(op, "mark an item", err, nil)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return fmt.Errorf("%s: item %d is mailed or skipped: %w", op, id, notify.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return notify.Mail{}, err
	}
	m.NextAt = m.CreatedAt
	return m, nil
}

// Claim implements notify.Store.
func (n Notifications) Claim(ctx context.Context, now time.Time, k int, lease time.Duration) ([]notify.Mail, error) {
	const op = "sqlstore.Claim"
	db := n.db
	q := `SELECT id FROM notify_mails WHERE sent_at IS NULL AND failed_at IS NULL AND next_at <= ?
AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY next_at, id LIMIT ?`
	if db.dialect == DialectPostgres {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	var out []notify.Mail
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, db.rebind(q), db.timeArg(now), db.timeArg(now), k)
		if err != nil {
			return fail(op, "select due mails", err, nil)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fail(op, "read due mails", err, nil)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return fail(op, "read due mails", err, nil)
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE notify_mails SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?`),
				db.timeArg(now.Add(lease)), id); err != nil {
				return fail(op, "lease a mail", err, nil)
			}
			m, err := n.mail(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

func (n Notifications) mail(ctx context.Context, tx *sql.Tx, id int64) (notify.Mail, error) {
	const op = "sqlstore.mail"
	db := n.db
	var m notify.Mail
	err := tx.QueryRowContext(ctx, db.rebind(`SELECT id, key, user_id, document_id, sender, recipient, message, created_at,
next_at, attempts, last_error FROM notify_mails WHERE id = ?`), id).Scan(&m.ID, &m.Key, &m.User, &m.Document, &m.From, &m.To,
		&m.Message, timeCol{&m.CreatedAt}, timeCol{&m.NextAt}, &m.Attempts, &m.LastError)
	if err != nil {
		return notify.Mail{}, fail(op, "read a mail", err, nil)
	}
	rows, err := tx.QueryContext(ctx, db.rebind(`SELECT id FROM notify_items WHERE mail_id = ? ORDER BY id`), id)
	if err != nil {
		return notify.Mail{}, fail(op, "read a mail's items", err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var it int64
		if err := rows.Scan(&it); err != nil {
			return notify.Mail{}, fail(op, "read a mail's items", err, nil)
		}
		m.Items = append(m.Items, it)
	}
	return m, rows.Err()
}

// Sent implements notify.Store.
func (n Notifications) Sent(ctx context.Context, id int64, at time.Time) error {
	return n.exec(ctx, "sqlstore.Sent", `UPDATE notify_mails SET sent_at = ?, claimed_until = NULL WHERE id = ?`, n.db.timeArg(at), id)
}

// Retry implements notify.Store.
func (n Notifications) Retry(ctx context.Context, id int64, next time.Time, reason string) error {
	return n.exec(ctx, "sqlstore.Retry", `UPDATE notify_mails SET next_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?`,
		n.db.timeArg(next), clipError(reason), id)
}

// Fail implements notify.Store.
func (n Notifications) Fail(ctx context.Context, id int64, at time.Time, reason string) error {
	return n.exec(ctx, "sqlstore.Fail", `UPDATE notify_mails SET failed_at = ?, claimed_until = NULL, last_error = ? WHERE id = ?`,
		n.db.timeArg(at), clipError(reason), id)
}

func clipError(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 1000 {
		s = strings.ToValidUTF8(s[:1000], "")
	}
	return s
}

func (n Notifications) exec(ctx context.Context, op, q string, args ...any) error {
	if _, err := n.db.autocommit().ExecContext(ctx, n.db.rebind(q), args...); err != nil {
		return fail(op, "update", err, nil)
	}
	return nil
}

// Feed implements notify.Store.
func (n Notifications) Feed(ctx context.Context, user int64, limit int) ([]notify.Item, error) {
	q := `SELECT ` + itemColumns + ` WHERE user_id = ? ORDER BY event_id DESC LIMIT ?`
	rows, err := n.db.db.QueryContext(ctx, n.db.rebind(q), user, limit)
	if err != nil {
		return nil, fail("sqlstore.Feed", "select the feed", err, nil)
	}
	return collect(rows, scanItem)
}

// --- Directory ---

// Document implements notify.Directory.
func (n Notifications) Document(ctx context.Context, id string) (notify.DocInfo, error) {
	var d notify.DocInfo
	err := n.db.db.QueryRowContext(ctx, n.db.rebind(`SELECT id, slug, title FROM documents WHERE id = ?`), id).Scan(&d.ID, &d.Slug, &d.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return notify.DocInfo{}, notify.ErrNotFound
	}
	if err != nil {
		return notify.DocInfo{}, fail("sqlstore.Document", "select the document", err, nil)
	}
	return d, nil
}

// recipientColumns reads an enabled member of a document with their
// address and choices; the defaults where they have none.
const recipientColumns = `u.id, u.login, u.display_name, COALESCE(a.email, ''), COALESCE(a.lang, 'ru'), COALESCE(a.feed_gen, 0),
COALESCE(s.topics, -1), s.mail
FROM document_roles r JOIN users u ON u.id = r.user_id
LEFT JOIN notify_accounts a ON a.user_id = u.id
LEFT JOIN notify_settings s ON s.user_id = u.id AND s.document_id = r.document_id
WHERE r.document_id = ? AND NOT u.disabled`

func scanRecipient(row interface{ Scan(...any) error }) (notify.Recipient, error) {
	var (
		r      notify.Recipient
		topics int64
		mail   any
		gen    int64
	)
	if err := row.Scan(&r.ID, &r.Login, &r.Name, &r.Email, &r.Lang, &gen, &topics, &mail); err != nil {
		return notify.Recipient{}, err
	}
	r.FeedGen = uint32(gen)
	if r.Name == "" {
		r.Name = r.Login
	}
	r.Topics, r.Mail = notify.DefaultTopics, true
	if topics >= 0 {
		r.Topics, r.Mail = notify.Topics(topics), truthy(mail)
	}
	return r, nil
}

// Recipients implements notify.Directory.
func (n Notifications) Recipients(ctx context.Context, doc string) ([]notify.Recipient, error) {
	rows, err := n.db.db.QueryContext(ctx, n.db.rebind(`SELECT `+recipientColumns+` ORDER BY u.id`), doc)
	if err != nil {
		return nil, fail("sqlstore.Recipients", "select recipients", err, nil)
	}
	return collect(rows, scanRecipient)
}

// Recipient implements notify.Directory.
func (n Notifications) Recipient(ctx context.Context, doc string, user int64) (notify.Recipient, bool, error) {
	r, err := scanRecipient(n.db.db.QueryRowContext(ctx, n.db.rebind(`SELECT `+recipientColumns+` AND u.id = ?`), doc, user))
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Recipient{}, false, nil
	}
	if err != nil {
		return notify.Recipient{}, false, fail("sqlstore.Recipient", "select a recipient", err, nil)
	}
	return r, true, nil
}

// Account implements notify.Directory.
func (n Notifications) Account(ctx context.Context, id int64) (notify.Account, error) {
	var (
		a   notify.Account
		gen int64
	)
	err := n.db.db.QueryRowContext(ctx, n.db.rebind(`SELECT u.id, u.login, u.display_name, COALESCE(a.email, ''), COALESCE(a.lang, 'ru'),
COALESCE(a.feed_gen, 0) FROM users u LEFT JOIN notify_accounts a ON a.user_id = u.id WHERE u.id = ? AND NOT u.disabled`), id).
		Scan(&a.ID, &a.Login, &a.Name, &a.Email, &a.Lang, &gen)
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Account{}, notify.ErrNotFound
	}
	if err != nil {
		return notify.Account{}, fail("sqlstore.Account", "select the account", err, nil)
	}
	a.FeedGen = uint32(gen)
	if a.Name == "" {
		a.Name = a.Login
	}
	return a, nil
}

// ProposalAuthor implements notify.Directory.
func (n Notifications) ProposalAuthor(ctx context.Context, doc string, num int64) (int64, error) {
	var id int64
	err := n.db.db.QueryRowContext(ctx, n.db.rebind(`SELECT author_id FROM proposals WHERE document_id = ? AND number = ?`), doc, num).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notify.ErrNotFound
	}
	if err != nil {
		return 0, fail("sqlstore.ProposalAuthor", "select the author", err, nil)
	}
	return id, nil
}

// ThreadPeople implements notify.Directory.
func (n Notifications) ThreadPeople(ctx context.Context, doc string, comment int64) ([]int64, error) {
	const q = `SELECT DISTINCT author_id FROM comments WHERE document_id = ? AND thread = (
SELECT thread FROM comments WHERE document_id = ? AND id = ?) ORDER BY author_id`
	rows, err := n.db.db.QueryContext(ctx, n.db.rebind(q), doc, doc, comment)
	if err != nil {
		return nil, fail("sqlstore.ThreadPeople", "select the thread's people", err, nil)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fail("sqlstore.ThreadPeople", "read the thread's people", err, nil)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fail("sqlstore.ThreadPeople", "read the thread's people", err, nil)
	}
	if len(out) == 0 {
		return nil, notify.ErrNotFound
	}
	return out, nil
}

// --- Preferences and settings ---

// Unsubscribe implements notify.Preferences.
func (n Notifications) Unsubscribe(ctx context.Context, user int64, doc string, topics notify.Topics) error {
	cur, err := n.Settings(ctx, user, doc)
	if err != nil {
		return err
	}
	return n.SetSettings(ctx, user, doc, cur.Topics&^topics, cur.Mail)
}

// Settings returns user's choices for doc, the defaults when they made
// none.
func (n Notifications) Settings(ctx context.Context, user int64, doc string) (notify.Recipient, error) {
	var (
		topics int64
		mail   any
	)
	err := n.db.db.QueryRowContext(ctx, n.db.rebind(`SELECT topics, mail FROM notify_settings WHERE user_id = ? AND document_id = ?`), user, doc).
		Scan(&topics, &mail)
	if errors.Is(err, sql.ErrNoRows) {
		return notify.Recipient{Topics: notify.DefaultTopics, Mail: true}, nil
	}
	if err != nil {
		return notify.Recipient{}, fail("sqlstore.Settings", "select settings", err, nil)
	}
	return notify.Recipient{Topics: notify.Topics(topics), Mail: truthy(mail)}, nil
}

// SetSettings stores user's choices for doc.
func (n Notifications) SetSettings(ctx context.Context, user int64, doc string, topics notify.Topics, mail bool) error {
	const q = `INSERT INTO notify_settings (user_id, document_id, topics, mail) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id, document_id) DO UPDATE SET topics = excluded.topics, mail = excluded.mail`
	return n.exec(ctx, "sqlstore.SetSettings", q, user, doc, int(topics&notify.AllTopics), n.db.boolArg(mail))
}

// SetAddress stores user's mail address and language ("" address: no
// mail).
func (n Notifications) SetAddress(ctx context.Context, user int64, email, lang string) error {
	const q = `INSERT INTO notify_accounts (user_id, email, lang) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, lang = excluded.lang`
	return n.exec(ctx, "sqlstore.SetAddress", q, user, email, notify.Lang(lang))
}

// Key returns the key that signs notification links, making it at the
// first call on a new database.
func (n Notifications) Key(ctx context.Context) ([]byte, error) {
	const op = "sqlstore.Key"
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if _, err := n.db.autocommit().ExecContext(ctx, n.db.rebind(`INSERT INTO notify_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`), fresh); err != nil {
		return nil, fail(op, "make the key", err, nil)
	}
	var key []byte
	if err := n.db.db.QueryRowContext(ctx, `SELECT key FROM notify_key WHERE id = 1`).Scan(&key); err != nil {
		return nil, fail(op, "read the key", err, nil)
	}
	return key, nil
}
