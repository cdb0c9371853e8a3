package blobstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"redline/internal/drafting"
)

// Disk is a drafting.BlobStore on a local folder: blobs under dir/blobs and
// archived (adopted) texts under dir/archive. Every path goes through an
// os.Root, so no key can reach outside those folders, even through a symlink.
type Disk struct {
	blobs   *os.Root
	archive *os.Root
}

var _ drafting.BlobStore = (*Disk)(nil)

// NewDisk opens (creating with mode 0700 when missing) the blob and archive
// folders under dir.
func NewDisk(dir string) (*Disk, error) {
	const op = "open disk blob store"
	blobs, err := openRoot(path.Join(dir, "blobs"))
	if err != nil {
		return nil, drafting.Wrap(drafting.KindInternal, op, "cannot open the blob folder", err)
	}
	archive, err := openRoot(path.Join(dir, "archive"))
	if err != nil {
		_ = blobs.Close()
		return nil, drafting.Wrap(drafting.KindInternal, op, "cannot open the archive folder", err)
	}
	return &Disk{blobs: blobs, archive: archive}, nil
}

func openRoot(dir string) (*os.Root, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.OpenRoot(dir)
}

// Close releases the folders.
func (d *Disk) Close() error {
	return errors.Join(d.blobs.Close(), d.archive.Close())
}

// Put stores data under key, create-only, after checking that data has the
// SHA-256 sum. Errors: invalid, conflict, internal.
func (d *Disk) Put(ctx context.Context, key string, data []byte, sum string) error {
	return d.write(ctx, d.blobs, "put blob "+key, key, data, sum, 0o600)
}

// Archive stores an adopted text under key in the archive folder, read-only
// (0444), create-only; archiving the same bytes again is not an error.
// Errors: invalid, conflict, internal.
func (d *Disk) Archive(ctx context.Context, key string, data []byte, sum string) error {
	return d.write(ctx, d.archive, "archive blob "+key, key, data, sum, 0o444)
}

// GetArchive returns an archived text. Errors: not_found, internal.
func (d *Disk) GetArchive(ctx context.Context, key string) ([]byte, error) {
	return d.read(ctx, d.archive, "get archived blob "+key, key)
}

// Get returns the bytes stored under key; it does not verify them.
// Errors: not_found (fs.ErrNotExist in the chain), invalid, internal.
func (d *Disk) Get(ctx context.Context, key string) ([]byte, error) {
	return d.read(ctx, d.blobs, "get blob "+key, key)
}

// List calls fn with every key that starts with prefix. Errors: invalid,
// internal, or whatever fn returns.
func (d *Disk) List(ctx context.Context, prefix string, fn func(key string) error) error {
	op := "list blobs " + prefix
	if err := checkPrefix(op, prefix); err != nil {
		return err
	}
	// Walk only the deepest folder the prefix names; the rest of the prefix
	// filters names inside it, as S3 prefixes do.
	start := "."
	if i := strings.LastIndexByte(prefix, '/'); i > 0 {
		start = prefix[:i]
	}
	err := fs.WalkDir(d.blobs.FS(), start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && p != "." {
			// Temporary files of unfinished writes.
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			if p != "." && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() || !strings.HasPrefix(p, prefix) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return errFromFn{fn(p)}.orNil()
	})
	var fe errFromFn
	if errors.As(err, &fe) {
		return fe.err
	}
	if err != nil {
		return drafting.Wrap(drafting.KindInternal, op, "cannot list blobs", err)
	}
	return nil
}

// errFromFn carries an error returned by List's callback through WalkDir, so
// it reaches the caller untouched.
type errFromFn struct{ err error }

func (e errFromFn) Error() string { return e.err.Error() }

func (e errFromFn) orNil() error {
	if e.err == nil {
		return nil
	}
	return e
}

// Delete removes key; a missing key is not an error. Errors: invalid,
// internal.
func (d *Disk) Delete(ctx context.Context, key string) error {
	op := "delete blob " + key
	if err := checkKey(op, key); err != nil {
		return err
	}
	if err := d.blobs.Remove(key); err != nil && !isNotExist(err) {
		return drafting.Wrap(drafting.KindInternal, op, "cannot delete blob", err)
	}
	return nil
}

