package blobstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"redline/internal/drafting"
)

// Timeouts that make a dead or hung server surface as unavailable within
// seconds instead of minio-go's defaults (30 s dial, 1 min headers, 10 tries).
const (
	dialTimeout           = 2 * time.Second
	responseHeaderTimeout = 10 * time.Second
	pingTimeout           = 3 * time.Second
	// maxTries counts the first attempt: one retry covers a dropped
	// keep-alive connection, more only delays the 503.
	maxTries = 2
)

// sumMetaKey is the user metadata key holding the hex SHA-256 of a blob
// (sent as x-amz-meta-sha256, read back as "Sha256").
const sumMetaKey = "sha256"

// MinIOConfig says where the MinIO server and buckets are.
type MinIOConfig struct {
	Endpoint      string // host:port
	AccessKey     string
	SecretKey     string
	Bucket        string // drafts: versioned
	ArchiveBucket string // adopted texts: Object Lock
	TLS           bool
	Region        string // "us-east-1" when empty
}

// MinIO is a drafting.BlobStore on an S3 server (MinIO): drafts in a
// versioned bucket, adopted texts in an Object Lock bucket under legal hold.
type MinIO struct {
	client  *minio.Client
	bucket  string
	archive string
}

var _ drafting.BlobStore = (*MinIO)(nil)

// NewMinIO connects to the server and creates the buckets when missing: the
// drafts bucket with versioning, the archive bucket with Object Lock (which
// can only be switched on at creation). An existing archive bucket without
// Object Lock is refused. Errors: invalid (configuration), unavailable,
// internal.
func NewMinIO(ctx context.Context, cfg MinIOConfig) (*MinIO, error) {
	const op = "open minio blob store"
	switch {
	case cfg.Endpoint == "":
		return nil, drafting.E(drafting.KindInvalid, op, "minio endpoint is empty")
	case cfg.Bucket == "" || cfg.ArchiveBucket == "":
		return nil, drafting.E(drafting.KindInvalid, op, "minio bucket names are empty")
	case cfg.Bucket == cfg.ArchiveBucket:
		return nil, drafting.E(drafting.KindInvalid, op, "the drafts and archive buckets must differ")
	}
	if cfg.Region == "" {
		// A fixed region also spares a GetBucketLocation round trip per bucket.
		cfg.Region = "us-east-1"
	}
	tr, err := minio.DefaultTransport(cfg.TLS)
	if err != nil {
		return nil, drafting.Wrap(drafting.KindInternal, op, "cannot build the minio transport", err)
	}
	tr.DialContext = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = responseHeaderTimeout
	tr.TLSHandshakeTimeout = 5 * time.Second
	tr.ExpectContinueTimeout = time.Second
	tr.MaxIdleConnsPerHost = 64
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.TLS,
		Transport: tr,
		Region:    cfg.Region,
		// Needed to send our own x-amz-checksum-sha256 header (minio-go
		// refuses checksum headers on clients without it).
		TrailingHeaders: true,
		MaxRetries:      maxTries,
	})
	if err != nil {
		return nil, drafting.Wrap(drafting.KindInvalid, op, "bad minio endpoint", err)
	}
	m := &MinIO{client: client, bucket: cfg.Bucket, archive: cfg.ArchiveBucket}
	if err := m.ensureDrafts(ctx, cfg.Region); err != nil {
		return nil, err
	}
	if err := m.ensureArchive(ctx, cfg.Region); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *MinIO) ensureDrafts(ctx context.Context, region string) error {
	op := "create drafts bucket " + m.bucket
	if err := m.ensureBucket(ctx, op, m.bucket, minio.MakeBucketOptions{Region: region}); err != nil {
		return err
	}
	// Also switch versioning on for a bucket someone else created: it is
	// what lets an overwritten or deleted text be recovered.
	v, err := m.client.GetBucketVersioning(ctx, m.bucket)
	if err != nil {
		return translate(op, err)
	}
	if !v.Enabled() {
		if err := m.client.EnableVersioning(ctx, m.bucket); err != nil {
			return translate(op, err)
		}
	}
	return nil
}

