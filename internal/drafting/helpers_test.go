package drafting_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"redline/internal/testenv/stack"
)

func shaHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// rawRemoveArchived tries, with minio-go directly, to delete every version of
// an archived object, as an attacker with the keys would.
func rawRemoveArchived(ctx context.Context, st *stack.Stack, key string) error {
	mc, err := minio.New(st.MinIO.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(st.MinIO.AccessKey, st.MinIO.SecretKey, "")})
	if err != nil {
		return err
	}
	bucket := st.MinIO.ArchiveBucket
	var last error
	n := 0
	for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if o.Err != nil {
			return o.Err
		}
		n++
		last = mc.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{VersionID: o.VersionID})
		if last == nil {
			return nil
		}
	}
	if n == 0 {
		return nil
	}
	return last
}
