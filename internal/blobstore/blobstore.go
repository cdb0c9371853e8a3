// Package blobstore keeps revision texts for the drafting domain: Disk on a
// local folder (the embedded default) and MinIO on an S3 server. Both write
// create-only under content-addressed keys, check the SHA-256 the caller
// claims before storing anything, and report failures as drafting kinds.
package blobstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"redline/internal/drafting"
)

// maxKeyLen is S3's limit on object names; Disk keeps the same limit so both
// backends accept exactly the same keys.
const maxKeyLen = 1024

// checkKey reports whether key is a safe, canonical blob key: slash-separated
// elements of [a-zA-Z0-9_.-], none empty, none starting with a dot. Rejecting
// leading dots rules out "." and ".." and keeps Disk's temporary files (which
// start with a dot) out of the key space.
func checkKey(op, key string) error {
	if key == "" || len(key) > maxKeyLen {
		return drafting.E(drafting.KindInvalid, op, "blob key must have 1 to 1024 characters")
	}
	return checkElements(op, key)
}

// checkPrefix accepts "" and anything a key may start with, including a
// trailing slash.
func checkPrefix(op, prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > maxKeyLen {
		return drafting.E(drafting.KindInvalid, op, "blob prefix is too long")
	}
	return checkElements(op, strings.TrimSuffix(prefix, "/"))
}

func checkElements(op, s string) error {
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '.' || c == '-') {
			return drafting.E(drafting.KindInvalid, op, "blob key may hold only letters, digits, '/', '_', '.' and '-'")
		}
	}
	for elem := range strings.SplitSeq(s, "/") {
		if elem == "" || elem[0] == '.' {
			return drafting.E(drafting.KindInvalid, op, "blob key elements must be non-empty and must not start with '.'")
		}
	}
	return nil
}

// checkSum verifies that sum is lowercase hex SHA-256 and that data has it,
// returning the raw 32-byte sum.
func checkSum(op string, data []byte, sum string) ([]byte, error) {
	want, err := hex.DecodeString(sum)
	if err != nil || len(want) != sha256.Size || strings.ToLower(sum) != sum {
		return nil, drafting.E(drafting.KindInvalid, op, "sha256 must be 64 lowercase hex digits")
	}
	got := sha256.Sum256(data)
	if string(got[:]) != string(want) {
		return nil, drafting.E(drafting.KindInvalid, op, "text does not match its sha256")
	}
	return want, nil
}
