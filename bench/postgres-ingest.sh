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

. bench/lib/pg-cluster.sh
start_postgres -c max_connections=300
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport (fsync $(pgsql 'show fsync'), synchronous_commit $(pgsql 'show synchronous_commit'))"
start_silos "$silos"
echo "silos: ${urls[*]}"
dotnet "$bench" ingest --url "$(IFS=,; echo "${urls[*]}")" --seconds "$seconds" --rate "$rate" --token "$token"
echo "journal rows left: $(pgsql 'select count(*) from citytwin_intake_journal')"
