#!/usr/bin/env bash
# Starts (or stops) a second, secured Kafka (KRaft, single node) for the security tests: one
# SASL_SSL listener on a free port of 127.0.0.1 (SCRAM-SHA-512 and -256), the StandardAuthorizer
# with allow.everyone.if.no.acl.found=false, SCRAM users created when the storage is formatted.
#   usage: scripts/services/kafka-secure.sh up|down RUN_DIR
# RUN_DIR must hold, written by the caller (certificates made with openssl, no passphrase):
#   tls/ca.pem       the CA that signed the server's certificate (clients trust it)
#   tls/server-bundle.pem  the server's PKCS#8 private key and certificate (SAN 127.0.0.1, localhost)
#   scram-users      one `name password` a line; the first is the super user the broker itself
#                    logs in as (ACLs for the others are the caller's to create)
# Then: . RUN_DIR/kafka-secure.env   (KAFKA_SECURE_BROKERS, KAFKA_SECURE_PID)
# The controller listener is PLAINTEXT on 127.0.0.1 and speaks only the controller protocol.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

action="${1:-}"
[[ "$action" == up || "$action" == down ]] || die "usage: $0 up|down RUN_DIR"
[[ -n "${2:-}" ]] || die "usage: $0 up|down RUN_DIR"
RUN_DIR="$(abs_dir "$2")"
lock_run_dir

if [[ "$action" == down ]]; then
  stop_service kafka
  rm -f "$RUN_DIR/kafka-secure.env"
  exit 0
fi

if [[ -f "$RUN_DIR/kafka-secure.env" ]] && service_alive kafka; then
  log "secured kafka already running in $RUN_DIR"
  exit 0
fi
for f in tls/ca.pem tls/server-bundle.pem scram-users; do
  [[ -r "$RUN_DIR/$f" ]] || die "missing $RUN_DIR/$f (see the usage at the top of $0)"
done
bash "$ROOT/scripts/kafka/fetch.sh"

taken=()
for s in kafka kafka-controller; do
  if [[ -z "$(port_of "$s")" ]]; then
    # shellcheck disable=SC2207
    taken+=($(cat "$RUN_DIR"/*.port 2>/dev/null || true))
    free_port "${taken[@]}" >"$RUN_DIR/$s.port"
  fi
done
KAFKA_PORT="$(port_of kafka)" KAFKA_CTRL_PORT="$(port_of kafka-controller)"

if [[ ! -f "$RUN_DIR/kafka/data/meta.properties" ]]; then
  mkdir -p "$RUN_DIR/kafka/data"
  read -r super_user super_password <"$RUN_DIR/scram-users"
  scram=()
  while read -r name password; do
    [[ -n "$name" ]] || continue
    scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$password]"
      --add-scram "SCRAM-SHA-256=[name=$name,password=$password]")
  done <"$RUN_DIR/scram-users"
  umask 077 # the properties file holds the super user's password
  {
    kafka_node_properties "$KAFKA_CTRL_PORT"
    cat <<EOF
listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CTRL_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$super_user" password="$super_password";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$RUN_DIR/tls/server-bundle.pem
ssl.truststore.type=PEM
ssl.truststore.location=$RUN_DIR/tls/ca.pem
ssl.client.auth=none
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
# The broker logs in as the super user; the controller listener's peer (the broker, in this
# same process) is ANONYMOUS.
super.users=User:$super_user;User:ANONYMOUS
EOF
  } >"$RUN_DIR/kafka/server.properties"
  umask 022
  format_kafka_storage "${scram[@]}"
fi
t0=$SECONDS
launch_kafka "$KAFKA_PORT"
await_kafka "$KAFKA_PORT"
log "secured kafka up on SASL_SSL://127.0.0.1:$KAFKA_PORT ($((SECONDS - t0))s)"
cat >"$RUN_DIR/kafka-secure.env" <<EOF
export KAFKA_SECURE_BROKERS=127.0.0.1:$KAFKA_PORT
export KAFKA_SECURE_PID=$(pid_of kafka)
EOF
