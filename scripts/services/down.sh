#!/usr/bin/env bash
# Stops the services that up.sh started (graceful, SIGKILL after 30 s each).
#   usage: scripts/services/down.sh [--clean] [RUN_DIR]     (default .run/services)
# Keeps data, logs and ports (up.sh on the same dir starts them again) unless --clean,
# which deletes RUN_DIR.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

clean=false
args=()
for a in "$@"; do
  case "$a" in
    --clean) clean=true ;;
    -*) die "unknown option $a (usage: $0 [--clean] [RUN_DIR])" ;;
    *) args+=("$a") ;;
  esac
done
dir="${args[0]:-$ROOT/.run/services}"
if [[ ! -d "$dir" ]]; then
  log "nothing to stop: no $dir"
  exit 0
fi
RUN_DIR="$(abs_dir "$dir")"
lock_run_dir

# Stop in parallel: Kafka can take several seconds to shut down cleanly.
pids=()
for s in $SERVICES; do
  stop_service "$s" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
# haproxy started by haproxy.sh in this run dir, if any
[[ -f "$RUN_DIR/haproxy.pid" ]] && bash "$ROOT/scripts/services/haproxy.sh" stop "$RUN_DIR"
rm -f "$RUN_DIR/services.env"

if $clean; then
  rm -rf "$(pg_home)" "$RUN_DIR" "/tmp/millstream-sock-$(run_id)"
  log "stopped and removed $RUN_DIR"
else
  log "stopped (data kept in $RUN_DIR)"
fi
exit "$rc"
