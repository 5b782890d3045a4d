#!/usr/bin/env bash
# CityTwin's mesoscopic engine against SUMO (micro and meso) on signalised grids, with the same trips.
#
# usage: bench/sumo-compare.sh [--work DIR] [N ...]        (default grids: 10 30; DIR: $WORK or /tmp/citytwin-sumo-compare)
#
# For each grid N it writes into DIR:
#   gridN.net.xml     netgenerate: N x N junctions 200 m apart, 1 lane per direction at 13.89 m/s (50 km/h), every
#                     junction a static traffic light (90 s cycle: 42 s green / 3 s yellow per axis, offset 0, left
#                     turns permissive 'g'), except the 4 corners, which --tls.discard-simple leaves as plain
#                     priority junctions (a light there only flashes a pointless yellow); no turnarounds (no U-turns).
#   gridN.trips.xml   randomTrips.py --seed 42 -b 0 -e 3600 --period P --validate: one departure every P seconds for
#                     an hour between uniformly drawn edges; --validate keeps only routable trips. P = 0.2 s on 30x30
#                     (18,000 trips) and 0.5 s on 10x10 (7,200 trips: busy, time loss ~35% over light load and no
#                     teleports; 0.3 s gridlocks, 0.4 s is on the edge). Other N: set PERIOD.
#   gridN.rou.xml     the same trips routed by duarouter on free-flow times (for reference only: the runs use the trips).
#   gridN-{micro,micro0,meso,mesojc}.{log,time,tripinfo.xml}   SUMO runs; SUMO routes each trip when it departs.
#   gridN-city/, gridN-ct/summary.json, gridN-ct*.{log,time}     CityTwin import + simulate of the same files (the
#                     import maps SUMO's default car to CityTwin's vehicle behaviour, docs/sumo-import.md#vehicles).
#   gridN-city0/, gridN-ct0/summary.json   the same with the import given sigma0.add.xml (-a), as SUMO micro0.
#   results.md        the tables, also printed.
# SUMO rows: micro; micro0 = micro with sigma=0 (no dawdling); meso as '--mesosim' alone (SUMO's default meso ignores traffic lights); meso with
# '--meso-junction-control' (red lights and right of way modelled). Wall time and peak memory come from
# /usr/bin/time -f '%e %M' around each whole command (loading, routing and writing included), for CityTwin as well.
# SUMO_REUSE=1 keeps SUMO results already in DIR for the same files (to iterate on CityTwin quickly); with it,
# SUMO_RERUN="meso mesojc" runs those kinds again anyway (to time them beside CityTwin on the same machine load).
# CITYTWIN_DLL overrides the CLI that is run (default: the Release build of client/CityTwin.Cli, built here).
# Installs sumo, sumo-tools and time with apt-get when missing (benchmark only: CityTwin never needs SUMO).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=${WORK:-/tmp/citytwin-sumo-compare}
if [ "${1:-}" = "--work" ]; then work=$2; shift 2; fi
case "${1:-}" in -h|--help) sed -n '2,4p' "$0"; exit 0 ;; esac
grids=("$@")
[ ${#grids[@]} -eq 0 ] && grids=(10 30)
mkdir -p "$work"
work=$(cd "$work" && pwd)

# --- SUMO -----------------------------------------------------------------------------------------------------------
export SUMO_HOME=/usr/share/sumo   # also needed for XML schema validation: without it sumo rejects the trips file
if ! command -v sumo >/dev/null || ! command -v netgenerate >/dev/null || [ ! -f "$SUMO_HOME/tools/randomTrips.py" ] \
   || [ ! -x /usr/bin/time ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing sumo, sumo-tools, time ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sumo sumo-tools time >/dev/null
fi
sumo_version=$(sumo --version 2>/dev/null | sed -n 1p)
echo "$sumo_version"

cmds="$work/commands.txt"
echo "export SUMO_HOME=$SUMO_HOME" > "$cmds"
# log_cmd ARGS...: records a command line, shell-quoted, in commands.txt
log_cmd() { printf '%q ' "$@" | sed 's/ $//' >> "$cmds"; echo >> "$cmds"; }
# timed NAME ARGS...: runs ARGS with output in NAME.log and '%e %M' in NAME.time; returns its exit status
timed() {
  local name=$1; shift
  log_cmd "$@"
  /usr/bin/time -o "$work/$name.time" -f '%e %M' "$@" > "$work/$name.log" 2>&1
}

period_for() {
  case "$1" in
    10) echo "${PERIOD:-0.5}" ;;
    30) echo "${PERIOD:-0.2}" ;;
    *) [ -n "${PERIOD:-}" ] || { echo "grid $1: set PERIOD (seconds between departures)" >&2; exit 2; }; echo "$PERIOD" ;;
  esac
}

