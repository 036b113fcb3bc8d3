#!/usr/bin/env bash
# Runs a local Neo4j Community (embedded, see Launcher.java) without Docker.
#
#   neo4j.sh build    compile the launcher if pom.xml or the source changed
#   neo4j.sh start    needs NEO4J_DIR; optional NEO4J_BOLT_PORT (7687, 0 = any free port),
#                     NEO4J_PASSWORD (empty = auth off), NEO4J_START_TIMEOUT (120 s),
#                     NEO4J_HEAP (1g), NEO4J_JAVA_OPTS (more JVM options)
#   neo4j.sh stop     needs NEO4J_DIR; optional NEO4J_STOP_TIMEOUT (30 s)
#   neo4j.sh status   needs NEO4J_DIR; exit 0 when running, 1 when not
#   neo4j.sh import ARGS...
#                     needs NEO4J_DIR, not running; replaces the database neo4j with what
#                     `neo4j-admin database import full` makes of ARGS (--nodes=..., --relationships=...,
#                     the CSV format); optional NEO4J_HEAP (1g), NEO4J_IMPORT_MEMORY (2g, its
#                     off-heap budget; the tool's own default is 90% of free RAM),
#                     NEO4J_IMPORT_THREADS (twice the cores)
#
# `start` prints only bolt://127.0.0.1:PORT on stdout (so callers can capture it);
# everything else goes to stderr. Files in NEO4J_DIR: neo4j.pid, neo4j.log, neo4j.port.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
TARGET="$SCRIPT_DIR/target"
CLASSPATH_FILE="$TARGET/classpath.txt"
MAIN_CLASS="companygraph.neo4j.Launcher"

say() { echo "neo4j: $*" >&2; }
die() { say "$*"; exit 1; }

needs_build() {
    [[ -f "$TARGET/classes/companygraph/neo4j/Launcher.class" && -s "$CLASSPATH_FILE" ]] || return 0
    # classpath.txt is the last thing `package` writes, so it stamps the whole build.
    [[ -z "$(find "$POM" "$SCRIPT_DIR/src" -newer "$CLASSPATH_FILE" -print -quit)" ]] || return 0
    # A wiped ~/.m2 leaves target/ pointing at jars that no longer exist.
    local jar jars
    IFS=: read -r -a jars <"$CLASSPATH_FILE"
    for jar in "${jars[@]}"; do
        [[ -f "$jar" ]] || return 0
    done
    return 1
}

cmd_build() {
    needs_build || return 0
    command -v mvn >/dev/null || die "mvn not found; install Maven (apt-get install maven)"
    say "building launcher (the first build downloads ~170 MB of jars into ~/.m2)"
    mvn -q -B -f "$POM" package >&2 || die "build failed"
    # The plugin may leave an unchanged classpath.txt untouched; keep the stamp fresh.
    touch "$CLASSPATH_FILE"
}

# The paths below all live in NEO4J_DIR.
init_dir() {
    [[ -n "${NEO4J_DIR:-}" ]] || die "NEO4J_DIR is not set (the data directory)"
    mkdir -p "$NEO4J_DIR"
    NEO4J_DIR="$(cd "$NEO4J_DIR" && pwd)"
    PID_FILE="$NEO4J_DIR/neo4j.pid"
    LOG_FILE="$NEO4J_DIR/neo4j.log"
    PORT_FILE="$NEO4J_DIR/neo4j.port"
}

# True when PID is alive and is our launcher: a PID from an old file may have been reused.
is_launcher() {
    local pid=$1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    ps -o args= -p "$pid" 2>/dev/null | grep -q "$MAIN_CLASS"
}

# Sets PID to the running launcher's pid, or returns 1 (removing a stale PID file).
running_pid() {
    PID=""
    [[ -f "$PID_FILE" ]] || return 1
    PID="$(cat "$PID_FILE" 2>/dev/null || true)"
    if is_launcher "$PID"; then
        return 0
    fi
    say "removing stale PID file $PID_FILE (pid ${PID:-?} is not a running launcher)"
    rm -f "$PID_FILE"
    PID=""
    return 1
}

