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
# The engine on real documents (issue 12): a corpus of consecutive releases
# of real documents from the npm registry and the Go module proxy, built once
# into $HOME/.cache/redline/corpus; every redline round-trips in every mode and
# format (also through GNU patch and git apply), every triple merges with no
# wrong clean merge and at least as often as git merge-file. Without -race,
# so that it stays within a few minutes; prints its one-line summary.
log "real corpus (scripts/corpus-registry.sh, TestRealCorpus)"
export REDLINE_CORPUS="${REDLINE_CORPUS:-$HOME/.cache/redline/corpus}"
debian_tool curl curl
debian_tool jq jq
debian_tool unzip unzip
debian_tool patch patch
bash scripts/corpus-registry.sh "$REDLINE_CORPUS"
go test -count=1 -timeout 20m -v -run '^TestRealCorpus$' ./internal/textdiff |
	grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|    --- PASS)'
unset REDLINE_CORPUS
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
# issue 16: the committed API client (internal/apidoc/client) is what the
# description generates with the pinned oapi-codegen, a tool of a module of
# its own so that its dependencies stay out of Redline's go.mod.
log "go test ./internal/apidoc/clientgen (its own module: the generated API client is current)"
(cd internal/apidoc/clientgen && go test -count=1 ./...)
