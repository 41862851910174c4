#!/usr/bin/env bash
# Side by side: a 3-member etcd 3.4 cluster and a 3-member Distate cluster on loopback, driven by the same load
# generator (bench/Distate.Load) with the same workloads, alternating which system goes first so drift hits both.
#
#   scripts/bench-vs-etcd.sh                 # ~10 s per workload (about 2.5 minutes per round)
#   BENCH_SECONDS=3 scripts/bench-vs-etcd.sh # a quick look
#
# Settings (environment): BENCH_SECONDS (measured seconds per workload, 10), BENCH_WARMUP (seconds, 2),
# BENCH_ROUNDS (times the whole sequence of workloads is repeated, 1; the table shows the median of the rounds),
# BENCH_KEY_SPACE (10000), BENCH_VALUE_BYTES (256), BENCH_CLIENTS (the "many clients" count, 64),
# BENCH_DIR (where data, logs and results go; default a new temp dir, removed at exit unless BENCH_KEEP=1),
# DISTATE_PORT (first client port of Distate, 24379), ETCD_PORT (first client port of etcd, 27379).
# Member i (1..3) listens for clients on PORT+1000*(i-1) and for peers on that + 1.
#
# Writes go to the leader, reads to all members round-robin, for both systems. Both use their default heartbeat
# (100 ms) and election timeout (1000 ms), fsync on every commit, and data on the same disk.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-1}
warmup=${BENCH_WARMUP:-2}
key_space=${BENCH_KEY_SPACE:-10000}
value_bytes=${BENCH_VALUE_BYTES:-256}
many=${BENCH_CLIENTS:-64}
distate_port=${DISTATE_PORT:-24379}
etcd_port=${ETCD_PORT:-27379}
ready_deadline_seconds=60

die() { echo "bench-vs-etcd: $*" >&2; exit 1; }

for setting in "BENCH_SECONDS=$seconds" "BENCH_ROUNDS=$rounds" "BENCH_WARMUP=$warmup" "BENCH_KEY_SPACE=$key_space" \
  "BENCH_VALUE_BYTES=$value_bytes" "BENCH_CLIENTS=$many" "DISTATE_PORT=$distate_port" "ETCD_PORT=$etcd_port"; do
  case "${setting#*=}" in
    '' | *[!0-9]*) die "${setting%%=*} must be a whole number, not '${setting#*=}'" ;;
  esac
done
[ "$seconds" -ge 1 ] && [ "$seconds" -le 600 ] || die "BENCH_SECONDS must be 1..600"
[ "$rounds" -ge 1 ] && [ "$rounds" -le 10 ] || die "BENCH_ROUNDS must be 1..10"

if ! command -v etcd >/dev/null 2>&1; then
  die "etcd is not installed (or not on PATH). Install etcd 3.4 with: apt-get update && apt-get install -y etcd-server etcd-client"
fi
etcd_version=$(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')
case "$etcd_version" in
  3.4.*) ;;
  *) echo "bench-vs-etcd: warning: etcd $etcd_version is not 3.4; the comparison is meant for 3.4" >&2 ;;
esac
command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install -y curl)"
command -v dotnet >/dev/null 2>&1 || die "dotnet is needed"

if [ -n "${BENCH_DIR:-}" ]; then
  work=$BENCH_DIR
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/distate-bench.XXXXXX")
fi

# Every process this script starts is recorded here and stopped on every exit path.
server_pids=()
background_pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${background_pids[@]}" "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${server_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ]; then
    echo "bench-vs-etcd: data, logs and results kept in $work" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
client_port() { echo $(( $1 + 1000 * ($2 - 1) )); }

for base in "$distate_port" "$etcd_port"; do
  for i in 1 2 3; do
    for port in "$(client_port "$base" "$i")" "$(( $(client_port "$base" "$i") + 1 ))"; do
      if port_busy "$port"; then die "port $port on 127.0.0.1 is in use; set DISTATE_PORT / ETCD_PORT to free ones"; fi
    done
  done
done

