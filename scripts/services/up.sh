#!/usr/bin/env bash
# Starts PostgreSQL 15, Mosquitto and Kafka (KRaft, single node) for tests, each on a free
# port on 127.0.0.1, as background processes that outlive this script.
#   usage: scripts/services/up.sh [RUN_DIR]        (default .run/services)
# Then: . RUN_DIR/services.env   (DATABASE_URL, MQTT_URL, KAFKA_BROKERS, ...)
# Idempotent: services already running in RUN_DIR are left alone; stopped ones are started
# again on their port with their data.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="$(abs_dir "${1:-$ROOT/.run/services}")"
lock_run_dir

all_alive() {
  local s
  for s in $SERVICES; do service_alive "$s" || return 1; done
}
if [[ -f "$RUN_DIR/services.env" ]] && all_alive; then
  log "already running in $RUN_DIR"
  exit 0
fi

# ----- prerequisites -----
[[ $EUID -eq 0 ]] || die "run as root (PostgreSQL is started as the postgres user)"
[[ -x "$PG_BIN/postgres" ]] || die "PostgreSQL 15 not found in $PG_BIN (apt-get install postgresql-15)"
id postgres >/dev/null 2>&1 || die "no 'postgres' user (apt-get install postgresql-15)"
command -v mosquitto >/dev/null || die "mosquitto not installed (run scripts/ci-install.sh)"
command -v java >/dev/null || die "java not installed"
command -v python3 >/dev/null || die "python3 not installed (used to pick free ports)"
haproxy -v >/dev/null 2>&1 || die "haproxy not installed or broken (run scripts/ci-install.sh)"
bash "$ROOT/scripts/kafka/fetch.sh"

# Ports: picked once and kept in RUN_DIR/NAME.port, so restarts reuse them.
taken=()
for s in postgres mosquitto kafka kafka-controller; do
  if [[ -z "$(port_of "$s")" ]]; then
    # shellcheck disable=SC2207
    taken+=($(cat "$RUN_DIR"/*.port 2>/dev/null || true))
    free_port "${taken[@]}" >"$RUN_DIR/$s.port"
  fi
done
PG_PORT="$(port_of postgres)" MQ_PORT="$(port_of mosquitto)"
KAFKA_PORT="$(port_of kafka)" KAFKA_CTRL_PORT="$(port_of kafka-controller)"

# ----- Kafka: configure and format storage once (slowest to boot, so launched first) -----
t0=$SECONDS
if ! service_alive kafka; then
  if [[ ! -f "$RUN_DIR/kafka/data/meta.properties" ]]; then
    mkdir -p "$RUN_DIR/kafka/data"
    cat >"$RUN_DIR/kafka/server.properties" <<EOF
# Single-node KRaft: this process is both broker and controller (static quorum of one).
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CTRL_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CTRL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
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
# After a kill -9 the restarted broker must wait for its old session to expire before it can
# register again: 4.5 s instead of 9 s (fault-injection tests restart it often).
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4500
EOF
    kafka_java
    cluster_id="$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid)"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$RUN_DIR/kafka/server.properties" >>"$RUN_DIR/kafka.out" 2>&1 || {
      show_log kafka
      die "kafka storage format failed"
    }
  fi
  launch_kafka "$KAFKA_PORT"
fi

# ----- PostgreSQL: fresh cluster owned by the postgres user -----
if ! service_alive postgres; then
  if [[ ! -f "$RUN_DIR/postgres/data/PG_VERSION" ]]; then
    rm -rf "$(pg_home)" "$RUN_DIR/postgres"
    if setpriv --reuid=postgres --regid=postgres --init-groups test -x "$RUN_DIR"; then
      mkdir -p "$RUN_DIR/postgres"
    else
      # The postgres user cannot traverse RUN_DIR's parents (e.g. /root): data elsewhere.
      mkdir -p "/var/tmp/millstream-pg-$(run_id)"
      ln -s "/var/tmp/millstream-pg-$(run_id)" "$RUN_DIR/postgres"
    fi
    chown postgres:postgres "$(pg_home)"
    # Unix-socket logins are trusted (setup below); TCP needs the password (SCRAM).
    setpriv --reuid=postgres --regid=postgres --init-groups \
      "$PG_BIN/initdb" -D "$(pg_home)/data" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=scram-sha-256 >"$RUN_DIR/postgres-initdb.log" 2>&1 || {
      tail -n 20 "$RUN_DIR/postgres-initdb.log" >&2
      die "initdb failed"
    }
  fi
  launch_postgres "$PG_PORT"
fi

# ----- Mosquitto -----
if ! service_alive mosquitto; then
  mkdir -p "$RUN_DIR/mosquitto"
  cat >"$RUN_DIR/mosquitto.conf" <<EOF
# Generated by scripts/services/up.sh (test broker).
# Stay root when started as root (otherwise it switches to the 'mosquitto' user, which
# cannot write into RUN_DIR).
user root
listener $MQ_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $RUN_DIR/mosquitto/
autosave_interval 60
# Never drop QoS 1 messages for a slow or offline persistent-session subscriber: the
# defaults (1000 queued, 20 in flight) silently drop beyond the queue.
max_queued_messages 1000000
max_queued_bytes 0
max_inflight_messages 10000
max_packet_size 1048576
set_tcp_nodelay true
log_dest file $RUN_DIR/mosquitto.log
log_timestamp_format %Y-%m-%dT%H:%M:%S
EOF
  launch_mosquitto "$MQ_PORT"
fi

# ----- wait for each; the millstream role and database (idempotent) -----
await_postgres "$PG_PORT"
"$PG_BIN/psql" -X -q -h "$(pg_sock_dir)" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'SQL' ||
SELECT 'CREATE ROLE millstream LOGIN SUPERUSER PASSWORD ''millstream'''
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'millstream') \gexec
SELECT 'CREATE DATABASE millstream OWNER millstream'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'millstream') \gexec
SQL
  die "could not create the millstream role and database"
log "postgres  up on 127.0.0.1:$PG_PORT ($((SECONDS - t0))s)"
await_mosquitto "$MQ_PORT"
log "mosquitto up on 127.0.0.1:$MQ_PORT ($((SECONDS - t0))s)"
await_kafka "$KAFKA_PORT"
log "kafka     up on 127.0.0.1:$KAFKA_PORT ($((SECONDS - t0))s)"

write_env
log "ready: . $RUN_DIR/services.env"
