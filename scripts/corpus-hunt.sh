#!/usr/bin/env bash
# corpus-hunt.sh — build a second corpus of real versioned documents, from
# the git histories of public repositories (terms of service and privacy
# policies archived by Open Terms Archive, web standards, Python PEPs, the
# Russian JavaScript tutorial and React documentation), to hunt for wrong clean merges on texts the
# engine was not tuned on. Nobody here wrote them.
#
# A "file" chain is one file across the newest N commits that touched it
# (along first parents, so that each version descends from the one before); a
# "tree" chain is the concatenation of the .md files under a path at each of
# the newest N such commits touching it (each file followed by a blank line, in
# tree order; over 1 MB for the Russian tutorial and React docs). Versions land in
# OUT/<chain>/NNNN.txt, oldest first (a version equal to the previous one
# is skipped), with OUT/<chain>/SOURCE naming the repository, the path and
# each version's commit: the layout of scripts/corpus-registry.sh, so
#   REDLINE_CORPUS=OUT go test -count=1 -run TestRealCorpus ./internal/textdiff/
# checks it (round trips, Merge3 against C and git merge-file).
#
# Usage: scripts/corpus-hunt.sh [OUT]   (default $HOME/.cache/redline/corpus-hunt)
#   HUNT_VERSIONS=N        the newest N commits of every file chain (default 30,
#                          20 for Roblox; tree chains keep theirs)
#   REDLINE_HUNT_MIRROR=D  a folder of local bare copies, as D/<owner>+<name>/repo
#                          or D/<owner>+<name>.git (e.g. /work/.mirror); otherwise
#                          each repository is cloned once (bare, blobs on demand)
#                          into $HOME/.cache/redline/corpus-hunt-git.
# Never commit the texts: they are rebuilt from their public source.
set -euo pipefail
. "$(dirname "$0")/corpus-git.sh"

out=${1:-$HOME/.cache/redline/corpus-hunt}
gitcache=${REDLINE_HUNT_GIT_CACHE:-$HOME/.cache/redline/corpus-hunt-git}
mkdir -p "$out"


