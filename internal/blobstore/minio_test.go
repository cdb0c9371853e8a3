package blobstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"redline/internal/blobstore"
	"redline/internal/blobstore/blobstoretest"
	"redline/internal/drafting"
	"redline/internal/testenv"
)

// minioFixture is a store on fresh, randomly named buckets, plus a raw
// client for looking behind its back.
type minioFixture struct {
	store           *blobstore.MinIO
	raw             *minio.Client
	bucket, archive string
}

func newMinIO(t testing.TB, srv testenv.MinIO) minioFixture {
	t.Helper()
	f := minioFixture{raw: rawClient(t, srv)}
	f.bucket = testenv.RandomName("rl-")
	f.archive = f.bucket + "-archive"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := blobstore.NewMinIO(ctx, minioConfig(srv, f.bucket, f.archive))
	if err != nil {
		t.Fatalf("NewMinIO: %v", err)
	}
	f.store = s
	t.Cleanup(func() { removeBuckets(t, f.raw, f.bucket, f.archive) })
	return f
}

func minioConfig(srv testenv.MinIO, bucket, archive string) blobstore.MinIOConfig {
	return blobstore.MinIOConfig{
		Endpoint:      srv.Endpoint,
		AccessKey:     srv.AccessKey,
		SecretKey:     srv.SecretKey,
		Bucket:        bucket,
		ArchiveBucket: archive,
	}
}

func rawClient(t testing.TB, srv testenv.MinIO) *minio.Client {
	t.Helper()
	c, err := minio.New(srv.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// removeBuckets empties and removes test buckets, lifting legal holds first;
// a failure is only logged, the server's data lives in a temporary folder.
func removeBuckets(t testing.TB, c *minio.Client, buckets ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	off := minio.LegalHoldDisabled
	for _, b := range buckets {
		for obj := range c.ListObjects(ctx, b, minio.ListObjectsOptions{WithVersions: true, Recursive: true}) {
			if obj.Err != nil {
				break
			}
			_ = c.PutObjectLegalHold(ctx, b, obj.Key, minio.PutObjectLegalHoldOptions{VersionID: obj.VersionID, Status: &off})
			_ = c.RemoveObject(ctx, b, obj.Key, minio.RemoveObjectOptions{VersionID: obj.VersionID})
		}
		if err := c.RemoveBucket(ctx, b); err != nil && minio.ToErrorResponse(err).Code != "NoSuchBucket" {
			t.Logf("remove bucket %s: %v", b, err)
		}
	}
}

func TestMinIOConformance(t *testing.T) {
	srv := testenv.SharedMinIO(t)
	blobstoretest.Run(t, func(t *testing.T) drafting.BlobStore { return newMinIO(t, srv).store })
}

func TestMinIOBuckets(t *testing.T) {
	srv := testenv.SharedMinIO(t)
	f := newMinIO(t, srv)
	ctx := context.Background()

	v, err := f.raw.GetBucketVersioning(ctx, f.bucket)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Enabled() {
		t.Errorf("drafts bucket versioning %q, want Enabled", v.Status)
	}
	lock, _, _, _, err := f.raw.GetObjectLockConfig(ctx, f.archive)
	if err != nil {
		t.Fatalf("archive bucket object lock: %v", err)
	}
	if lock != "Enabled" {
		t.Errorf("archive bucket object lock %q, want Enabled", lock)
	}
	av, err := f.raw.GetBucketVersioning(ctx, f.archive)
	if err != nil {
		t.Fatal(err)
	}
	if !av.Enabled() {
		t.Errorf("archive bucket versioning %q, want Enabled (implied by Object Lock)", av.Status)
	}

	// A second start finds the buckets and keeps them.
	if _, err := blobstore.NewMinIO(ctx, minioConfig(srv, f.bucket, f.archive)); err != nil {
		t.Fatalf("NewMinIO on existing buckets: %v", err)
	}

	// A plain bucket cannot become the archive: Object Lock is only set at
	// creation, so start-up must refuse it rather than archive unprotected.
	plain := testenv.RandomName("rl-")
	if err := f.raw.MakeBucket(ctx, plain, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBuckets(t, f.raw, plain) })
	_, err = blobstore.NewMinIO(ctx, minioConfig(srv, f.bucket, plain))
	if drafting.ErrorKind(err) != drafting.KindInvalid {
		t.Fatalf("NewMinIO with an unlocked archive bucket: %v, want invalid", err)
	}

	// An existing unversioned drafts bucket gets versioning switched on.
	drafts := testenv.RandomName("rl-")
	if err := f.raw.MakeBucket(ctx, drafts, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeBuckets(t, f.raw, drafts) })
	if _, err := blobstore.NewMinIO(ctx, minioConfig(srv, drafts, f.archive)); err != nil {
		t.Fatal(err)
	}
	if v, err := f.raw.GetBucketVersioning(ctx, drafts); err != nil || !v.Enabled() {
		t.Fatalf("existing drafts bucket versioning %q (%v), want Enabled", v.Status, err)
	}

	for _, cfg := range []blobstore.MinIOConfig{
		{Bucket: "a", ArchiveBucket: "b"},
		{Endpoint: srv.Endpoint, Bucket: "same", ArchiveBucket: "same"},
		{Endpoint: srv.Endpoint, Bucket: "", ArchiveBucket: "b"},
	} {
		if _, err := blobstore.NewMinIO(ctx, cfg); drafting.ErrorKind(err) != drafting.KindInvalid {
			t.Errorf("NewMinIO(%+v): %v, want invalid", cfg, err)
		}
	}
}

