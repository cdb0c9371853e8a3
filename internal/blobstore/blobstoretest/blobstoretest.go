// Package blobstoretest is the conformance suite every drafting.BlobStore
// backend runs: the same behaviour, checked the same way, on disk and on a
// real MinIO server.
package blobstoretest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/drafting"
)

// Archiver is implemented by stores that keep adopted texts in write-once
// storage next to the drafts.
type Archiver interface {
	// Archive stores data under key, create-only and protected from deletion;
	// the same bytes again are not an error. Errors: invalid, conflict,
	// unavailable, internal.
	Archive(ctx context.Context, key string, data []byte, sum string) error
	// GetArchive returns an archived text. Errors: not_found, unavailable,
	// internal.
	GetArchive(ctx context.Context, key string) ([]byte, error)
}

// Sum returns the lowercase hex SHA-256 of data.
func Sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Text returns about n bytes of Russian resolution text, valid UTF-8, with
// paragraphs separated by blank lines.
func Text(n int) []byte {
	const para = "Участники конференции «Государственная поддержка инновационных кластеров» " +
		"приняли за основу проект итогового документа и рекомендовали опубликовать его. " +
		"Рабочей группе поручено учесть поступившие поправки.\n\n"
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(para)
	}
	return b.Bytes()
}

// Run runs the suite. newStore must return an empty store that nothing else
// uses; Run calls it once per subtest.
func Run(t *testing.T, newStore func(t *testing.T) drafting.BlobStore) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		cases := map[string][]byte{
			"cyrillic": []byte("Проект итогового документа.\n\nПринять за основу."),
			"empty":    {},
			"1MB":      Text(1 << 20),
			"binary":   {0, 1, 2, 0xff, 0xfe},
		}
		for name, data := range cases {
			key := drafting.BlobKey("doc-"+name, Sum(data))
			if err := s.Put(ctx, key, data, Sum(data)); err != nil {
				t.Fatalf("%s: Put: %v", name, err)
			}
			got, err := s.Get(ctx, key)
			if err != nil {
				t.Fatalf("%s: Get: %v", name, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%s: Get returned %d bytes (sha256 %s), want %d bytes (sha256 %s)",
					name, len(got), Sum(got), len(data), Sum(data))
			}
		}
	})

	t.Run("WrongSum", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		data := []byte("Поправка № 1")
		other := Sum([]byte("something else"))
		key := drafting.BlobKey("doc", other)
		for _, sum := range []string{other, "", "xyz", strings.ToUpper(Sum(data)), Sum(data)[:62]} {
			err := s.Put(ctx, key, data, sum)
			wantKind(t, "Put with sum "+sum, err, drafting.KindInvalid)
		}
		_, err := s.Get(ctx, key)
		wantKind(t, "Get after a refused Put", err, drafting.KindNotFound)
		wantKeys(t, s, "", nil)
	})

	t.Run("PutTwice", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		data := []byte("Первая редакция.")
		key := "documents/doc/text"
		mustPut(t, s, key, data)
		if err := s.Put(ctx, key, data, Sum(data)); err != nil {
			t.Fatalf("second Put of the same bytes: %v", err)
		}
		other := []byte("Вторая редакция.")
		err := s.Put(ctx, key, other, Sum(other))
		wantKind(t, "Put of other bytes under a used key", err, drafting.KindConflict)
		wantGet(t, s, key, data)
	})

	t.Run("GetMissing", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Get(context.Background(), drafting.BlobKey("nodoc", Sum(nil)))
		wantKind(t, "Get of a missing key", err, drafting.KindNotFound)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("Get of a missing key: %v is not fs.ErrNotExist", err)
		}
	})

	t.Run("ListByPrefix", func(t *testing.T) {
		s := newStore(t)
		a, b, c := []byte("а"), []byte("б"), []byte("в")
		keys := []string{
			drafting.BlobKey("doc1", Sum(a)),
			drafting.BlobKey("doc1", Sum(b)),
			drafting.BlobKey("doc10", Sum(c)),
			drafting.BlobKey("doc2", Sum(a)),
		}
		mustPut(t, s, keys[0], a)
		mustPut(t, s, keys[1], b)
		mustPut(t, s, keys[2], c)
		mustPut(t, s, keys[3], a)
		wantKeys(t, s, "", keys)
		wantKeys(t, s, "documents/", keys)
		wantKeys(t, s, "documents/doc1/", keys[:2])
		wantKeys(t, s, "documents/doc1", keys[:3])
		wantKeys(t, s, "documents/doc3/", nil)
		wantKeys(t, s, "nothing", nil)

		stop := errors.New("stop")
		n := 0
		err := s.List(context.Background(), "", func(string) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("List with a failing callback: err %v after %d calls, want %v after 1", err, n, stop)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		data := []byte("Исключить пункт 3.")
		key := drafting.BlobKey("doc", Sum(data))
		mustPut(t, s, key, data)
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		_, err := s.Get(ctx, key)
		wantKind(t, "Get after Delete", err, drafting.KindNotFound)
		wantKeys(t, s, "", nil)
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
		// A deleted key can be written again (verify --gc removes orphans
		// that a later commit may need).
		mustPut(t, s, key, data)
		wantGet(t, s, key, data)
	})

	t.Run("BadKeys", func(t *testing.T) {
		s := newStore(t)
		ctx := context.Background()
		data := []byte("x")
		for _, key := range []string{
			"", "/etc/passwd", "../escape", "documents/../../escape", "documents/..", "a//b",
			"a/./b", "trailing/", "documents/doc/.hidden", `back\slash`, "space key",
			"documents/кириллица", "nul\x00", strings.Repeat("k", 1025),
		} {
			wantKind(t, "Put "+key, s.Put(ctx, key, data, Sum(data)), drafting.KindInvalid)
			_, err := s.Get(ctx, key)
			wantKind(t, "Get "+key, err, drafting.KindInvalid)
			wantKind(t, "Delete "+key, s.Delete(ctx, key), drafting.KindInvalid)
		}
		err := s.List(ctx, "../", func(string) error { return nil })
		wantKind(t, "List ../", err, drafting.KindInvalid)
		wantKeys(t, s, "", nil)
	})

	t.Run("ConcurrentPut", func(t *testing.T) {
		s := newStore(t)
		data := Text(256 << 10)
		key := drafting.BlobKey("doc", Sum(data))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = s.Put(context.Background(), key, data, Sum(data)) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		}
		wantGet(t, s, key, data)
		wantKeys(t, s, "", []string{key})
	})

	t.Run("Ping", func(t *testing.T) {
		s := newStore(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})

	if _, ok := newStore(t).(Archiver); ok {
		t.Run("Archive", func(t *testing.T) { runArchive(t, newStore) })
	}
}

