#!/usr/bin/env bash
# 'citytwin timing optimise' on a 900-signal grid imported from SUMO: recommend a plan for every signal and prove
# the plans by simulation (a measuring simulation of the baseline plus paired replications), timed whole.
#
# usage: bench/timing-grid.sh [--work DIR] [RUNS] [extra 'timing optimise' options...]    (default: 1 run; DIR as below)
#   e.g. bench/timing-grid.sh 3                      the default study (--corridors auto: green-wave coordination)
#        bench/timing-grid.sh 3 --corridors none     each signal's own optimised plan only
#
# Inputs, the same files as bench/sumo-compare.sh makes for its 30x30 grid (and reused from there):
#   grid30.net.xml    netgenerate: 30 x 30 junctions 200 m apart, 1 lane per direction at 50 km/h, every junction a
#                     traffic light except the 4 corners (--tls.discard-simple): 896 signals; no U-turns.
#   grid30.trips.xml  randomTrips.py --seed 42 -b 0 -e 3600 --period 0.2 --validate: 18,000 trips in one hour.
# DIR is $WORK or /tmp/citytwin-sumo-compare. With SUMO_REUSE=1, inputs already in DIR that the same commands made
# (the grid30.inputs stamp of bench/sumo-compare.sh) are kept; otherwise they are generated again (same seed, same
# files). The grid is imported with 'citytwin import sumo' (timed too), then each run is
#   citytwin timing optimise DIR/grid30-city --start 00:00 --until 01:00 --out DIR/grid30-timing-RUN [extra options]
# (the window covers the whole demand; 30 minutes of drain after it, 10 replications, seed 42 and --corridors auto by
# default) under /usr/bin/time -v, which gives the wall time, the peak memory (maximum resident set size) and the user
# and system CPU time. The table also gives the 1-minute load average just before each run, the CPU time the rest of
# the machine used during the run (from /proc/stat: all busy time less this run's; other work on the same cores slows
# the wall time, the run's own CPU time much less) and the decisions (the coordination's too, with corridors).
# CITYTWIN_DLL overrides the CLI that is run (default: the Release build of client/CityTwin.Cli, built here).
# Installs sumo, sumo-tools and time with apt-get when missing (benchmark only: CityTwin never needs SUMO).
set -euo pipefail
cd "$(dirname "$0")/.."

work=${WORK:-/tmp/citytwin-sumo-compare}
if [ "${1:-}" = "--work" ]; then work=$2; shift 2; fi
case "${1:-}" in -h|--help) sed -n '2,5p' "$0"; exit 0 ;; esac
runs=${1:-1}; shift || true
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive whole number, not '$runs'" >&2; exit 2; }
mkdir -p "$work"
work=$(cd "$work" && pwd)

