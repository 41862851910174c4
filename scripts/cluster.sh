#!/usr/bin/env bash
# Start or stop a local Distate cluster on loopback.
#   scripts/cluster.sh up [N=3]   members m1..mN: clients on 127.0.0.1:{2,3,4..}2379, peers on 127.0.0.1:{2,3,4..}2380
#   scripts/cluster.sh down       stop them (data stays in ./data/cluster)
#   scripts/cluster.sh status     each member's /v3/maintenance/status
set -euo pipefail
cd "$(dirname "$0")/.."
root=./data/cluster
cmd=${1:-}
count=${2:-3}

client_port() { echo $(( ($1 + 1) * 10000 + 2379 )); }
peer_port() { echo $(( ($1 + 1) * 10000 + 2380 )); }

case "$cmd" in
  up)
    if [ "$count" -lt 1 ] || [ "$count" -gt 9 ]; then echo "cluster size must be 1..9" >&2; exit 2; fi
    dotnet build src/Distate.Server -c Release -o "$root/bin" >/dev/null
    cluster=""
    for i in $(seq 1 "$count"); do cluster+="${cluster:+,}m$i=http://127.0.0.1:$(peer_port "$i")"; done
    mkdir -p "$root"
    for i in $(seq 1 "$count"); do
      nohup dotnet "$root/bin/Distate.Server.dll" --name "m$i" --data-dir "$root/m$i" \
        --listen-client-urls "http://127.0.0.1:$(client_port "$i")" \
        --listen-peer-urls "http://127.0.0.1:$(peer_port "$i")" \
        --initial-advertise-peer-urls "http://127.0.0.1:$(peer_port "$i")" \
        --initial-cluster "$cluster" > "$root/m$i.log" 2>&1 &
      echo $! > "$root/m$i.pid"
      echo "m$i: pid $(cat "$root/m$i.pid"), clients http://127.0.0.1:$(client_port "$i"), log $root/m$i.log"
    done
    # Wait (bounded) until some member reports a leader.
    for _ in $(seq 1 100); do
      for i in $(seq 1 "$count"); do
        if curl -sf "http://127.0.0.1:$(client_port "$i")/readyz" >/dev/null 2>&1; then echo "cluster is ready"; exit 0; fi
      done
      sleep 0.2
    done
    echo "no leader after 20 s; see $root/m*.log" >&2; exit 1
    ;;
  down)
    for pidfile in "$root"/m*.pid; do
      [ -e "$pidfile" ] || continue
      kill "$(cat "$pidfile")" 2>/dev/null || true
      rm -f "$pidfile"
    done
    echo "stopped"
    ;;
  status)
    for pidfile in "$root"/m*.pid; do
      [ -e "$pidfile" ] || continue
      i=$(basename "$pidfile" .pid | tr -d m)
      echo "m$i: $(curl -s -m 2 -X POST "http://127.0.0.1:$(client_port "$i")/v3/maintenance/status" -d '{}' || echo unreachable)"
    done
    ;;
  *)
    echo "usage: scripts/cluster.sh up [N] | down | status" >&2; exit 2
    ;;
esac