func (m *MinIO) ensureArchive(ctx context.Context, region string) error {
	op := "create archive bucket " + m.archive
	if err := m.ensureBucket(ctx, op, m.archive, minio.MakeBucketOptions{Region: region, ObjectLocking: true}); err != nil {
		return err
	}
	lock, _, _, _, err := m.client.GetObjectLockConfig(ctx, m.archive)
	if err != nil {
		if code(err) == "ObjectLockConfigurationNotFoundError" {
			return drafting.Wrap(drafting.KindInvalid, op,
				"the archive bucket exists without Object Lock; it can only be enabled at creation: use a new bucket name", err)
		}
		return translate(op, err)
	}
	if lock != "Enabled" {
		return drafting.E(drafting.KindInvalid, op, "the archive bucket has Object Lock disabled")
	}
	return nil
}

// ensureBucket creates the bucket unless it exists.
func (m *MinIO) ensureBucket(ctx context.Context, op, name string, opts minio.MakeBucketOptions) error {
	ok, err := m.client.BucketExists(ctx, name)
	if err != nil {
		return translate(op, err)
	}
	if ok {
		return nil
	}
	err = m.client.MakeBucket(ctx, name, opts)
	// Another instance starting at the same moment may have won the race.
	if c := code(err); c == "BucketAlreadyOwnedByYou" || c == "BucketAlreadyExists" {
		return nil
	}
	if err != nil {
		return translate(op, err)
	}
	return nil
}

// Put stores data under key, create-only, with the server verifying the
// SHA-256. Errors: invalid, conflict, unavailable, internal.
func (m *MinIO) Put(ctx context.Context, key string, data []byte, sum string) error {
	return m.put(ctx, "put blob "+key, m.bucket, key, data, sum, "")
}

// Archive stores an adopted text in the archive bucket under a legal hold,
// create-only; archiving the same bytes again is not an error. Errors:
// invalid, conflict, unavailable, internal.
func (m *MinIO) Archive(ctx context.Context, key string, data []byte, sum string) error {
	return m.put(ctx, "archive blob "+key, m.archive, key, data, sum, minio.LegalHoldEnabled)
}

// GetArchive returns an archived text. Errors: not_found, unavailable,
// internal.
func (m *MinIO) GetArchive(ctx context.Context, key string) ([]byte, error) {
	return m.get(ctx, "get archived blob "+key, m.archive, key)
}

// ArchiveStatus reports whether the archived text under key is under legal
// hold. Errors: not_found, unavailable, internal.
func (m *MinIO) ArchiveStatus(ctx context.Context, key string) (held bool, err error) {
	op := "archive status " + key
	if err := checkKey(op, key); err != nil {
		return false, err
	}
	st, err := m.client.GetObjectLegalHold(ctx, m.archive, key, minio.GetObjectLegalHoldOptions{})
	if err != nil {
		return false, translate(op, err)
	}
	return st != nil && *st == minio.LegalHoldEnabled, nil
}

// put is the create-only write shared by Put and Archive. The request
// carries our SHA-256 in x-amz-checksum-sha256, so the server hashes the
// bytes it received and refuses them when they differ
// (XAmzContentChecksumMismatch), and If-None-Match: * so an existing key is
// never replaced.
func (m *MinIO) put(ctx context.Context, op, bucket, key string, data []byte, sum string, hold minio.LegalHoldStatus) error {
	if err := checkKey(op, key); err != nil {
		return err
	}
	raw, err := checkSum(op, data, sum)
	if err != nil {
		return err
	}
	_, err = m.client.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), putOptions(raw, hold))
	if err == nil {
		return nil
	}
	if code(err) != "PreconditionFailed" {
		return translate(op, err)
	}
	info, err := m.client.StatObject(ctx, bucket, key, minio.StatObjectOptions{Checksum: true})
	if err != nil {
		return translate(op, err)
	}
	// Prefer the checksum the server verified; the metadata copy covers
	// objects written without one.
	same := info.ChecksumSHA256 == base64.StdEncoding.EncodeToString(raw)
	if info.ChecksumSHA256 == "" {
		same = info.UserMetadata[http.CanonicalHeaderKey(sumMetaKey)] == sum
	}
	if same && info.Size == int64(len(data)) {
		return nil
	}
	return drafting.E(drafting.KindConflict, op, "blob key already holds other bytes")
}

func putOptions(rawSum []byte, hold minio.LegalHoldStatus) minio.PutObjectOptions {
	opts := minio.PutObjectOptions{
		UserMetadata: map[string]string{
			// Sent verbatim as a header: minio-go passes x-amz-checksum-*
			// keys through and then adds no checksum of its own.
			"x-amz-checksum-sha256": base64.StdEncoding.EncodeToString(rawSum),
			sumMetaKey:              hex.EncodeToString(rawSum),
		},
		LegalHold: hold,
		// Texts are at most a few MiB; one PUT keeps If-None-Match and the
		// checksum whole-object.
		DisableMultipart: true,
	}
	opts.SetMatchETagExcept("*")
	return opts
}

