#!/usr/bin/env bash
# Memory under sustained writes: one Distate member and one etcd 3.4 member, back to back, each taking the same paced
# put load (bench/Distate.Load --rate) for BENCH_SECONDS with the same auto-compaction flags, while VmRSS is read from
# /proc/PID/status every BENCH_SAMPLE_SECONDS. Prints the samples and a summary table (markdown) for docs/benchmarks.md.
#
#   scripts/bench-memory.sh                                  # 90 s each, 4000 puts/s, periodic 10s retention
#   BENCH_SECONDS=20 scripts/bench-memory.sh                 # a quick look
#   BENCH_SYSTEMS="distate distate-off etcd" scripts/bench-memory.sh   # also Distate with auto-compaction off
#
# Settings (environment): BENCH_SECONDS (90), BENCH_RATE (puts/s, 4000), BENCH_CLIENTS (32), BENCH_KEY_SPACE (10000),
# BENCH_VALUE_BYTES (256), BENCH_SAMPLE_SECONDS (2), BENCH_RETENTION (periodic retention for both systems, 10s),
# BENCH_SYSTEMS (which runs, in order: distate, distate-off, etcd; default "distate etcd"), BENCH_PORT (client port,
# 25379; peers on +1), BENCH_DIR (data, logs, samples; default a new temp dir, removed at exit unless BENCH_KEEP=1),
# BENCH_DISTATE_FLAGS (extra flags for the Distate member, e.g. "--snapshot-count 20000"); DOTNET_* variables pass
# through to the Distate member (e.g. DOTNET_GCConserveMemory=5 to measure a GC setting).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${BENCH_SECONDS:-90}
rate=${BENCH_RATE:-4000}
clients=${BENCH_CLIENTS:-32}
key_space=${BENCH_KEY_SPACE:-10000}
value_bytes=${BENCH_VALUE_BYTES:-256}
sample_seconds=${BENCH_SAMPLE_SECONDS:-2}
retention=${BENCH_RETENTION:-10s}
systems=${BENCH_SYSTEMS:-distate etcd}
port=${BENCH_PORT:-25379}
ready_deadline_seconds=60

die() { echo "bench-memory: $*" >&2; exit 1; }

for setting in "BENCH_SECONDS=$seconds" "BENCH_RATE=$rate" "BENCH_CLIENTS=$clients" "BENCH_KEY_SPACE=$key_space" \
  "BENCH_VALUE_BYTES=$value_bytes" "BENCH_SAMPLE_SECONDS=$sample_seconds" "BENCH_PORT=$port"; do
  case "${setting#*=}" in
    '' | *[!0-9]*) die "${setting%%=*} must be a whole number, not '${setting#*=}'" ;;
  esac
done
[ "$seconds" -ge 6 ] && [ "$seconds" -le 3600 ] || die "BENCH_SECONDS must be 6..3600"
[ "$sample_seconds" -ge 1 ] || die "BENCH_SAMPLE_SECONDS must be at least 1"
for system in $systems; do
  case "$system" in distate | distate-off | etcd) ;; *) die "BENCH_SYSTEMS: unknown system '$system'" ;; esac
done
command -v etcd >/dev/null 2>&1 || die "etcd is not installed (apt-get install -y etcd-server etcd-client)"
command -v curl >/dev/null 2>&1 || die "curl is needed"
etcd_version=$(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p')

if [ -n "${BENCH_DIR:-}" ]; then work=$BENCH_DIR; mkdir -p "$work"; else work=$(mktemp -d "${TMPDIR:-/tmp}/distate-mem.XXXXXX"); fi

# Every process this script starts is recorded and stopped on every exit path.
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_DIR:-}" ]; then echo "bench-memory: kept $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && die "port $port is in use; set BENCH_PORT"

echo "== build (Release) ==" >&2
dotnet build src/Distate.Server -c Release -o "$work/bin/server" -nologo -v quiet >"$work/build.log" 2>&1 ||
  { tail -20 "$work/build.log" >&2; die "building src/Distate.Server failed"; }
dotnet build bench/Distate.Load -c Release -o "$work/bin/load" -nologo -v quiet >>"$work/build.log" 2>&1 ||
  { tail -20 "$work/build.log" >&2; die "building bench/Distate.Load failed"; }

url="http://127.0.0.1:$port"
peer="http://127.0.0.1:$((port + 1))"