echo "== build (Release) =="
dotnet build src/Distate.Server -c Release -o "$work/bin/server" -nologo -v quiet >"$work/build.log" 2>&1 ||
  { tail -20 "$work/build.log" >&2; die "building src/Distate.Server failed (log above)"; }
dotnet build bench/Distate.Load -c Release -o "$work/bin/load" -nologo -v quiet >>"$work/build.log" 2>&1 ||
  { tail -20 "$work/build.log" >&2; die "building bench/Distate.Load failed (log above)"; }

endpoints_of() {
  local base=$1 list="" i
  for i in 1 2 3; do list+="${list:+,}http://127.0.0.1:$(client_port "$base" "$i")"; done
  echo "$list"
}
cluster_of() {
  local base=$1 prefix=$2 list="" i
  for i in 1 2 3; do list+="${list:+,}$prefix$i=http://127.0.0.1:$(( $(client_port "$base" "$i") + 1 ))"; done
  echo "$list"
}

start_etcd() {
  local cluster i port
  cluster=$(cluster_of "$etcd_port" e)
  mkdir -p "$work/etcd"
  for i in 1 2 3; do
    port=$(client_port "$etcd_port" "$i")
    etcd --name "e$i" --data-dir "$work/etcd/e$i" --logger zap \
      --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
      --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "distate-bench-$$" \
      >"$work/etcd/e$i.log" 2>&1 &
    server_pids+=($!)
    etcd_pids+=($!)
  done
}

start_distate() {
  local cluster i port
  cluster=$(cluster_of "$distate_port" m)
  mkdir -p "$work/distate"
  for i in 1 2 3; do
    port=$(client_port "$distate_port" "$i")
    dotnet "$work/bin/server/Distate.Server.dll" --name "m$i" --data-dir "$work/distate/m$i" \
      --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
      --listen-peer-urls "http://127.0.0.1:$((port + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
      --initial-cluster "$cluster" --initial-cluster-state new \
      >"$work/distate/m$i.log" 2>&1 &
    server_pids+=($!)
    distate_pids+=($!)
  done
}

# Polls /v3/maintenance/status on every member until all three answer and one names a leader, within a deadline.
wait_ready() {
  local name=$1 base=$2 logs=$3 deadline=$((SECONDS + ready_deadline_seconds)) answered i status
  while [ "$SECONDS" -lt "$deadline" ]; do
    answered=0
    local leader=""
    for i in 1 2 3; do
      if status=$(curl -sf -m 1 -X POST "http://127.0.0.1:$(client_port "$base" "$i")/v3/maintenance/status" -d '{}' 2>/dev/null); then
        answered=$((answered + 1))
        case "$status" in *'"leader":"'[1-9]*) leader=yes ;; esac
      fi
    done
    if [ "$answered" = 3 ] && [ -n "$leader" ]; then echo "$name: 3 members up, leader elected"; return 0; fi
    sleep 0.2
  done
  tail -5 "$logs"/*.log >&2 || true
  die "$name did not become ready (3 members answering, a leader) within $ready_deadline_seconds s; logs in $logs"
}

etcd_pids=()
distate_pids=()
echo "== start: etcd $etcd_version and Distate, 3 members each, data under $work =="
start_etcd
start_distate
wait_ready etcd "$etcd_port" "$work/etcd"
wait_ready Distate "$distate_port" "$work/distate"
# "leader/term" as each member reports it, so a leader change during the run shows in the output.
leadership() {
  local base=$1 i status leader term out=""
  for i in 1 2 3; do
    status=$(curl -s -m 2 -X POST "http://127.0.0.1:$(client_port "$base" "$i")/v3/maintenance/status" -d '{}' 2>/dev/null || true)
    leader=$(sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p' <<<"$status")
    term=$(sed -n 's/.*"raftTerm":"\([0-9]*\)".*/\1/p' <<<"$status")
    out+="${out:+ }member$i: leader ${leader:-?} term ${term:-?};"
  done
  echo "$out"
}
etcd_leadership_start=$(leadership "$etcd_port")
distate_leadership_start=$(leadership "$distate_port")
pid_legend="e1=${etcd_pids[0]} e2=${etcd_pids[1]} e3=${etcd_pids[2]} m1=${distate_pids[0]} m2=${distate_pids[1]} m3=${distate_pids[2]}"

