#!/usr/bin/env bash
# Run every fuzz target of outside input: for FUZZTIME each when it is set
# (make fuzz passes 2m), otherwise for the target's count of inputs below
# (make test: a budget of work, so a busy machine takes longer but never
# fails for time; a -fuzztime duration can end in Go's own "context deadline
# exceeded" when it runs out while the coordinator starts, as it did once on
# FuzzParse in make test). Go fuzzes one target per invocation; each package's
# instrumented test binary is built once (go test -c -fuzz) and run once per
# target, in the package's folder (its testdata/fuzz corpus) with the cache
# folder go test would give it, instead of paying a build per target.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME="${FUZZTIME:-}"
targets=(
	"./internal/reliability FuzzAPIBodies 1000"
	"./internal/reliability FuzzAPIPaths 1000"
	"./internal/reliability FuzzAnchor 1000"
	"./internal/reliability FuzzIdentifiers 1000"
	"./internal/live FuzzParseEventID 10000"
	"./internal/live FuzzFrame 6000"
	"./internal/markup FuzzRender 10000"
	"./internal/notify FuzzVerifyToken 6000"
	"./internal/outline FuzzParse 40000"
	"./internal/signing FuzzVerify 4000"
	"./internal/signing FuzzParseStatement 10000"
	"./internal/signing FuzzParseAllowedSigners 10000"
	"./internal/office FuzzImport 4000"
	"./internal/textdiff FuzzDiff 6000"
	"./internal/textdiff FuzzMerge3 10000"
	# issue 13: metrics labels and guard, titles and names
	"./internal/shell FuzzMetricsLabels 4000"
	"./internal/drafting FuzzCleanLine 6000"
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
	budget=${FUZZTIME:-${3}x}
	printf '==> fuzz %s %s for %s\n' "$1" "$2" "$budget" >&2
	(cd "$pkg" && "$bin" -test.paniconexit0 -test.timeout 10m -test.run '^$' -test.fuzz "^$2\$" \
		-test.fuzztime "$budget" -test.fuzzcachedir "$cache/$pkg") 2>&1 |
		grep -E '^(fuzz: elapsed: [0-9]+s, execs|ok|PASS|FAIL|---|\s+)' | tail -3
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "FAIL fuzz $1 $2 (failing input under $pkg/testdata/fuzz/$2)"; exit 1; }
done
