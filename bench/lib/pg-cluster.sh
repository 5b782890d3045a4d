# Shared by the cluster benchmarks (sourced, not run): a throwaway PostgreSQL server from the machine's own
# binaries and CityTwin silos on it, all removed when the calling script exits.
#
#   start_postgres [SERVER OPTIONS...]   initdb + start on a free loopback port, default durability; sets $conn
#                                        (the connection string), $pgport, $pgdir (a temporary folder) and runs
#                                        'citytwin db init'
#   start_silos N                        N 'citytwin up --storage postgres' processes of cluster 'bench' sharing
#                                        one data directory; sets $urls (their HTTP addresses) and $token (admin)
#   pgsql SQL                            runs one statement, prints the result unaligned
# Needs $cli (the citytwin.dll to run).

pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/citytwin-bench-pg.XXXXXX)
pgrun=""
if [ "$(id -u)" -eq 0 ]; then pgrun="runuser -u postgres --"; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  $pgrun "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT

pgsql() { PGPASSWORD=bench psql -h 127.0.0.1 -p "$pgport" -U citytwin -d postgres -Atc "$1"; }

start_postgres() {
  printf 'bench' > "$pgdir/pw"
  if [ -n "$pgrun" ]; then chown -R postgres:postgres "$pgdir"; fi
  pgport=$(free_port)
  $pgrun "$pgbin/initdb" -D "$pgdir/data" -U citytwin --pwfile "$pgdir/pw" --auth-host=scram-sha-256 --auth-local=trust -E UTF8 >/dev/null
  $pgrun "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -o "-p $pgport -c listen_addresses=127.0.0.1 -k $pgdir $*" start >/dev/null
  conn="Host=127.0.0.1;Port=$pgport;Username=citytwin;Password=bench;Database=postgres"
  dotnet "$cli" db init --postgres "$conn" >/dev/null
}

start_silos() {
  urls=()
  local i http
  for i in $(seq 1 "$1"); do
    http=$(free_port)
    CityTwin__DataDirectory="$pgdir/credentials" dotnet "$cli" up --storage postgres --postgres "$conn" --cluster-id bench --urls "http://127.0.0.1:$http" \
      --silo-port "$(free_port)" --gateway-port "$(free_port)" > "$pgdir/silo$i.log" 2>&1 &
    pids+=($!)
    urls+=("http://127.0.0.1:$http")
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$http/api/health" >/dev/null && break; sleep 0.2; done
  done
  token=$(cat "$pgdir/credentials/admin.token")
}
