# Shared by scripts/run, scripts/stop, scripts/test, scripts/reload-templates and
# the end-to-end tests, so that all of them start Loket the same way.
# shellcheck shell=bash

LOKET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOKET_BUILD=${LOKET_BUILD:-$LOKET_ROOT/build}
LOKET_BIN=$LOKET_BUILD/bin

# Debian 12 packages Loket needs to build, run and test.  The ODBC client
# side is always built in; the PostgreSQL server is installed only where it
# runs: by scripts/test (the _pg suites) and by scripts/run when the home's
# config uses database.connector = odbc.
LOKET_PACKAGES="build-essential cmake pkg-config libpoco-dev libfcgi-dev libfcgi-bin libboost-test-dev
  libsqlite3-dev sqlite3 nginx multiwatch spawn-fcgi curl python3 tzdata procps
  unixodbc-dev odbc-postgresql libpcre3-dev libssl-dev clang libclang-rt-14-dev"
LOKET_PG_SERVER_PACKAGES="postgresql"

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

# loket_server_packages HOME: the database server packages HOME's config
# needs on this host: PostgreSQL's for database.connector = odbc, else none.
loket_server_packages() {
    local connector=sqlite
    [ -f "$1/loket.properties" ] && connector=$(loket_config_value "$1" database.connector sqlite)
    case ${connector,,} in odbc) printf '%s\n' "$LOKET_PG_SERVER_PACKAGES" ;; esac
    return 0
}

# loket_build: configure and build.  The first build (no binaries yet) shows
# cmake's progress lines; later ones are quiet.  A failure prints the end of
# the build's output (the whole of it is in BUILD/build.log).
# loket_build: the build itself runs with umask 0022 (the binaries and the
# build tree are for every local user, e.g. loketctl run as another user);
# only the files Loket creates at run time are closed (umask 0007 below).
loket_build() {
    ( umask 0022; loket_build_tree )
}

loket_build_tree() {
    local log=$LOKET_BUILD/build.log first=no
    mkdir -p "$LOKET_BUILD"
    [ -x "$LOKET_BIN/loketctl" ] && [ -x "$LOKET_BIN/loket-fcgi" ] || first=yes
    [ "$first" = yes ] && say "building Loket in $LOKET_BUILD (the first build takes a few minutes)"
    if ! cmake -S "$LOKET_ROOT" -B "$LOKET_BUILD" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        say "cmake could not configure the build (see $log)"
        return 1
    fi
    local status=0
    if [ "$first" = yes ]; then
        # Callers run with pipefail: the pipeline fails when the build does.
        if ! cmake --build "$LOKET_BUILD" -j "$(nproc)" 2>&1 | tee -a "$log" |
            sed -n -u 's/^\[ *\([0-9]*%\)\] Built target \(.*\)/  \1 built \2/p' >&2; then
            status=1
        fi
    else
        cmake --build "$LOKET_BUILD" -j "$(nproc)" >>"$log" 2>&1 || status=$?
    fi
    if [ "$status" -ne 0 ]; then
        grep -E 'error|Error' "$log" | tail -n 20 >&2 || true
        say "the build failed (see $log)"
        return 1
    fi
    [ "$first" = yes ] && say "build done"
    return 0
}

# Files Loket creates (the ledger and its WAL, logs, the key) are not for
# other local users: the ledger holds sealed secrets and every balance.
umask 0007

# The group nginx's workers run as, given the pool's socket (mode 0660): when
# scripts/run runs as root, its nginx runs its workers as LOKET_NGINX_USER.
LOKET_NGINX_USER=${LOKET_NGINX_USER:-www-data}
loket_socket_owner_opts() {
    if [ "$(id -u)" -eq 0 ]; then
        printf -- '-G %s' "$(id -gn "$LOKET_NGINX_USER")"
    fi
}