# The chains: name, kind (file or tree), repository, versions, path.
chains=(
	"ota-adsense-tos file OpenTermsArchive/contrib-versions 30 AdSense/Terms of Service.md"
	"ota-twitter-guidelines file OpenTermsArchive/contrib-versions 30 Twitter/Community Guidelines.md"
	"ota-cdiscount-terms file OpenTermsArchive/contrib-versions 30 Cdiscount/Commercial Terms.md"
	"ota-wikimedia-tos file OpenTermsArchive/contrib-versions 30 Wikimedia Foundation/Terms of Service.md"
	"ota-zoom-tos file OpenTermsArchive/contrib-versions 30 Zoom/Terms of Service.md"
	"ota-disqus-privacy file OpenTermsArchive/contrib-versions 30 Disqus/Privacy Policy.md"
	"ota-ccm-tos file OpenTermsArchive/contrib-versions 30 CommentCaMarche/Terms of Service.md"
	"ota-googleplay-review file OpenTermsArchive/contrib-versions 30 Google Play/Review Guidelines.md"
	"ota-tiktok-guidelines file OpenTermsArchive/contrib-versions 30 TikTok/Community Guidelines.md"
	"ota-facebook-privacy file OpenTermsArchive/contrib-versions 30 Facebook/Privacy Policy.md"
	"ota-booking-privacy file OpenTermsArchive/contrib-versions 30 Booking.com/Privacy Policy.md"
	"ota-binance-tos file OpenTermsArchive/contrib-versions 30 Binance/Terms of Service.md"
	"ota-roblox-tos file OpenTermsArchive/contrib-versions 20 Roblox/Terms of Service.md"
	"ota-bershka-cgv file OpenTermsArchive/france-versions 30 Bershka/General Conditions of Sale.md"
	"ota-cdiscount-cgv file OpenTermsArchive/france-versions 30 Cdiscount/General Conditions of Sale.md"
	"ota-printemps-privacy file OpenTermsArchive/france-versions 30 Printemps/Privacy Policy.md"
	"ota-transavia-privacy file OpenTermsArchive/france-versions 30 Transavia/Privacy Policy.md"
	"ota-airfrance-carriage file OpenTermsArchive/france-versions 30 Air France/Conditions of Carriage.md"
	"ota-uber-tos file OpenTermsArchive/france-versions 30 Uber/Terms of Service.md"
	"ota-wikipedia-tos file OpenTermsArchive/contrib-versions 30 Wikipedia/Terms of Service.md"
	"ota-ccm-privacy file OpenTermsArchive/contrib-versions 30 CommentCaMarche/Privacy Policy.md"
	"ota-merchant-aup file OpenTermsArchive/contrib-versions 30 Google Merchant Center/Acceptable Use Policy.md"
	"ota-allstate-privacy file OpenTermsArchive/contrib-versions 30 Allstate/Privacy Policy.md"
	"ota-coindesk-editorial file OpenTermsArchive/contrib-versions 30 Coindesk/Editorial Policy.md"
	"ota-wetransfer-privacy file OpenTermsArchive/contrib-versions 30 WeTransfer/Privacy Policy.md"
	"ota-ikea-privacy file OpenTermsArchive/contrib-versions 30 Ikea/Privacy Policy.md"
	"ota-wikimedia-privacy file OpenTermsArchive/contrib-versions 30 Wikimedia Foundation/Privacy Policy.md"
	"ota-dailymail-tos file OpenTermsArchive/contrib-versions 30 Daily Mail/Terms of Service.md"
	"ota-googlemaps-terms file OpenTermsArchive/contrib-versions 30 Google Maps/Developer Terms.md"
	"ota-bershka-privacy file OpenTermsArchive/france-versions 30 Bershka/Privacy Policy.md"
	"ota-printemps-cgv file OpenTermsArchive/france-versions 30 Printemps/General Conditions of Sale.md"
	"ota-brice-cgv file OpenTermsArchive/france-versions 30 Brice/General Conditions of Sale.md"
	"ota-transavia-carriage file OpenTermsArchive/france-versions 30 Transavia/Conditions of Carriage.md"
	"ota-backmarket-tos file OpenTermsArchive/france-versions 30 BackMarket/Terms of Service.md"
	"ota-austrian-privacy file OpenTermsArchive/france-versions 30 Austrian Airlines AG/Privacy Policy.md"
	"ota-facebook-tos file OpenTermsArchive/pga-versions 30 Facebook/Terms of Service.md"
	"ota-facebook-law-enforcement file OpenTermsArchive/pga-versions 30 Facebook/Law Enforcement Guidelines.md"
	"whatwg-dom file whatwg/dom 30 dom.bs"
	"whatwg-fetch file whatwg/fetch 30 fetch.bs"
	"pep-0008 file python/peps 30 pep-0008.txt"
	"pep-0101 file python/peps 30 pep-0101.txt"
	"pep-0484 file python/peps 30 pep-0484.txt"
	"pep-0572 file python/peps 30 pep-0572.rst"
	"ru-js-string file javascript-tutorial/ru.javascript.info 30 1-js/05-data-types/03-string/article.md"
	"ru-js-recursion file javascript-tutorial/ru.javascript.info 30 1-js/06-advanced-functions/01-recursion/article.md"
	"ru-js-class-inheritance file javascript-tutorial/ru.javascript.info 30 1-js/09-classes/02-class-inheritance/article.md"
	"ru-js-object-methods file javascript-tutorial/ru.javascript.info 30 1-js/04-object-basics/04-object-methods/article.md"
	"ru-js-types file javascript-tutorial/ru.javascript.info 30 1-js/02-first-steps/05-types/article.md"
	"ru-js-array-methods file javascript-tutorial/ru.javascript.info 30 1-js/05-data-types/05-array-methods/article.md"
	"ru-js-book tree javascript-tutorial/ru.javascript.info 8 1-js"
	"ru-js-ui tree javascript-tutorial/ru.javascript.info 15 2-ui"
	"ota-instagram-tos file OpenTermsArchive/pga-versions 30 Instagram/Terms of Service.md"
	"ota-instagram-guidelines file OpenTermsArchive/pga-versions 30 Instagram/Community Guidelines.md"
	"ota-instagram-law-enforcement file OpenTermsArchive/pga-versions 30 Instagram/Law Enforcement Guidelines.md"
	"ota-facebook-dpa file OpenTermsArchive/pga-versions 30 Facebook/Data Processor Agreement.md"
	"ota-threads-tos file OpenTermsArchive/pga-versions 30 Threads/Terms of Service.md"
	"ota-facebook-live file OpenTermsArchive/pga-versions 30 Facebook/Live Policy.md"
	"ota-linkedin-guidelines file OpenTermsArchive/pga-versions 30 LinkedIn/Community Guidelines.md"
	"ru-react-hooks-faq file reactjs/ru.react.dev 30 content/docs/hooks-faq.md"
	"ru-react-hooks-reference file reactjs/ru.react.dev 30 content/docs/hooks-reference.md"
	"ru-react-tutorial file reactjs/ru.react.dev 30 content/tutorial/tutorial.md"
	"ru-react-design-principles file reactjs/ru.react.dev 30 content/docs/design-principles.md"
	"ru-react-code-splitting file reactjs/ru.react.dev 30 content/docs/code-splitting.md"
	"ru-react-learn tree reactjs/ru.react.dev 10 src/content/learn"
	"ru-react-reference tree reactjs/ru.react.dev 10 src/content/reference"
)

