#!/usr/bin/env bash
# Run every fuzz target of outside input for FUZZTIME each (default 10s; make
# fuzz passes a longer one). Go fuzzes one target per invocation.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-10s}"
targets=(
	"./internal/reliability FuzzAPIBodies"
	"./internal/reliability FuzzAPIPaths"
	"./internal/reliability FuzzAnchor"
	"./internal/reliability FuzzIdentifiers"
	"./internal/live FuzzParseEventID"
	"./internal/live FuzzFrame"
	"./internal/markup FuzzRender"
	"./internal/notify FuzzVerifyToken"
	"./internal/outline FuzzParse"
	"./internal/signing FuzzVerify"
	"./internal/signing FuzzParseStatement"
	"./internal/signing FuzzParseAllowedSigners"
	"./internal/office FuzzImport"
	"./internal/textdiff FuzzDiff"
	"./internal/textdiff FuzzMerge3"
	# issue 13: metrics labels and guard, titles and names
	"./internal/shell FuzzMetricsLabels"
	"./internal/drafting FuzzCleanLine"
)
for t in "${targets[@]}"; do
	set -- $t
	printf '==> fuzz %s %s for %s\n' "$1" "$2" "$FUZZTIME" >&2
	go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" "$1" 2>&1 | grep -E '^(fuzz: elapsed: [0-9]+s, execs|ok|FAIL|---|\s+)' | tail -3
	[ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
done
