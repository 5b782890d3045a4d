#!/usr/bin/env bash
# Replay of a synthetic day of the sample city (Riverton) with at least 1,000,000 events, as fast as possible
# ('citytwin replay --speed max') into an embedded silo, RUNS times. The day is written once by
# 'citytwin synth-day' (seeded: the same file every time). Prints the replay's own figures (events, seconds from
# the first request to the last event applied, events/s) and the whole process's wall time and peak memory from
# /usr/bin/time (reading and sorting the file, starting the silo, writing the KPI files included), and checks that
# every run's kpis.csv is the same (SHA-256).
#
# usage: bench/replay.sh [RUNS] [EVENTS]      (default: 3 runs, 1000000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
events=${2:-1000000}
dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll
out=$(mktemp -d /tmp/citytwin-replay-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$cli" synth-day --events "$events" --seed 42 --day 2026-03-10 --out "$out/day.ndjson"
echo "file: $(du -h "$out/day.ndjson" | cut -f1), sha256 $(sha256sum "$out/day.ndjson" | cut -c1-16)"
for i in $(seq 1 "$runs"); do
  /usr/bin/time -f '%e %M' -o "$out/time" dotnet "$cli" replay "$out/day.ndjson" --twin bench --speed max --out "$out/run$i" \
    > "$out/log$i" 2> "$out/err$i" || { cat "$out/log$i" "$out/err$i"; exit 1; }
  read -r wall kb < "$out/time"
  echo "run $i: $(grep '^replayed' "$out/log$i") | process wall ${wall} s, peak $((kb / 1024)) MB | kpis.csv $(sha256sum "$out/run$i/kpis.csv" | cut -c1-16)"
done
