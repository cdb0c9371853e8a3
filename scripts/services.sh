# shellcheck shell=bash
# Sourced by scripts/test.sh (and other scripts): installs what is missing and
# starts a private PostgreSQL cluster and MinIO server on free loopback ports in
# a temporary folder. Call services_start, then services_stop (trap it).

MINIO_VERSION="github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
REDLINE_TOOLS="${REDLINE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/redline/bin}"

log() { printf '==> %s\n' "$*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$(( (RANDOM << 1 | RANDOM & 1) % 20000 + 30000 ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	echo "no free port found" >&2
	return 1
}

# pg_bindir prints the folder holding initdb and pg_ctl, installing
# PostgreSQL from the distribution's packages when there is none.
pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
		dirname "$(command -v initdb)"
		return 0
	fi
	log "PostgreSQL is not installed: installing it from the distribution's packages"
	as_root apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	echo "PostgreSQL installation did not provide initdb" >&2
	return 1
}

# minio_bin prints the path of the pinned MinIO server, building it once
# into the tools folder (outside the checkout, so fresh clones reuse it).
minio_bin() {
	local bin="$REDLINE_TOOLS/minio" stamp="$REDLINE_TOOLS/minio.version"
	if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$MINIO_VERSION" ]; then
		echo "$bin"
		return 0
	fi
	mkdir -p "$REDLINE_TOOLS"
	# One build at a time: several checkouts on one machine share the folder.
	(
		command -v flock >/dev/null && flock 9
		if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$MINIO_VERSION" ]; then
			exit 0
		fi
		log "building the MinIO server ($MINIO_VERSION) into $REDLINE_TOOLS (once; a few minutes)"
		GOBIN="$REDLINE_TOOLS" GOFLAGS= go install "$MINIO_VERSION" >&2
		echo "$MINIO_VERSION" >"$stamp"
	) 9>"$REDLINE_TOOLS/.build.lock" || return 1
	echo "$bin"
}

# chromium_bin prints the path of Debian's Chromium for the browser tests,
# installing it from the distribution's packages when it is missing.
chromium_bin() {
	local p
	for p in /usr/bin/chromium /usr/bin/chromium-browser; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	log "Chromium is not installed: installing it from the distribution's packages"
	as_root apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >&2
	for p in /usr/bin/chromium /usr/bin/chromium-browser; do
		[ -x "$p" ] && { echo "$p"; return 0; }
	done
	echo "Chromium installation did not provide /usr/bin/chromium" >&2
	return 1
}

# debian_tool makes sure the program name, from Debian's package pkg, is on
# PATH for the tests that run it as a real client (ssh-keygen checks the
# adoption signatures, xmllint the Akoma Ntoso files), installing the
# package when it is missing.
debian_tool() {
	local name=$1 pkg=$2
	command -v "$name" >/dev/null && return 0
	log "$name is not installed: installing Debian's $pkg"
	as_root apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$pkg" >&2
	command -v "$name" >/dev/null || { echo "$pkg did not provide $name" >&2; return 1; }
}

# debian_python_module makes sure Debian's python3 (/usr/bin/python3, which
# a pyenv or virtualenv python3 earlier on PATH does not replace) can import
# module, from Debian's package pkg, for the tests that run it as a real
# server (aiosmtpd receives the notification mails), installing the
# package when it is missing.
debian_python_module() {
	local module=$1 pkg=$2
	/usr/bin/python3 -c "import $module" 2>/dev/null && return 0
	log "Python's $module is not installed: installing Debian's $pkg"
	as_root apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$pkg" >&2
	/usr/bin/python3 -c "import $module" || { echo "$pkg did not provide the Python module $module" >&2; return 1; }
}

# run_pg runs a PostgreSQL program as the postgres user when we are root
# (initdb and pg_ctl refuse to run as root).
run_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

services_start() {
	SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/redline-test.XXXXXX")
	chmod 755 "$SERVICES_DIR"

	local bindir pgport
	bindir=$(pg_bindir)
	pgport=$(free_port)
	mkdir -p "$SERVICES_DIR/pg" "$SERVICES_DIR/pgsock"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
		chown postgres "$SERVICES_DIR/pg" "$SERVICES_DIR/pgsock"
	fi
	log "starting PostgreSQL on 127.0.0.1:$pgport ($bindir)"
	run_pg "$bindir/initdb" --data-checksums -D "$SERVICES_DIR/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$SERVICES_DIR/initdb.log" 2>&1 ||
		{ cat "$SERVICES_DIR/initdb.log" >&2; return 1; }
	run_pg "$bindir/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/postgres.log" -w -t 60 \
		-o "-p $pgport -c listen_addresses=127.0.0.1 -k $SERVICES_DIR/pgsock -c max_connections=300 -c fsync=on" start >&2 ||
		{ cat "$SERVICES_DIR/pg/postgres.log" >&2; return 1; }
	PG_BINDIR=$bindir
	export REDLINE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable"

	local mbin mport cport
	mbin=$(minio_bin)
	mport=$(free_port)
	cport=$(free_port)
	export REDLINE_TEST_MINIO_ACCESS_KEY=redline-test
	export REDLINE_TEST_MINIO_SECRET_KEY="redline-test-$RANDOM$RANDOM"
	export REDLINE_TEST_MINIO_ENDPOINT="127.0.0.1:$mport"
	export REDLINE_TEST_MINIO_BIN="$mbin"
	log "starting MinIO on $REDLINE_TEST_MINIO_ENDPOINT"
	MINIO_ROOT_USER=$REDLINE_TEST_MINIO_ACCESS_KEY MINIO_ROOT_PASSWORD=$REDLINE_TEST_MINIO_SECRET_KEY \
		MINIO_BROWSER=off MINIO_UPDATE=off \
		"$mbin" server --quiet --address "127.0.0.1:$mport" --console-address "127.0.0.1:$cport" \
		"$SERVICES_DIR/minio" >"$SERVICES_DIR/minio.log" 2>&1 &
	MINIO_PID=$!
	local i
	for i in $(seq 1 120); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null; then break; fi
		kill -0 "$MINIO_PID" 2>/dev/null || { cat "$SERVICES_DIR/minio.log" >&2; return 1; }
		sleep 0.25
	done
	REDLINE_TEST_CHROMIUM=$(chromium_bin)
	export REDLINE_TEST_CHROMIUM
	# Real clients for what Redline writes: OpenSSH (adoption signatures),
	# xmllint (Akoma Ntoso, ODF), pandoc, LibreOffice and poppler (.docx, .odt, .pdf).
	debian_tool ssh-keygen openssh-client
	debian_tool xmllint libxml2-utils
	debian_tool pandoc pandoc
	debian_tool soffice libreoffice-writer-nogui
	debian_tool pdftotext poppler-utils
	debian_tool pdffonts poppler-utils
	debian_python_module aiosmtpd python3-aiosmtpd
	export REDLINE_TEST_REQUIRE_SERVICES=1
}

services_stop() {
	if [ -n "${MINIO_PID:-}" ]; then
		kill "$MINIO_PID" 2>/dev/null && wait "$MINIO_PID" 2>/dev/null
		MINIO_PID=
	fi
	if [ -n "${PG_BINDIR:-}" ] && [ -d "${SERVICES_DIR:-}/pg/data" ]; then
		run_pg "$PG_BINDIR/pg_ctl" -D "$SERVICES_DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
		PG_BINDIR=
	fi
	if [ -n "${SERVICES_DIR:-}" ]; then
		rm -rf "$SERVICES_DIR"
		SERVICES_DIR=
	fi
}
