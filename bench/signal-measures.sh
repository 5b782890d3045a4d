#!/usr/bin/env bash
# Signal performance measures on the atspm package's test log (tests/data/atspm: 246,413 events, 3 controllers,
# 3 hours; MIT, see SOURCE.md there):
#   1. batch: 'citytwin signal measures' on the whole log, RUNS times (Release build); events/s = rows / wall time
#      of the process (start-up, reading the gzip CSV, measuring, writing the six CSVs);
#   2. live: a silo ('citytwin up', in-memory, the sample city, whose controllers file maps devices 227/452/454 to
#      S-01/S-02/S-03) is sent the same events as NDJSON controller-event lines over HTTP (one sender, CHUNK lines
#      per request), and the clock stops when GET .../signals/{id}/measures of all three signals has taken every
#      event (used + bad rows); events/s = events / that time.
#
# usage: bench/signal-measures.sh [RUNS] [CHUNK]      (defaults: 3 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}; chunk=${2:-20000}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive whole number, not '$runs'" >&2; exit 2; }
[[ "$chunk" =~ ^[1-9][0-9]*$ ]] || { echo "CHUNK must be a positive whole number, not '$chunk'" >&2; exit 2; }

dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll
log=tests/data/atspm/hires_test_data.csv.gz
config=tests/data/atspm/configs_test_data.csv
work=$(mktemp -d /tmp/citytwin-bench-measures.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. batch ---------------------------------------------------------------------------------------------------------
for run in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  dotnet "$cli" signal measures "$log" --config "$config" --out "$work/out" >"$work/batch.txt" 2>/dev/null
  end=$(date +%s.%N)
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'batch run {sys.argv[3]}: {s:.2f} s wall, {246413/s:,.0f} events/s')" "$start" "$end" "$run"
done
grep -E "^(events|bad rows)" "$work/batch.txt"

# --- 2. live ingest -----------------------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
python3 - "$log" "$work" "$chunk" <<'PY'
import csv, gzip, sys
log, work, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
signal = {"227": "S-01", "452": "S-02", "454": "S-03"}
seq = {}
lines = []
with gzip.open(log, "rt") as f:
    for r in csv.DictReader(f):
        s = signal[r["DeviceId"]]
        seq[s] = seq.get(s, 0) + 1
        ts = r["TimeStamp"].replace(" ", "T")
        ts = ts if "." in ts else ts + ".0"
        lines.append('{"type":"controller-event","sensor":"%s","ts":"%sZ","seq":%d,"eventId":%s,"parameter":%s}' % (s, ts, seq[s], r["EventId"], r["Parameter"]))
for i in range(0, len(lines), chunk):
    with open(f"{work}/chunk-{i // chunk:04d}.ndjson", "w") as out:
        out.write("\n".join(lines[i:i + chunk]) + "\n")
print(f"live: {len(lines)} NDJSON lines in {(len(lines) + chunk - 1) // chunk} requests")
PY
CityTwin__DataDirectory="$work/credentials" dotnet "$cli" up --urls "$url" >"$work/silo.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -sf "$url/api/health" >/dev/null && break; sleep 0.2; done
# Posts every chunk, then polls the three signals' measures until they have taken (used + bad rows) every event the
# ingest accepted (it rejects the log's four rows with parameter -1 at the door).
python3 - "$url" "$work" "$(cat "$work/credentials/admin.token")" <<'PY'
import glob, json, sys, time, urllib.request
url, work, token = sys.argv[1], sys.argv[2], sys.argv[3]
auth = {"Authorization": f"Bearer {token}"}
start = time.monotonic()
accepted = 0
for f in sorted(glob.glob(f"{work}/chunk-*.ndjson")):
    with open(f, "rb") as body:
        req = urllib.request.Request(f"{url}/api/twins/live/ingest", data=body.read(), method="POST", headers=auth)
    with urllib.request.urlopen(req) as r:
        rep = json.load(r)
    accepted += rep["accepted"] + rep["duplicates"]
sent = time.monotonic()
def taken():
    n = 0
    for s in ("S-01", "S-02", "S-03"):
        with urllib.request.urlopen(urllib.request.Request(f"{url}/api/twins/live/signals/{s}/measures", headers=auth)) as r:
            m = json.load(r)
        n += m["eventsUsed"] + sum(b["count"] for b in m["badRows"])
    return n
while (t := taken()) < accepted and time.monotonic() - start < 600:
    time.sleep(0.05)
end = time.monotonic()
print(f"live: {accepted} events accepted, posted in {sent - start:.2f} s, all {t} measured after {end - start:.2f} s: {accepted / (end - start):,.0f} events/s")
PY
