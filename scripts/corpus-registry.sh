#!/usr/bin/env bash
# corpus-registry.sh — build a corpus of real versioned documents from the npm
# registry and the Go module proxy: the README, CHANGELOG, licence and
# dictionary files of consecutive releases of well-known packages, in English,
# Russian and German, some over 1 MB. Nobody here wrote them.
#
# Each chain is one file of one package across its releases; it lands in
# OUT/<chain>/NNNN.txt in release order (a release whose file is unchanged or
# missing is skipped), with OUT/<chain>/SOURCE naming the package, the file
# and the versions. The downloads are cached, so a second run is offline.
#
# Usage: scripts/corpus-registry.sh [OUT]
#   OUT defaults to $REDLINE_CORPUS, else $HOME/.cache/redline/corpus.
#   With CORPUS_SET=big, only the chains of texts over 1 MB (Hunspell
#   dictionaries of fourteen languages, for scripts/bench-diff.sh), and OUT
#   defaults to $HOME/.cache/redline/corpus-big.
# Then: REDLINE_CORPUS=OUT go test ./internal/textdiff -run TestRealCorpus
set -euo pipefail

set_=${CORPUS_SET:-default}
if [[ $set_ == big ]]; then
	out=${1:-$HOME/.cache/redline/corpus-big}
else
	out=${1:-${REDLINE_CORPUS:-$HOME/.cache/redline/corpus}}
fi
cache=${REDLINE_CORPUS_CACHE:-$HOME/.cache/redline/corpus-downloads}
mkdir -p "$out" "$cache"

log() { printf '==> %s\n' "$*" >&2; }

# fetch URL FILE: download once into the cache.
fetch() {
	if [[ ! -s $2 ]]; then
		curl -fsSL --retry 3 -m 300 -o "$2.part" "$1"
		mv "$2.part" "$2"
	fi
}

# keep CHAIN VERSION FILE: add FILE as the chain's next version unless it
# equals the previous one.
keep() {
	local dir=$out/$1 n last
	[[ -s $3 ]] || return 0
	n=$(find "$dir" -name '*.txt' | wc -l)
	last=$(printf '%s/%04d.txt' "$dir" "$n")
	if ((n > 0)) && cmp -s "$3" "$last"; then
		return 0
	fi
	cp "$3" "$(printf '%s/%04d.txt' "$dir" $((n + 1)))"
	echo "$2" >>"$dir/SOURCE"
}

# npm CHAIN PACKAGE PATH N: PATH (inside the package) of the last N stable
# releases of an npm package.
npm_chain() {
	local chain=$1 pkg=$2 path=$3 n=$4 v tgz tmp
	[[ -f $out/$chain/SOURCE ]] && return 0
	log "$chain: npm $pkg $path (last $n releases)"
	rm -rf "${out:?}/$chain.tmp" && mkdir -p "$out/$chain.tmp"
	printf 'npm %s %s\n' "$pkg" "$path" >"$out/$chain.tmp/SOURCE"
	local meta=$cache/npm-${pkg//\//_}.json
	fetch "https://registry.npmjs.org/$pkg" "$meta"
	tmp=$(mktemp)
	for v in $(jq -r '.versions | keys[]' "$meta" | grep -v -- - | sort -V | tail -n "$n"); do
		tgz=$cache/npm-${pkg//\//_}-$v.tgz
		fetch "$(jq -r --arg v "$v" '.versions[$v].dist.tarball' "$meta")" "$tgz"
		: >"$tmp"
		tar -xzOf "$tgz" "package/$path" >"$tmp" 2>/dev/null || true
		keep "$chain.tmp" "$v" "$tmp"
	done
	rm -f "$tmp"
	mv "$out/$chain.tmp" "$out/$chain"
}

# goproxy CHAIN MODULE PATH N: PATH (inside the module) of the last N
# releases of a Go module.
go_chain() {
	local chain=$1 mod=$2 path=$3 n=$4 v zip tmp
	[[ -f $out/$chain/SOURCE ]] && return 0
	log "$chain: Go module $mod $path (last $n releases)"
	rm -rf "${out:?}/$chain.tmp" && mkdir -p "$out/$chain.tmp"
	printf 'go %s %s\n' "$mod" "$path" >"$out/$chain.tmp/SOURCE"
	local list=$cache/go-${mod//\//_}.list
	fetch "https://proxy.golang.org/$mod/@v/list" "$list"
	tmp=$(mktemp)
	for v in $(grep -v -- - "$list" | sort -V | tail -n "$n"); do
		zip=$cache/go-${mod//\//_}-$v.zip
		fetch "https://proxy.golang.org/$mod/@v/$v.zip" "$zip"
		: >"$tmp"
		unzip -p "$zip" "$mod@$v/$path" >"$tmp" 2>/dev/null || true
		keep "$chain.tmp" "$v" "$tmp"
	done
	rm -f "$tmp"
	mv "$out/$chain.tmp" "$out/$chain"
}

if [[ $set_ == big ]]; then
	for lang in ru de uk pl nl es fr it pt-br ca cs hu sv da; do
		npm_chain "dictionary-$lang" "dictionary-$lang" index.dic 6
	done
fi

if [[ $set_ != big ]]; then
# Russian: ENB's documentation, bem-core's changelog and migration guide, the
# Russian Hunspell dictionary (3.4 MB).
npm_chain enb-readme-ru enb README.md 28
npm_chain enb-changelog-ru enb CHANGELOG.md 28
npm_chain bem-core-changelog-ru bem-core CHANGELOG.ru.md 6
npm_chain bem-core-migration-ru bem-core MIGRATION.ru.md 6
npm_chain dictionary-ru dictionary-ru index.dic 5
# German dictionary (1.1 MB).
npm_chain dictionary-de dictionary-de index.dic 8
# English documentation and changelogs.
npm_chain express-history express History.md 30
npm_chain express-readme express Readme.md 30
npm_chain commander-changelog commander CHANGELOG.md 30
npm_chain commander-readme commander Readme.md 30
npm_chain uuid-readme uuid README.md 25
npm_chain yargs-changelog yargs CHANGELOG.md 25
npm_chain semver-readme semver README.md 25
npm_chain chalk-readme chalk readme.md 25
npm_chain bem-xjst-changelog bem-xjst CHANGELOG.md 30
npm_chain rxjs-changelog rxjs CHANGELOG.md 20
npm_chain eslint-readme eslint README.md 25
npm_chain async-changelog async CHANGELOG.md 20
go_chain gin-changelog github.com/gin-gonic/gin CHANGELOG.md 25
go_chain gin-readme github.com/gin-gonic/gin README.md 25
go_chain logrus-readme github.com/sirupsen/logrus README.md 20
go_chain cobra-readme github.com/spf13/cobra README.md 20
fi

chains=0 versions=0 big=0
for d in "$out"/*/; do
	[[ -f $d/SOURCE ]] || continue
	chains=$((chains + 1))
	versions=$((versions + $(find "$d" -name '*.txt' | wc -l)))
	big=$((big + $(find "$d" -name '*.txt' -size +1024k | wc -l)))
done
log "corpus in $out: $chains chains, $versions versions, $big over 1 MB"
