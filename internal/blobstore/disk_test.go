package blobstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"redline/internal/blobstore"
	"redline/internal/blobstore/blobstoretest"
	"redline/internal/drafting"
)

func newDisk(t testing.TB, dir string) *blobstore.Disk {
	t.Helper()
	d, err := blobstore.NewDisk(dir)
	if err != nil {
		t.Fatalf("NewDisk: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

func TestDiskConformance(t *testing.T) {
	blobstoretest.Run(t, func(t *testing.T) drafting.BlobStore { return newDisk(t, t.TempDir()) })
}

func TestDiskLayout(t *testing.T) {
	dir := t.TempDir()
	d := newDisk(t, dir)
	ctx := context.Background()
	data := []byte("Итоговый документ")
	key := drafting.BlobKey("doc", blobstoretest.Sum(data))
	if err := d.Put(ctx, key, data, blobstoretest.Sum(data)); err != nil {
		t.Fatal(err)
	}
	if err := d.Archive(ctx, key, data, blobstoretest.Sum(data)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Join(dir, "blobs", filepath.FromSlash(key)), 0o600},
		{filepath.Join(dir, "archive", filepath.FromSlash(key)), 0o444},
		{filepath.Join(dir, "blobs"), os.ModeDir | 0o700},
		{filepath.Join(dir, "blobs", "documents", "doc"), os.ModeDir | 0o700},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s: mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}
	// The archived copy refuses writes, even from its owner (root bypasses
	// permission bits, so only check when not root).
	if os.Geteuid() != 0 {
		f, err := os.OpenFile(filepath.Join(dir, "archive", filepath.FromSlash(key)), os.O_WRONLY, 0)
		if err == nil {
			f.Close()
			t.Fatal("archived file opened for writing")
		}
	}
	// No temporary files are left behind.
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A text altered on disk is still returned: Get does not judge bytes, the
// service verifies the hash on every read and reports corruption.
func TestDiskGetReturnsAlteredBytes(t *testing.T) {
	dir := t.TempDir()
	d := newDisk(t, dir)
	ctx := context.Background()
	data := []byte("Принять за основу.")
	key := drafting.BlobKey("doc", blobstoretest.Sum(data))
	if err := d.Put(ctx, key, data, blobstoretest.Sum(data)); err != nil {
		t.Fatal(err)
	}
	altered := []byte("Отклонить.")
	if err := os.WriteFile(filepath.Join(dir, "blobs", filepath.FromSlash(key)), altered, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := d.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if string(got) != string(altered) {
		t.Fatalf("Get = %q, want the altered %q", got, altered)
	}
	// The altered bytes now conflict with the original text.
	if err := d.Put(ctx, key, data, blobstoretest.Sum(data)); drafting.ErrorKind(err) != drafting.KindConflict {
		t.Fatalf("Put over altered bytes: %v, want conflict", err)
	}
}

// A symlink planted inside the folder cannot lead a read outside it.
func TestDiskSymlinkEscape(t *testing.T) {
	dir := t.TempDir()
	d := newDisk(t, dir)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "blobs", "documents")); err != nil {
		t.Fatal(err)
	}
	_, err := d.Get(context.Background(), "documents/secret")
	if err == nil {
		t.Fatal("Get followed a symlink out of the blob folder")
	}
	data := []byte("x")
	if err := d.Put(context.Background(), "documents/new", data, blobstoretest.Sum(data)); err == nil {
		t.Fatal("Put followed a symlink out of the blob folder")
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); err == nil {
		t.Fatal("Put wrote outside the blob folder")
	}
}
