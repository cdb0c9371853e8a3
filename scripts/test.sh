#!/usr/bin/env bash
# make test: start PostgreSQL and MinIO on loopback, run every test against
# them with the race detector, stop them by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

# Background steps (below) are stopped with the services if a step fails.
trap 'kill $(jobs -p) 2>/dev/null; services_stop' EXIT INT TERM
services_start
# The real corpus (issue 12, below) is downloaded while vet and the race
# pass use the CPU: its fetches wait on the network, not on the cores.
# REDLINE_CORPUS is set for the pass without -race only (TestRealCorpus skips without it).
corpus="${REDLINE_CORPUS:-$HOME/.cache/redline/corpus}"
debian_tool curl curl
debian_tool jq jq
debian_tool unzip unzip
debian_tool patch patch
log "real corpus download (scripts/corpus-registry.sh, in the background)"
corpus_log="$SERVICES_DIR/corpus.log"
bash scripts/corpus-registry.sh "$corpus" >"$corpus_log" 2>&1 &
corpus_pid=$!
log "go vet"
go vet ./...
# The slowest packages first: go test starts the packages in the order they
# are named, two at a time on two cores, so a long one named last would run
# alone at the end. Tests that call withoutRace (the browser walks and the
# multi-megabyte forms, whose handlers other tests run under the race
# detector) are skipped in this pass and run in the one without -race below.
slow="./internal/webui ./cmd/redline ./internal/httpapi ./internal/reliability ./internal/sqlstore ./internal/drafting ./internal/textdiff"
log "go test -race ./... (PostgreSQL $REDLINE_TEST_POSTGRES_URL, MinIO $REDLINE_TEST_MINIO_ENDPOINT)"
# shellcheck disable=SC2086
REDLINE_TEST_WITHOUT_RACE_LATER=1 go test -race -timeout 20m -count=1 "$@" $slow ./...
wait "$corpus_pid" || { cat "$corpus_log" >&2; exit 1; }
cat "$corpus_log" >&2
# Crash injection: a real redline serve built with -tags failpoints, killed
# by SIGKILL at a random failpoint 200 times, and the notification pipeline
# killed at each of its failpoints against a real SMTP server (without
# -race, so it stays within a few minutes; the race detector has covered the
# same code above).
# issue 16: TestCrashSigning kills the server at each failpoint of signing.
# It waits on processes it kills and restarts, so it runs in the background,
# alongside the pass without -race, the fuzz targets and the client check
# below; its output is shown when it ends.
log "crash injection (go test -tags failpoints -run 'TestCrash|TestCrashSigning' ./cmd/redline ./internal/notify, in the background)"
crash_log="$SERVICES_DIR/crash.log"
go test -tags failpoints -count=1 -timeout 10m -parallel 4 -run '^TestCrash(Signing)?$' ./cmd/redline ./internal/notify >"$crash_log" 2>&1 &
crash_pid=$!
# Without -race: the tests that call withoutRace (listed from the sources),
# and the engine on real documents (issue 12): a corpus of consecutive
# releases of real documents from the npm registry and the Go module proxy,
# built once into $HOME/.cache/redline/corpus; every redline round-trips in
# every mode and format (also through GNU patch and git apply), every triple
# merges with no wrong clean merge and at least as often as git merge-file.
# Without -race, so that it stays within a few minutes; prints its one-line
# summary.
marked=$(grep -rl --include='*_test.go' '^	withoutRace(t)$' cmd internal || true)
# shellcheck disable=SC2086
later=$(awk '/^func Test[A-Za-z0-9_]*\(/ { name = $2; sub(/\(.*/, "", name) } /^\twithoutRace\(t\)$/ { print name }' $marked /dev/null | sort -u | paste -sd'|')
# shellcheck disable=SC2086
later_pkgs=$(for f in $marked; do echo "./$(dirname "$f")"; done | sort -u)
log "without -race: ${later//|/, } and the real corpus (TestRealCorpus)"
# shellcheck disable=SC2086
REDLINE_CORPUS="$corpus" go test -count=1 -timeout 20m -v -run "^(TestRealCorpus|$later)\$" ./internal/textdiff $later_pkgs |
	grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|    --- PASS)'
# Hostile input: every fuzz target for its count of inputs (make fuzz runs
# each for minutes).
bash scripts/fuzz.sh
# issue 16: the committed API client (internal/apidoc/client) is what the
# description generates with the pinned oapi-codegen, a tool of a module of
# its own so that its dependencies stay out of Redline's go.mod.
log "go test ./internal/apidoc/clientgen (its own module: the generated API client is current)"
(cd internal/apidoc/clientgen && go test -count=1 ./...)
log "crash injection (its output)"
wait "$crash_pid" || { cat "$crash_log" >&2; exit 1; }
cat "$crash_log"