load() {
  # load LABEL BASE WORKLOAD CLIENTS TARGET [extra flags...]
  local label=$1 base=$2 workload=$3 clients=$4 target=$5
  shift 5
  # Bounded twice: the generator stops itself after its duration; timeout stops it if it wedges.
  timeout $((seconds + warmup + 150)) dotnet "$work/bin/load/Distate.Load.dll" --endpoints "$(endpoints_of "$base")" \
    --workload "$workload" --clients "$clients" --target "$target" --duration "${seconds}s" --warmup "${warmup}s" \
    --key-space "$key_space" --value-bytes "$value_bytes" --label "$label" --json "$@"
}

# A `top` snapshot halfway through a run shows where the CPU goes: the second frame (so %CPU covers one second) of
# the six members and the load generator, plus the machine-wide CPU line and load average (other work on the shared
# machine shows there). Usage: snapshot_top FILE
snapshot_top() {
  local file=$1
  (
    sleep "$(awk -v w="$warmup" -v s="$seconds" 'BEGIN { print w + s / 2 - 0.5 }')"
    load_pid=$(pgrep -n -f "^dotnet $work/bin/load/Distate.Load.dll")
    legend="pids: ${pid_legend} load=${load_pid:-?}"
    pids=$(echo "${server_pids[*]} ${load_pid:-}" | tr -s ' ' ',' | sed 's/,$//')
    { echo "$legend"; top -b -n 2 -d 1 -w 180 -p "$pids" | awk '/^top - /{ frame++ } frame == 2' | grep -v '^ *$'; } >"$file"
  ) &
  background_pids+=($!)
}

results="$work/results.jsonl"
: >"$results"
run_pair() {
  # run_pair INDEX WORKLOAD CLIENTS TARGET: both systems, the order alternating with INDEX.
  local index=$1 workload=$2 clients=$3 target=$4 order system base line
  if [ $((index % 2)) = 0 ]; then order="etcd distate"; else order="distate etcd"; fi
  for system in $order; do
    if [ "$system" = etcd ]; then base=$etcd_port; else base=$distate_port; fi
    echo "-- $system: $workload, $clients clients, target $target" >&2
    load "$system" "$base" "$workload" "$clients" "$target" >"$work/last-run.json" &
    local wrapper=$!
    background_pids+=($wrapper)
    if [ "$clients" -gt 1 ]; then snapshot_top "$work/top-$system-$workload-$clients.txt"; fi
    wait "$wrapper" || die "load run failed ($system $workload)"
    line=$(cat "$work/last-run.json")
    echo "$line" >>"$results"
    echo "$line" >&2
  done
}

echo "== fill: $key_space keys of $value_bytes B in each system =="
for system in etcd distate; do
  if [ "$system" = etcd ]; then base=$etcd_port; else base=$distate_port; fi
  load "$system" "$base" fill "$many" leader --duration 120s >>"$work/fill.jsonl" || die "fill failed ($system)"
done

echo "== workloads: ${seconds} s each after ${warmup} s warm-up, $rounds round(s) =="
# BENCH_SPECS overrides the list: "workload clients target" separated by commas, e.g. "put 64 leader,put 64 followers".
if [ -n "${BENCH_SPECS:-}" ]; then
  IFS=',' read -r -a specs <<<"$BENCH_SPECS"
else
  specs=("put 1 leader" "put $many leader" "get-linearizable $many all" "get-serializable $many all")
fi
run_index=0
for round in $(seq 1 "$rounds"); do
  for spec in "${specs[@]}"; do
    read -r workload clients target <<<"$spec"
    run_pair $((run_index + round - 1)) "$workload" "$clients" "$target"
    run_index=$((run_index + 1))
  done
done

