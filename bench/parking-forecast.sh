#!/usr/bin/env bash
# Parking occupancy forecasts through the 'citytwin' command (Release build), timed with /usr/bin/time -v:
#  1. 'parking forecast': fit every facility on all its counts and forecast each one 24 hours ahead (every 30 min);
#  2. 'parking backtest': every held-out count from TRAIN_UNTIL on, forecast HORIZON minutes ahead, with the MAE
#     of the model and of the two naive baselines.
# Prints wall time, peak memory, facilities and forecasts per second for each, and the backtest's overall line.
#
# usage: bench/parking-forecast.sh [CSV] [TRAIN_UNTIL] [HORIZON_MIN]
#   default: the Birmingham slice in the repository, 2016-11-28, 60
#   the whole data set: bench/parking-forecast.sh /work/shared/data/parking-birmingham/parking_birmingham.csv
set -euo pipefail
cd "$(dirname "$0")/.."
csv=${1:-tests/data/parking-birmingham/birmingham-10-carparks.csv}
until=${2:-2016-11-28}
horizon=${3:-60}
dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll
out=$(mktemp -d /tmp/citytwin-forecast.XXXXXX)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $csv ($(($(wc -l < "$csv") - 1)) counts)"

timed() { # NAME OUTFILE ARGS...: runs the command under /usr/bin/time -v; prints wall, peak memory, facilities, rows/s
  local name=$1 file=$2; shift 2
  /usr/bin/time -v -o "$out/time" dotnet "$cli" "$@" > "$out/stdout"
  local wall kb rows facilities
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$out/time")
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time")
  rows=$(($(wc -l < "$file") - 1))
  facilities=$(tail -n +2 "$file" | cut -d, -f1 | sort -u | wc -l)
  awk -v n="$name" -v w="$wall" -v k="$kb" -v r="$rows" -v f="$facilities" \
    'BEGIN {printf "%s: wall %.2f s (whole process), peak %.0f MB, %d facilities, %d forecasts, %.0f forecasts/s (process wall)\n", n, w, k / 1024, f, r, r / w}'
}

timed "forecast 24 h ahead" "$out/forecast.csv" parking forecast "$csv" --hours 24 --out "$out/forecast.csv"
grep -E '^fit ' "$out/stdout" | sed 's/; wrote.*//; s/^/  in-process: /'
timed "backtest $horizon min from $until" "$out/backtest.csv" parking backtest "$csv" --train-until "$until" --horizon-min "$horizon" --out "$out/backtest.csv"
grep -E '^  all |beats' "$out/stdout" | sed 's/^ */  /'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
