#!/usr/bin/env bash
# Load test: start PostgreSQL and MinIO on loopback (as make test does), a
# redline serve on them, drive it with cmd/redline-load (50 virtual users for
# 3 minutes by default: DURATION=30s USERS=20 to shorten), report throughput,
# latencies and the server's peak RSS, then run the invariant checker on the
# load's ack log with redline verify --log.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
DURATION="${DURATION:-3m}"
USERS="${USERS:-50}"

SERVE_PID=
cleanup() {
	if [ -n "$SERVE_PID" ]; then kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null || true; fi
	services_stop
	rm -rf "${LOAD_DIR:-}"
}
trap cleanup EXIT INT TERM
services_start
LOAD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redline-load.XXXXXX")
log "building redline and redline-load"
go build -o "$LOAD_DIR/redline" ./cmd/redline
go build -o "$LOAD_DIR/redline-load" ./cmd/redline-load

"$PG_BINDIR/psql" -q "$REDLINE_TEST_POSTGRES_URL" -c 'CREATE DATABASE redline_load' >/dev/null
port=$(free_port)
export REDLINE_DATABASE_URL="${REDLINE_TEST_POSTGRES_URL%/postgres*}/redline_load?sslmode=disable"
export REDLINE_S3_ENDPOINT="$REDLINE_TEST_MINIO_ENDPOINT" REDLINE_S3_ACCESS_KEY="$REDLINE_TEST_MINIO_ACCESS_KEY"
export REDLINE_S3_SECRET_KEY="$REDLINE_TEST_MINIO_SECRET_KEY" REDLINE_S3_BUCKET=redline-load
export REDLINE_DATA_DIR="$LOAD_DIR/data" REDLINE_ADDR="127.0.0.1:$port" REDLINE_LOG_LEVEL=warn
rl() { "$LOAD_DIR/redline" "$@"; }

log "creating an administrator and $USERS virtual users with tokens"
rl migrate >/dev/null
echo "load-admin-password" | rl user add admin --admin >/dev/null
ADMIN_TOKEN=$(rl token create admin --label load)
: >"$LOAD_DIR/tokens"
for i in $(seq 1 "$USERS"); do
	echo "load-user-password" | rl user add "vu$i" >/dev/null
	echo "vu$i $(rl token create "vu$i" --label load)" >>"$LOAD_DIR/tokens"
done

log "starting redline serve on $REDLINE_ADDR (PostgreSQL + MinIO)"
"$LOAD_DIR/redline" serve >"$LOAD_DIR/serve.out" 2>"$LOAD_DIR/serve.err" &
SERVE_PID=$!
for _ in $(seq 1 120); do
	grep -q "listening on" "$LOAD_DIR/serve.out" 2>/dev/null && break
	kill -0 "$SERVE_PID" 2>/dev/null || { cat "$LOAD_DIR/serve.err" >&2; exit 1; }
	sleep 0.25
done

log "load: $USERS virtual users for $DURATION"
"$LOAD_DIR/redline-load" -base "http://$REDLINE_ADDR" -admin-token "$ADMIN_TOKEN" -tokens "$LOAD_DIR/tokens" \
	-users "$USERS" -duration "$DURATION" -acks "$LOAD_DIR/acks.jsonl" -pid "$SERVE_PID"

kill -TERM "$SERVE_PID"
wait "$SERVE_PID" || true
SERVE_PID=
log "invariant checker over the load's ack log (redline verify --log)"
rl verify --log "$LOAD_DIR/acks.jsonl" | grep -E '^(checked|invariants|violation)' | head -20