# --- SUMO: the grid and its demand ----------------------------------------------------------------------------------
export SUMO_HOME=/usr/share/sumo   # randomTrips.py lives under it; sumo needs it for schema validation
if ! command -v netgenerate >/dev/null || [ ! -f "$SUMO_HOME/tools/randomTrips.py" ] || [ ! -x /usr/bin/time ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing sumo, sumo-tools, time ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sumo sumo-tools time >/dev/null
fi
sumo_version=$(sumo --version 2>/dev/null | sed -n 1p)

net="$work/grid30.net.xml"; trips="$work/grid30.trips.xml"; rou="$work/grid30.rou.xml"
# Exactly the commands of bench/sumo-compare.sh for N = 30 (the stamp compares them), so either script reuses the
# other's files.
ng=(netgenerate --grid --grid.number 30 --grid.length 200 --default.lanenumber 1 --default.speed 13.89
    --default-junction-type traffic_light --tls.discard-simple --no-turnarounds -o "$net")
rt=(python3 "$SUMO_HOME/tools/randomTrips.py" -n "$net" --seed 42 -b 0 -e 3600 --period 0.2 --validate
    -o "$trips" -r "$rou")
stamp="$work/grid30.inputs"
want="$(printf '%q ' "${ng[@]}" "${rt[@]}")"
if [ "${SUMO_REUSE:-0}" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -s "$trips" ]; then
  echo "reusing $net and $trips (SUMO_REUSE=1)"
else
  echo "== grid 30x30: network and one hour of trips ($sumo_version)"
  rm -f "$stamp"
  "${ng[@]}" > "$work/grid30.netgenerate.log" 2>&1 || { cat "$work/grid30.netgenerate.log"; exit 1; }
  # randomTrips writes helper files into the current directory: run it inside WORK
  (cd "$work" && "${rt[@]}" > "$work/grid30.randomtrips.log" 2>&1) || { cat "$work/grid30.randomtrips.log"; exit 1; }
  # the stamp of bench/sumo-compare.sh also stands for its SUMO results, which new inputs make stale
  rm -f "$work"/grid30-{micro,micro0,meso,mesojc}.{time,tripinfo.xml}
  printf '%s' "$want" > "$stamp"
fi

# --- CityTwin -------------------------------------------------------------------------------------------------------
dll=${CITYTWIN_DLL:-client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll}
if [ -z "${CITYTWIN_DLL:-}" ]; then
  echo "== building CityTwin (Release)"
  dotnet build -c Release client/CityTwin.Cli -nologo -v q > "$work/timing-build.log" 2>&1 \
    || { grep -m 5 -E 'error' "$work/timing-build.log" || tail -n 5 "$work/timing-build.log"; exit 1; }
fi

city="$work/grid30-city"
rm -rf "$city"
echo "== import"
/usr/bin/time -o "$work/grid30-timing-import.time" -f '%e %M' \
  dotnet "$dll" import sumo "$net" --routes "$trips" --out "$city" > "$work/grid30-timing-import.log" 2>&1 \
  || { echo "citytwin import failed:"; tail -n 5 "$work/grid30-timing-import.log"; exit 1; }
read -r import_wall import_kb < "$work/grid30-timing-import.time"
signals=$(grep -m1 -E '^ *signals ' "$work/grid30-timing-import.log" | awk '{print $2}')

table="$work/timing-grid.md"
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "import: $signals signals, $(printf '%s' "$import_wall") s, $((import_kb / 1024)) MB peak"
  echo
  echo "command: dotnet $dll timing optimise $city --start 00:00 --until 01:00 --out $work/grid30-timing-RUN $*"
  echo
  echo "| run | load average before | other work during the run | wall (whole process) | peak memory | user + system CPU | decision |"
  echo "|---|---|---|---|---|---|---|"
} > "$table"
for i in $(seq 1 "$runs"); do
  out="$work/grid30-timing-$i"
  rm -rf "$out"
  cmd=(dotnet "$dll" timing optimise "$city" --start 00:00 --until 01:00 --out "$out" "$@")
  load=$(cut -d' ' -f1 /proc/loadavg)
  busy_before=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat)
  echo "== run $i: ${cmd[*]}"
  if ! /usr/bin/time -v -o "$work/grid30-timing-$i.time" "${cmd[@]}" > "$work/grid30-timing-$i.log" 2>&1; then
    echo "citytwin timing optimise failed:"; tail -n 5 "$work/grid30-timing-$i.log"; exit 1
  fi
  busy_after=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat)
  python3 - "$work/grid30-timing-$i.time" "$work/grid30-timing-$i.log" "$i" "$load" "$busy_before" "$busy_after" "$(getconf CLK_TCK)" >> "$table" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def field(name):
    return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** k for k, p in enumerate(reversed(parts)))
kb = int(field("Maximum resident set size (kbytes)"))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
lines = open(sys.argv[2]).read().splitlines()
decision = lines[0].strip()
# with corridors, the coordination's decision (its first sentence) follows
coordination = next((l.split("; the recommended")[0] for l in lines[1:3] if "coordinate the" in l.lower()), None)
if coordination:
    decision += " " + coordination + "."
# CPU time of everything else on the machine during the run, and the cores that makes on average
others = max(0.0, (int(sys.argv[6]) - int(sys.argv[5])) / int(sys.argv[7]) - cpu)
print("| %s | %s | %.0f CPU-s (%.1f cores) | %.1f s | %.0f MB | %.1f s | %s |" % (sys.argv[3], sys.argv[4], others, others / secs, secs, kb / 1024, cpu, decision))
PY
done
echo
cat "$table"
echo "(also in $table; outputs in $work/grid30-timing-N/)"
