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