# start SYSTEM: starts one member in the background; prints its pid.
start() {
  local system=$1 dir="$work/$1"
  mkdir -p "$dir"
  case "$system" in
    etcd)
      etcd --name e1 --data-dir "$dir/data" --logger zap --listen-client-urls "$url" --advertise-client-urls "$url" \
        --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "e1=$peer" \
        --auto-compaction-mode periodic --auto-compaction-retention "$retention" >"$dir/server.log" 2>&1 &
      ;;
    distate | distate-off)
      local keep=$retention
      [ "$system" = distate-off ] && keep=0
      dotnet "$work/bin/server/Distate.Server.dll" --name m1 --data-dir "$dir/data" --listen-client-urls "$url" \
        --advertise-client-urls "$url" --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
        --initial-cluster "m1=$peer" --auto-compaction-mode periodic --auto-compaction-retention "$keep" \
        ${BENCH_DISTATE_FLAGS:-} >"$dir/server.log" 2>&1 &
      ;;
  esac
  pids+=($!)
  echo $!
}

wait_ready() {
  local system=$1 deadline=$((SECONDS + ready_deadline_seconds))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -sf -m 1 -X POST "$url/v3/maintenance/status" -d '{}' 2>/dev/null | grep -q '"leader":"[1-9]'; then return 0; fi
    sleep 0.2
  done
  tail -5 "$work/$system/server.log" >&2 || true
  die "$system did not become ready within $ready_deadline_seconds s"
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# run SYSTEM: one member, the paced put load, VmRSS every sample_seconds into $work/SYSTEM/rss.tsv (seconds, KiB).
run() {
  local system=$1 pid load_pid t
  pid=$(start "$system")
  wait_ready "$system"
  echo "-- $system (pid $pid): $rate puts/s for $seconds s, $clients clients, $key_space keys, $value_bytes B values" >&2
  timeout $((seconds + 120)) dotnet "$work/bin/load/Distate.Load.dll" --endpoints "$url" --workload put \
    --clients "$clients" --rate "$rate" --duration "${seconds}s" --warmup 0s --key-space "$key_space" \
    --value-bytes "$value_bytes" --label "$system" --json >"$work/$system/load.json" &
  load_pid=$!
  pids+=($load_pid)
  : >"$work/$system/rss.tsv"
  for ((t = 0; t <= seconds; t += sample_seconds)); do
    printf '%s\t%s\n' "$t" "$(rss_kib "$pid")" >>"$work/$system/rss.tsv"
    [ "$t" -lt "$seconds" ] && sleep "$sample_seconds"
  done
  wait "$load_pid" || die "the load generator failed for $system (see $work/$system/load.json)"
  if [ "$system" != etcd ]; then
    curl -s "$url/metrics" | grep -E '^(dotnet_gc_heap_size_bytes|process_resident_memory_bytes|distate_store_used_bytes|distate_auto_compactions_total|distate_store_compact_revision|distate_store_revision) ' \
      >"$work/$system/metrics.txt" || true
  else
    curl -s -X POST "$url/v3/maintenance/status" -d '{}' >"$work/$system/metrics.txt" || true
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

for system in $systems; do run "$system"; done

# at FILE SECOND: the sample at that time (or the last one before it), in MiB.
at() { awk -v s="$2" '$1 <= s { v = $2 } END { printf "%.0f", v / 1024 }' "$1"; }
peak() { awk '$2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$1"; }
ops() { sed -n 's/.*"ops_per_sec":\([0-9.]*\).*/\1/p' "$1" | head -1; }
errors() { sed -n 's/.*"errors":\([0-9]*\).*/\1/p' "$1" | head -1; }

third=$((seconds / 3))
echo
echo "Machine: nproc $(nproc), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(date -u '+%Y-%m-%d %H:%M UTC'), etcd $etcd_version"
echo "Load: $rate puts/s paced over $clients clients, $key_space keys, $value_bytes B values, $seconds s; auto-compaction periodic $retention"
echo
echo "| system | ops/s | errors | RSS before load MiB | RSS at ${third} s MiB | RSS at end MiB | peak MiB | end / at ${third} s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for system in $systems; do
  f="$work/$system/rss.tsv"
  a=$(at "$f" "$third"); e=$(at "$f" "$seconds")
  echo "| $system | $(ops "$work/$system/load.json") | $(errors "$work/$system/load.json") | $(at "$f" 0) | $a | $e | $(peak "$f") | $(awk -v a="$a" -v e="$e" 'BEGIN { printf "%.2f", e / a }') |"
done
echo
echo "Samples (seconds, VmRSS MiB):"
header="| s |"; rule="|---:|"
for system in $systems; do header+=" $system |"; rule+="---:|"; done
echo "$header"; echo "$rule"
for ((t = 0; t <= seconds; t += sample_seconds)); do
  line="| $t |"
  for system in $systems; do line+=" $(awk -v s="$t" '$1 == s { printf "%.0f", $2 / 1024 }' "$work/$system/rss.tsv") |"; done
  echo "$line"
done
for system in $systems; do
  echo; echo "$system after the run:"; cat "$work/$system/metrics.txt"; echo
done
