#!/usr/bin/env bash
# Starts, stops and reports a local substrate-contracts-node (dev chain, instant seal: one block
# per transaction, stamped with the wall clock) listening on 127.0.0.1.
#   scripts/node.sh start [--base-path DIR] | stop | status
#   start [--base-path DIR]   keep the chain in DIR across restarts (default: a throwaway --tmp)
#   stop                      ends the process this script started (by its PID file), nothing else
#   status                    says whether it runs and where
# Environment: MARKET_NODE_PORT (RPC port, default 9944), MARKET_NODE_DIR (PID file and log,
# default target/node).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
case ${1:-} in
  -h | --help) usage ;;
  start | stop | status) ;;
  '') usage_error "a command is needed" ;;
  *) usage_error "unknown command: $1" ;;
esac
port=${MARKET_NODE_PORT:-9944}
state=${MARKET_NODE_DIR:-$TARGET_DIR/node}
pid_file=$state/node-$port.pid
log=$state/node-$port.log
mkdir -p "$state"

running_pid() {
  [ -f "$pid_file" ] || return 1
  local pid; pid=$(cat "$pid_file")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

cmd=$1; shift
case $cmd in
  start)
    base=()
    while [ $# -gt 0 ]; do
      case $1 in
        --base-path) needs_value "$@"; mkdir -p "$2"; base=(--base-path "$(cd "$2" && pwd)"); shift 2 ;;
        -h | --help) usage ;;
        *) usage_error "unknown argument: $1" ;;
      esac
    done
    [ ${#base[@]} -gt 0 ] || base=(--tmp)
    if pid=$(running_pid); then say "node already running (pid $pid, port $port)"; exit 0; fi
    require_contracts_node "a local node"
    if rpc_answers "$port"; then die "port $port is taken by another process; set MARKET_NODE_PORT"; fi
    say "starting substrate-contracts-node on 127.0.0.1:$port (log: $log)"
    nohup substrate-contracts-node --dev "${base[@]}" --rpc-port "$port" \
      >"$log" 2>&1 </dev/null &
    echo $! >"$pid_file"
    for _ in $(seq 1 120); do
      if rpc_answers "$port"; then say "node ready (pid $(cat "$pid_file"))"; exit 0; fi
      running_pid >/dev/null || { tail -20 "$log" >&2; rm -f "$pid_file"; die "node exited"; }
      sleep 0.5
    done
    die "node did not answer on port $port within 60 s (see $log)"
    ;;
  stop)
    no_arguments "$@"
    if pid=$(running_pid); then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      say "node stopped (pid $pid)"
    else
      say "no node started by this script is running"
    fi
    rm -f "$pid_file"
    ;;
  status)
    no_arguments "$@"
    if pid=$(running_pid); then echo "running: pid $pid, ws://127.0.0.1:$port"; else echo "stopped"; exit 1; fi
    ;;
esac