func TestMinIOArchiveLegalHold(t *testing.T) {
	f := newMinIO(t, testenv.SharedMinIO(t))
	ctx := context.Background()
	data := blobstoretest.Text(20 << 10)
	key := drafting.BlobKey("doc", blobstoretest.Sum(data))

	if _, err := f.store.ArchiveStatus(ctx, key); drafting.ErrorKind(err) != drafting.KindNotFound {
		t.Fatalf("ArchiveStatus before Archive: %v, want not_found", err)
	}
	if err := f.store.Archive(ctx, key, data, blobstoretest.Sum(data)); err != nil {
		t.Fatalf("Archive: %v", err)
	}
	held, err := f.store.ArchiveStatus(ctx, key)
	if err != nil || !held {
		t.Fatalf("ArchiveStatus = %v, %v; want held", held, err)
	}
	info, err := f.raw.StatObject(ctx, f.archive, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if info.VersionID == "" {
		t.Fatal("archived object has no version id")
	}
	err = f.raw.RemoveObject(ctx, f.archive, key, minio.RemoveObjectOptions{VersionID: info.VersionID})
	if err == nil {
		t.Fatal("removing the archived version under legal hold succeeded")
	}
	t.Logf("removal refused as expected: %v", err)
	got, err := f.store.GetArchive(ctx, key)
	if err != nil || string(got) != string(data) {
		t.Fatalf("GetArchive after refused removal: %d bytes, %v", len(got), err)
	}
}

// TestMinIOUnavailable stops a private server: writes must fail fast as
// unavailable (the API answers 503), then work again once it is back.
func TestMinIOUnavailable(t *testing.T) {
	p := testenv.StartMinIO(t)
	f := newMinIO(t, p.MinIO)
	ctx := context.Background()
	data := []byte("Текст до остановки.")
	if err := f.store.Put(ctx, drafting.BlobKey("doc", blobstoretest.Sum(data)), data, blobstoretest.Sum(data)); err != nil {
		t.Fatal(err)
	}

	p.Stop()
	data = []byte("Текст во время остановки.")
	key := drafting.BlobKey("doc", blobstoretest.Sum(data))
	start := time.Now()
	err := f.store.Put(ctx, key, data, blobstoretest.Sum(data))
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Put against a stopped server took %s, want under 10s", took)
	}
	if drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Fatalf("Put against a stopped server: %v, want unavailable", err)
	}
	if _, err := f.store.Get(ctx, key); drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Fatalf("Get against a stopped server: %v, want unavailable", err)
	}
	if err := f.store.Ping(ctx); drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Fatalf("Ping against a stopped server: %v, want unavailable", err)
	}
	err = f.store.List(ctx, "", func(string) error { return nil })
	if drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Fatalf("List against a stopped server: %v, want unavailable", err)
	}
	t.Logf("Put, Get, Ping and List against a stopped server failed within %s", time.Since(start))

	p.Start()
	if err := f.store.Put(ctx, key, data, blobstoretest.Sum(data)); err != nil {
		t.Fatalf("Put after restart: %v", err)
	}
	got, err := f.store.Get(ctx, key)
	if err != nil || string(got) != string(data) {
		t.Fatalf("Get after restart: %q, %v", got, err)
	}
}
