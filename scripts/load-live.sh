#!/usr/bin/env bash
# Load on the live event streams: CLIENTS SSE clients (default 500) on one
# document of one server, EVENTS events (default 200) published at RATE per
# second (default 20, so 10 s), in ROUNDS rounds (default 3) each preceded
# by one client alone as the anchor. Every client must receive every event
# once and in order; prints the median p50/p99 delivery latency, the ratio
# of p99 to the single client's, and the server's peak RSS. The server is a
# child process on a loopback port; the run stops by itself.
#   scripts/load-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 -timeout 20m -v -run '^TestLoad$' ./internal/live \
	-live.clients="${CLIENTS:-500}" -live.events="${EVENTS:-200}" -live.rate="${RATE:-20}" -live.rounds="${ROUNDS:-3}" |
	grep -E 'round|load:|^(---|ok|FAIL)'
exit "${PIPESTATUS[0]}"
