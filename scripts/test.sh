#!/usr/bin/env bash
# make test: start PostgreSQL and MinIO on loopback, run every test against
# them with the race detector, stop them by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

trap services_stop EXIT INT TERM
services_start
log "go vet"
go vet ./...
log "go test -race ./... (PostgreSQL $REDLINE_TEST_POSTGRES_URL, MinIO $REDLINE_TEST_MINIO_ENDPOINT)"
go test -race -timeout 20m -count=1 "$@" ./...
# Crash injection: a real redline serve built with -tags failpoints, killed
# by SIGKILL at a random failpoint 200 times, and the notification pipeline
# killed at each of its failpoints against a real SMTP server (without
# -race, so it stays within a few minutes; the race detector has covered the
# same code above).
# issue 16: TestCrashSigning kills the server at each failpoint of signing.
log "crash injection (go test -tags failpoints -run 'TestCrash|TestCrashSigning' ./cmd/redline ./internal/notify)"
go test -tags failpoints -count=1 -timeout 10m -parallel 4 -run '^TestCrash(Signing)?$' ./cmd/redline ./internal/notify
# Hostile input: every fuzz target for a few seconds (make fuzz runs longer).
FUZZTIME="${FUZZTIME:-4s}" bash scripts/fuzz.sh
