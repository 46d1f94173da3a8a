#!/usr/bin/env bash
# Installs what scripts/services/*.sh need on a fresh Debian 12 machine (run as root).
# Idempotent: only missing packages are installed; Kafka jars are fetched once.
# (npm ci and the Python client's environment are set up elsewhere.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

[[ $EUID -eq 0 ]] || { echo "ci-install.sh: run as root" >&2; exit 1; }

# PostgreSQL 15 server, Mosquitto broker + clients (mosquitto_pub/sub), HAProxy,
# Java/Maven for the Kafka broker (usually preinstalled), and Chromium for the tests that load
# pages in a real headless browser (playwright-core drives /usr/bin/chromium; it downloads none).
want=(postgresql-15 postgresql-client-15 mosquitto mosquitto-clients haproxy openjdk-17-jre-headless maven python3 procps util-linux chromium)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine that has java/mvn from elsewhere (e.g. a second JDK) needs no Debian ones.
if command -v java >/dev/null; then missing=("${missing[@]/openjdk-17-jre-headless/}"); fi
if command -v mvn >/dev/null; then missing=("${missing[@]/maven/}"); fi
if command -v python3 >/dev/null; then missing=("${missing[@]/python3/}"); fi
read -r -a missing <<<"${missing[*]}" # drop the emptied entries

if ((${#missing[@]})); then
  echo "ci-install.sh: installing ${missing[*]}" >&2
  # The packages' own system services (port 1883, 5432, haproxy) are not used: the test
  # scripts start private instances. A policy-rc.d that answers 101 stops dpkg from
  # starting them (Debian container images usually have one already).
  added_policy=false
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    added_policy=true
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if $added_policy; then rm -f /usr/sbin/policy-rc.d; fi
fi

# If a system instance was started anyway (e.g. on a host with systemd), stop and disable it:
# it would hold the default ports and is never used.
for svc in mosquitto haproxy postgresql; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done

bash "$ROOT/scripts/kafka/fetch.sh"
echo "ci-install.sh: ok ($(mosquitto -h 2>/dev/null | head -1 | tr -d '\n'); $(haproxy -v | head -1 | cut -d' ' -f1-3); PostgreSQL $(/usr/lib/postgresql/15/bin/postgres -V | awk '{print $3}'); Kafka 4.3.1)" >&2
