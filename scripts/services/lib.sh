# shellcheck shell=bash
# Shared helpers for scripts/services/*.sh (sourced, not run).
#
# Each service runs as a plain child process, started under `setsid` so it outlives the
# calling script and is not hit by signals sent to the caller's process group. State lives
# in RUN_DIR: NAME.pid (the service's own pid), NAME.port, NAME.log.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
KAFKA_LIBS="${KAFKA_LIBS:-$ROOT/.cache/kafka/libs}"
# shellcheck disable=SC2034 # used by the scripts that source this file
SERVICES="postgres mosquitto kafka"

log() { echo "[services] $*" >&2; }
die() {
  echo "[services] ERROR: $*" >&2
  exit 1
}

# lock_run_dir: one up.sh/down.sh at a time per run dir (e.g. parallel test workers).
lock_run_dir() {
  exec 9>"$RUN_DIR/.lock"
  flock -w 300 9 || die "timed out waiting for the lock on $RUN_DIR"
}

# Absolute path of a run dir (created if missing).
abs_dir() {
  mkdir -p "$1"
  (cd "$1" && pwd)
}

# Prints a TCP port that nothing listens on (nor holds) on this machine. It is taken below
# the kernel's ephemeral range, so that outgoing client connections (which take their local
# port from that range) can never occupy it between runs, e.g. when ctl.sh restarts a service
# on the same port. Extra arguments are ports to avoid (already handed out by this run).
free_port() {
  python3 - "$@" <<'PY'
import random, socket, sys
avoid = {int(p) for p in sys.argv[1:]}
with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
    ephemeral_lo = int(f.read().split()[0])
hi = min(ephemeral_lo, 32768)
for _ in range(500):
    port = random.randrange(10000, hi)
    if port in avoid:
        continue
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # No SO_REUSEADDR: bind also fails if the port is held by a 0.0.0.0 listener or by
        # a connection in TIME_WAIT, which is what we want.
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit("no free port found")
PY
}

# ensure_port_free NAME PORT: fails if something else holds the port (otherwise the wait for
# the port could be answered by that other process while our service failed to bind).
ensure_port_free() {
  python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is fine
s.bind(("127.0.0.1", int(sys.argv[1])))' "$2" 2>/dev/null ||
    die "$1: port $2 on 127.0.0.1 is in use by another process ($(ss -Hltnp "sport = :$2" 2>/dev/null | awk '{print $NF}' | head -1))"
}