// Ping reports whether the blob folder is still there. Errors: unavailable.
func (d *Disk) Ping(ctx context.Context) error {
	if _, err := d.blobs.Stat("."); err != nil {
		return drafting.Wrap(drafting.KindUnavailable, "ping disk blob store", "blob store unavailable", err)
	}
	return nil
}

func (d *Disk) read(ctx context.Context, root *os.Root, op, key string) ([]byte, error) {
	if err := checkKey(op, key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, drafting.Wrap(drafting.KindUnavailable, op, "request canceled", err)
	}
	data, err := root.ReadFile(key)
	if err != nil {
		if isNotExist(err) {
			return nil, drafting.Wrap(drafting.KindNotFound, op, "blob not found", notExist(err))
		}
		return nil, drafting.Wrap(drafting.KindInternal, op, "cannot read blob", err)
	}
	return data, nil
}

// write is the create-only write shared by Put and Archive: a temporary file
// in the target folder, fsynced, then hard-linked to the key. link(2), unlike
// rename(2), fails when the key exists, so a racing writer never replaces a
// complete file; the winner's file is always whole because it was fsynced
// before it got its name.
func (d *Disk) write(ctx context.Context, root *os.Root, op, key string, data []byte, sum string, mode os.FileMode) error {
	if err := checkKey(op, key); err != nil {
		return err
	}
	if _, err := checkSum(op, data, sum); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return drafting.Wrap(drafting.KindUnavailable, op, "request canceled", err)
	}
	if done, err := sameOrConflict(root, op, key, data); done || err != nil {
		return err
	}
	dir := path.Dir(key)
	if err := mkdirSynced(root, dir); err != nil {
		return drafting.Wrap(drafting.KindInternal, op, "cannot create blob folder", err)
	}
	tmp, err := writeTemp(root, dir, data, mode)
	if err != nil {
		return drafting.Wrap(drafting.KindInternal, op, "cannot write blob", err)
	}
	defer func() { _ = root.Remove(tmp) }()
	if err := root.Link(tmp, key); err != nil {
		if errors.Is(err, fs.ErrExist) {
			_, err := sameOrConflict(root, op, key, data)
			return err
		}
		return drafting.Wrap(drafting.KindInternal, op, "cannot name blob", err)
	}
	if err := root.Remove(tmp); err != nil {
		return drafting.Wrap(drafting.KindInternal, op, "cannot remove temporary file", err)
	}
	if err := syncDir(root, dir); err != nil {
		return drafting.Wrap(drafting.KindInternal, op, "cannot sync blob folder", err)
	}
	return nil
}

// sameOrConflict reports done=true when key already holds data, and a
// conflict when it holds other bytes.
func sameOrConflict(root *os.Root, op, key string, data []byte) (done bool, err error) {
	old, err := root.ReadFile(key)
	switch {
	case isNotExist(err):
		return false, nil
	case err != nil:
		return false, drafting.Wrap(drafting.KindInternal, op, "cannot read existing blob", err)
	case bytes.Equal(old, data):
		return true, nil
	default:
		return true, drafting.E(drafting.KindConflict, op, "blob key already holds other bytes")
	}
}

func writeTemp(root *os.Root, dir string, data []byte, mode os.FileMode) (name string, err error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	name = path.Join(dir, ".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = root.Remove(name)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return "", err
	}
	// Chmod after writing: the umask must not widen the mode, and a 0444 file
	// is still writable through the descriptor that created it.
	if err = f.Chmod(mode); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", name, err)
	}
	return name, nil
}

// mkdirSynced creates dir and its missing parents, fsyncing each parent of a
// folder it creates so the new names survive a crash.
func mkdirSynced(root *os.Root, dir string) error {
	if dir == "." {
		return nil
	}
	if _, err := root.Stat(dir); err == nil {
		return nil
	}
	if err := root.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for p := path.Dir(dir); ; p = path.Dir(p) {
		if err := syncDir(root, p); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
	}
}

func syncDir(root *os.Root, dir string) error {
	f, err := root.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// isNotExist also treats ENOTDIR as missing: "a/b" where "a" is a file.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// notExist makes sure fs.ErrNotExist is in the chain, also for ENOTDIR.
func notExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return fmt.Errorf("%w: %w", fs.ErrNotExist, err)
}
