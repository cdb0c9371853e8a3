#!/usr/bin/env bash
# bench-diff.sh — time `redline diff` against `git diff --word-diff` as whole
# processes on a generated ~1 MB Russian resolution, and measure the memory of
# a 4 MB diff.
#
# Targets (issue 4): on (a) a few scattered word edits, (b) ~10% of paragraphs
# changed and (c) paragraphs reordered, redline's median is at most 3× git's;
# (d) an entirely different text finishes within 2 s; a 4 MB diff stays under
# 256 MB of memory (max RSS). Exits non-zero when a target is missed.
#
# Usage: scripts/bench-diff.sh [RUNS]   (default 7 runs per command)
set -euo pipefail

runs=${1:-7}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$root"
echo "building redline…" >&2
go build -o "$tmp/redline" ./cmd/redline
echo "generating the corpus…" >&2
go test ./internal/textdiff -run '^TestBenchCorpus$' -count=1 -corpus "$tmp/corpus" >/dev/null

cd "$tmp/corpus"

# git diff exits 1 when the files differ: only >1 is an error.
run_git() {
	local rc=0
	git --no-pager diff --no-index --no-color --no-ext-diff --word-diff "$1" "$2" >/dev/null || rc=$?
	if ((rc > 1)); then
		echo "git diff failed ($rc)" >&2
		return 1
	fi
}
run_redline() {
	"$tmp/redline" diff --mode word --format unified "$1" "$2" >/dev/null
}

# elapsed_ms CMD ARGS…: wall time of one run in milliseconds (fractional).
elapsed_ms() {
	local s e
	s=$(date +%s%N)
	"$@"
	e=$(date +%s%N)
	awk -v d=$((e - s)) 'BEGIN { printf "%.2f\n", d / 1e6 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

if command -v hyperfine >/dev/null; then
	echo "timing with hyperfine ($runs runs each)…" >&2
else
	echo "timing with date +%s%N ($runs runs each, interleaved)…" >&2
fi

fail=0
printf '\n%-4s %-34s %12s %12s %8s  %s\n' case change "git (ms)" "redline (ms)" ratio target
for x in a b c d; do
	case $x in
	a) what="a few scattered word edits" ;;
	b) what="about 10% of paragraphs changed" ;;
	c) what="paragraphs reordered" ;;
	d) what="an entirely different text" ;;
	esac
	if command -v hyperfine >/dev/null; then
		hyperfine -N --warmup 2 --runs "$runs" --export-json "$tmp/$x.json" \
			"git --no-pager diff --no-index --no-color --no-ext-diff --word-diff base.txt $x.txt" \
			"$tmp/redline diff --mode word --format unified base.txt $x.txt" -i >/dev/null
		read -r g r < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["results"]; print(*(f"{1000*x["median"]:.2f}" for x in d))' "$tmp/$x.json")
	else
		# One warm-up run each, then interleave so both see the same load.
		run_git base.txt "$x.txt"
		run_redline base.txt "$x.txt"
		: >"$tmp/g" && : >"$tmp/r"
		for _ in $(seq "$runs"); do
			elapsed_ms run_git base.txt "$x.txt" >>"$tmp/g"
			elapsed_ms run_redline base.txt "$x.txt" >>"$tmp/r"
		done
		g=$(median <"$tmp/g")
		r=$(median <"$tmp/r")
	fi
	ratio=$(awk -v r="$r" -v g="$g" 'BEGIN { printf "%.2f", r / g }')
	if [[ $x == d ]]; then
		target="≤ 2000 ms"
		ok=$(awk -v r="$r" 'BEGIN { print (r <= 2000) }')
	else
		target="≤ 3.00×"
		ok=$(awk -v q="$ratio" 'BEGIN { print (q <= 3) }')
	fi
	mark=ok
	if [[ $ok != 1 ]]; then
		mark=MISSED
		fail=1
	fi
	printf '%-4s %-34s %12s %12s %7s×  %s %s\n' "$x" "$what" "$g" "$r" "$ratio" "$target" "$mark"
done

# Memory of 4 MB diffs: max resident set size of the whole process.
echo
if [[ -x /usr/bin/time ]]; then
	for x in b4 d4; do
		/usr/bin/time -v "$tmp/redline" diff --mode word --format unified base4.txt "$x.txt" >/dev/null 2>"$tmp/time-$x"
		kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time-$x")
		secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$tmp/time-$x")
		mark=ok
		if ((kb > 256 * 1024)); then
			mark=MISSED
			fail=1
		fi
		printf '4 MB %-3s max RSS %6d KB (%.1f MB), wall %s, target ≤ 256 MB %s\n' "$x" "$kb" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" "$secs" "$mark"
	done
else
	echo "4 MB memory: /usr/bin/time not installed; not measured" >&2
	fail=1
fi
exit $fail
