#!/usr/bin/env bash
# A Redline cluster on one machine, as plain processes on loopback ports:
# MinIO distributed over 4 nodes (2 drives each, one erasure set of 8),
# a PostgreSQL primary with a synchronous streaming standby, 3 Redline
# instances, and HAProxy in front of the instances (health-checked on
# /readyz) and of the MinIO nodes (on /minio/health/live).
#
#   scripts/cluster.sh [--dir DIR] up [--instances N]   start everything, print addresses and credentials
#   scripts/cluster.sh [--dir DIR] down [--keep]         stop everything by PID; remove DIR unless --keep
#   scripts/cluster.sh [--dir DIR] status                what runs, where, in which role
#   scripts/cluster.sh [--dir DIR] kill NODE             SIGKILL one node: minio1..4, redline1..N, pg1, pg2, haproxy
#   scripts/cluster.sh [--dir DIR] start NODE            start a stopped node again (a PostgreSQL node in the role it had)
#   scripts/cluster.sh [--dir DIR] promote               make the standby the primary (after the primary died)
#   scripts/cluster.sh [--dir DIR] rejoin NODE           rebuild a dead PostgreSQL node as the new primary's synchronous standby
#   scripts/cluster.sh [--dir DIR] env                   print the cluster's variables (source it: eval "$(scripts/cluster.sh env)")
#
# DIR defaults to $REDLINE_CLUSTER_DIR, else ${TMPDIR:-/tmp}/redline-cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/services.sh

DIR="${REDLINE_CLUSTER_DIR:-${TMPDIR:-/tmp}/redline-cluster}"
while [ $# -gt 0 ]; do
	case "$1" in
	--dir) DIR=$2; shift 2 ;;
	--dir=*) DIR=${1#--dir=}; shift ;;
	*) break ;;
	esac
done
CMD=${1:-}
[ $# -gt 0 ] && shift
ENVFILE="$DIR/cluster.env"
RUN="$DIR/run"

die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# need_deb installs a Debian package when the command it provides is missing.
need_deb() { # command package
	command -v "$1" >/dev/null && return 0
	log "$1 is not installed: installing $2 from the distribution's packages"
	as_root apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$2" >&2
	command -v "$1" >/dev/null || die "installing $2 did not provide $1"
}

# pick_ports sets PORTS to N distinct free loopback ports.
pick_ports() {
	PORTS=()
	local p seen=" "
	while [ "${#PORTS[@]}" -lt "$1" ]; do
		p=$(free_port)
		case "$seen" in *" $p "*) continue ;; esac
		seen="$seen$p "
		PORTS+=("$p")
	done
}

load_env() {
	[ -f "$ENVFILE" ] || die "no cluster in $DIR (run: scripts/cluster.sh --dir $DIR up)"
	# shellcheck disable=SC1090
	. "$ENVFILE"
}

pidfile() { echo "$RUN/$1.pid"; }

# node_pid prints the PID of a running node, or nothing.
node_pid() {
	local pid=""
	case "$1" in
	pg1 | pg2) [ -f "$DIR/$1/data/postmaster.pid" ] && pid=$(head -1 "$DIR/$1/data/postmaster.pid") ;;
	*) [ -f "$(pidfile "$1")" ] && pid=$(cat "$(pidfile "$1")") ;;
	esac
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# spawn NAME LOG CMD...: start CMD in its own session (so a terminal's ^C or
# the caller exiting does not take it down), its PID in run/NAME.pid.
spawn() {
	local name=$1 logf=$2
	shift 2
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$(pidfile "$name")" "$@" </dev/null >>"$logf" 2>&1 &
	local i
	for i in $(seq 1 50); do
		[ -s "$(pidfile "$name")" ] && return 0
		sleep 0.05
	done
	die "$name did not start"
}

