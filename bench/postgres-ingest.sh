#!/usr/bin/env bash
# The live-twin ingest benchmark with PostgreSQL storage and the durable intake journal, on 1 or more silos of
# one cluster on this machine. Starts a throwaway PostgreSQL server from the machine's own binaries with its
# default durability (fsync on, synchronous_commit on), creates the schema with 'citytwin db init', starts the
# silos, runs 'CityTwin.Bench ingest' against all of them, and removes everything afterwards.
#
# usage: bench/postgres-ingest.sh [SILOS] [RATE] [SECONDS]      (defaults: 1 20000 60)
set -euo pipefail
cd "$(dirname "$0")/.."
silos=${1:-1}; rate=${2:-20000}; seconds=${3:-60}

dotnet build -c Release client/CityTwin.Cli -nologo -v q >/dev/null
dotnet build -c Release bench/CityTwin.Bench -nologo -v q >/dev/null
cli=client/CityTwin.Cli/bin/Release/net10.0/citytwin.dll
bench=bench/CityTwin.Bench/bin/Release/net10.0/CityTwin.Bench.dll

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/citytwin-bench-pg.XXXXXX)
run=""
if [ "$(id -u)" -eq 0 ]; then run="runuser -u postgres --"; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  $run "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT

printf 'bench' > "$pgdir/pw"
[ -n "$run" ] && chown -R postgres:postgres "$pgdir"
pgport=$(free_port)
$run "$pgbin/initdb" -D "$pgdir/data" -U citytwin --pwfile "$pgdir/pw" --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >/dev/null
$run "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -o "-p $pgport -c listen_addresses=127.0.0.1 -k $pgdir -c max_connections=300" start >/dev/null
conn="Host=127.0.0.1;Port=$pgport;Username=citytwin;Password=bench;Database=postgres"
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport (fsync $(PGPASSWORD=bench psql -h 127.0.0.1 -p "$pgport" -U citytwin -d postgres -Atc 'show fsync'), synchronous_commit $(PGPASSWORD=bench psql -h 127.0.0.1 -p "$pgport" -U citytwin -d postgres -Atc 'show synchronous_commit'))"
dotnet "$cli" db init --postgres "$conn"

urls=()
for i in $(seq 1 "$silos"); do
  http=$(free_port)
  CityTwin__DataDirectory="$pgdir/credentials" dotnet "$cli" up --storage postgres --postgres "$conn" --cluster-id bench --urls "http://127.0.0.1:$http" \
    --silo-port "$(free_port)" --gateway-port "$(free_port)" > "$pgdir/silo$i.log" 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$http")
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$http/api/health" >/dev/null && break; sleep 0.2; done
done
echo "silos: ${urls[*]}"
dotnet "$bench" ingest --url "$(IFS=,; echo "${urls[*]}")" --seconds "$seconds" --rate "$rate" --token "$(cat "$pgdir/credentials/admin.token")"
echo "journal rows left: $(PGPASSWORD=bench psql -h 127.0.0.1 -p "$pgport" -U citytwin -d postgres -Atc 'select count(*) from citytwin_intake_journal')"
