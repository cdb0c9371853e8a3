#!/usr/bin/env bash
# Load on the live event streams, in two parts.
#
# 1. The hub alone: CLIENTS SSE clients (default 500) on one document of one
#    server with an in-memory source, EVENTS events (default 200) published
#    at RATE per second (default 20, so 10 s), in ROUNDS rounds (default 3)
#    each preceded by one client alone as the anchor. Every client must
#    receive every event once and in order; prints the median p50/p99
#    delivery latency, the ratio of p99 to the single client's, and the
#    server's peak RSS.
# 2. The product (issue 17): a real redline serve on PostgreSQL (started by
#    scripts/services.sh) with CLIENTS members' streams open on one
#    document while a chair moves the hall's item through the API at RATE
#    per second, EVENTS times; every client must get every event; prints
#    p50/p99 latency (from the event's time to its arrival) and the
#    server's peak RSS.
#   scripts/load-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 -timeout 20m -v -run '^TestLoad$' ./internal/live \
	-live.clients="${CLIENTS:-500}" -live.events="${EVENTS:-200}" -live.rate="${RATE:-20}" -live.rounds="${ROUNDS:-3}" |
	grep -E 'round|load:|^(---|ok|FAIL)'
. scripts/services.sh
trap services_stop EXIT
services_start >/dev/null
go test -count=1 -timeout 20m -v -run '^TestLiveLoad$' ./cmd/redline \
	-liveload.clients="${CLIENTS:-500}" -liveload.events="${EVENTS:-200}" -liveload.rate="${RATE:-20}" |
	grep -E 'live load:|^(---|ok|FAIL)'
exit "${PIPESTATUS[0]}"