# loket_prepare_home HOME: config (if missing), ledger at the current schema.
# Never wipes anything: an existing config and ledger are kept as they are.
loket_prepare_home() {
    local home=$1
    mkdir -p "$home/run" "$home/log" "$home/nginx"
    chmod 0755 "$home" "$home/run" "$home/nginx"
    chmod 0770 "$home/log"
    if [ ! -f "$home/loket.properties" ]; then
        sed "s|@SQL_DIR@|$LOKET_ROOT/sql|" "$LOKET_ROOT/scripts/loket.properties.in" >"$home/loket.properties"
        # A demo home sells through the built-in sim biller; a production
        # config (docs/operations.md) never has this line.
        printf '\n# Demo home (scripts/run): the built-in sim biller serves.\nbiller.sim.enabled = true\n' \
            >>"$home/loket.properties"
    fi
    [ -f "$home/templates-version.conf" ] ||
        echo "fastcgi_param LOKET_TEMPLATES_VERSION 1;" >"$home/templates-version.conf"
    "$LOKET_BIN/loketctl" --config "$home/loket.properties" init >/dev/null
    # A ledger made before umask 0007 (or copied in) closes to other users too.
    chmod o-rwx "$home/loket.properties" "$home"/ledger.db* 2>/dev/null || true
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
# which replaces a worker that dies).  Its pid goes to HOME/run/pool.pid; it
# leads its own process group (setsid), which its workers share, so that
# loket_stop_group reaches them even after the supervisor died.
loket_start_pool() {
    local home=$1 workers socket
    workers=$(loket_config_value "$home" pool.workers 4)
    socket=$(loket_socket "$home")
    mkdir -p "$(dirname "$socket")"
    # shellcheck disable=SC2046
    setsid spawn-fcgi -n -s "$socket" -M 0660 $(loket_socket_owner_opts) -- /usr/bin/multiwatch -f "$workers" -- \
        "$LOKET_BIN/loket-fcgi" --config "$home/loket.properties" >>"$home/log/pool.log" 2>&1 &
    echo $! >"$home/run/pool.pid"
}

# loket_nginx_conf HOME PORT: HOME/nginx/conf from the shipped snippets.
loket_nginx_conf() {
    local home=$1 port=$2 prefix=$1/nginx socket
    socket=$(loket_socket "$home")
    mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/tmp"
    for f in loket-http.conf loket-server.conf loket-fastcgi.conf loket-site.conf; do
        sed -e "s|unix:/run/loket/loket.sock|unix:$socket|" \
            -e "s|/etc/loket/nginx/|$prefix/conf/|" \
            -e "s|/etc/loket/templates-version.conf|$home/templates-version.conf|" \
            -e "s|/var/log/nginx/|$prefix/logs/|" \
            "$LOKET_ROOT/nginx/$f" >"$prefix/conf/$f"
    done
    local user="# (not root: the workers run as this user)"
    [ "$(id -u)" -eq 0 ] && user="user $LOKET_NGINX_USER;"
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" -e "s|@USER@|$user|" \
        "$LOKET_ROOT/nginx/standalone.conf.in" >"$prefix/conf/nginx.conf"
}

loket_nginx() { # HOME [nginx args...]
    local prefix=$1/nginx zone
    # nginx keeps TZ from its environment: its access log ($time_local) then
    # shows the zone of Loket's request log (clock.timezone).
    zone=$(loket_config_value "$1" clock.timezone Asia/Jakarta)
    shift
    TZ=$zone nginx -p "$prefix" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log" "$@"
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

# What loket_stop and loket_stop_group stopped, one entry each ("nginx (pid 12)").
LOKET_STOPPED=()

# loket_stopped_text: LOKET_STOPPED as one phrase ("nothing" when empty).
loket_stopped_text() {
    local out="" s
    for s in "${LOKET_STOPPED[@]}"; do out+="${out:+, }$s"; done
    printf '%s' "${out:-nothing}"
}

# loket_group_alive PGID: true when a process of the group PGID is alive and
# belongs to Loket (its command line names a loket.properties): a stale pid
# file whose number now belongs to someone else's group is left alone.
loket_group_alive() {
    pgrep -g "$1" -f 'loket\.properties' >/dev/null 2>&1
}

# loket_group_members PGID: the live processes of the group, one pid a line
# (zombies left for an init that does not reap them do not count).
loket_group_members() {
    ps -o pid=,stat= -g "$1" 2>/dev/null | awk '$2 !~ /^Z/ { print $1 }'
}

# loket_stop_group PIDFILE NAME [SECONDS]: stops the process group led by the
# pid in PIDFILE (a supervisor started with setsid, and everything it
# started), even when the supervisor itself has died: TERM to the whole group,
# then after SECONDS (default 10) KILL.  Removes PIDFILE.  One supervised
# process more is one more call of this in loket_stop.
loket_stop_group() {
    local pidfile=$1 name=$2 limit=${3:-10} pid count
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if [ -n "$pid" ] && loket_group_alive "$pid"; then
        count=$(loket_group_members "$pid" | wc -l)
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 $((limit * 10))); do
            [ -n "$(loket_group_members "$pid")" ] || break
            sleep 0.1
        done
        if [ -n "$(loket_group_members "$pid")" ]; then
            say "$name (process group $pid) still running after ${limit}s; killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        LOKET_STOPPED+=("$name (process group $pid, $count processes)")
    fi
    rm -f "$pidfile"
}

# loket_running HOME: what of HOME is running now, one line each (nginx, pool, dispatcher), or nothing.
loket_running() {
    local home=$1 pid
    pid=$(cat "$home/nginx/nginx.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null && echo "nginx (pid $pid)"
    pid=$(cat "$home/run/pool.pid" 2>/dev/null) && loket_group_alive "$pid" && echo "worker pool (pid $pid)"
    pid=$(cat "$home/run/dispatch.pid" 2>/dev/null) && loket_group_alive "$pid" && echo "dispatcher (pid $pid)"
    return 0
}

# loket_start_dispatcher HOME: loket-dispatch, restarted by scripts/supervise
# whenever it exits.  The supervisor's pid goes to HOME/run/dispatch.pid, the
# dispatcher's own to HOME/run/dispatch.child.pid.
loket_start_dispatcher() {
    local home=$1
    setsid "$LOKET_ROOT/scripts/supervise" "$home/run/dispatch.child.pid" \
        "$LOKET_BIN/loket-dispatch" --config "$home/loket.properties" >>"$home/log/dispatch.log" 2>&1 </dev/null &
    echo $! >"$home/run/dispatch.pid"
}

# loket_stop_dispatcher HOME: it finishes the calls in flight first (at most
# the longest biller timeout), so it gets 30 s before the KILL.
loket_stop_dispatcher() {
    loket_stop_group "$1/run/dispatch.pid" dispatcher 30
    rm -f "$1/run/dispatch.child.pid"
}

loket_stop() { # HOME
    local home=$1 pid
    if [ -f "$home/nginx/nginx.pid" ]; then
        pid=$(cat "$home/nginx/nginx.pid")
        if kill -0 "$pid" 2>/dev/null; then
            loket_nginx "$home" -s quit 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            LOKET_STOPPED+=("nginx (pid $pid)")
        fi
        rm -f "$home/nginx/nginx.pid"
    fi
    loket_stop_group "$home/run/pool.pid" "worker pool"
    loket_stop_dispatcher "$home"
}

# ---------------------------------------------------------------------------
# Operations: scripts/reload-templates and scripts/scale (docs/operations.md).

# The multiwatch options of pools started by scripts/scale: a worker that
# dies after living 0.5 s is always replaced (by default multiwatch gives a
# slot up after 4 deaths each within 10 s of its start).  A worker that cannot
# start sleeps 1 s first, so a broken config is retried once a second.
LOKET_MULTIWATCH_OPTS=${LOKET_MULTIWATCH_OPTS:-"-r 3 -t 500"}

# loket_set_config_value HOME KEY VALUE: sets KEY in HOME/loket.properties,
# replacing the line(s) that set it, or appending one.
loket_set_config_value() {
    local file=$1/loket.properties key=$2 value=$3 tmp re
    re=${2//./\\.}
    tmp=$(mktemp "$file.XXXXXX")
    if grep -q "^[[:space:]]*${re}[[:space:]]*=" "$file"; then
        sed "s|^\([[:space:]]*${re}[[:space:]]*=[[:space:]]*\).*|\1$value|" "$file" >"$tmp"
    else
        { cat "$file"; printf '%s = %s\n' "$key" "$value"; } >"$tmp"
    fi
    chmod --reference="$file" "$tmp" 2>/dev/null || true
    mv -f "$tmp" "$file"
}

# loket_pool_pid HOME: the pid of the running pool (multiwatch), or nothing.
loket_pool_pid() {
    local pid
    [ -f "$1/run/pool.pid" ] || return 1
    pid=$(cat "$1/run/pool.pid")
    kill -0 "$pid" 2>/dev/null || return 1
    printf '%s' "$pid"
}

# loket_pool_size PID: how many workers the pool PID has now.
loket_pool_size() {
    pgrep -P "$1" | wc -l
}

# loket_start_pool_on HOME SOCKET WORKERS PIDFILE: a supervised pool like
# loket_start_pool's, on SOCKET with WORKERS workers; its pid goes to PIDFILE.
loket_start_pool_on() {
    local home=$1 socket=$2 workers=$3 pidfile=$4
    mkdir -p "$(dirname "$socket")"
    # shellcheck disable=SC2086,SC2046
    setsid spawn-fcgi -n -s "$socket" -M 0660 $(loket_socket_owner_opts) -- /usr/bin/multiwatch -f "$workers" $LOKET_MULTIWATCH_OPTS -- \
        "$LOKET_BIN/loket-fcgi" --config "$home/loket.properties" >>"$home/log/pool.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
}

# loket_fcgi_probe SOCKET: true when a worker on SOCKET answers a request
# (a balance request without credentials: "SALDO GAGAL, ..."), sent without nginx.
loket_fcgi_probe() {
    env -i PATH=/usr/bin:/bin REQUEST_METHOD=GET DOCUMENT_URI=/V1/http-get/balance QUERY_STRING= \
        SERVER_PROTOCOL=HTTP/1.1 timeout 5 cgi-fcgi -bind -connect "$1" </dev/null 2>/dev/null | grep -q 'GAGAL'
}

# loket_listen_queue PID: connections waiting to be accepted on the listening
# socket that PID holds on fd 0 (0 when it holds none).
loket_listen_queue() {
    local inode
    inode=$(readlink "/proc/$1/fd/0" 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
    [ -n "$inode" ] || { echo 0; return; }
    ss -xlnH 2>/dev/null | awk -v ino="$inode" '$(NF-2) == ino { print $3; found = 1 } END { if (!found) print 0 }'
}

# loket_stop_pool PID [SECONDS]: stops a pool gracefully: multiwatch passes
# the signal on and every worker finishes the request in hand first.  After
# SECONDS (default 90) what is left is killed.
loket_stop_pool() {
    local pid=$1 limit=${2:-90} workers
    workers=$(pgrep -P "$pid" | tr '\n' ' ')
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 $((limit * 10))); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    say "pool $pid still running after ${limit}s; killing it"
    # shellcheck disable=SC2086
    kill -KILL "$pid" $workers 2>/dev/null || true
}

# loket_nginx_workers MASTER_PID: the master's worker pids.
loket_nginx_workers() {
    pgrep -P "$1" | tr '\n' ' '
}

# loket_nginx_reload_wait MASTER_PID OLD_WORKER_PIDS...: waits (10 s at most)
# until the reload took effect: every old worker has gone or is "shutting
# down" (it accepts nothing new and only finishes what it has), so every new
# request meets the new configuration.
loket_nginx_reload_wait() {
    local master=$1 pending title
    shift
    for _ in $(seq 1 100); do
        pending=no
        for w in "$@"; do
            [ -r "/proc/$w/cmdline" ] || continue
            title=$(tr '\0' ' ' <"/proc/$w/cmdline" 2>/dev/null) || continue
            case $title in *"shutting down"*) ;; *nginx*) pending=yes ;; esac
        done
        [ "$pending" = no ] && return 0
        kill -0 "$master" 2>/dev/null || break
        sleep 0.1
    done
    say "nginx (master $master) did not take the new configuration; see its error log"
    return 1
}
