#!/usr/bin/env bash
# Gives a machine (or Sparkplug edge node) its MQTT credentials in Mosquitto's password file,
# or takes them away.
#   usage: deploy/mosquitto/provision-device.sh MACHINE_ID [PASSWD_FILE]          add or rotate
#          deploy/mosquitto/provision-device.sh --revoke MACHINE_ID [PASSWD_FILE] revoke
# PASSWD_FILE defaults to deploy/mosquitto/passwd (created 0600 if missing).
# Adding or rotating prints the new password once, on stdout, and nowhere else: put it into
# the device, then tell the broker to reload (docker compose kill -s HUP mosquitto). The
# username is the machine id: the ACL (deploy/mosquitto/acl) lets it publish only
# factory/machines/MACHINE_ID/... and its own Sparkplug edge node.
# Needs mosquitto_passwd (package mosquitto, or the eclipse-mosquitto:2 image).
set -euo pipefail

revoke=false
if [[ "${1:-}" == --revoke ]]; then
  revoke=true
  shift
fi
id="${1:-}"
file="${2:-$(dirname "$0")/passwd}"
die() {
  echo "provision-device: $*" >&2
  exit 2
}
[[ -n "$id" ]] || die "usage: $0 [--revoke] MACHINE_ID [PASSWD_FILE]"
# The id becomes an MQTT topic level and client id: no wildcards, separators or spaces.
[[ "$id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || die "not a machine id: '$id'"
# The service's names and client ids are its own.
[[ "${id,,}" != millstream* ]] || die "'$id' is reserved for the service"
command -v mosquitto_passwd >/dev/null || die "mosquitto_passwd not found (install mosquitto)"

if $revoke; then
  [[ -f "$file" ]] || die "no password file $file"
  mosquitto_passwd -D "$file" "$id"
  echo "provision-device: revoked $id; reload the broker (SIGHUP)" >&2
  exit 0
fi

# 24 random bytes, URL-safe: no character that needs quoting in a URL or a config file.
password="$(openssl rand -base64 24 | tr '+/' '-_' | tr -d '=\n')"
if [[ ! -f "$file" ]]; then
  (umask 077 && : >"$file")
fi
chmod 0600 "$file"
mosquitto_passwd -b "$file" "$id" "$password"
echo "provision-device: $id has a new password; reload the broker (SIGHUP)" >&2
printf '%s\n' "$password"
