# corpus-git.sh — sourced by the corpus scripts that rebuild versioned texts
# from public git histories (corpus-legal.sh, corpus-hunt.sh).

log() { printf '==> %s\n' "$*" >&2; }

# corpus_gitdir MIRROR CACHE REPO [CLONE-OPTION...]: a local git directory
# holding REPO's history: a copy under MIRROR (MIRROR/<owner>+<name>/repo,
# .git or bare) when MIRROR is set and has one, otherwise a bare clone from
# GitHub kept in CACHE (made once, with the clone options given).
corpus_gitdir() {
	local m=$1 cache=$2 repo=$3 d
	shift 3
	if [[ -n $m ]]; then
		for d in "$m/${repo/\//+}/repo" "$m/${repo/\//+}.git" "$m/${repo/\//+}"; do
			if git --git-dir="$d" rev-parse -q --verify HEAD >/dev/null 2>&1; then
				echo "$d"
				return
			fi
		done
	fi
	d=$cache/${repo/\//+}.git
	if ! git --git-dir="$d" rev-parse -q --verify HEAD >/dev/null 2>&1; then
		log "cloning https://github.com/$repo"
		rm -rf "$d"
		mkdir -p "$cache"
		git clone -q --bare "$@" "https://github.com/$repo" "$d"
	fi
	echo "$d"
}

# corpus_md_text GITDIR COMMIT PATH [SKIP]: the .md files under PATH at
# COMMIT (but the one whose path is SKIP) in tree order, each followed by a
# blank line: the same commit always gives the same bytes.
corpus_md_text() {
	local g=$1 c=$2 p=$3 skip=${4:-}
	git --git-dir="$g" -c core.quotePath=false ls-tree -r "$c" -- "$p" |
		awk -F'\t' -v skip="$skip" '$2 ~ /\.md$/ && $2 != skip { split($1, f, " "); print f[3] }' |
		git --git-dir="$g" cat-file --batch |
		perl -e 'binmode STDIN; binmode STDOUT;
			while (my $h = <STDIN>) {
				my (undef, undef, $size) = split " ", $h;
				read(STDIN, my $b, $size) == $size or die "short read";
				getc(STDIN);
				$b .= "\n" unless $b =~ /\n\z/;
				print $b, "\n";
			}'
}