# True if PID runs. A zombie counts as dead: here PID 1 does not reap orphans, so an exited
# service can stay a zombie, which `kill -0` would still report as alive.
pid_alive() {
  local pid="$1" state
  [[ -n "$pid" && -r "/proc/$pid/stat" ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
port_of() { cat "$RUN_DIR/$1.port" 2>/dev/null || true; }
service_alive() { pid_alive "$(pid_of "$1")"; }

# Tail of a service's logs, shown when it fails to start.
show_log() {
  local name="$1" f
  for f in "$RUN_DIR/$name.log" "$RUN_DIR/$name.out"; do
    [[ -s "$f" ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2
    echo "-----" >&2
  done
}

# spawn NAME CMD...: runs CMD in the background, stdout/stderr appended to RUN_DIR/NAME.out
# (or NAME.log if the service does not log to a file itself: set SPAWN_LOG), pid in NAME.pid.
# A small bash parent stays behind and waits for the service, so that the service is reaped
# when it exits (PID 1 here does not reap orphans; only that small parent is left a zombie).
# fd 9 (the run-dir lock of up.sh/down.sh) is closed so the service does not keep it.
spawn() {
  local name="$1"
  shift
  local pidfile="$RUN_DIR/$name.pid" out="${SPAWN_LOG:-$RUN_DIR/$name.out}"
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $1, $@ and $! belong to the inner bash
  setsid bash -c 'pidfile="$1"; shift; "$@" & echo $! >"$pidfile.tmp"; mv "$pidfile.tmp" "$pidfile"; wait $!' \
    _ "$pidfile" "$@" </dev/null >>"$out" 2>&1 9>&- &
  for _ in $(seq 100); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  die "$name: could not start ($*)"
}

# wait_port NAME PORT TIMEOUT_S: waits until 127.0.0.1:PORT accepts connections; fails early
# (with the log tail) if the service died.
wait_port() {
  local name="$1" port="$2" timeout="${3:-60}" start=$SECONDS
  while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! service_alive "$name"; then
      show_log "$name"
      die "$name exited during start-up (port $port)"
    fi
    if ((SECONDS - start >= timeout)); then
      show_log "$name"
      die "$name did not accept connections on 127.0.0.1:$port within ${timeout}s"
    fi
    sleep 0.1
  done
}

# The pid and all its descendants (PostgreSQL forks one process per connection).
pid_tree() {
  local pid="$1" child
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    pid_tree "$child"
  done
}

# signal_tree SIGNAL NAME: sends SIGNAL to a service and all its child processes.
signal_tree() {
  local sig="$1" pid
  pid="$(pid_of "$2")"
  pid_alive "$pid" || die "$2 is not running"
  # shellcheck disable=SC2046
  kill "-$sig" $(pid_tree "$pid") 2>/dev/null || true
}

# stop_service NAME [TIMEOUT_S]: graceful stop, SIGKILL after the timeout. PostgreSQL gets
# SIGINT ("fast" shutdown: SIGTERM would wait for every client to disconnect).
stop_service() {
  local name="$1" timeout="${2:-30}" pid sig=TERM start=$SECONDS
  pid="$(pid_of "$name")"
  if ! pid_alive "$pid"; then
    rm -f "$RUN_DIR/$name.pid"
    return 0
  fi
  [[ "$name" == postgres ]] && sig=INT
  # A paused (SIGSTOPped) service would never handle the signal: resume it first.
  # shellcheck disable=SC2046
  kill -CONT $(pid_tree "$pid") 2>/dev/null || true
  kill "-$sig" "$pid" 2>/dev/null || true
  while pid_alive "$pid"; do
    if ((SECONDS - start >= timeout)); then
      log "$name (pid $pid) still running after ${timeout}s: SIGKILL"
      # shellcheck disable=SC2046
      kill -KILL $(pid_tree "$pid") 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.1
  done
  rm -f "$RUN_DIR/$name.pid"
}

# ----- per-service start functions (first start and restart on the same port) -----

# PostgreSQL runs as the postgres user, which must be able to reach its data and socket
# dirs. When RUN_DIR is not reachable for it (e.g. under /root), up.sh puts them under
# /var/tmp and /tmp and RUN_DIR/postgres is a symlink to the data's parent.
run_id() { echo -n "$RUN_DIR" | sha1sum | cut -c1-12; }
pg_home() { readlink -f "$RUN_DIR/postgres"; }
pg_sock_dir() {
  # Unix socket paths are limited to 107 bytes: deep run dirs also use /tmp.
  local d="$RUN_DIR/sock"
  if [[ -L "$RUN_DIR/postgres" ]] || ((${#d} > 80)); then
    d="/tmp/millstream-sock-$(run_id)"
  fi
  echo "$d"
}

# Each service has launch_NAME PORT (spawn, no waiting) and await_NAME PORT (until it serves),
# so that up.sh can boot them side by side; start_service does both.

launch_postgres() {
  local sock
  ensure_port_free postgres "$1"
  sock="$(pg_sock_dir)"
  mkdir -p "$sock"
  chown postgres:postgres "$sock"
  # Run directly as the postgres user (it refuses root). setpriv execs in place, so the pid
  # is the postmaster's own; `runuser` would stay as a parent that turns our SIGTERM into a
  # SIGKILL after 2 s and stops itself for good when the server is paused.
  SPAWN_LOG="$RUN_DIR/postgres.log" spawn postgres \
    setpriv --reuid=postgres --regid=postgres --init-groups \
    "$PG_BIN/postgres" -D "$(pg_home)/data" -p "$1" -k "$sock" \
    -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200 -c shared_buffers=256MB
}

await_postgres() {
  local start=$SECONDS
  wait_port postgres "$1" 60
  # The port opens before the server accepts queries (start-up, crash recovery).
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1"; do
    ((SECONDS - start < 60)) || {
      show_log postgres
      die "postgres not ready within 60s"
    }
    sleep 0.1
  done
}

launch_mosquitto() {
  ensure_port_free mosquitto "$1"
  spawn mosquitto mosquitto -c "$RUN_DIR/mosquitto.conf" # logs to RUN_DIR/mosquitto.log itself
}

await_mosquitto() { wait_port mosquitto "$1" 30; }

# java command line for Kafka classes: `-cp dir/*` takes every jar; log4j2 writes to
# RUN_DIR/kafka.log (kafka.out only gets what the JVM prints before logging is set up).
kafka_java() {
  KAFKA_JAVA=(java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$ROOT/scripts/kafka/log4j2.xml"
    "-Dkafka.log.file=$RUN_DIR/kafka.log"
    -cp "$KAFKA_LIBS/*")
}

# The server.properties lines every single-node test broker shares (KRaft, this process both
# broker and controller, on CTRL_PORT); the caller adds its listeners.
#   kafka_node_properties CTRL_PORT
kafka_node_properties() {
  cat <<EOF
# Single-node KRaft: this process is both broker and controller (static quorum of one).
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$1
controller.listener.names=CONTROLLER
log.dirs=$RUN_DIR/kafka/data
num.partitions=6
auto.create.topics.enable=false
# One broker: internal topics must not ask for 3 replicas or they are never created.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions than the default 50: faster first group join on 2 cores.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
EOF
}

# Formats RUN_DIR/kafka's storage for RUN_DIR/kafka/server.properties with a new cluster id;
# extra arguments go to the StorageTool (e.g. --add-scram).
format_kafka_storage() {
  kafka_java
  local cluster_id
  cluster_id="$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid)"
  "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$RUN_DIR/kafka/server.properties" "$@" >>"$RUN_DIR/kafka.out" 2>&1 || {
    show_log kafka
    die "kafka storage format failed"
  }
}

launch_kafka() {
  ensure_port_free kafka "$1"
  ensure_port_free kafka-controller "$(port_of kafka-controller)"
  kafka_java
  # Remember where this start's log lines begin (await_kafka looks only at those).
  KAFKA_LOG_SKIP=0
  if [[ -f "$RUN_DIR/kafka.log" ]]; then KAFKA_LOG_SKIP="$(wc -l <"$RUN_DIR/kafka.log")"; fi
  spawn kafka "${KAFKA_JAVA[@]}" kafka.Kafka "$RUN_DIR/kafka/server.properties"
}

await_kafka() {
  local start=$SECONDS
  wait_port kafka "$1" 120
  # The listener opens before the broker has caught up with the metadata log; it is ready
  # for clients once it logs "Kafka Server started".
  until awk -v s="${KAFKA_LOG_SKIP:-0}" 'NR > s && /Kafka Server started/ { f = 1 } END { exit !f }' \
    "$RUN_DIR/kafka.log" 2>/dev/null; do
    if ! service_alive kafka; then
      show_log kafka
      die "kafka exited during start-up"
    fi
    ((SECONDS - start < 120)) || {
      show_log kafka
      die "kafka not started within 120s"
    }
    sleep 0.2
  done
}

start_service() {
  local name="$1" port
  port="$(port_of "$name")"
  [[ -n "$port" ]] || die "$name has no port in $RUN_DIR (was up.sh run there?)"
  "launch_$name" "$port"
  "await_$name" "$port"
}

# services.env: what tests and the app source. Rewritten after every (re)start since pids change.
write_env() {
  local pg mq kf f="$RUN_DIR/services.env"
  pg="$(port_of postgres)" mq="$(port_of mosquitto)" kf="$(port_of kafka)"
  cat >"$f.tmp" <<EOF
# Written by scripts/services/up.sh; source it: . $f
export SERVICES_RUN_DIR=$RUN_DIR
export DATABASE_URL=postgres://millstream:millstream@127.0.0.1:$pg/millstream
export PG_ADMIN_URL=postgres://millstream:millstream@127.0.0.1:$pg/postgres
export MQTT_URL=mqtt://127.0.0.1:$mq
export KAFKA_BROKERS=127.0.0.1:$kf
export POSTGRES_PORT=$pg
export MOSQUITTO_PORT=$mq
export KAFKA_PORT=$kf
export KAFKA_CONTROLLER_PORT=$(port_of kafka-controller)
export KAFKA_LIBS=$KAFKA_LIBS
export POSTGRES_PID=$(pid_of postgres)
export MOSQUITTO_PID=$(pid_of mosquitto)
export KAFKA_PID=$(pid_of kafka)
EOF
  mv "$f.tmp" "$f"
}
