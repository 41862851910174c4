#!/usr/bin/env bash
# Start or stop a local Distate cluster on loopback.
#   scripts/cluster.sh up [N=3]    members m1..mN: clients on 127.0.0.1:{2,3,4..}2379, peers on 127.0.0.1:{2,3,4..}2380
#   scripts/cluster.sh down        stop them all (data stays in ./data/cluster)
#   scripts/cluster.sh stop N      stop (SIGTERM) member mN only
#   scripts/cluster.sh kill N      kill -9 member mN (a crash: unsynced state is lost, acknowledged writes are not)
#   scripts/cluster.sh restart N   start member mN again from its data dir (after stop, kill or a crash)
#   scripts/cluster.sh status      each running member's /v3/maintenance/status
set -euo pipefail
cd "$(dirname "$0")/.."
root=./data/cluster
cmd=${1:-}
arg=${2:-}

client_port() { echo $(( ($1 + 1) * 10000 + 2379 )); }
peer_port() { echo $(( ($1 + 1) * 10000 + 2380 )); }
die() { echo "cluster.sh: $*" >&2; exit 2; }

# Starts member $1 with the cluster recorded by `up` (its data dir decides whether it founds or rejoins).
start_member() {
  local i=$1
  [ -f "$root/cluster" ] || die "no cluster here yet: run scripts/cluster.sh up first"
  if [ -f "$root/m$i.pid" ] && kill -0 "$(cat "$root/m$i.pid")" 2>/dev/null; then die "m$i is already running (pid $(cat "$root/m$i.pid"))"; fi
  nohup dotnet "$root/bin/Distate.Server.dll" --name "m$i" --data-dir "$root/m$i" \
    --listen-client-urls "http://127.0.0.1:$(client_port "$i")" \
    --listen-peer-urls "http://127.0.0.1:$(peer_port "$i")" \
    --initial-advertise-peer-urls "http://127.0.0.1:$(peer_port "$i")" \
    --initial-cluster "$(cat "$root/cluster")" >> "$root/m$i.log" 2>&1 &
  echo $! > "$root/m$i.pid"
  echo "m$i: pid $(cat "$root/m$i.pid"), clients http://127.0.0.1:$(client_port "$i"), log $root/m$i.log"
}

# Waits (bounded, 20 s) until member $1 (or any member when empty) reports ready.
wait_ready() {
  for _ in $(seq 1 100); do
    for i in ${1:-$(seq 1 9)}; do
      if curl -sf "http://127.0.0.1:$(client_port "$i")/readyz" >/dev/null 2>&1; then echo "ready (m$i answers /readyz)"; return 0; fi
    done
    sleep 0.2
  done
  echo "not ready after 20 s; see $root/m*.log" >&2; return 1
}

member_number() {
  case "$1" in ''|*[!0-9]*) die "name a member by number, e.g. scripts/cluster.sh $cmd 2" ;; esac
  [ -f "$root/m$1.log" ] || [ -d "$root/m$1" ] || die "there is no member m$1 in $root"
}

signal_member() {
  local i=$1 signal=$2
  [ -f "$root/m$i.pid" ] || die "m$i is not running"
  kill "-$signal" "$(cat "$root/m$i.pid")" 2>/dev/null || true
  rm -f "$root/m$i.pid"
  echo "m$i: sent SIG$signal"
}

case "$cmd" in
  up)
    count=${arg:-3}
    if [ "$count" -lt 1 ] || [ "$count" -gt 9 ]; then die "cluster size must be 1..9"; fi
    dotnet build src/Distate.Server -c Release -o "$root/bin" >/dev/null
    cluster=""
    for i in $(seq 1 "$count"); do cluster+="${cluster:+,}m$i=http://127.0.0.1:$(peer_port "$i")"; done
    mkdir -p "$root"
    echo "$cluster" > "$root/cluster"
    for i in $(seq 1 "$count"); do start_member "$i"; done
    wait_ready "" || exit 1
    ;;
  down)
    for pidfile in "$root"/m*.pid; do
      [ -e "$pidfile" ] || continue
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    echo "stopped"
    ;;
  stop) member_number "$arg"; signal_member "$arg" TERM ;;
  kill) member_number "$arg"; signal_member "$arg" KILL ;;
  restart)
    member_number "$arg"
    if [ -f "$root/m$arg.pid" ]; then signal_member "$arg" TERM; sleep 1; fi
    start_member "$arg"
    wait_ready "$arg" || exit 1
    ;;
  status)
    for pidfile in "$root"/m*.pid; do
      [ -e "$pidfile" ] || continue
      i=$(basename "$pidfile" .pid | tr -d m)
      echo "m$i: $(curl -s -m 2 -X POST "http://127.0.0.1:$(client_port "$i")/v3/maintenance/status" -d '{}' || echo unreachable)"
    done
    ;;
  *)
    echo "usage: scripts/cluster.sh up [N] | down | stop N | kill N | restart N | status" >&2; exit 2
    ;;
esac