port_open() {
    timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

show_log_tail() {
    if [[ -f "$LOG_FILE" ]]; then
        say "last 40 lines of $LOG_FILE:"
        tail -n 40 "$LOG_FILE" >&2
    fi
    if [[ -f "$NEO4J_DIR/logs/debug.log" ]]; then
        say "Neo4j's own log: $NEO4J_DIR/logs/debug.log"
    fi
}

kill_and_wait() {
    local pid=$1 timeout=$2 deadline
    kill -TERM "$pid" 2>/dev/null || return 0
    deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            say "pid $pid did not stop within ${timeout}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.2
    done
    # Reaps the child when we started it; harmless otherwise.
    wait "$pid" 2>/dev/null || true
}

# Sets JVM to the options of a Neo4j JVM with a heap of $1, the server's and the import's.
jvm_options() {
    # The --add-opens let the page cache and the transaction log use their fast paths
    # (Neo4j's own neo4j.conf sets the same); -Xms silences Neo4j's "heap not configured" warning.
    JVM=(
        "-Xms256m" "-Xmx$1"
        -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow
        --add-opens=java.base/java.nio=ALL-UNNAMED
        --add-opens=java.base/java.io=ALL-UNNAMED
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
        -Dio.netty.tryReflectionSetAccessible=true
        -Djdk.nio.maxCachedBufferSize=1024
    )
    # Extra options last, so they win: make test's short-lived servers
    # spend less CPU compiling code they run for seconds.
    read -r -a extra <<<"${NEO4J_JAVA_OPTS:-}"
    JVM+=("${extra[@]}")
}

cmd_start() {
    init_dir
    local port="${NEO4J_BOLT_PORT:-7687}"
    local timeout="${NEO4J_START_TIMEOUT:-120}"
    local heap="${NEO4J_HEAP:-1g}"
    if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port > 65535)); then
        die "NEO4J_BOLT_PORT must be 0-65535, got '$port'"
    fi
    port=$((10#$port))
    [[ "$timeout" =~ ^[0-9]+$ ]] || die "NEO4J_START_TIMEOUT must be a number of seconds, got '$timeout'"

    if running_pid; then
        die "already running, pid $PID; run stop"
    fi
    if ((port != 0)) && port_open "$port"; then
        die "port $port on 127.0.0.1 is already in use; stop whatever holds it or set NEO4J_BOLT_PORT (0 = any free port)"
    fi
    command -v java >/dev/null || die "java not found; install a JDK 17+"
    cmd_build

    rm -f "$PORT_FILE"
    if [[ -f "$LOG_FILE" ]]; then
        mv -f "$LOG_FILE" "$LOG_FILE.1"
    fi

    local args=(--data-dir "$NEO4J_DIR" --bolt-port "$port" --port-file "$PORT_FILE")
    if [[ -n "${NEO4J_PASSWORD:-}" ]]; then
        args+=(--auth-password "$NEO4J_PASSWORD")
    fi
    jvm_options "$heap"

    # Own session: a Ctrl-C in the terminal that ran `make` must not take the server down.
    nohup setsid java "${JVM[@]}" -cp "$TARGET/classes:$(cat "$CLASSPATH_FILE")" "$MAIN_CLASS" "${args[@]}" \
        >"$LOG_FILE" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$PID_FILE"
    trap 'say "interrupted; stopping pid '"$pid"'"; kill_and_wait '"$pid"' 10; rm -f "$PID_FILE" "$PORT_FILE"; exit 130' INT TERM

    local deadline=$((SECONDS + timeout)) actual=""
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            local status=0
            wait "$pid" 2>/dev/null || status=$?
            say "neo4j exited during start-up (exit status $status)"
            show_log_tail
            rm -f "$PID_FILE" "$PORT_FILE"
            exit 1
        fi
        if [[ -z "$actual" && -s "$PORT_FILE" ]]; then
            actual="$(tr -d '[:space:]' <"$PORT_FILE")"
        fi
        if [[ -n "$actual" ]] && port_open "$actual"; then
            break
        fi
        if ((SECONDS >= deadline)); then
            say "neo4j did not become ready within ${timeout}s (pid $pid); stopping it"
            show_log_tail
            kill_and_wait "$pid" 10
            rm -f "$PID_FILE" "$PORT_FILE"
            exit 1
        fi
        sleep 0.2
    done
    trap - INT TERM
    say "started, pid $pid, data in $NEO4J_DIR, log $LOG_FILE"
    echo "bolt://127.0.0.1:$actual"
}

# The launcher runs Neo4j with NEO4J_DIR as its home and no neo4j.conf, so the default
# database lives in NEO4J_DIR/data/databases/neo4j and its transaction logs in
# NEO4J_DIR/data/transactions/neo4j: neo4j-admin with the same home and no configuration
# writes exactly there. The launcher's settings are the server's (connectors, page cache,
# auth); none of them shapes the store the import writes.
cmd_import() {
    init_dir
    # Twice the cores, not the tool's one per core: on 2 cores, 4 threads took its
    # relationship stage (1M nodes, 3.9M relationships) from 31-34 s to 18-25 s;
    # some of its steps wait on writes and leave a core idle.
    local heap="${NEO4J_HEAP:-1g}" memory="${NEO4J_IMPORT_MEMORY:-2g}"
    local threads="${NEO4J_IMPORT_THREADS:-$((2 * $(nproc)))}"
    (($# > 0)) || die "import needs the import's arguments: --nodes=FILE ... --relationships=FILE ..."
    if running_pid; then
        die "running, pid $PID; stop it before an import, which replaces its database"
    fi
    command -v java >/dev/null || die "java not found; install a JDK 17+"
    cmd_build
    jvm_options "$heap"
    say "importing into $NEO4J_DIR/data/databases/neo4j (heap $heap, off-heap $memory, $threads threads)"
    # neo4j-admin is org.neo4j.cli.AdminTool on the classpath the launcher already has
    # (neo4j-import-tool comes with the neo4j artifact). Its output goes to stderr, so
    # stdout stays as quiet as start's. The database comes first: --nodes and
    # --relationships take every word after them that is not an option.
    NEO4J_HOME="$NEO4J_DIR" NEO4J_CONF="$NEO4J_DIR/conf" \
        java "${JVM[@]}" -cp "$TARGET/classes:$(cat "$CLASSPATH_FILE")" org.neo4j.cli.AdminTool \
        database import full neo4j --overwrite-destination --max-off-heap-memory="$memory" --threads="$threads" "$@" >&2 ||
        die "import failed"
    say "imported"
}

cmd_stop() {
    init_dir
    if [[ ! -f "$PID_FILE" ]]; then
        say "not running"
        return 0
    fi
    if ! running_pid; then
        rm -f "$PORT_FILE"
        say "not running"
        return 0
    fi
    say "stopping pid $PID"
    kill_and_wait "$PID" "${NEO4J_STOP_TIMEOUT:-30}"
    rm -f "$PID_FILE" "$PORT_FILE"
    say "stopped"
}

cmd_status() {
    init_dir
    if running_pid; then
        local port
        port="$(tr -d '[:space:]' <"$PORT_FILE" 2>/dev/null || true)"
        echo "running, pid $PID${port:+, bolt://127.0.0.1:$port}"
        return 0
    fi
    echo "not running"
    return 1
}

case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    import)
        shift
        cmd_import "$@"
        ;;
    *)
        echo "usage: $0 build|start|stop|status|import  (see the header of this script for the variables)" >&2
        exit 2
        ;;
esac
