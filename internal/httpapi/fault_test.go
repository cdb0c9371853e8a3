package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"redline/internal/apidoc/apidoctest"
	"redline/internal/auth"
	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/sqlstore"
	"redline/internal/testenv"
	"redline/internal/testenv/stack"
)

// TestBlobWriteFailure stops MinIO in the middle of the test: a commit is
// answered with 503 and Retry-After, no revision row appears, readiness
// fails, and once MinIO is back the same commit succeeds.
func TestBlobWriteFailure(t *testing.T) {
	ctx := context.Background()
	mp := testenv.StartMinIO(t)
	db, err := sqlstore.Open(ctx, testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	blobs, err := blobstore.NewMinIO(ctx, blobstore.MinIOConfig{Endpoint: mp.Endpoint, AccessKey: mp.AccessKey,
		SecretKey: mp.SecretKey, Bucket: "drafts", ArchiveBucket: "drafts-archive"})
	if err != nil {
		t.Fatal(err)
	}
	enf, err := authz.New(db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := enf.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	svc := drafting.NewService(db, blobs, drafting.Options{Authorizer: enf, PolicyChanged: enf.Reload})
	h, err := httpapi.New(svc, httpapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drafting.NewOperator(svc).CreateUser(ctx, drafting.NewUser{Login: "chair", PasswordHash: "$argon2id$x", Admin: true}); err != nil {
		t.Fatal(err)
	}
	token, hash, _ := auth.NewToken()
	if _, err := drafting.NewOperator(svc).CreateToken(ctx, "chair", "", hash); err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, h: apidoctest.Handler(t, h), token: token}
	a.mustStatus(a.do("POST", "/api/v1/documents", map[string]any{"slug": "doc", "title": "Документ", "text": "первый"}), http.StatusCreated)
	stack.MustRole(t, svc, "chair", drafting.RoleChair, "doc")

	mp.Stop()
	start := time.Now()
	r := a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "второй"})
	if r.Status != http.StatusServiceUnavailable || r.errorCode(t) != "unavailable" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("commit with MinIO stopped: %d %v %s", r.Status, r.Header, r.Body)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the failure took %s to surface", d)
	}
	if r := a.do("GET", "/readyz", nil); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with MinIO stopped: %d", r.Status)
	}
	var n int
	if err := db.AllRevisions(ctx, func(drafting.Revision) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d revision rows after a failed blob write, want 1", n)
	}

	mp.Start()
	a.mustStatus(a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 1, "text": "второй"}), http.StatusCreated)
	if r := a.mustStatus(a.do("GET", "/api/v1/documents/doc/revisions/2/text", nil), http.StatusOK); string(r.Body) != "второй" {
		t.Fatalf("text after recovery: %q", r.Body)
	}
}

// hangingBlobs stands for a blob store that accepts connections and never
// answers (a black hole): each call waits for its context, then fails as the
// real adapters report a deadline, unavailable.
type hangingBlobs struct {
	drafting.Blobs
}

func (hangingBlobs) Put(ctx context.Context, key string, _ []byte, _ string) error {
	<-ctx.Done()
	return drafting.Wrap(drafting.KindUnavailable, "put blob "+key, "blob store unavailable", ctx.Err())
}

// TestRequestDeadline: a storage call that never returns is cut off by the
// request's deadline and answered 503 with Retry-After, writing nothing.
func TestRequestDeadline(t *testing.T) {
	st := stack.New(t, "sqlite+disk")
	hung := stack.Stack{DB: st.DB, Blobs: hangingBlobs{st.Blobs}}
	svc := hung.Service(t, drafting.Options{})
	h, err := httpapi.New(svc, httpapi.Options{RequestTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	a := &api{t: t, h: apidoctest.Handler(t, h), svc: svc, st: st, tokens: map[string]string{}}
	a.addUser("admin", true)
	a.token = a.tokens["admin"]
	a.mustStatus(a.do("POST", "/api/v1/documents", map[string]any{"slug": "doc", "title": "Документ"}), http.StatusCreated)
	stack.MustRole(t, svc, "admin", drafting.RoleChair, "doc")
	start := time.Now()
	r := a.do("POST", "/api/v1/documents/doc/revisions", map[string]any{"base": 0, "text": "текст"})
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("a hung blob store: %d %v %s", r.Status, r.Header, r.Body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the request took %s with a 300 ms deadline", d)
	}
	if s := a.stored(); s.revs != 0 {
		t.Errorf("%d revisions after a hung write", s.revs)
	}
}
