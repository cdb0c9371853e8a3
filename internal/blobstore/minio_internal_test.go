package blobstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"redline/internal/drafting"
	"redline/internal/testenv"
)

// TestMinIOServerVerifiesSum sends bytes with the SHA-256 of other bytes,
// skipping Put's local check, to prove it is the server that refuses them.
func TestMinIOServerVerifiesSum(t *testing.T) {
	srv := testenv.SharedMinIO(t)
	bucket := testenv.RandomName("rl-")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m, err := NewMinIO(ctx, MinIOConfig{
		Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		Bucket: bucket, ArchiveBucket: bucket + "-archive",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// MinIO refuses a force delete of a locked bucket; the archive is empty.
		if err := m.client.RemoveBucketWithOptions(context.Background(), bucket, minio.RemoveBucketOptions{ForceDelete: true}); err != nil {
			t.Logf("remove bucket %s: %v", bucket, err)
		}
		if err := m.client.RemoveBucket(context.Background(), bucket+"-archive"); err != nil {
			t.Logf("remove bucket %s-archive: %v", bucket, err)
		}
	})

	data := []byte("Текст, который отправлен.")
	claimed := sha256.Sum256([]byte("Текст, который подписан."))
	_, err = m.client.PutObject(ctx, bucket, "documents/doc/x", bytes.NewReader(data), int64(len(data)), putOptions(claimed[:], ""))
	if err == nil {
		t.Fatal("the server accepted bytes whose sha256 differs from the header")
	}
	t.Logf("server refused: %s: %v", code(err), err)
	if got := drafting.ErrorKind(translate("put", err)); got != drafting.KindInvalid {
		t.Fatalf("server refusal %v (code %q) translates to %q, want invalid", err, code(err), got)
	}
	if _, err := m.client.StatObject(ctx, bucket, "documents/doc/x", minio.StatObjectOptions{}); code(err) != "NoSuchKey" {
		t.Fatalf("refused object was stored: %v", err)
	}

	// A good Put leaves the server's own record of the SHA-256.
	sum := sha256.Sum256(data)
	if err := m.Put(ctx, "documents/doc/y", data, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	info, err := m.client.StatObject(ctx, bucket, "documents/doc/y", minio.StatObjectOptions{Checksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := base64.StdEncoding.EncodeToString(sum[:]); info.ChecksumSHA256 != want {
		t.Fatalf("stored x-amz-checksum-sha256 %q, want %q", info.ChecksumSHA256, want)
	}
}
