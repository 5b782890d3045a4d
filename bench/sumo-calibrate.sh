#!/usr/bin/env bash
# Calibrates how `citytwin import sumo` turns a SUMO vehicle type (vType) into CityTwin's vehicle behaviour, on two
# small networks of its own (a straight road and one signalised 4-way junction), never on the grids of
# bench/sumo-compare.sh, which validate the result.
#
# usage: bench/sumo-calibrate.sh [--work DIR] [--sumo-only]      (DIR: $WORK or /tmp/citytwin-sumo-calibrate)
#
# Networks (netconvert from plain XML written here):
#   road.net.xml       one straight edge of 2,000 m, 1 lane, 13.89 m/s (50 km/h).
#   junction.net.xml   one 4-way junction, a static traffic light with netconvert's default program (90 s cycle:
#                      42 s green / 3 s yellow per axis, left turns permissive 'g', the same program and junction
#                      shape as the grids' inner junctions), four arms of 600 m, 1 lane each way, 13.89 m/s, no U-turns.
# Vehicle types (each replaces DEFAULT_VEHTYPE through an additional file; 'def' has none: SUMO's own default car,
# Krauss, accel 2.6, decel 4.5, sigma 0.5, tau 1, length 5, minGap 2.5, speedFactor normc(1,0.1,0.2,2)):
#   def, s0 (sigma 0), s02 (sigma 0.2, a check of the interpolation in sigma), tau15 (tau 1.5), acc15 (accel 1.5),
#   len75 (length 7.5).
# SUMO measurements (seed 42, step 1 s, as bench/sumo-compare.sh runs SUMO):
#   TYPE-sat-{s,r,l}   1,800 veh/h for an hour from the north arm, all through / right / left (no opposing traffic),
#                      so the approach is saturated at every green; an instantInductionLoop 0.1 m before the stop line
#                      gives each vehicle's crossing time. Per cycle (cycles 3-38): vehicles served, and the discharge
#                      headway (last crossing - first) / (vehicles - 1), the headway CityTwin's queue uses (its first
#                      vehicle leaves at the start of green).
#   TYPE-road          one vehicle a minute for 10 hours on the road (no interaction), loops at 25..1900 m: the cruise
#                      speed between 1,000 and 1,900 m against the desired speed (speed limit x speedFactor), and the
#                      time lost starting from standstill.
#   TYPE-opp-Q         (def and s0) left turns from the north arm (1,800 veh/h) against Q = 200, 400, 600, 800 veh/h of
#                      through traffic from the south arm: left turns served per cycle.
# CityTwin (skipped with --sumo-only): the junction and the road imported with `citytwin import sumo` (with -a for the
# type) and simulated with `citytwin simulate --seed 42 --interval 90`:
#   gap fit            the opposed-left runs for critical gaps of 4 to 12 s: the gap whose left turns per cycle are
#                      closest to SUMO's (least squares over the four opposing flows);
#   check              every run with the importer's own mapping (no override), beside SUMO's figures.
# Writes DIR/results.md (also printed) and DIR/calibration.json; the commands are in DIR/commands.txt.
# CITYTWIN_DLL overrides the CLI (default: the Release build of client/CityTwin.Cli, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=${WORK:-/tmp/citytwin-sumo-calibrate}
sumo_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --sumo-only) sumo_only=1; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$work"
work=$(cd "$work" && pwd)

export SUMO_HOME=/usr/share/sumo
if ! command -v sumo >/dev/null || ! command -v netconvert >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing sumo, sumo-tools ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq sumo sumo-tools >/dev/null
fi
sumo_version=$(sumo --version 2>/dev/null | sed -n 1p)
echo "$sumo_version"

cmds="$work/commands.txt"
echo "export SUMO_HOME=$SUMO_HOME; cd $work" > "$cmds"
log_cmd() { printf '%q ' "$@" | sed 's/ $//' >> "$cmds"; echo >> "$cmds"; }
run() { log_cmd "$@"; "$@"; }