sumo_common=(--no-step-log --duration-log.statistics --seed 42 --time-to-teleport 300)
for n in "${grids[@]}"; do
  net="$work/grid$n.net.xml"; trips="$work/grid$n.trips.xml"; rou="$work/grid$n.rou.xml"
  period=$(period_for "$n")
  echo "== grid ${n}x${n}: network and trips (period $period s)"
  ng=(netgenerate --grid --grid.number "$n" --grid.length 200 --default.lanenumber 1 --default.speed 13.89
      --default-junction-type traffic_light --tls.discard-simple --no-turnarounds -o "$net")
  rt=(python3 "$SUMO_HOME/tools/randomTrips.py" -n "$net" --seed 42 -b 0 -e 3600 --period "$period" --validate
      -o "$trips" -r "$rou")
  stamp="$work/grid$n.inputs"    # the commands that made the inputs, to know when SUMO results can be reused
  want="$(printf '%q ' "${ng[@]}" "${rt[@]}")"
  reuse=0
  if [ "${SUMO_REUSE:-0}" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -s "$trips" ]; then
    reuse=1; echo "   reusing $net, $trips and the SUMO results (SUMO_REUSE=1)"
  fi
  log_cmd "${ng[@]}"; log_cmd "${rt[@]}"
  if [ $reuse = 0 ]; then
    rm -f "$stamp"
    "${ng[@]}" > "$work/grid$n.netgenerate.log" 2>&1 || { cat "$work/grid$n.netgenerate.log"; exit 1; }
    # randomTrips writes helper files into the current directory: run it inside WORK
    (cd "$work" && "${rt[@]}" > "$work/grid$n.randomtrips.log" 2>&1) || { cat "$work/grid$n.randomtrips.log"; exit 1; }
  fi
  # micro0: SUMO micro with the driver imperfection (Krauss sigma, default 0.5) off, to show how much of the
  # difference to micro is random dawdling, which a mesoscopic model does not have.
  printf '<additional><vType id="DEFAULT_VEHTYPE" sigma="0"/></additional>\n' > "$work/sigma0.add.xml"
  for kind in micro micro0 meso mesojc; do
    case $kind in
      micro)  extra=() ;;
      micro0) extra=(-a "$work/sigma0.add.xml") ;;
      meso)   extra=(--mesosim) ;;
      mesojc) extra=(--mesosim --meso-junction-control) ;;
    esac
    cmd=(sumo -n "$net" -r "$trips" --tripinfo-output "$work/grid$n-$kind.tripinfo.xml" "${sumo_common[@]}" "${extra[@]}")
    if [ $reuse = 1 ] && [[ " ${SUMO_RERUN:-} " != *" $kind "* ]] && [ -s "$work/grid$n-$kind.tripinfo.xml" ] \
       && [ -s "$work/grid$n-$kind.time" ]; then
      log_cmd "${cmd[@]}"; continue
    fi
    echo "   SUMO $kind ..."
    rm -f "$work/grid$n-$kind.error"
    if ! timed "grid$n-$kind" "${cmd[@]}"; then
      { echo "sumo exited non-zero:"; tail -n 5 "$work/grid$n-$kind.log"; } > "$work/grid$n-$kind.error"
    fi
  done
  printf '%q ' "${ng[@]}" "${rt[@]}" > "$stamp"
done

# --- CityTwin -------------------------------------------------------------------------------------------------------
dll=${CITYTWIN_DLL:-client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll}
build_error=""
if [ -z "${CITYTWIN_DLL:-}" ]; then
  echo "== building CityTwin (Release)"
  log_cmd dotnet build -c Release client/CityTwin.Cli -nologo -v q
  if ! dotnet build -c Release client/CityTwin.Cli -nologo -v q > "$work/citytwin-build.log" 2>&1; then
    build_error="dotnet build failed: $(grep -m 1 -E 'error' "$work/citytwin-build.log" || tail -n 1 "$work/citytwin-build.log")"
  fi
fi
for n in "${grids[@]}"; do
  rm -rf "$work/grid$n-city" "$work/grid$n-ct" "$work/grid$n-city0" "$work/grid$n-ct0"
  rm -f "$work/grid$n-ct.error" "$work/grid$n-ct.time" "$work/grid$n-ct-import.time" "$work/grid$n-ct0.error" "$work/grid$n-ct0.time"
  if [ -n "$build_error" ]; then echo "$build_error" > "$work/grid$n-ct.error"; continue; fi
  echo "== grid ${n}x${n}: CityTwin"
  if ! timed "grid$n-ct-import" dotnet "$dll" import sumo "$work/grid$n.net.xml" --routes "$work/grid$n.trips.xml" \
         --out "$work/grid$n-city"; then
    { echo "citytwin import failed:"; tail -n 3 "$work/grid$n-ct-import.log"; } > "$work/grid$n-ct.error"; continue
  fi
  if ! timed "grid$n-ct" dotnet "$dll" simulate "$work/grid$n-city" --seed 42 --out "$work/grid$n-ct"; then
    { echo "citytwin simulate failed:"; tail -n 3 "$work/grid$n-ct.log"; } > "$work/grid$n-ct.error"; continue
  fi
  [ -s "$work/grid$n-ct/summary.json" ] || echo "no $work/grid$n-ct/summary.json" > "$work/grid$n-ct.error"
  # The same without dawdling: the import reads SUMO micro0's additional file, sigma=0.
  if ! timed "grid$n-ct0-import" dotnet "$dll" import sumo "$work/grid$n.net.xml" --routes "$work/grid$n.trips.xml" \
         --additional "$work/sigma0.add.xml" --out "$work/grid$n-city0" \
     || ! timed "grid$n-ct0" dotnet "$dll" simulate "$work/grid$n-city0" --seed 42 --out "$work/grid$n-ct0" --no-trips; then
    echo "citytwin import or simulate with sigma0.add.xml failed" > "$work/grid$n-ct0.error"
  fi
done

# --- report ---------------------------------------------------------------------------------------------------------
python3 "$repo/bench/sumo_compare.py" --work "$work" --sumo-version "$sumo_version" --grids "${grids[@]}"
