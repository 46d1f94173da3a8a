#!/usr/bin/env bash
# Starts the deployment's Kafka (apache/kafka image, KRaft, one node) with SASL_SSL only:
# SCRAM-SHA-512 users admin, millstream and reader created when the storage is formatted
# (passwords from /run/secrets), the StandardAuthorizer refusing what no ACL grants, then the
# ACLs of the two principals:
#   millstream  creates, writes and reads the topics under KAFKA_TOPIC_PREFIX, joins the
#               groups under it (the process role) and the replay's groups
#   reader      reads those topics, in groups named millstream-client-* (the Python client)
# The controller listener is on the container's loopback only.
set -euo pipefail
prefix="${KAFKA_TOPIC_PREFIX:-millstream}"
secret() { tr -d '\n' <"/run/secrets/$1"; }
admin_pw="$(secret kafka-admin-password)"
umask 077
conf=/tmp/server.properties
cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=SASL_SSL://:9092,CONTROLLER://127.0.0.1:9093,HOST://:9094
advertised.listeners=SASL_SSL://kafka:9092,HOST://localhost:9094
listener.security.protocol.map=SASL_SSL:SASL_SSL,HOST:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_pw";
listener.name.host.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=/etc/kafka/tls/kafka-bundle.pem
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/tls/ca.pem
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:ANONYMOUS
log.dirs=/var/lib/kafka/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
admin_conf=/tmp/admin.properties
cat >"$admin_conf" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin_pw";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/tls/ca.pem
PROPS

scram=()
for user in admin millstream reader; do
  scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(secret "kafka-$user-password")]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${CLUSTER_ID:?set CLUSTER_ID}" \
  -c "$conf" "${scram[@]}" >/dev/null

/opt/kafka/bin/kafka-server-start.sh "$conf" &
broker=$!
trap 'kill -TERM $broker; wait $broker' TERM INT

acl() {
  /opt/kafka/bin/kafka-acls.sh --bootstrap-server kafka:9092 --command-config "$admin_conf" \
    --add --resource-pattern-type prefixed "$@" >/dev/null
}
until /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server kafka:9092 \
  --command-config "$admin_conf" >/dev/null 2>&1; do sleep 2; done
acl --allow-principal User:millstream --topic "$prefix" \
  --operation Create --operation Describe --operation Write --operation Read
acl --allow-principal User:millstream --group "$prefix" --operation Read
acl --allow-principal User:millstream --group millstream-replay- --operation Read
acl --allow-principal User:reader --topic "$prefix" --operation Read --operation Describe
acl --allow-principal User:reader --group millstream-client- --operation Read
echo "[millstream] Kafka ACLs in place for User:millstream and User:reader"
wait $broker
