#!/usr/bin/env bash
# bench-diff.sh — `redline diff --mode word --format unified` against
# `git diff --no-index --word-diff` as whole processes on real documents of
# 1–4 MB: consecutive versions of legal texts (BENCH_SET=legal, the default:
# whole French codes from public git histories, scripts/corpus-legal.sh), or
# consecutive releases of Hunspell dictionaries of fourteen languages, Russian
# first (BENCH_SET=big, CORPUS_SET=big of scripts/corpus-registry.sh).
#
# For each pair: the median of RUNS interleaved runs of each command (both see
# the same load; the machine may be busy, so only ratios count), the ratio,
# and the peak resident memory of each (/usr/bin/time). Then the geometric
# mean and the worst ratio, the worst memory ratio, and the startup: both
# commands on two one-line files.
#
# Targets (issue 12): geometric mean ≤ 1×, no pair over 2×, peak RSS under 2×
# git's. Prints MISSED and exits 1 when one is missed.
#
# Usage: scripts/bench-diff.sh [RUNS]   (default 5)
#   REDLINE_BIN=path  the binary to measure (default: cmd/redline-cli built
#                     from this checkout: diff without the server linked in)
#   BENCH_SET=legal|big  which corpus (default legal)
#   BENCH_CORPUS=dir  the corpus (default: built by corpus-legal.sh or
#                     corpus-registry.sh under $HOME/.cache/redline)
#   REDLINE_LEGAL_MIRROR=dir  local copies of the legal repositories (see
#                     corpus-legal.sh); otherwise they are cloned from GitHub
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"

bin=${REDLINE_BIN:-}
if [[ -z $bin ]]; then
	echo "building redline…" >&2
	go build -o "$tmp/redline" ./cmd/redline-cli
	bin=$tmp/redline
fi
case ${BENCH_SET:-legal} in
legal)
	corpus=${BENCH_CORPUS:-$HOME/.cache/redline/corpus-legal}
	bash scripts/corpus-legal.sh "$corpus" >&2
	;;
big)
	corpus=${BENCH_CORPUS:-$HOME/.cache/redline/corpus-big}
	CORPUS_SET=big bash scripts/corpus-registry.sh "$corpus" >&2
	;;
*)
	echo "BENCH_SET: legal or big, not ${BENCH_SET}" >&2
	exit 2
	;;
esac

run_git() {
	local rc=0
	git --no-pager diff --no-index --no-color --no-ext-diff --word-diff "$1" "$2" >/dev/null || rc=$?
	((rc <= 1)) || {
		echo "git diff failed ($rc)" >&2
		return 1
	}
}
run_redline() { "$bin" diff --mode word --format unified "$1" "$2" >/dev/null 2>&1; }

now_ns() { date +%s%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# rss_kb CMD…: peak resident set size of one run, in KB.
rss_kb() {
	/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>&1 || true
	tail -1 "$tmp/rss"
}

# time_pair A B: medians (ms) of interleaved runs, printed "git redline".
time_pair() {
	: >"$tmp/g" && : >"$tmp/r"
	run_git "$1" "$2" && run_redline "$1" "$2" # warm the page cache
	for _ in $(seq "$runs"); do
		local s
		s=$(now_ns) && run_git "$1" "$2" && echo $(($(now_ns) - s)) >>"$tmp/g"
		s=$(now_ns) && run_redline "$1" "$2" && echo $(($(now_ns) - s)) >>"$tmp/r"
	done
	echo "$(median <"$tmp/g" | awk '{ printf "%.1f", $1 / 1e6 }') $(median <"$tmp/r" | awk '{ printf "%.1f", $1 / 1e6 }')"
}

fail=0
: >"$tmp/ratios" && : >"$tmp/mem"
printf '%-30s %9s %9s %12s %7s %10s %10s %6s\n' pair "old KB" "new KB" "git ms" "redline" ratio "git RSS" "RSS ×"
for d in "$corpus"/*/; do
	files=("$d"*.txt)
	for ((k = 1; k < ${#files[@]}; k++)); do
		a=${files[k - 1]} b=${files[k]}
		sa=$(stat -c %s "$a") sb=$(stat -c %s "$b")
		((sa >= 1 << 20 && sb >= 1 << 20 && sa <= 4 << 20 && sb <= 4 << 20)) || continue
		read -r g r < <(time_pair "$a" "$b")
		ratio=$(awk -v r="$r" -v g="$g" 'BEGIN { printf "%.2f", r / g }')
		mg=$(rss_kb git --no-pager diff --no-index --no-color --word-diff "$a" "$b")
		mr=$(rss_kb "$bin" diff --mode word --format unified "$a" "$b")
		mratio=$(awk -v r="$mr" -v g="$mg" 'BEGIN { printf "%.2f", r / g }')
		echo "$ratio" >>"$tmp/ratios"
		echo "$mratio" >>"$tmp/mem"
		printf '%-30s %9d %9d %12s %7s %9s× %9dK %5s×\n' "$(basename "$d")/$(basename "$b" .txt)" $((sa / 1024)) $((sb / 1024)) "$g" "$r" "$ratio" "$mg" "$mratio"
	done
done
n=$(wc -l <"$tmp/ratios")
geo=$(awk '{ s += log($1) } END { printf "%.2f", exp(s / NR) }' "$tmp/ratios")
worst=$(sort -n "$tmp/ratios" | tail -1)
mworst=$(sort -n "$tmp/mem" | tail -1)

# Startup: two one-line files.
printf 'Статья 1.\n' >"$tmp/one-a" && printf 'Статья 2.\n' >"$tmp/one-b"
runs_saved=$runs && runs=$((runs * 4 + 1))
read -r sg sr < <(time_pair "$tmp/one-a" "$tmp/one-b")
runs=$runs_saved
sratio=$(awk -v r="$sr" -v g="$sg" 'BEGIN { printf "%.2f", r / g }')
# What runs before main: the package inits of the binary (GODEBUG=inittrace).
inits=$(GODEBUG=inittrace=1 "$bin" diff "$tmp/one-a" "$tmp/one-b" 2>&1 >/dev/null |
	awk '/^init / { n++; s += $5 } END { printf "%d package inits, %.1f ms", n, s }')
srss=$(rss_kb "$bin" diff "$tmp/one-a" "$tmp/one-b")
grss=$(rss_kb git --no-pager diff --no-index "$tmp/one-a" "$tmp/one-b")

verdict() { awk -v x="$1" -v lim="$2" 'BEGIN { print (x <= lim) ? "ok" : "MISSED" }'; }
echo
echo "pairs: $n (target ≥ 10)$( ((n >= 10)) && echo " ok" || echo " MISSED")"
echo "time:  geometric mean ${geo}× git ($(verdict "$geo" 1.0), target ≤ 1×), worst ${worst}× ($(verdict "$worst" 2.0), target ≤ 2×)"
echo "RSS:   worst ${mworst}× git ($(verdict "$mworst" 1.999), target < 2×)"
echo "start: one-line files, redline ${sr} ms vs git ${sg} ms = ${sratio}×; RSS ${srss}K vs ${grss}K; ${inits}"
for v in "$(verdict "$geo" 1.0)" "$(verdict "$worst" 2.0)" "$(verdict "$mworst" 1.999)"; do
	[[ $v == ok ]] || fail=1
done
((n >= 10)) || fail=1
exit $fail
