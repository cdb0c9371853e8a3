package blobstore_test

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/minio/minio-go/v7"

	"redline/internal/blobstore/blobstoretest"
	"redline/internal/drafting"
	"redline/internal/testenv"
)

var benchSizes = []struct {
	name string
	n    int
}{{"100KB", 100 << 10}, {"1MB", 1 << 20}}

// benchPut writes data under a new key per iteration.
type benchPut func(ctx context.Context, key string, data []byte, sum string) error

// benchGet reads key.
type benchGet func(ctx context.Context, key string) ([]byte, error)

// backends returns, for the same MinIO server, our Disk and MinIO stores and
// a plain minio-go client with its default options, the baseline for the
// ratio ours/raw.
func backends(b *testing.B) []struct {
	name string
	put  benchPut
	get  benchGet
} {
	disk := newDisk(b, b.TempDir())
	srv := testenv.SharedMinIO(b)
	f := newMinIO(b, srv)
	raw := f.raw
	rawPut := func(ctx context.Context, key string, data []byte, _ string) error {
		_, err := raw.PutObject(ctx, f.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
		return err
	}
	rawGet := func(ctx context.Context, key string) ([]byte, error) {
		obj, err := raw.GetObject(ctx, f.bucket, key, minio.GetObjectOptions{})
		if err != nil {
			return nil, err
		}
		defer obj.Close()
		return io.ReadAll(obj)
	}
	return []struct {
		name string
		put  benchPut
		get  benchGet
	}{
		{"disk", disk.Put, disk.Get},
		{"minio", f.store.Put, f.store.Get},
		{"raw-minio-go", rawPut, rawGet},
	}
}

func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	for _, be := range backends(b) {
		for _, size := range benchSizes {
			data := blobstoretest.Text(size.n)[:size.n]
			sum := blobstoretest.Sum(data)
			b.Run(be.name+"/"+size.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				i := 0
				for b.Loop() {
					i++
					key := drafting.BlobKey("bench-put-"+size.name, strconv.Itoa(i)+"-"+sum)
					if err := be.put(ctx, key, data, sum); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, be := range backends(b) {
		for _, size := range benchSizes {
			data := blobstoretest.Text(size.n)[:size.n]
			sum := blobstoretest.Sum(data)
			key := drafting.BlobKey("bench-get-"+size.name, sum)
			if err := be.put(ctx, key, data, sum); err != nil {
				b.Fatal(err)
			}
			b.Run(be.name+"/"+size.name, func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					got, err := be.get(ctx, key)
					if err != nil {
						b.Fatal(err)
					}
					if len(got) != len(data) {
						b.Fatalf("got %d bytes, want %d", len(got), len(data))
					}
				}
			})
		}
	}
}