func runArchive(t *testing.T, newStore func(t *testing.T) drafting.BlobStore) {
	s := newStore(t)
	a := s.(Archiver)
	ctx := context.Background()
	data := Text(10 << 10)
	key := drafting.BlobKey("doc", Sum(data))

	if err := a.Archive(ctx, key, data, Sum(data)); err != nil {
		t.Fatalf("Archive: %v", err)
	}
	if err := a.Archive(ctx, key, data, Sum(data)); err != nil {
		t.Fatalf("Archive of the same bytes again: %v", err)
	}
	got, err := a.GetArchive(ctx, key)
	if err != nil {
		t.Fatalf("GetArchive: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("GetArchive returned %d bytes, want %d", len(got), len(data))
	}
	other := []byte("Другой текст")
	wantKind(t, "Archive of other bytes", a.Archive(ctx, key, other, Sum(other)), drafting.KindConflict)
	wrongKey := drafting.BlobKey("doc", Sum(other))
	wantKind(t, "Archive with a wrong sum", a.Archive(ctx, wrongKey, data, Sum(other)), drafting.KindInvalid)
	wantKind(t, "Archive ../x", a.Archive(ctx, "../x", data, Sum(data)), drafting.KindInvalid)
	_, err = a.GetArchive(ctx, wrongKey)
	wantKind(t, "GetArchive of a missing key", err, drafting.KindNotFound)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("GetArchive of a missing key: %v is not fs.ErrNotExist", err)
	}

	// The archive is apart from the drafts.
	wantKeys(t, s, "", nil)
	_, err = s.Get(ctx, key)
	wantKind(t, "Get of an archived key", err, drafting.KindNotFound)
}

func mustPut(t *testing.T, s drafting.BlobStore, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, data, Sum(data)); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

func wantGet(t *testing.T, s drafting.BlobStore, key string, want []byte) {
	t.Helper()
	got, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get %s: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get %s: %q, want %q", key, abbrev(got), abbrev(want))
	}
}

func wantKind(t *testing.T, what string, err error, kind drafting.Kind) {
	t.Helper()
	if got := drafting.ErrorKind(err); got != kind {
		t.Fatalf("%s: error %v (kind %q), want kind %q", what, err, got, kind)
	}
}

func wantKeys(t *testing.T, s drafting.BlobStore, prefix string, want []string) {
	t.Helper()
	var got []string
	if err := s.List(context.Background(), prefix, func(k string) error {
		got = append(got, k)
		return nil
	}); err != nil {
		t.Fatalf("List %q: %v", prefix, err)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Fatalf("List %q = %q, want %q", prefix, got, want)
	}
}

func abbrev(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
