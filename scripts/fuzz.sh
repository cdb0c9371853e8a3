#!/usr/bin/env bash
# Run every fuzz target of outside input for FUZZTIME each (default 10s; make
# fuzz passes a longer one). Go fuzzes one target per invocation; each package's
# instrumented test binary is built once (go test -c -fuzz) and run once per
# target, in the package's folder (its testdata/fuzz corpus) with the cache
# folder go test would give it, instead of paying a build per target.
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
bins=$(mktemp -d "${TMPDIR:-/tmp}/redline-fuzz.XXXXXX")
trap 'rm -rf "$bins"' EXIT
cache="$(go env GOCACHE)/fuzz/$(go list -m)"
built=""
for t in "${targets[@]}"; do
	set -- $t
	pkg=${1#./} bin="$bins/$(echo "${1#./}" | tr / _).test"
	case " $built " in
	*" $pkg "*) ;;
	*)
		go test -c -fuzz "^$2\$" -o "$bin" "$1"
		built="$built $pkg"
		;;
	esac
	printf '==> fuzz %s %s for %s\n' "$1" "$2" "$FUZZTIME" >&2
	(cd "$pkg" && "$bin" -test.paniconexit0 -test.timeout 10m -test.run '^$' -test.fuzz "^$2\$" \
		-test.fuzztime "$FUZZTIME" -test.fuzzcachedir "$cache/$pkg") 2>&1 |
		grep -E '^(fuzz: elapsed: [0-9]+s, execs|ok|PASS|FAIL|---|\s+)' | tail -3
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "FAIL fuzz $1 $2 (failing input under $pkg/testdata/fuzz/$2)"; exit 1; }
done
