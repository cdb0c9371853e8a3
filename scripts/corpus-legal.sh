#!/usr/bin/env bash
# corpus-legal.sh — build a corpus of real legal texts of 1–4 MB with their
# history, for scripts/bench-diff.sh: whole French codes (or one part of a
# code) as published in public git repositories where every amendment is a
# commit and every article a Markdown file. Nobody here wrote them.
#
# One version of a code is the concatenation of its articles' files at one
# commit, in the tree's (byte) order of their paths, each followed by a blank
# line: the same commit always gives the same bytes. For each chain the newest
# commits that touched the code are taken in order, a version outside 1–4 MB
# or equal to the previous one is skipped (the walk stops at the first under
# 1 MB), and the rest land in
# OUT/<chain>/NNNN.txt, oldest first, with OUT/<chain>/SOURCE naming the
# repository, the path and each version's commit.
#
# Usage: scripts/corpus-legal.sh [OUT]   (default $HOME/.cache/redline/corpus-legal)
#   LEGAL_VERSIONS=N        versions per chain (default 5; a chain gives N−1 pairs)
#   REDLINE_LEGAL_MIRROR=D  a folder of local copies of the repositories, as
#                           D/<owner>+<name>/repo or D/<owner>+<name>.git
#                           (e.g. /work/.mirror); otherwise each repository is
#                           cloned once from GitHub into
#                           $HOME/.cache/redline/corpus-legal-git.
# Never commit the texts: they are rebuilt from their public source.
set -euo pipefail
. "$(dirname "$0")/corpus-git.sh"

out=${1:-$HOME/.cache/redline/corpus-legal}
versions=${LEGAL_VERSIONS:-5}
gitcache=${REDLINE_LEGAL_GIT_CACHE:-$HOME/.cache/redline/corpus-legal-git}
mkdir -p "$out"


# The chains: name, repository, path inside it ("." for the whole tree).
chains=(
	"fr-code-civil steeve/france.code-civil ."
	"fr-code-du-travail-leg etalab/codes-juridiques-francais codes-en-vigueur/code-du-travail/partie-legislative"
	"fr-cgct-leg etalab/codes-juridiques-francais codes-en-vigueur/code-general-des-collectivites-territoriales/partie-legislative"
	"fr-cgi-livre1 etalab/codes-juridiques-francais codes-en-vigueur/code-general-des-impots-cgi/livre-premier"
	"fr-commerce-leg etalab/codes-juridiques-francais codes-en-vigueur/code-de-commerce/partie-legislative"
)

gitdir() { corpus_gitdir "${REDLINE_LEGAL_MIRROR:-}" "$gitcache" "$1"; }

# text GITDIR COMMIT PATH: the code at COMMIT, its .md files (but a
# repository's top README.md) in tree order, each followed by a blank line.
text() { corpus_md_text "$1" "$2" "$3" README.md; }

for spec in "${chains[@]}"; do
	read -r name repo path <<<"$spec"
	[[ -f $out/$name/SOURCE ]] && continue
	g=$(gitdir "$repo")
	log "$name: https://github.com/$repo $path (newest $versions versions of 1–4 MB)"
	tmp=$out/$name.tmp
	rm -rf "$tmp" && mkdir -p "$tmp"
	head=$(git --git-dir="$g" rev-parse HEAD)
	printf 'https://github.com/%s %s (HEAD %s)\n' "$repo" "$path" "$head" >"$tmp/SOURCE"
	n=0
	# Newest first; the kept versions are renumbered oldest first below.
	while read -r c && ((n < versions)); do
		text "$g" "$c" "$path" >"$tmp/candidate"
		size=$(stat -c %s "$tmp/candidate")
		# Going back in time a code shrinks: below 1 MB, older ones are too.
		((size >= 1 << 20)) || break
		((size <= 4 << 20)) || continue
		if ((n > 0)) && cmp -s "$tmp/candidate" "$(printf '%s/v%04d' "$tmp" "$n")"; then
			continue
		fi
		n=$((n + 1))
		mv "$tmp/candidate" "$(printf '%s/v%04d' "$tmp" "$n")"
		echo "$c $size" >"$(printf '%s/v%04d.commit' "$tmp" "$n")"
	done < <(git --git-dir="$g" rev-list --first-parent HEAD -- "$path")
	rm -f "$tmp/candidate"
	for ((k = 1; k <= n; k++)); do
		v=$(printf '%s/v%04d' "$tmp" $((n + 1 - k)))
		mv "$v" "$(printf '%s/%04d.txt' "$tmp" "$k")"
		echo "$(printf '%04d' "$k") $(cat "$v.commit")" >>"$tmp/SOURCE"
		rm "$v.commit"
	done
	mv "$tmp" "$out/$name"
done

pairs=0
for d in "$out"/*/; do
	k=$(find "$d" -name '*.txt' | wc -l)
	((k > 1)) && pairs=$((pairs + k - 1))
done
log "legal corpus in $out: $pairs pairs"