cd "$work"
# --- networks -------------------------------------------------------------------------------------------------------
cat > road.nod.xml <<'EOF'
<nodes>
  <node id="A" x="0" y="0" type="priority"/>
  <node id="B" x="2000" y="0" type="priority"/>
</nodes>
EOF
cat > road.edg.xml <<'EOF'
<edges>
  <edge id="AB" from="A" to="B" numLanes="1" speed="13.89"/>
</edges>
EOF
cat > junction.nod.xml <<'EOF'
<nodes>
  <node id="C" x="0" y="0" type="traffic_light"/>
  <node id="N" x="0" y="600" type="priority"/>
  <node id="S" x="0" y="-600" type="priority"/>
  <node id="E" x="600" y="0" type="priority"/>
  <node id="W" x="-600" y="0" type="priority"/>
</nodes>
EOF
{
  echo '<edges>'
  for arm in N S E W; do
    echo "  <edge id=\"${arm}C\" from=\"$arm\" to=\"C\" numLanes=\"1\" speed=\"13.89\"/>"
    echo "  <edge id=\"C${arm}\" from=\"C\" to=\"$arm\" numLanes=\"1\" speed=\"13.89\"/>"
  done
  echo '</edges>'
} > junction.edg.xml
run netconvert -n road.nod.xml -e road.edg.xml -o road.net.xml > netconvert.log 2>&1
run netconvert -n junction.nod.xml -e junction.edg.xml --no-turnarounds -o junction.net.xml >> netconvert.log 2>&1

# --- vehicle types --------------------------------------------------------------------------------------------------
types=(def s0 s02 tau15 acc15 len75)
attrs_of() {
  case $1 in
    def) echo "" ;; s0) echo 'sigma="0"' ;; s02) echo 'sigma="0.2"' ;; tau15) echo 'tau="1.5"' ;;
    acc15) echo 'accel="1.5"' ;; len75) echo 'length="7.5"' ;;
  esac
}
for t in "${types[@]}"; do
  [ "$t" = def ] && continue
  printf '<additional>\n  <vType id="DEFAULT_VEHTYPE" %s/>\n</additional>\n' "$(attrs_of "$t")" > "vtype-$t.add.xml"
done
type_add() { [ "$1" = def ] && return 0; printf '%s' "vtype-$1.add.xml"; }

# --- demand ---------------------------------------------------------------------------------------------------------
for mv in s:CS r:CW l:CE; do
  printf '<routes>\n  <flow id="f" from="NC" to="%s" begin="0" end="3600" vehsPerHour="1800"/>\n</routes>\n' "${mv#*:}" > "sat-${mv%%:*}.rou.xml"
done
opposing=(200 400 600 800)
for q in "${opposing[@]}"; do
  printf '<routes>\n  <flow id="f" from="NC" to="CE" begin="0" end="3600" vehsPerHour="1800"/>\n  <flow id="o" from="SC" to="CN" begin="0" end="3600" vehsPerHour="%s"/>\n</routes>\n' "$q" > "opp-$q.rou.xml"
done
printf '<routes>\n  <flow id="f" from="AB" to="AB" begin="0" end="36000" period="60"/>\n</routes>\n' > road.rou.xml

# --- SUMO -----------------------------------------------------------------------------------------------------------
sumo_run() {  # sumo_run NAME NET ROUTES TYPE DETECTORS [more sumo args]
  local name=$1 net=$2 routes=$3 type=$4 det=$5; shift 5
  local add; add="$(type_add "$type")"
  add="${add:+$add,}$det"
  run sumo -n "$net" -r "$routes" -a "$add" --no-step-log --seed 42 "$@" > "$name.log" 2>&1 \
    || { echo "sumo failed: $name"; tail -n 5 "$name.log"; exit 1; }
}
stopline() {  # stopline NAME: an instant loop 0.1 m before the north arm's stop line, writing NAME.det.xml
  printf '<additional>\n  <instantInductionLoop id="stop" lane="NC_0" pos="-0.1" file="%s.det.xml"/>\n</additional>\n' "$1" > "$1.add.xml"
}
echo "== SUMO: saturated movements, the road, opposed left turns"
for t in "${types[@]}"; do
  for d in s r l; do
    stopline "$t-sat-$d"
    sumo_run "$t-sat-$d" junction.net.xml "sat-$d.rou.xml" "$t" "$t-sat-$d.add.xml" --end 3600
  done
  {
    echo '<additional>'
    for p in 25 50 100 200 500 1000 1900; do
      echo "  <instantInductionLoop id=\"d$p\" lane=\"AB_0\" pos=\"$p\" file=\"$t-road.det.xml\"/>"
    done
    echo '</additional>'
  } > "$t-road.add.xml"
  sumo_run "$t-road" road.net.xml road.rou.xml "$t" "$t-road.add.xml" --tripinfo-output "$t-road.tripinfo.xml"
