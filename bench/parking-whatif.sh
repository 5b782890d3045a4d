#!/usr/bin/env bash
# A 4-week pricing what-if on the sample city (Riverton: 10 facilities, 2,845 spaces, its weekday demand and the
# fitted parking demand model): downtown (D-OLD) performance pricing against today's flat prices, REPLICATIONS paired
# replications of each, through 'citytwin parking whatif' (Release build), RUNS times, with wall time and peak memory
# from /usr/bin/time. Prints one line per run with the simulation throughput and the decision's KPI differences.
#
# usage: bench/parking-whatif.sh [RUNS] [REPLICATIONS] [extra whatif options...]      (default: 3 runs, 10 replications)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; shift || true
reps=${1:-10}; shift || true
dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll
out=$(mktemp -d /tmp/citytwin-parking.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  /usr/bin/time -f '%e %M' -o "$out/time" dotnet "$cli" parking whatif --policy performance --scope D-OLD --weeks 4 \
    --replications "$reps" --seed 42 --out "$out/run" "$@" >/dev/null
  read -r wall kb < "$out/time"
  python3 - "$out/run/summary.json" "$wall" "$kb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d = s["differencesPerWeek"]
def ci(k):
    x = d[k]
    return "%+.1f (%+.1f..%+.1f)" % (x["meanDifference"], x["ci95Lower"], x["ci95Upper"])
print("run: wall %s s (process), peak %.0f MB | %d scenario-weeks simulated in %.2f s = %.1f weeks/s, %.0f arrivals/s | per week: hours>=90%% %s, search veh-km %s, rejected %s, revenue %s | %s"
      % (sys.argv[2], int(sys.argv[3]) / 1024, s["simulatedWeeks"], s["simulateSeconds"], s["simulatedWeeks"] / s["simulateSeconds"],
         s["arrivalsSimulated"] / s["simulateSeconds"], ci("hoursAtOrAbove90"), ci("searchVehKm"), ci("rejectedArrivals"), ci("revenue"),
         s["decision"]["verdict"]))
PY
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
