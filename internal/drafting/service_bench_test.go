package drafting_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"redline/internal/drafting"
	"redline/internal/testenv/stack"
)

// russianText returns about size bytes of a Russian resolution; seed makes
// each text distinct, so every commit writes a new blob.
func russianText(size, seed int) string {
	var b strings.Builder
	for i := 1; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%d. Рекомендовать органам исполнительной власти города Москвы содействовать развитию инновационного кластера № %d (вариант %d).\n\n", i, i, seed)
	}
	return b.String()
}

// validText is russianText cut to at most size bytes on a rune boundary.
func validText(size, seed int) []byte {
	s := russianText(size, seed)[:size]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return []byte(s)
}

var sizes = []struct {
	name string
	n    int
}{{"100KB", 100 << 10}, {"1MB", 1 << 20}}

// BenchmarkCommit commits revisions of 100 KB and 1 MB through the service
// on each backend; BenchmarkRead reads one back (hash verified). Beside them,
// raw-minio-go puts and gets the same bytes with minio-go alone, the anchor
// for the ratio.
func BenchmarkCommit(b *testing.B) {
	for _, backend := range stack.Backends {
		for _, sz := range sizes {
			b.Run(backend+"/"+sz.name, func(b *testing.B) {
				st := stack.New(b, backend)
				svc := st.Service(b, drafting.Options{MaxTextBytes: 4 << 20})
				u := stack.MustUser(b, svc, "chair", true)
				ctx := context.Background()
				if _, err := svc.Documents.Create(ctx, &u, drafting.NewDocument{Slug: "bench", Title: "Бенчмарк"}); err != nil {
					b.Fatal(err)
				}
				stack.MustRole(b, svc, "chair", drafting.RoleChair, "bench")
				texts := make([][]byte, b.N)
				for i := range texts {
					texts[i] = validText(sz.n, i)
				}
				b.SetBytes(int64(sz.n))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := svc.Documents.Commit(ctx, &u, "bench", int64(i), texts[i], ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	for _, sz := range sizes {
		b.Run("raw-minio-go/"+sz.name, func(b *testing.B) {
			mc, bucket := rawMinIO(b)
			ctx := context.Background()
			texts := make([][]byte, b.N)
			for i := range texts {
				texts[i] = validText(sz.n, i)
			}
			b.SetBytes(int64(sz.n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := mc.PutObject(ctx, bucket, fmt.Sprintf("raw/%d", i), bytes.NewReader(texts[i]), int64(len(texts[i])),
					minio.PutObjectOptions{ContentType: "text/plain; charset=utf-8"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRead(b *testing.B) {
	for _, backend := range stack.Backends {
		for _, sz := range sizes {
			b.Run(backend+"/"+sz.name, func(b *testing.B) {
				st := stack.New(b, backend)
				svc := st.Service(b, drafting.Options{MaxTextBytes: 4 << 20})
				u := stack.MustUser(b, svc, "chair", true)
				ctx := context.Background()
				text := string(validText(sz.n, 1))
				if _, err := svc.Documents.Create(ctx, &u, drafting.NewDocument{Slug: "bench", Title: "Бенчмарк", Text: &text}); err != nil {
					b.Fatal(err)
				}
				stack.MustRole(b, svc, "chair", drafting.RoleChair, "bench")
				b.SetBytes(int64(sz.n))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, got, err := svc.Documents.Text(ctx, &u, "bench", 1); err != nil || len(got) != len(text) {
						b.Fatal(err)
					}
				}
			})
		}
	}
	for _, sz := range sizes {
		b.Run("raw-minio-go/"+sz.name, func(b *testing.B) {
			mc, bucket := rawMinIO(b)
			ctx := context.Background()
			text := validText(sz.n, 1)
			if _, err := mc.PutObject(ctx, bucket, "raw", bytes.NewReader(text), int64(len(text)), minio.PutObjectOptions{}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(sz.n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				obj, err := mc.GetObject(ctx, bucket, "raw", minio.GetObjectOptions{})
				if err != nil {
					b.Fatal(err)
				}
				got, err := io.ReadAll(obj)
				obj.Close()
				if err != nil || len(got) != len(text) {
					b.Fatal(err)
				}
			}
		})
	}
}

func rawMinIO(b *testing.B) (*minio.Client, string) {
	b.Helper()
	st := stack.New(b, "postgres+minio") // makes a fresh bucket pair
	mc, err := minio.New(st.MinIO.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(st.MinIO.AccessKey, st.MinIO.SecretKey, "")})
	if err != nil {
		b.Fatal(err)
	}
	return mc, st.MinIO.Bucket
}