done
for t in def s0; do
  for q in "${opposing[@]}"; do
    stopline "$t-opp-$q"
    sumo_run "$t-opp-$q" junction.net.xml "opp-$q.rou.xml" "$t" "$t-opp-$q.add.xml" --end 3600
  done
done

# --- CityTwin -------------------------------------------------------------------------------------------------------
ct_args=()
if [ $sumo_only = 0 ]; then
  dll=${CITYTWIN_DLL:-$repo/client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll}
  if [ -z "${CITYTWIN_DLL:-}" ]; then
    echo "== building CityTwin (Release)"
    log_cmd dotnet build -c Release "$repo/client/CityTwin.Cli" -nologo -v q
    dotnet build -c Release "$repo/client/CityTwin.Cli" -nologo -v q > citytwin-build.log 2>&1 \
      || { echo "dotnet build failed: see $work/citytwin-build.log"; exit 1; }
  fi
  ct_import() {  # ct_import DIR NET ROUTES TYPE
    local add; add="$(type_add "$4")"
    rm -rf "$1"
    run dotnet "$dll" import sumo "$2" --routes "$3" ${add:+--additional "$add"} --out "$1" > "$1.import.log" 2>&1 \
      || { echo "citytwin import failed: $1"; cat "$1.import.log"; exit 1; }
  }
  ct_sim() {  # ct_sim CITY OUT [args]
    local city=$1 out=$2; shift 2
    run dotnet "$dll" simulate "$city" --seed 42 --interval 90 --out "$out" "$@" > "$out.log" 2>&1 \
      || { echo "citytwin simulate failed: $out"; tail -n 3 "$out.log"; exit 1; }
  }
  echo "== CityTwin: critical gap fit on the opposed left turns"
  gaps=(4 4.5 5 5.5 6 6.5 7 7.5 8 8.5 9 9.5 10 10.5 11 11.5 12)
  for t in def s0; do
    for q in "${opposing[@]}"; do
      ct_import "ct-$t-opp-$q" junction.net.xml "opp-$q.rou.xml" "$t"
      for g in "${gaps[@]}"; do
        ct_sim "ct-$t-opp-$q" "ct-$t-opp-$q-gap$g" --critical-gap "$g" --no-trips
      done
    done
  done
  echo "== CityTwin: every run with the importer's mapping"
  for t in "${types[@]}"; do
    for d in s r l; do
      ct_import "ct-$t-sat-$d" junction.net.xml "sat-$d.rou.xml" "$t"
      ct_sim "ct-$t-sat-$d" "ct-$t-sat-$d-out" --no-trips
    done
    ct_import "ct-$t-road" road.net.xml road.rou.xml "$t"
    ct_sim "ct-$t-road" "ct-$t-road-out"
  done
  for t in def s0; do
    for q in "${opposing[@]}"; do
      ct_sim "ct-$t-opp-$q" "ct-$t-opp-$q-out" --no-trips
    done
  done
  ct_args=(--citytwin)
fi

# --- report ---------------------------------------------------------------------------------------------------------
python3 "$repo/bench/sumo_calibrate.py" --work "$work" --sumo-version "$sumo_version" "${ct_args[@]}"
