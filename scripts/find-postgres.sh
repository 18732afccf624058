#!/usr/bin/env bash
# Finds a PostgreSQL server for the store tests and prints the URL of a database from which they
# may create their own (one line on stdout; everything else goes to stderr).
#
#   scripts/find-postgres.sh [--throwaway]   find (or start) a server, print its URL
#   scripts/find-postgres.sh --stop DIR      stop a throwaway cluster started before, remove DIR
#
# In order: ACIKKAPI_PG_URL or DATABASE_URL (if set it must answer: it is what was asked for);
# else a server on 127.0.0.1:5432 (trusted local users postgres or root); else a throwaway cluster:
# initdb in a temporary directory, its own port on 127.0.0.1, run as the `postgres` user when
# this runs as root (PostgreSQL refuses to run as root), with trust authentication for local
# connections only. PostgreSQL's binaries are looked for in /usr/lib/postgresql/*/bin and on PATH;
# when missing and running as root, Debian's `postgresql` package is installed with apt-get.
# --throwaway skips the first two steps. When a cluster was started, its directory is printed on
# stderr and written to the file named by ACIKKAPI_PG_CLUSTER_FILE (if set), for --stop.
# Exit status 1 when no server could be found or started.
set -euo pipefail

log() { printf 'find-postgres: %s\n' "$*" >&2; }

answers() { # URL: the server answers a query there
  command -v psql >/dev/null 2>&1 || return 1
  PGCONNECT_TIMEOUT=3 psql "$1" -XAtqc 'SELECT 1' >/dev/null 2>&1
}

as_postgres() { # COMMAND...: run as the postgres user when root, else as is
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

if [ "${1:-}" = --stop ]; then
  dir=${2:?usage: find-postgres.sh --stop DIR}
  [ -f "$dir/ACIKKAPI_THROWAWAY" ] || { log "$dir is not a throwaway cluster of this script"; exit 1; }
  bin=$(cat "$dir/bindir")
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  log "stopped and removed the throwaway cluster in $dir"
  exit 0
fi

throwaway=false
[ "${1:-}" = --throwaway ] && throwaway=true

if ! $throwaway; then
  for var in ACIKKAPI_PG_URL DATABASE_URL; do
    url=${!var:-}
    if [ -n "$url" ]; then
      if answers "$url"; then
        log "using $var"
        printf '%s\n' "$url"
        exit 0
      fi
      log "$var is set but the server does not answer there"
      exit 1
    fi
  done
  for user in postgres root; do
    url="postgres://$user@127.0.0.1:5432/postgres"
    if answers "$url"; then
      log "using the server on 127.0.0.1:5432 as $user"
      printf '%s\n' "$url"
      exit 0
    fi
  done
  log "no server on 127.0.0.1:5432; starting a throwaway cluster"
fi

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { printf '%s\n' "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

if ! bindir=$(find_bindir); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "PostgreSQL is not installed: installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bindir=$(find_bindir) || { log "postgresql installed but initdb not found"; exit 1; }
  else
    log "PostgreSQL is not installed (initdb not found) and this is not root with apt-get"
    exit 1
  fi
fi

if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  log "creating the postgres system user"
  useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local port=$((54320 + RANDOM % 1000))
  for _ in $(seq 1 200); do
    port_free "$port" && break
    port=$((port + 1))
  done
  printf '%s\n' "$port"
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/acikkapi-pg.XXXXXX")
touch "$dir/ACIKKAPI_THROWAWAY"
printf '%s\n' "$bindir" >"$dir/bindir"
[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
as_postgres "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; log "initdb failed"; rm -rf "$dir"; exit 1; }
# Another cluster (a test running beside this one) may take the free port between the check and
# the start: then try another one.
started=false
for _ in 1 2 3 4 5; do
  port=$(free_port)
  as_postgres sh -c ': >"$1"' sh "$dir/server.log"
  if as_postgres "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null; then
    started=true
    break
  fi
  grep -q "could not bind\|could not create any TCP/IP sockets" "$dir/server.log" || break
  log "port $port was taken meanwhile; trying another"
done
$started || { cat "$dir/server.log" >&2; log "the server did not start"; rm -rf "$dir"; exit 1; }
[ -n "${ACIKKAPI_PG_CLUSTER_FILE:-}" ] && printf '%s\n' "$dir" >"$ACIKKAPI_PG_CLUSTER_FILE"
log "throwaway cluster (PostgreSQL $("$bindir/postgres" --version | awk '{print $3}')) in $dir on port $port"
printf 'postgres://postgres@127.0.0.1:%s/postgres\n' "$port"
