# Shared by scripts/run, scripts/stop, scripts/test, scripts/reload-templates and
# the end-to-end tests, so that all of them start Loket the same way.
# shellcheck shell=bash

LOKET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOKET_BUILD=${LOKET_BUILD:-$LOKET_ROOT/build}
LOKET_BIN=$LOKET_BUILD/bin

# Debian 12 packages Loket needs to build, run and test.
LOKET_PACKAGES="build-essential cmake pkg-config libpoco-dev libfcgi-dev libfcgi-bin libboost-test-dev
  libsqlite3-dev sqlite3 nginx multiwatch spawn-fcgi curl python3 tzdata procps
  unixodbc-dev odbc-postgresql postgresql"

say() { printf '%s\n' "$*" >&2; }

loket_install_packages() {
    local missing=()
    for p in $LOKET_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the system nginx on install; Loket runs its own instance.
}

loket_build() {
    cmake -S "$LOKET_ROOT" -B "$LOKET_BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$LOKET_BUILD" -j "$(nproc)" >/dev/null
}

# loket_prepare_home HOME: config (if missing), ledger at the current schema.
# Never wipes anything: an existing config and ledger are kept as they are.
loket_prepare_home() {
    local home=$1
    mkdir -p "$home/run" "$home/log" "$home/nginx"
    chmod 0755 "$home" "$home/run" "$home/nginx"
    if [ ! -f "$home/loket.properties" ]; then
        sed "s|@SQL_DIR@|$LOKET_ROOT/sql|" "$LOKET_ROOT/scripts/loket.properties.in" >"$home/loket.properties"
    fi
    [ -f "$home/templates-version.conf" ] ||
        echo "fastcgi_param LOKET_TEMPLATES_VERSION 1;" >"$home/templates-version.conf"
    "$LOKET_BIN/loketctl" --config "$home/loket.properties" init >/dev/null
}

loket_config_value() { # HOME KEY DEFAULT
    local v
    v=$(sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1/loket.properties" | tail -n 1)
    printf '%s' "${v:-$3}"
}

loket_socket() { # HOME
    local s
    s=$(loket_config_value "$1" pool.socket run/loket.sock)
    case $s in /*) ;; *) s=$1/$s ;; esac
    printf '%s' "$s"
}

# loket_start_pool HOME: the supervised worker pool (spawn-fcgi + multiwatch,
# which replaces a worker that dies).  Its pid goes to HOME/run/pool.pid.
loket_start_pool() {
    local home=$1 workers socket
    workers=$(loket_config_value "$home" pool.workers 4)
    socket=$(loket_socket "$home")
    mkdir -p "$(dirname "$socket")"
    setsid spawn-fcgi -n -s "$socket" -M 0666 -- /usr/bin/multiwatch -f "$workers" -- \
        "$LOKET_BIN/loket-fcgi" --config "$home/loket.properties" >>"$home/log/pool.log" 2>&1 &
    echo $! >"$home/run/pool.pid"
}

# loket_nginx_conf HOME PORT: HOME/nginx/conf from the shipped snippets.
loket_nginx_conf() {
    local home=$1 port=$2 prefix=$1/nginx socket
    socket=$(loket_socket "$home")
    mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/tmp"
    for f in loket-http.conf loket-server.conf loket-fastcgi.conf; do
        sed -e "s|unix:/run/loket/loket.sock|unix:$socket|" \
            -e "s|/etc/loket/nginx/|$prefix/conf/|" \
            -e "s|/etc/loket/templates-version.conf|$home/templates-version.conf|" \
            -e "s|/var/log/nginx/|$prefix/logs/|" \
            "$LOKET_ROOT/nginx/$f" >"$prefix/conf/$f"
    done
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" "$LOKET_ROOT/nginx/standalone.conf.in" >"$prefix/conf/nginx.conf"
}

loket_nginx() { # HOME [nginx args...]
    local prefix=$1/nginx
    shift
    nginx -p "$prefix" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log" "$@"
}

loket_start_nginx() { # HOME PORT
    loket_nginx_conf "$1" "$2"
    loket_nginx "$1" -t -q
    loket_nginx "$1"
}

# loket_wait_ready PORT: until the service answers (any one-line reply).
loket_wait_ready() {
    for _ in $(seq 1 100); do
        if curl -fs "http://127.0.0.1:$1/V1/http-get/balance" 2>/dev/null | grep -q 'GAGAL'; then
            return 0
        fi
        sleep 0.1
    done
    say "Loket did not answer on 127.0.0.1:$1"
    return 1
}

loket_stop() { # HOME
    local home=$1 pid
    if [ -f "$home/nginx/nginx.pid" ]; then
        loket_nginx "$home" -s quit 2>/dev/null || true
        for _ in $(seq 1 50); do [ -f "$home/nginx/nginx.pid" ] || break; sleep 0.1; done
    fi
    if [ -f "$home/run/pool.pid" ]; then
        pid=$(cat "$home/run/pool.pid")
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$home/run/pool.pid"
    fi
}
