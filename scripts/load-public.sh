#!/usr/bin/env bash
# Load on the public page of a 200 KB adopted text, compared with a bare Gin
# handler writing the same cached bytes in the same run, for 200 responses and
# for 304 revalidations. The server and the load generator are pinned to
# separate cores (taskset) and every run is bounded in time.
#   [ROUNDS=3] scripts/load-public.sh [seconds per run, default 5] [connections, default 32]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-32}
cores=$(nproc)
server_cpu=0
load_cpu=$(( cores > 1 ? 1 : 0 ))
pin() { if command -v taskset >/dev/null; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }

bin=$(mktemp -d "${TMPDIR:-/tmp}/loadpublic.XXXXXX")
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$bin"' EXIT
go build -o "$bin/loadpublic" ./cmd/loadpublic

real=127.0.0.1:$(( 20000 + RANDOM % 10000 ))
bare=127.0.0.1:$(( 30000 + RANDOM % 10000 ))
GOMAXPROCS=1 pin "$server_cpu" "$bin/loadpublic" serve -real "$real" -bare "$bare" -kb 200 >"$bin/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
	grep -q '^ready' "$bin/serve.log" 2>/dev/null && break
	kill -0 "$server" 2>/dev/null || { cat "$bin/serve.log" >&2; exit 1; }
	sleep 0.25
done
grep '^ready' "$bin/serve.log" || { echo "server did not start" >&2; exit 1; }
etag=$(sed -n 's/^ready .*etag=//p' "$bin/serve.log")

run() { # name url etag
	local out
	out=$(timeout $(( secs + 30 )) env GOMAXPROCS=1 taskset -c "$load_cpu" "$bin/loadpublic" load -url "$2" -etag "$3" -duration "${secs}s" -conns "$conns")
	printf '%-22s %s\n' "$1" "$out" >&2
	echo "$out" | awk '{print $1}'
}
echo "server on CPU $server_cpu (GOMAXPROCS=1), load generator on CPU $load_cpu, $conns connections, ${secs}s per run" >&2
# Warm up both (the first request renders the page).
run "warm-up" "http://$real/public/load" "" >/dev/null
# issue 18: rounds interleaved, medians compared.
rounds=${ROUNDS:-3}
b200=(); r200=(); b304=(); r304=()
for _ in $(seq 1 "$rounds"); do
	b200+=("$(run "bare 200" "http://$bare/public/load" "")")
	r200+=("$(run "redline 200" "http://$real/public/load" "")")
	b304+=("$(run "bare 304" "http://$bare/public/load" "$etag")")
	r304+=("$(run "redline 304" "http://$real/public/load" "$etag")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk -v r="$(median "${r200[@]}")" -v b="$(median "${b200[@]}")" -v n="$rounds" 'BEGIN { printf "200: redline %.0f / bare %.0f req/s (medians of %d) = %.0f%% (target >= 90%%)\n", r, b, n, 100*r/b }'
awk -v r="$(median "${r304[@]}")" -v b="$(median "${b304[@]}")" -v n="$rounds" 'BEGIN { printf "304: redline %.0f / bare %.0f req/s (medians of %d) = %.0f%% (target >= 90%%)\n", r, b, n, 100*r/b }'
