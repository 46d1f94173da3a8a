#!/usr/bin/env bash
# Makes the certificates and passwords deploy/docker-compose*.yml mount, with openssl:
#   deploy/certs/    ca.pem (the deployment's CA), mosquitto.pem/.key (DNS mosquitto,
#                    localhost), kafka.pem/.key and kafka-bundle.pem (DNS kafka, localhost),
#                    postgres.pem/.key (DNS postgres, localhost),
#                    millstream.pem/.key (the service's client certificate, CN millstream),
#                    haproxy.pem/.key and haproxy-bundle.pem (HTTPS: DNS localhost and
#                    $HTTPS_HOST if set, e.g. HTTPS_HOST=millstream.plant.example)
#   deploy/secrets/  ca.key (keep it offline once done), kafka-admin.password,
#                    kafka-millstream.password, kafka-reader.password,
#                    postgres-superuser.password
# Both folders are 0700 and ignored by git. Existing files are kept: delete one to make it
# again (rotation; then restart what mounts it). Certificates are valid for 825 days.
#   usage: [HTTPS_HOST=name] deploy/make-certs.sh
set -euo pipefail
cd "$(dirname "$0")"
umask 077
mkdir -p certs secrets
chmod 0700 certs secrets

days=825
if [[ ! -f certs/ca.pem ]]; then
  openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=millstream deployment CA" \
    -keyout secrets/ca.key -out certs/ca.pem 2>/dev/null
fi
# cert NAME CN SAN EXTENDED_KEY_USAGE
cert() {
  local name="$1" cn="$2" san="$3" eku="$4"
  [[ -f "certs/$name.pem" ]] && return 0
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "certs/$name.key" \
    -out "certs/$name.csr" 2>/dev/null
  printf '%s\nextendedKeyUsage=%s\n' "$san" "$eku" >"certs/$name.ext"
  openssl x509 -req -in "certs/$name.csr" -CA certs/ca.pem -CAkey secrets/ca.key \
    -CAcreateserial -days "$days" -out "certs/$name.pem" -extfile "certs/$name.ext" 2>/dev/null
  rm -f "certs/$name.csr" "certs/$name.ext"
}
cert mosquitto mosquitto 'subjectAltName=DNS:mosquitto,DNS:localhost,IP:127.0.0.1' serverAuth
cert kafka kafka 'subjectAltName=DNS:kafka,DNS:localhost,IP:127.0.0.1' serverAuth
cert postgres postgres 'subjectAltName=DNS:postgres,DNS:localhost,IP:127.0.0.1' serverAuth
cert millstream millstream '' clientAuth
https_host="${HTTPS_HOST:-localhost}"
https_san='subjectAltName=DNS:localhost,IP:127.0.0.1'
[[ "$https_host" == localhost ]] || https_san="$https_san,DNS:$https_host"
cert haproxy "$https_host" "$https_san" serverAuth
cat certs/kafka.key certs/kafka.pem >certs/kafka-bundle.pem
# HAProxy takes the certificate and its key in one file.
cat certs/haproxy.pem certs/haproxy.key >certs/haproxy-bundle.pem

for user in admin millstream reader; do
  f="secrets/kafka-$user.password"
  [[ -f "$f" ]] || openssl rand -base64 24 | tr '+/' '-_' | tr -d '=\n' >"$f"
done
f=secrets/postgres-superuser.password
[[ -f "$f" ]] || openssl rand -base64 24 | tr '+/' '-_' | tr -d '=\n' >"$f"

# The containers run as their own users (mosquitto 1883, kafka 1000, node 1000, postgres 999): the files
# are readable inside, the 0700 folders keep them from other users of the host.
chmod 0644 certs/* secrets/kafka-*.password secrets/postgres-*.password
chmod 0600 secrets/ca.key
echo "certificates in deploy/certs, passwords in deploy/secrets" >&2
