package reliability_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/reliability"
	"redline/internal/sqlstore"
	"redline/internal/testenv"
	"redline/internal/textdiff"

	_ "modernc.org/sqlite" // the "sqlite" driver, for raw writes that bypass the store
)

// world is a real Redline store with a small history made through the
// service, its ack log, and raw handles on the database and the blobs so a
// test can break what the service never would.
type world struct {
	t       *testing.T
	backend string
	db      *sqlstore.DB
	blobs   drafting.Blobs
	svc     *drafting.Service
	raw     *sql.DB
	dir     string // disk blobs (sqlite+disk)
	mc      *minio.Client
	bucket  string
	acks    *reliability.AckLog
	users   map[string]drafting.User
	doc     drafting.Document
	texts   []string // texts of revisions 1..n
}

func newStore(t *testing.T, backend string) (*sqlstore.DB, drafting.Blobs, *world) {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, backend: backend, users: map[string]drafting.User{}, acks: reliability.NewAckLog(nil)}
	var url string
	switch backend {
	case "sqlite+disk":
		w.dir = t.TempDir()
		path := filepath.Join(w.dir, "redline.db")
		url = "sqlite://" + path
		raw, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		w.raw = raw
		disk, err := blobstore.NewDisk(w.dir)
		if err != nil {
			t.Fatal(err)
		}
		w.blobs = disk
	case "postgres+minio":
		url = testenv.PostgresURL(t)
		raw, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		w.raw = raw
		m := testenv.SharedMinIO(t)
		w.bucket = testenv.RandomName("rl-")
		mc, err := blobstore.NewMinIO(ctx, blobstore.MinIOConfig{Endpoint: m.Endpoint, AccessKey: m.AccessKey,
			SecretKey: m.SecretKey, Bucket: w.bucket, ArchiveBucket: w.bucket + "-archive"})
		if err != nil {
			t.Fatal(err)
		}
		w.blobs = mc
		w.mc, err = minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown backend %s", backend)
	}
	t.Cleanup(func() { w.raw.Close() })
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w.db = db
	return db, w.blobs, w
}

