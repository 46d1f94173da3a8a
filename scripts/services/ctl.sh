#!/usr/bin/env bash
# Controls one service started by up.sh, for fault-injection tests.
#   usage: scripts/services/ctl.sh RUN_DIR (stop|start|restart|pause|resume|status) (postgres|mosquitto|kafka)
#   stop    graceful stop (SIGTERM; SIGINT = fast shutdown for PostgreSQL), waits for the exit
#   start   starts it again on the same port with the same data, waits until it serves
#   pause   SIGSTOP (the whole process tree): connections stay open but nothing answers
#   resume  SIGCONT
# services.env is rewritten after start/stop since the pid changes.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 3 ]] || die "usage: $0 RUN_DIR (stop|start|restart|pause|resume|status) (postgres|mosquitto|kafka)"
[[ -d "$1" ]] || die "no run dir $1 (start it with scripts/services/up.sh $1)"
RUN_DIR="$(abs_dir "$1")"
action="$2" name="$3"
case " $SERVICES " in *" $name "*) ;; *) die "unknown service '$name' (postgres|mosquitto|kafka)" ;; esac
[[ -n "$(port_of "$name")" ]] || die "$name was never started in $RUN_DIR"

case "$action" in
  stop) stop_service "$name" ;;
  start)
    if service_alive "$name"; then
      log "$name already running"
    else
      start_service "$name"
    fi
    ;;
  restart)
    stop_service "$name"
    start_service "$name"
    ;;
  pause) signal_tree STOP "$name" ;;
  resume) signal_tree CONT "$name" ;;
  status)
    if service_alive "$name"; then
      echo "running pid $(pid_of "$name") port $(port_of "$name")"
    else
      echo "stopped"
      exit 3
    fi
    ;;
  *) die "unknown action '$action' (stop|start|restart|pause|resume|status)" ;;
esac
[[ -f "$RUN_DIR/services.env" ]] && write_env
exit 0
