#!/usr/bin/env bash
# A full 24-hour weekday of the sample city (Riverton: 142 links, 30 signals, 60,000 car trips from its
# origin-destination table) through 'citytwin simulate', RUNS times, with wall time and peak memory from
# /usr/bin/time. Prints one line per run and the figures of the run in summary.json.
#
# usage: bench/simulate-day.sh [RUNS] [extra simulate options...]      (default: 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; shift || true
dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll
out=$(mktemp -d /tmp/citytwin-day.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for i in $(seq 1 "$runs"); do
  /usr/bin/time -f '%e %M' -o "$out/time" dotnet "$cli" simulate --out "$out/run" --no-trips "$@" >/dev/null
  read -r wall kb < "$out/time"
  python3 - "$out/run/summary.json" "$wall" "$kb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("run: wall %s s (process), peak %.0f MB | simulated %.0f s in %.3f s, %d vehicle-steps, %.1f M vehicle-steps/s | trips %d/%d, mean trip %.1f s, time loss %.1f s, delay %.1f veh-h, teleports %d"
      % (sys.argv[2], int(sys.argv[3]) / 1024, s["endS"] - s["startS"], s["simulateSeconds"], s["vehicleSteps"],
         s["vehicleStepsPerSecond"] / 1e6, s["tripsCompleted"], s["trips"], s["meanTripDurationS"], s["meanTimeLossS"],
         s["totalDelayVehH"], s["teleports"]))
PY
done