// Get returns the bytes stored under key; it does not verify them.
// Errors: not_found (fs.ErrNotExist in the chain), invalid, unavailable,
// internal.
func (m *MinIO) Get(ctx context.Context, key string) ([]byte, error) {
	return m.get(ctx, "get blob "+key, m.bucket, key)
}

func (m *MinIO) get(ctx context.Context, op, bucket, key string) ([]byte, error) {
	if err := checkKey(op, key); err != nil {
		return nil, err
	}
	// Core's GetObject is one GET that also reports the size, so the text is
	// read into one buffer; Client.GetObject would first send a HEAD to learn
	// the size (measured: ~1.5x slower at 100 KB).
	body, info, _, err := minio.Core{Client: m.client}.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, translate(op, err)
	}
	defer body.Close()
	if info.Size < 0 {
		data, err := io.ReadAll(body)
		if err != nil {
			return nil, translate(op, err)
		}
		return data, nil
	}
	data := make([]byte, info.Size)
	if _, err := io.ReadFull(body, data); err != nil {
		return nil, translate(op, err)
	}
	return data, nil
}

// List calls fn with every key that starts with prefix. Errors: invalid,
// unavailable, internal, or whatever fn returns.
func (m *MinIO) List(ctx context.Context, prefix string, fn func(key string) error) error {
	op := "list blobs " + prefix
	if err := checkPrefix(op, prefix); err != nil {
		return err
	}
	// Cancelling stops minio-go's listing goroutine when fn fails early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range m.client.ListObjects(ctx, m.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return translate(op, obj.Err)
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes key; on the versioned drafts bucket that adds a delete
// marker, so the bytes stay recoverable. A missing key is not an error.
// Errors: invalid, unavailable, internal.
func (m *MinIO) Delete(ctx context.Context, key string) error {
	op := "delete blob " + key
	if err := checkKey(op, key); err != nil {
		return err
	}
	if err := m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{}); err != nil && code(err) != "NoSuchKey" {
		return translate(op, err)
	}
	return nil
}

// Ping reports whether the server answers and the drafts bucket exists.
// Errors: unavailable.
func (m *MinIO) Ping(ctx context.Context) error {
	const op = "ping minio blob store"
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	ok, err := m.client.BucketExists(ctx, m.bucket)
	if err != nil {
		return drafting.Wrap(drafting.KindUnavailable, op, "blob store unavailable", err)
	}
	if !ok {
		return drafting.E(drafting.KindUnavailable, op, "the drafts bucket is missing")
	}
	return nil
}

// code returns the S3 error code of err, or "".
func code(err error) string {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.Code
	}
	return ""
}

// translate maps a minio-go error to a drafting kind.
func translate(op string, err error) error {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		switch {
		case er.Code == "NoSuchKey" || er.Code == "NoSuchBucket" || er.Code == "NoSuchVersion":
			return drafting.Wrap(drafting.KindNotFound, op, "blob not found", fmt.Errorf("%w: %w", fs.ErrNotExist, err))
		case er.Code == "BadDigest" || er.Code == "XAmzContentChecksumMismatch" || er.Code == "InvalidDigest":
			return drafting.Wrap(drafting.KindInvalid, op, "the blob store received bytes that do not match their sha256", err)
		case er.Code == "AccessDenied" || er.Code == "InvalidAccessKeyId" || er.Code == "SignatureDoesNotMatch":
			return drafting.Wrap(drafting.KindInternal, op, "the blob store refused access", err)
		case er.StatusCode >= 500 || er.Code == "SlowDown" || er.Code == "RequestTimeout" ||
			er.Code == "XMinioServerNotInitialized" || er.Code == "ServiceUnavailable":
			return drafting.Wrap(drafting.KindUnavailable, op, "blob store unavailable", err)
		}
		return drafting.Wrap(drafting.KindInternal, op, "blob store error", err)
	}
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &ne), errors.As(err, &ue),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return drafting.Wrap(drafting.KindUnavailable, op, "blob store unavailable", err)
	}
	return drafting.Wrap(drafting.KindInternal, op, "blob store error", err)
}
