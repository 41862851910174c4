#!/usr/bin/env bash
# Soak the Raft simulator: run fresh seed ranges until the time is up or a seed fails.
# usage: scripts/sim-soak.sh [seconds=3600] [seeds-per-round=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
per_round=${2:-20000}
deadline=$(( $(date +%s) + seconds ))
start=${DISTATE_SIM_SEED_START:-$(( $(date +%s) % 1000000 * 1000 ))}
dotnet build tests/Distate.Simulation -c Release >/dev/null
round=0
while [ "$(date +%s)" -lt "$deadline" ] && [ "$round" -lt 100000 ]; do
  echo "round $round: seeds $start..$(( start + per_round - 1 )) per scenario"
  if ! DISTATE_SIM_SEED_START=$start DISTATE_SIM_RUNS=$per_round \
      dotnet test tests/Distate.Simulation -c Release --no-build --logger "console;verbosity=normal"; then
    echo "FAILED in seeds $start..$(( start + per_round - 1 )); replay with DISTATE_SIM_SEED=<seed> (see output above)"
    exit 1
  fi
  start=$(( start + per_round ))
  round=$(( round + 1 ))
done
echo "soak finished: $round rounds without a failure"