# wait_http URL [SECONDS] [PID]: wait until URL answers 200.
wait_http() {
	local url=$1 secs=${2:-60} pid=${3:-} i
	for i in $(seq 1 $((secs * 4))); do
		[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
		sleep 0.25
	done
	return 1
}

# --- PostgreSQL -------------------------------------------------------------

# pg_title is the node's cluster_name, which its processes carry in their
# titles ("postgres: pg1-34567: checkpointer"), unique per cluster.
pg_title() { echo "$1-$(pg_port "$1")"; }
# pg_leftovers prints the PIDs of a node's server processes still running.
pg_leftovers() { pgrep -u postgres -f "^postgres: $(pg_title "$1"): " 2>/dev/null || true; }
pg_port() { if [ "$1" = pg1 ]; then echo "$PG1_PORT"; else echo "$PG2_PORT"; fi; }
pg_other() { if [ "$1" = pg1 ]; then echo pg2; else echo pg1; fi; }
psql_on() { # node sql...
	local node=$1
	shift
	run_pg "$PG_BINDIR/psql" -X -q -At -h 127.0.0.1 -p "$(pg_port "$node")" -U postgres -d postgres "$@"
}

# pg_conf writes the node's own settings (everything that differs between
# nodes), included from postgresql.conf. synchronous_standby_names is not
# here: it is set with ALTER SYSTEM on whichever node is primary.
pg_conf() {
	local node=$1
	cat >"$DIR/$node/data/cluster.conf" <<EOF
port = $(pg_port "$node")
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/$node/sock'
max_connections = 200
fsync = on
synchronous_commit = on
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '256MB'
hot_standby = on
wal_log_hints = on
cluster_name = '$(pg_title "$node")'
EOF
	grep -q "^include_if_exists = 'cluster.conf'" "$DIR/$node/data/postgresql.conf" ||
		echo "include_if_exists = 'cluster.conf'" >>"$DIR/$node/data/postgresql.conf"
	chown -R postgres "$DIR/$node" 2>/dev/null || true
}

pg_start() {
	local node=$1
	run_pg "$PG_BINDIR/pg_ctl" -D "$DIR/$node/data" -l "$DIR/$node/postgres.log" -w -t 60 start >/dev/null ||
		{ tail -20 "$DIR/$node/postgres.log" >&2; die "PostgreSQL $node did not start"; }
}

pg_mkdirs() {
	rm -rf "$DIR/$1"
	mkdir -p "$DIR/$1/sock"
	if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$DIR/$1"; fi
}

# pg_standby_of NODE PRIMARY: NODE becomes a streaming standby of PRIMARY
# (a fresh base backup), then PRIMARY waits for it on every commit.
pg_standby_of() {
	local node=$1 primary=$2
	pg_mkdirs "$node"
	run_pg "$PG_BINDIR/pg_basebackup" -D "$DIR/$node/data" -R -X stream --checkpoint=fast \
		-d "host=127.0.0.1 port=$(pg_port "$primary") user=postgres application_name=$node" >"$DIR/$node/basebackup.log" 2>&1 ||
		{ cat "$DIR/$node/basebackup.log" >&2; die "pg_basebackup of $node from $primary failed"; }
	# The copy carries the primary's ALTER SYSTEM settings: a standby must
	# not wait for standbys of its own once it is promoted.
	sed -i '/^synchronous_standby_names/d' "$DIR/$node/data/postgresql.auto.conf"
	pg_conf "$node"
	pg_start "$node"
	psql_on "$primary" -c "ALTER SYSTEM SET synchronous_standby_names = '$node'" -c "SELECT pg_reload_conf()" >/dev/null
	local i state=""
	for i in $(seq 1 120); do
		state=$(psql_on "$primary" -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$node'" 2>/dev/null || true)
		[ "$state" = sync ] && return 0
		sleep 0.25
	done
	die "$node is not a synchronous standby of $primary (state '$state')"
}

pg_up() {
	pg_mkdirs pg1
	run_pg "$PG_BINDIR/initdb" --data-checksums -D "$DIR/pg1/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$DIR/pg1/initdb.log" 2>&1 || { cat "$DIR/pg1/initdb.log" >&2; die "initdb failed"; }
	pg_conf pg1
	pg_start pg1
	psql_on pg1 -c "CREATE DATABASE redline" >/dev/null
	echo pg1 >"$DIR/pg.primary"
	pg_standby_of pg2 pg1
}

# --- MinIO ------------------------------------------------------------------

minio_start() {
	local n=$1 port cport
	port=$(eval echo "\$MINIO${n}_PORT")
	cport=$(eval echo "\$MINIO${n}_CONSOLE_PORT")
	# _MINIO_SERVER_LOCAL: in a container (/.dockerenv present) MinIO waits
	# for 127.0.0.1 to "resolve to a valid IP" before it believes an
	# endpoint is its own; this names the node's own endpoint. Elsewhere it
	# is not read.
	# shellcheck disable=SC2086
	spawn "minio$n" "$DIR/minio$n.log" env _MINIO_SERVER_LOCAL="127.0.0.1:$port" \
		MINIO_ROOT_USER="$MINIO_ACCESS_KEY" MINIO_ROOT_PASSWORD="$MINIO_SECRET_KEY" \
		MINIO_CI_CD=1 MINIO_BROWSER=off MINIO_UPDATE=off \
		"$MINIO_BIN" server --quiet --address "127.0.0.1:$port" --console-address "127.0.0.1:$cport" $MINIO_ENDPOINTS
}

minio_up() {
	local n
	for n in 1 2 3 4; do minio_start "$n"; done
	# /minio/health/cluster answers 200 once the erasure set has write quorum.
	wait_http "http://127.0.0.1:$MINIO1_PORT/minio/health/cluster" 120 ||
		{ tail -20 "$DIR/minio1.log" >&2; die "MinIO did not form its cluster"; }
}

# --- HAProxy and Redline ----------------------------------------------------

haproxy_conf() {
	local i
	{
		cat <<EOF
global
	maxconn 4000
	stats socket $DIR/haproxy.sock mode 600 level admin
	log stderr format short local0 warning

defaults
	mode http
	log global
	option dontlognull
	timeout connect 1s
	timeout client 60s
	timeout server 60s
	timeout http-request 10s
	timeout queue 5s
	# A request that could not reach its server (connection refused: the
	# server died) is sent to another one; a request a server received is
	# never resent, since a POST may have taken effect.
	retries 3
	retry-on conn-failure
	option redispatch 1

frontend redline
	bind 127.0.0.1:$LB_PORT
	option forwardfor
	default_backend redline

backend redline
	balance roundrobin
	option httpchk GET /readyz
	http-check expect status 200
	default-server inter 500ms fall 2 rise 2
EOF
		for i in $(seq 1 "$INSTANCES"); do
			echo "	server redline$i 127.0.0.1:$(eval echo "\$REDLINE${i}_PORT") check"
		done
		cat <<EOF

frontend s3
	bind 127.0.0.1:$S3_PORT
	default_backend minio

backend minio
	balance leastconn
	option httpchk GET /minio/health/live
	http-check expect status 200
	default-server inter 500ms fall 2 rise 2
EOF
		for i in 1 2 3 4; do
			echo "	server minio$i 127.0.0.1:$(eval echo "\$MINIO${i}_PORT") check"
		done
		cat <<EOF

listen stats
	bind 127.0.0.1:$STATS_PORT
	stats enable
	stats uri /
	stats refresh 2s
EOF
	} >"$DIR/haproxy.cfg"
}

haproxy_start() {
	haproxy -c -q -f "$DIR/haproxy.cfg" || die "haproxy.cfg is not valid"
	spawn haproxy "$DIR/haproxy.log" haproxy -db -f "$DIR/haproxy.cfg"
}

redline_start() {
	local n=$1 port pid
	port=$(eval echo "\$REDLINE${n}_PORT")
	mkdir -p "$DIR/redline$n"
	spawn "redline$n" "$DIR/redline$n.log" env $(cat "$DIR/redline.env") REDLINE_ADDR="127.0.0.1:$port" \
		REDLINE_DATA_DIR="$DIR/redline$n" "$REDLINE_BIN" serve
	pid=$(cat "$(pidfile "redline$n")")
	wait_http "http://127.0.0.1:$port/readyz" 60 "$pid" || { tail -20 "$DIR/redline$n.log" >&2; die "redline$n is not ready"; }
}

redline_cli() { env $(cat "$DIR/redline.env") REDLINE_DATA_DIR="$DIR/redline1" "$REDLINE_BIN" "$@"; }

# --- commands ---------------------------------------------------------------

cmd_up() {
	local instances=3
	while [ $# -gt 0 ]; do
		case "$1" in
		--instances) instances=$2; shift 2 ;;
		*) die "up: unknown argument $1" ;;
		esac
	done
	case "$instances" in [1-9]) ;; *) die "--instances must be 1 to 9" ;; esac
	if [ -f "$ENVFILE" ]; then
		die "a cluster is already in $DIR (scripts/cluster.sh --dir $DIR down first)"
	fi
	if [ -d "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then
		die "$DIR exists and is not empty: give an empty or new folder"
	fi
	need_deb haproxy haproxy
	need_deb curl curl
	mkdir -p "$DIR" "$DIR/run"
	chmod 755 "$DIR"
	DIR=$(cd "$DIR" && pwd)
	RUN="$DIR/run"
	ENVFILE="$DIR/cluster.env"
	# down removes only a folder carrying this mark.
	echo "a Redline cluster made by scripts/cluster.sh" >"$DIR/.redline-cluster"
	UP_DONE=false
	trap 'if ! $UP_DONE; then echo "cluster: up failed; stopping what started (logs kept in $DIR)" >&2; cmd_down --keep >&2 || true; fi' EXIT

	INSTANCES=$instances
	PG_BINDIR=$(pg_bindir)
	MINIO_BIN=$(minio_bin)
	pick_ports $((2 + 8 + instances + 3))
	PG1_PORT=${PORTS[0]} PG2_PORT=${PORTS[1]}
	local i k=2 eps=""
	for i in 1 2 3 4; do
		eval "MINIO${i}_PORT=${PORTS[$k]} MINIO${i}_CONSOLE_PORT=${PORTS[$((k + 1))]}"
		k=$((k + 2))
	done
	for i in $(seq 1 "$instances"); do
		eval "REDLINE${i}_PORT=${PORTS[$k]}"
		k=$((k + 1))
	done
	LB_PORT=${PORTS[$k]} S3_PORT=${PORTS[$((k + 1))]} STATS_PORT=${PORTS[$((k + 2))]}
	for i in 1 2 3 4; do
		for k in 1 2; do eps="$eps http://127.0.0.1:$(eval echo "\$MINIO${i}_PORT")$DIR/minio$i/disk$k"; done
	done
	MINIO_ENDPOINTS=${eps# }
	MINIO_ACCESS_KEY=redline
	MINIO_SECRET_KEY="redline-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	ADMIN_LOGIN=admin
	ADMIN_PASSWORD="admin-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
	DATABASE_URL="postgres://postgres@127.0.0.1:$PG1_PORT,127.0.0.1:$PG2_PORT/redline?sslmode=disable&target_session_attrs=read-write&connect_timeout=3"
	REDLINE_BIN="$DIR/bin/redline"
	local v
	{
		for v in DIR INSTANCES PG_BINDIR MINIO_BIN REDLINE_BIN PG1_PORT PG2_PORT MINIO_ENDPOINTS MINIO_ACCESS_KEY \
			MINIO_SECRET_KEY LB_PORT S3_PORT STATS_PORT DATABASE_URL ADMIN_LOGIN ADMIN_PASSWORD; do
			printf '%s=%q\n' "$v" "${!v}"
		done
		for i in 1 2 3 4; do printf 'MINIO%s_PORT=%s\nMINIO%s_CONSOLE_PORT=%s\n' "$i" "$(eval echo "\$MINIO${i}_PORT")" "$i" "$(eval echo "\$MINIO${i}_CONSOLE_PORT")"; done
		for i in $(seq 1 "$instances"); do printf 'REDLINE%s_PORT=%s\n' "$i" "$(eval echo "\$REDLINE${i}_PORT")"; done
	} >"$ENVFILE"
	# What every instance and the CLI run with (no spaces in any value).
	cat >"$DIR/redline.env" <<EOF
REDLINE_DATABASE_URL=$DATABASE_URL
REDLINE_S3_ENDPOINT=127.0.0.1:$S3_PORT
REDLINE_S3_ACCESS_KEY=$MINIO_ACCESS_KEY
REDLINE_S3_SECRET_KEY=$MINIO_SECRET_KEY
REDLINE_S3_BUCKET=redline-drafts
REDLINE_TRUSTED_PROXIES=127.0.0.1
REDLINE_BASE_URL=http://127.0.0.1:$LB_PORT
REDLINE_LOG_LEVEL=warn
EOF
	chmod 600 "$ENVFILE" "$DIR/redline.env"

	log "building redline into $REDLINE_BIN"
	mkdir -p "$DIR/bin"
	(cd "$ROOT" && go build -o "$REDLINE_BIN" ./cmd/redline)
	log "starting PostgreSQL: primary pg1 on 127.0.0.1:$PG1_PORT, synchronous standby pg2 on 127.0.0.1:$PG2_PORT"
	pg_up
	log "starting MinIO on 4 nodes (8 drives, one erasure set)"
	minio_up
	log "starting HAProxy: Redline on 127.0.0.1:$LB_PORT, MinIO on 127.0.0.1:$S3_PORT"
	haproxy_conf
	haproxy_start
	wait_http "http://127.0.0.1:$S3_PORT/minio/health/live" 30 || die "HAProxy does not reach MinIO"
	log "migrating and creating the administrator"
	redline_cli migrate >/dev/null
	printf '%s\n' "$ADMIN_PASSWORD" | redline_cli user add "$ADMIN_LOGIN" --name "Администратор" --admin >/dev/null
	ADMIN_TOKEN=$(redline_cli token create "$ADMIN_LOGIN" --label cluster)
	printf 'ADMIN_TOKEN=%q\n' "$ADMIN_TOKEN" >>"$ENVFILE"
	log "starting $instances Redline instances"
	for i in $(seq 1 "$instances"); do redline_start "$i"; done
	wait_http "http://127.0.0.1:$LB_PORT/readyz" 30 || die "the balancer does not reach Redline"
	UP_DONE=true
	load_env
	cmd_summary
}

cmd_summary() {
	local i
	cat <<EOF

Redline cluster in $DIR

  Redline (through HAProxy)   http://127.0.0.1:$LB_PORT
EOF
	for i in $(seq 1 "$INSTANCES"); do
		printf '    instance redline%s        http://127.0.0.1:%s\n' "$i" "$(eval echo "\$REDLINE${i}_PORT")"
	done
	cat <<EOF
  administrator               login $ADMIN_LOGIN, password $ADMIN_PASSWORD
  API token                   $ADMIN_TOKEN
  MinIO (through HAProxy)     127.0.0.1:$S3_PORT   access key $MINIO_ACCESS_KEY, secret key $MINIO_SECRET_KEY
    nodes                     127.0.0.1:$MINIO1_PORT 127.0.0.1:$MINIO2_PORT 127.0.0.1:$MINIO3_PORT 127.0.0.1:$MINIO4_PORT
  PostgreSQL                  $DATABASE_URL
                              (user postgres, trusted on 127.0.0.1; primary $(cat "$DIR/pg.primary"))
  HAProxy statistics          http://127.0.0.1:$STATS_PORT/
  logs                        $DIR/*.log

  The CLI on the cluster:     env \$(cat $DIR/redline.env) $REDLINE_BIN verify
  Stop it:                    scripts/cluster.sh --dir $DIR down
EOF
}

# stop_pid PID NAME: TERM, then KILL after 10 s; wait until it is gone.
stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "cluster: $2 (PID $pid) does not die" >&2
	return 1
}

all_nodes() {
	local i
	echo haproxy
	for i in $(seq 1 "${INSTANCES:-9}"); do echo "redline$i"; done
	echo minio1 minio2 minio3 minio4 pg1 pg2 | tr ' ' '\n'
}

cmd_down() {
	local keep=false
	[ "${1:-}" = --keep ] && keep=true
	[ -f "$DIR/.redline-cluster" ] || { echo "cluster: no cluster in $DIR"; return 0; }
	if [ -f "$ENVFILE" ]; then . "$ENVFILE"; fi
	local node pid left=0
	for node in $(all_nodes); do
		pid=$(node_pid "$node")
		if [ -n "$pid" ]; then
			case "$node" in
			pg1 | pg2) run_pg "${PG_BINDIR:-$(pg_bindir)}/pg_ctl" -D "$DIR/$node/data" -m fast -w -t 20 stop >/dev/null 2>&1 || true ;;
			esac
			stop_pid "$pid" "$node" || left=1
		fi
		rm -f "$(pidfile "$node")"
		# A killed postmaster's children exit by themselves; wait for them.
		case "$node" in
		pg1 | pg2)
			[ -n "${PG1_PORT:-}" ] || continue
			for pid in $(pg_leftovers "$node"); do stop_pid "$pid" "$node" || left=1; done ;;
		esac
	done
	[ "$left" = 0 ] || die "some processes did not stop; $DIR kept"
	if $keep; then
		echo "cluster: stopped; data and logs kept in $DIR (down again to remove them)"
	else
		rm -rf "$DIR"
		echo "cluster: stopped and removed $DIR"
	fi
}

cmd_status() {
	load_env
	local node pid role extra
	printf '%-10s %-8s %-22s %s\n' NODE PID ADDRESS STATE
	for node in $(all_nodes); do
		pid=$(node_pid "$node")
		extra=""
		case "$node" in
		haproxy) addr="127.0.0.1:$LB_PORT" ;;
		redline*) addr="127.0.0.1:$(eval echo "\$REDLINE${node#redline}_PORT")"
			[ -n "$pid" ] && extra="readyz $(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$addr/readyz")" ;;
		minio*) addr="127.0.0.1:$(eval echo "\$MINIO${node#minio}_PORT")" ;;
		pg*) addr="127.0.0.1:$(pg_port "$node")"
			if [ -n "$pid" ]; then
				role=$(psql_on "$node" -c "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null || echo "?")
				extra=$role
				if [ "$role" = primary ]; then
					extra="$extra, standbys: $(psql_on "$node" -c "SELECT coalesce(string_agg(application_name || ' ' || sync_state, ', '), 'none') FROM pg_stat_replication" 2>/dev/null)"
				fi
			fi ;;
		esac
		if [ -n "$pid" ]; then
			printf '%-10s %-8s %-22s %s\n' "$node" "$pid" "$addr" "running${extra:+, $extra}"
		else
			printf '%-10s %-8s %-22s %s\n' "$node" - "$addr" "stopped"
		fi
	done
	echo
	echo "HAProxy's view (server, status):"
	curl -s -m 5 "http://127.0.0.1:$STATS_PORT/;csv" 2>/dev/null | awk -F, '$1 ~ /^(redline|minio)$/ && $2 !~ /^(FRONTEND|BACKEND)$/ {printf "  %-8s %s\n", $2, $18}'
}

check_node() {
	case "$1" in
	haproxy | pg1 | pg2 | minio[1-4]) ;;
	redline[1-9]) [ "${1#redline}" -le "$INSTANCES" ] || die "no node $1" ;;
	*) die "no node '$1' (haproxy, redline1..$INSTANCES, minio1..4, pg1, pg2)" ;;
	esac
}

cmd_kill() {
	load_env
	local node=${1:-} pid i
	check_node "$node"
	pid=$(node_pid "$node")
	[ -n "$pid" ] || die "$node is not running"
	kill -9 "$pid"
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	case "$node" in
	pg1 | pg2)
		# The postmaster's children notice it is gone and exit; make sure
		# none is left holding the port or the shared memory.
		for i in $(seq 1 100); do
			[ -z "$(pg_leftovers "$node")" ] && break
			sleep 0.05
		done
		;;
	*) rm -f "$(pidfile "$node")" ;;
	esac
	echo "cluster: killed $node (PID $pid)"
}

cmd_start() {
	load_env
	local node=${1:-}
	check_node "$node"
	[ -z "$(node_pid "$node")" ] || die "$node is already running"
	case "$node" in
	haproxy) haproxy_start ;;
	redline*) redline_start "${node#redline}" ;;
	minio*)
		minio_start "${node#minio}"
		# Back when it serves again (it has rejoined the erasure set).
		wait_http "http://127.0.0.1:$(eval echo "\$MINIO${node#minio}_PORT")/minio/health/cluster/read" 120 "$(node_pid "$node")" ||
			{ tail -20 "$DIR/$node.log" >&2; die "$node did not come back"; } ;;
	pg*)
		if [ "$(cat "$DIR/pg.primary")" != "$node" ] && [ ! -f "$DIR/$node/data/standby.signal" ]; then
			die "$node was a primary and another node has been promoted since: starting it would make two primaries (use: rejoin $node)"
		fi
		pg_start "$node" ;;
	esac
	echo "cluster: started $node"
}

cmd_promote() {
	load_env
	local primary standby
	primary=$(cat "$DIR/pg.primary")
	standby=$(pg_other "$primary")
	[ -z "$(node_pid "$primary")" ] || die "the primary $primary is still running: stop it first (kill $primary), or two primaries would take writes"
	[ -n "$(node_pid "$standby")" ] || die "the standby $standby is not running"
	run_pg "$PG_BINDIR/pg_ctl" -D "$DIR/$standby/data" -w -t 60 promote >/dev/null
	echo "$standby" >"$DIR/pg.primary"
	echo "cluster: promoted $standby to primary; it has no standby now (rejoin $primary to get one)"
}

cmd_rejoin() {
	load_env
	local node=${1:-} primary
	case "$node" in pg1 | pg2) ;; *) die "rejoin: pg1 or pg2" ;; esac
	primary=$(cat "$DIR/pg.primary")
	[ "$node" != "$primary" ] || die "$node is the primary"
	[ -z "$(node_pid "$node")" ] || die "$node is running: kill it first"
	[ -n "$(node_pid "$primary")" ] || die "the primary $primary is not running"
	pg_standby_of "$node" "$primary"
	echo "cluster: $node is the synchronous standby of $primary again"
}

cmd_env() {
	load_env
	cat "$ENVFILE"
}

case "$CMD" in
up) cmd_up "$@" ;;
down) cmd_down "$@" ;;
status) cmd_status ;;
kill) cmd_kill "$@" ;;
start) cmd_start "$@" ;;
promote) cmd_promote ;;
rejoin) cmd_rejoin "$@" ;;
env) cmd_env ;;
*) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