# Values of one field over every run of one system and workload, one per line, in run order.
values() { grep "\"label\":\"$1\",\"workload\":\"$2\",\"clients\":$3,\"target\":\"$4\"," "$results" | sed -n "s/.*\"$5\":\([0-9.]*\).*/\1/p"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
total() { awk '{ s += $1 } END { print s + 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "== results: median of $rounds round(s); writes to the leader, reads round-robin over all 3 members, for both systems =="
echo "| workload | clients | target | etcd ops/s | etcd p50 ms | etcd p99 ms | Distate ops/s | Distate p50 ms | Distate p99 ms | ops/s Distate/etcd | p50 Distate/etcd | p99 Distate/etcd | errors etcd / Distate |"
echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for spec in "${specs[@]}"; do
  read -r workload clients target <<<"$spec"
  etcd_ops=$(values etcd "$workload" "$clients" "$target" ops_per_sec | median)
  e50=$(values etcd "$workload" "$clients" "$target" p50_ms | median)
  e99=$(values etcd "$workload" "$clients" "$target" p99_ms | median)
  distate_ops=$(values distate "$workload" "$clients" "$target" ops_per_sec | median)
  d50=$(values distate "$workload" "$clients" "$target" p50_ms | median)
  d99=$(values distate "$workload" "$clients" "$target" p99_ms | median)
  printf '| %s | %s | %s | %.0f | %.3f | %.3f | %.0f | %.3f | %.3f | %s | %s | %s | %s / %s |\n' "$workload" "$clients" "$target" \
    "$etcd_ops" "$e50" "$e99" "$distate_ops" "$d50" "$d99" "$(ratio "$distate_ops" "$etcd_ops")" "$(ratio "$d50" "$e50")" "$(ratio "$d99" "$e99")" \
    "$(values etcd "$workload" "$clients" "$target" errors | total)" "$(values distate "$workload" "$clients" "$target" errors | total)"
done

if [ "$rounds" -gt 1 ]; then
  echo
  echo "== every round (ops/s, p50 ms, p99 ms) =="
  echo "| workload | clients | round | etcd ops/s | etcd p50 | etcd p99 | Distate ops/s | Distate p50 | Distate p99 |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for spec in "${specs[@]}"; do
    read -r workload clients target <<<"$spec"
    for round in $(seq 1 "$rounds"); do
      row() { values "$1" "$workload" "$clients" "$target" "$2" | sed -n "${round}p"; }
      printf '| %s | %s | %s | %.0f | %s | %s | %.0f | %s | %s |\n' "$workload" "$clients" "$round" \
        "$(row etcd ops_per_sec)" "$(row etcd p50_ms)" "$(row etcd p99_ms)" \
        "$(row distate ops_per_sec)" "$(row distate p50_ms)" "$(row distate p99_ms)"
    done
  done
fi
echo
echo "== leadership (as each member reports it) before the workloads and after =="
echo "etcd before:    $etcd_leadership_start"
echo "etcd after:     $(leadership "$etcd_port")"
echo "Distate before: $distate_leadership_start"
echo "Distate after:  $(leadership "$distate_port")"

echo
echo "== resident memory per member after the run (VmRSS, peak VmHWM) =="
echo "| system | member | pid | RSS MiB | peak MiB |"
echo "|---|---|---:|---:|---:|"
rss_rows() {
  local system=$1 prefix=$2 i=0 pid rss hwm
  shift 2
  for pid in "$@"; do
    i=$((i + 1))
    rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo gone)
    hwm=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || echo gone)
    echo "| $system | $prefix$i | $pid | $rss | $hwm |"
  done
}
rss_rows etcd e "${etcd_pids[@]}"
rss_rows Distate m "${distate_pids[@]}"

echo
echo "== CPU: top snapshots halfway through each $many-client run =="
for file in "$work"/top-*.txt; do
  [ -e "$file" ] || continue
  echo "-- $(basename "$file" .txt)"
  cat "$file"
done
echo
echo "raw results: $results (kept only with BENCH_KEEP=1 or BENCH_DIR)"
