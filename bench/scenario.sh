#!/usr/bin/env bash
# A sample scenario with 20 replications (3 arms: 60 work items) on a cluster of SILOS silo processes on this
# machine: starts a throwaway PostgreSQL server from the machine's own binaries (several silos form one cluster
# through it), creates the schema with 'citytwin db init', starts the silos with 'citytwin up', runs
# 'citytwin scenario run --cluster' against the first and prints the wall time and where the work items ran.
#
# usage: bench/scenario.sh [SILOS] [SCRIPT] [REPLICATIONS]   (defaults: 1 scenarios/morning-peak-signal-timing.yaml 20)
set -euo pipefail
cd "$(dirname "$0")/.."
silos=${1:-1}; script=${2:-scenarios/morning-peak-signal-timing.yaml}; reps=${3:-20}

dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll

. bench/lib/pg-cluster.sh
start_postgres
start_silos "$silos"
# Wait until every silo sees the others.
for _ in $(seq 1 100); do
  n=$(curl -sf -H "Authorization: Bearer $token" "${urls[0]}/api/cluster" | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin)["silos"] if s["status"]=="Active"))' 2>/dev/null || echo 0)
  [ "$n" -ge "$silos" ] && break; sleep 0.2
done
echo "silos: ${urls[*]} ($(nproc) cores on this machine)"
out="$pgdir/out"
start=$(date +%s.%N)
dotnet "$cli" scenario run "$script" --replications "$reps" --cluster "${urls[0]}" --token "$token" --out "$out" | grep -v '^|' | tail -n 3
end=$(date +%s.%N)
python3 - "$out/results.json" "$start" "$end" <<'PY'
import json, sys, collections
r = json.load(open(sys.argv[1]))
by = collections.Counter(x["worker"] for x in r["runs"])
secs = [x["wallSeconds"] for x in r["runs"]]
print(f"work items: {len(r['runs'])}; per silo: {dict(by)}; mean work item {sum(secs)/len(secs):.2f} s; wall {float(sys.argv[3]) - float(sys.argv[2]):.1f} s (client start to report written)")
PY