gitdir() { corpus_gitdir "${REDLINE_HUNT_MIRROR:-}" "$gitcache" "$1" --filter=blob:none; }

# tree GITDIR COMMIT PATH: the .md files under PATH at COMMIT in tree order,
# each followed by a blank line.
tree() { corpus_md_text "$1" "$2" "$3"; }

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for spec in "${chains[@]}"; do
	read -r name kind repo n path <<<"$spec"
	[[ $kind == file ]] && n=${HUNT_VERSIONS:-$n}
	dir=$out/$name
	[[ -f $dir/SOURCE ]] && continue
	log "$name: $repo $path ($kind, newest $n commits)"
	g=$(gitdir "$repo")
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	printf 'git %s %s %s\n' "$repo" "$kind" "$path" >"$dir.tmp/SOURCE"
	k=0
	for c in $(git --git-dir="$g" log --first-parent --format=%H -n "$n" HEAD -- "$path" | tac); do
		if [[ $kind == tree ]]; then
			tree "$g" "$c" "$path" >"$tmp"
		else
			git --git-dir="$g" show "$c:$path" >"$tmp" 2>/dev/null || : >"$tmp"
		fi
		[[ -s $tmp ]] || continue
		last=$(printf '%s/%04d.txt' "$dir.tmp" "$k")
		if ((k > 0)) && cmp -s "$tmp" "$last"; then
			continue
		fi
		k=$((k + 1))
		cp "$tmp" "$(printf '%s/%04d.txt' "$dir.tmp" "$k")"
		echo "$c" >>"$dir.tmp/SOURCE"
	done
	mv "$dir.tmp" "$dir"
done

chains_=0 versions=0 big=0 triples=0
for d in "$out"/*/; do
	[[ -f $d/SOURCE ]] || continue
	v=$(find "$d" -name '*.txt' | wc -l)
	chains_=$((chains_ + 1))
	versions=$((versions + v))
	triples=$((triples + (v > 2 ? v - 2 : 0)))
	big=$((big + $(find "$d" -name '*.txt' -size +1024k | wc -l)))
done
log "hunt corpus in $out: $chains_ chains, $versions versions ($big over 1 MB), $triples triples"