// newWorld builds the history: a document with three revisions, a
// proposal, an approval, an adoption archived by the outbox and an anchored
// comment, every step acknowledged.
func newWorld(t *testing.T, backend string) *world {
	t.Helper()
	ctx := context.Background()
	_, _, w := newStore(t, backend)
	enf, err := authz.New(w.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enf.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	w.svc = drafting.NewService(w.db, w.blobs, drafting.Options{Authorizer: enf, PolicyChanged: enf.Reload})
	for _, u := range []struct {
		login string
		admin bool
	}{{"admin", true}, {"chair", false}, {"member", false}} {
		usr, err := drafting.NewOperator(w.svc).CreateUser(ctx, drafting.NewUser{Login: u.login, Admin: u.admin,
			PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"})
		if err != nil {
			t.Fatal(err)
		}
		w.users[u.login] = usr
	}
	first := "Итоговый документ.\n\nУчастники конференции приняли за основу проект.\n"
	admin := w.users["admin"]
	v, err := w.svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: "doc", Title: "Итоговый документ", Text: &first})
	if err != nil {
		t.Fatal(err)
	}
	w.doc, w.texts = v.Document, []string{first}
	w.ack(reliability.Ack{Op: reliability.OpDocument, Doc: "doc", Number: 1, SHA256: v.Head.SHA256})
	for login, role := range map[string]string{"chair": drafting.RoleChair, "member": drafting.RoleMember} {
		if _, err := drafting.NewOperator(w.svc).GrantRole(ctx, login, role, "doc"); err != nil {
			t.Fatal(err)
		}
	}
	for i := 2; i <= 3; i++ {
		w.commit(w.texts[len(w.texts)-1] + "\nПункт " + strconv.Itoa(i) + ": поддержать кластеры.\n")
	}
	member := w.users["member"]
	p, err := w.svc.Proposals.Propose(ctx, &member, "doc", drafting.NewProposal{Base: 3, Text: []byte(w.texts[2] + "\nПоправка.\n"), Title: "Поправка"})
	if err != nil {
		t.Fatal(err)
	}
	w.ack(reliability.Ack{Op: reliability.OpProposal, Doc: "doc", Number: p.Number, SHA256: p.SHA256})
	chair := w.users["chair"]
	ap, err := w.svc.Adoptions.Approve(ctx, &chair, "doc", 3, sum(w.texts[2]), "")
	if err != nil {
		t.Fatal(err)
	}
	w.ack(reliability.Ack{Op: reliability.OpApproval, Doc: "doc", Number: 3, SHA256: ap.SHA256, Login: "chair"})
	ad, err := w.svc.Adoptions.Adopt(ctx, &chair, "doc", 3, drafting.AdoptInput{Stage: drafting.StageBasis})
	if err != nil {
		t.Fatal(err)
	}
	w.ack(reliability.Ack{Op: reliability.OpAdoption, Doc: "doc", Number: 3, SHA256: ad.SHA256, Adoption: ad.ID, Stage: ad.Stage})
	if _, err := drafting.NewOperator(w.svc).ProcessOutbox(ctx); err != nil {
		t.Fatal(err)
	}
	cm := w.comment(2, "поддержать", "Уточнить формулировку.")
	w.ack(reliability.Ack{Op: reliability.OpComment, Doc: "doc", Number: 2, Comment: cm.ID})
	return w
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (w *world) ack(a reliability.Ack) { w.acks.Add(a) }

func (w *world) commit(text string) drafting.Revision {
	w.t.Helper()
	chair := w.users["chair"]
	r, err := w.svc.Documents.Commit(context.Background(), &chair, "doc", int64(len(w.texts)), []byte(text), "")
	if err != nil {
		w.t.Fatal(err)
	}
	w.texts = append(w.texts, text)
	w.ack(reliability.Ack{Op: reliability.OpCommit, Doc: "doc", Number: r.Number, SHA256: r.SHA256})
	return r
}

// comment adds a comment anchored to the first quote in revision n.
func (w *world) comment(n int64, quote, body string) drafting.Comment {
	w.t.Helper()
	text := w.texts[n-1]
	i := strings.Index(text, quote)
	start := len([]rune(text[:i]))
	a, ok := textdiff.NewAnchor(text, start, start+len([]rune(quote)))
	if !ok {
		w.t.Fatal("bad anchor")
	}
	member := w.users["member"]
	c, err := w.svc.Comments.Add(context.Background(), &member, "doc", drafting.NewComment{Revision: n, Body: body,
		Anchor: &drafting.Anchor{Start: a.Start, End: a.End, Quote: a.Quote, Prefix: a.Prefix, Suffix: a.Suffix}})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// rawComment stores a comment through the store, past the service's
// checks (an anchor it would refuse).

func (w *world) rawComment(n int64, a *drafting.Anchor, body string) drafting.Comment {
	w.t.Helper()
	member := w.users["member"]
	now := time.Now().UTC().Truncate(time.Microsecond)
	var c drafting.Comment
	ctx := context.Background()
	err := w.db.InDocument(ctx, w.doc.ID, func(tx drafting.DocumentTx) error {
		var err error
		c, err = tx.InsertComment(ctx, drafting.Comment{Revision: n, AuthorID: member.ID, Body: body, Anchor: a,
			CreatedAt: now, UpdatedAt: now})
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, drafting.NewEvent("comment.create", &member, w.doc.ID, now,
			map[string]string{"comment": strconv.FormatInt(c.ID, 10), "revision": strconv.FormatInt(n, 10)}))
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// check runs the checker over the world with its acks.
func (w *world) check() reliability.Report {
	w.t.Helper()
	rep, err := reliability.Check(context.Background(), w.db, w.blobs, w.acks.Acks())
	if err != nil {
		w.t.Fatal(err)
	}
	return rep
}

// sqlExec runs q (with ? placeholders) on the raw database with the
// integrity triggers out of the way: on PostgreSQL by session_replication_role
// (the test server's user is a superuser), on SQLite by dropping the
// triggers of the named tables in this throwaway database.
func (w *world) sqlExec(tables []string, q string, args ...any) {
	w.t.Helper()
	ctx := context.Background()
	conn, err := w.raw.Conn(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	defer conn.Close()
	if w.backend == "postgres+minio" {
		if _, err := conn.ExecContext(ctx, "SET session_replication_role = replica"); err != nil {
			w.t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "SET session_replication_role = origin")
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(i), 1)
		}
	} else {
		for _, tbl := range tables {
			rows, err := conn.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", tbl)
			if err != nil {
				w.t.Fatal(err)
			}
			var names []string
			for rows.Next() {
				var n string
				_ = rows.Scan(&n)
				names = append(names, n)
			}
			rows.Close()
			for _, n := range names {
				if _, err := conn.ExecContext(ctx, "DROP TRIGGER "+n); err != nil {
					w.t.Fatal(err)
				}
			}
		}
	}
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

// overwriteBlob replaces the bytes under key (archive: the write-once
// copy): on disk by rewriting the file, on MinIO by a raw PUT that becomes
// the latest version in the versioned bucket.
func (w *world) overwriteBlob(key string, archive bool, data []byte) {
	w.t.Helper()
	if w.mc != nil {
		bucket := w.bucket
		if archive {
			bucket += "-archive"
		}
		_, err := w.mc.PutObject(context.Background(), bucket, key, bytes.NewReader(data), int64(len(data)),
			minio.PutObjectOptions{SendContentMd5: true})
		if err != nil {
			w.t.Fatal(err)
		}
		return
	}
	p := w.blobPath(key, archive)
	_ = os.Chmod(p, 0o600)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// removeBlob deletes key (a delete marker on MinIO).
func (w *world) removeBlob(key string, archive bool) {
	w.t.Helper()
	if w.mc != nil {
		bucket := w.bucket
		if archive {
			bucket += "-archive"
		}
		if err := w.mc.RemoveObject(context.Background(), bucket, key, minio.RemoveObjectOptions{}); err != nil {
			w.t.Fatal(err)
		}
		return
	}
	if err := os.Remove(w.blobPath(key, archive)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) blobPath(key string, archive bool) string {
	sub := "blobs"
	if archive {
		sub = "archive"
	}
	return filepath.Join(w.dir, sub, filepath.FromSlash(key))
}

func (w *world) readBlob(key string) []byte {
	w.t.Helper()
	b, err := w.blobs.Get(context.Background(), key)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// rawAdoption adopts revision n at stage through the store, past the
// service's rules, with its event.
func (w *world) rawAdoption(n int64, stage string) {
	w.t.Helper()
	ctx := context.Background()
	chair := w.users["chair"]
	now := time.Now().UTC().Truncate(time.Microsecond)
	err := w.db.InDocument(ctx, w.doc.ID, func(tx drafting.DocumentTx) error {
		a, err := tx.InsertAdoption(ctx, drafting.Adoption{Revision: n, SHA256: sum(w.texts[n-1]), Size: int64(len(w.texts[n-1])),
			Stage: stage, ChairID: chair.ID, CreatedAt: now})
		if err != nil {
			return err
		}
		_, err = tx.AppendEvent(ctx, drafting.NewEvent("adoption.create", &chair, w.doc.ID, now, map[string]string{
			"adoption": strconv.FormatInt(a.ID, 10), "revision": strconv.FormatInt(n, 10), "sha256": a.SHA256, "stage": stage}))
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// rawCommit commits text as the next revision through the store, past the
// service's rules, with its event.
func (w *world) rawCommit(text string) {
	w.t.Helper()
	ctx := context.Background()
	chair := w.users["chair"]
	now := time.Now().UTC().Truncate(time.Microsecond)
	n := int64(len(w.texts) + 1)
	if err := w.blobs.Put(ctx, drafting.BlobKey(w.doc.ID, sum(text)), []byte(text), sum(text)); err != nil {
		w.t.Fatal(err)
	}
	err := w.db.InDocument(ctx, w.doc.ID, func(tx drafting.DocumentTx) error {
		if _, err := tx.InsertRevision(ctx, drafting.Revision{Number: n, Parent: n - 1, AuthorID: chair.ID, SHA256: sum(text),
			Size: int64(len(text)), CreatedAt: now}); err != nil {
			return err
		}
		_, err := tx.AppendEvent(ctx, drafting.NewEvent("revision.commit", &chair, w.doc.ID, now, map[string]string{
			"number": strconv.FormatInt(n, 10), "sha256": sum(text)}))
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.texts = append(w.texts, text)
}
